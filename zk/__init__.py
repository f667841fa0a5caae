"""zk: Groth16 over BN254. Knows nothing about circuits' authoring or trading."""
