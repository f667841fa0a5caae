"""Groth16 verification: prepared key, single proofs, and batches in fewer pairings.

Check: e(A, B) = e(α, β) · e(Σ x_i·IC_i, γ) · e(C, δ). The prepared key holds e(α, β) and
−γ, −δ, so one proof costs one 3-pair multi-Miller loop and one final exponentiation.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import sha3

from ..curve import (
    G1Point,
    FQ12,
    final_exponentiation,
    g1_add,
    g1_is_on_curve,
    g1_lincomb,
    g1_mul,
    g2_in_subgroup,
    g2_neg,
    miller_loop,
    pairing,
)
from ..errors import MalformedInput
from ..field import R
from .data import Proof, VerifyingKey


@dataclass(frozen=True)
class PreparedVerifyingKey:
    vk: VerifyingKey
    alpha_beta: FQ12
    neg_gamma_g2: tuple
    neg_delta_g2: tuple


def prepare_verifying_key(vk: VerifyingKey) -> PreparedVerifyingKey:
    """Precompute e(α, β) and negate γ, δ once per key."""
    return PreparedVerifyingKey(
        vk=vk,
        alpha_beta=pairing(vk.alpha_g1, vk.beta_g2),
        neg_gamma_g2=g2_neg(vk.gamma_g2),
        neg_delta_g2=g2_neg(vk.delta_g2),
    )


def check_public_inputs(vk: VerifyingKey, public: Sequence[int]) -> None:
    """Right count, each a canonical element of Fr (never reduced mod r)."""
    if len(public) != vk.n_public:
        raise MalformedInput(
            f"the key expects {vk.n_public} public inputs, got {len(public)}"
        )
    for i, x in enumerate(public):
        if isinstance(x, bool) or not isinstance(x, int) or not 0 <= x < R:
            raise MalformedInput(f"public input {i} = {x} is not a field element in [0, r)")


def check_proof_points(proof: Proof) -> None:
    """A and C on G1, B on G2 and in its order-r subgroup."""
    for name, p in (("A", proof.a), ("C", proof.c)):
        if not g1_is_on_curve(p):
            raise MalformedInput(f"proof element {name} is not on the BN254 G1 curve")
    if not g2_in_subgroup(proof.b):
        raise MalformedInput("proof element B is not in the BN254 G2 subgroup of order r")


def public_input_commitment(vk: VerifyingKey, public: Sequence[int]) -> G1Point:
    """vk_x = IC_0 + Σ x_i·IC_i."""
    return g1_add(vk.gamma_abc_g1[0], g1_lincomb(vk.gamma_abc_g1[1:], public))


def verify_proof(pvk: PreparedVerifyingKey, proof: Proof, public: Sequence[int]) -> bool:
    """True iff the proof verifies; raises MalformedInput for inputs of the wrong shape or range."""
    check_public_inputs(pvk.vk, public)
    check_proof_points(proof)
    vk_x = public_input_commitment(pvk.vk, public)
    f = (
        miller_loop(proof.a, proof.b)
        * miller_loop(vk_x, pvk.neg_gamma_g2)
        * miller_loop(proof.c, pvk.neg_delta_g2)
    )
    return final_exponentiation(f) == pvk.alpha_beta


def _batch_challenges(vk: VerifyingKey, items: Sequence[tuple[Proof, Sequence[int]]]) -> list[int]:
    """Fiat–Shamir: ρ_i = keccak(transcript of the key, every proof and input, i) mod r."""
    h = sha3.keccak_256(b"zktrade/groth16/batch/v1")
    for p in (vk.alpha_g1, *vk.gamma_abc_g1):
        h.update(p[0].to_bytes(32, "big") + p[1].to_bytes(32, "big"))
    for proof, public in items:
        for coord in (*proof.a, *proof.b[0], *proof.b[1], *proof.c, *public):
            h.update(coord.to_bytes(32, "big"))
    seed = h.digest()
    out = []
    for i in range(len(items)):
        rho = int.from_bytes(sha3.keccak_256(seed + i.to_bytes(8, "big")).digest(), "big") % R
        out.append(rho or 1)
    return out


def batch_verify(
    pvk: PreparedVerifyingKey, items: Sequence[tuple[Proof, Sequence[int]]]
) -> bool:
    """All proofs valid, checked with one random linear combination: N + 2 Miller loops, one
    final exponentiation, instead of 3N and N. A forged proof passes with probability ≤ 1/r."""
    if not items:
        return True
    for proof, public in items:
        check_public_inputs(pvk.vk, public)
        check_proof_points(proof)
    rhos = _batch_challenges(pvk.vk, items)
    f = FQ12.one()
    acc_x = acc_c = (0, 0)
    for rho, (proof, public) in zip(rhos, items):
        f = f * miller_loop(g1_mul(proof.a, rho), proof.b)
        acc_x = g1_add(acc_x, g1_mul(public_input_commitment(pvk.vk, public), rho))
        acc_c = g1_add(acc_c, g1_mul(proof.c, rho))
    f = f * miller_loop(acc_x, pvk.neg_gamma_g2) * miller_loop(acc_c, pvk.neg_delta_g2)
    return final_exponentiation(f) == pvk.alpha_beta ** (sum(rhos) % R)


def verify(vk: VerifyingKey, proof: Proof, public: Sequence[int]) -> bool:
    """One-shot convenience: prepare the key and verify one proof."""
    return verify_proof(prepare_verifying_key(vk), proof, public)
