"""Working on circom artefacts: proving from a snarkjs .zkey, witnesses from circom's .wasm,
and Groth16 keys (.zkey) from a phase-2-prepared powers-of-tau file."""

from .prover import create_proof_from_zkey, prove_from_zkey, zkey_rows

__all__ = ["create_proof_from_zkey", "prove_from_zkey", "zkey_rows"]
