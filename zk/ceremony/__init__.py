"""Trusted-setup ceremonies in snarkjs's formats: phase 1 (powers of tau, .ptau) and phase 2
(per circuit, .zkey). phase1 / phase2 are the protocol steps; keypair holds a contributor's key
and the batched same-ratio checks; rng and transcript reproduce snarkjs's randomness and hashed
encodings; blake2b is a resumable Blake2b-512 for the .ptau response hash."""
