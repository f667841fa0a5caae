"""Groth16 over BN254 (Groth, EUROCRYPT 2016), in the arkworks layout: data, setup, prover, verifier."""

from .data import Proof, ProvingKey, ToxicWaste, VerifyingKey
from .prover import (
    PreparedProvingKey,
    assemble_proof,
    check_key_matches,
    create_proof,
    prepare_proving_key,
    prove,
)
from .setup import DEV_ONLY_WARNING, generate_parameters, sample_toxic_waste, setup
from .verifier import (
    PreparedVerifyingKey,
    batch_verify,
    prepare_verifying_key,
    verify,
    verify_proof,
)

__all__ = [
    "DEV_ONLY_WARNING",
    "PreparedProvingKey",
    "PreparedVerifyingKey",
    "Proof",
    "ProvingKey",
    "ToxicWaste",
    "VerifyingKey",
    "assemble_proof",
    "batch_verify",
    "check_key_matches",
    "create_proof",
    "generate_parameters",
    "prepare_proving_key",
    "prepare_verifying_key",
    "prove",
    "sample_toxic_waste",
    "setup",
    "verify",
    "verify_proof",
]
