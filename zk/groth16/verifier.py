"""Groth16 verification: prepared key, single proofs, and batches in fewer pairings.

Check: e(A, B) = e(α, β) · e(Σ x_i·IC_i, γ) · e(C, δ), written as the product
e(A, B) · e(vk_x, −γ) · e(C, −δ) · e(−α, β) = 1. The prepared key holds −α and β, −γ, −δ
prepared for pairings (on the fast backend their Miller-loop lines), so one proof costs one
4-pair multi-Miller loop, three of whose pairs only evaluate stored lines, and one final
exponentiation.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import sha3

from ..backends import get_backend
from ..curve import (
    G2_INFINITY,
    G1Point,
    PreparedG2,
    g1_is_on_curve,
    g1_msm_small,
    g1_neg,
    g2_in_subgroup,
    g2_is_on_curve,
    g2_neg,
    pairing_product_is_one,
    prepare_g2,
)
from ..errors import MalformedInput
from ..field import R
from .data import Proof, VerifyingKey


@dataclass(frozen=True, eq=False)
class PreparedVerifyingKey:
    vk: VerifyingKey
    neg_alpha_g1: G1Point
    g2: PreparedG2  # −γ, −δ, β: the partners of vk_x, C and −α


def prepare_verifying_key(vk: VerifyingKey) -> PreparedVerifyingKey:
    """Negate α, γ, δ and prepare the G2 points for pairings once per key."""
    return PreparedVerifyingKey(
        vk=vk,
        neg_alpha_g1=g1_neg(vk.alpha_g1),
        g2=prepare_g2([g2_neg(vk.gamma_g2), g2_neg(vk.delta_g2), vk.beta_g2]),
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


def _check_batch_points(proofs: Sequence[Proof]) -> None:
    """check_proof_points for every proof, the G2 subgroup checks in one call of the backend's
    pairing (its kernel over all the points, on its threads) where it has one."""
    fast = get_backend().pairing if hasattr(get_backend(), "pairing") else None
    for proof in proofs:
        for name, p in (("A", proof.a), ("C", proof.c)):
            if not g1_is_on_curve(p):
                raise MalformedInput(f"proof element {name} is not on the BN254 G1 curve")
        if fast is None and not g2_in_subgroup(proof.b):
            raise MalformedInput("proof element B is not in the BN254 G2 subgroup of order r")
    if fast is not None:
        on_twist = [g2_is_on_curve(proof.b) for proof in proofs]
        in_subgroup = fast.g2_in_subgroup([p.b if ok else G2_INFINITY for p, ok in zip(proofs, on_twist)])
        if not all(on_twist) or not all(in_subgroup):
            raise MalformedInput("proof element B is not in the BN254 G2 subgroup of order r")


def public_input_commitment(pvk: PreparedVerifyingKey, public: Sequence[int]) -> G1Point:
    """vk_x = IC_0 + Σ x_i·IC_i."""
    return g1_msm_small(pvk.vk.gamma_abc_g1, [1, *public])


def verify_proof(pvk: PreparedVerifyingKey, proof: Proof, public: Sequence[int]) -> bool:
    """True iff the proof verifies; raises MalformedInput for inputs of the wrong shape or range."""
    check_public_inputs(pvk.vk, public)
    check_proof_points(proof)
    vk_x = public_input_commitment(pvk, public)
    return pairing_product_is_one([(proof.a, proof.b)], ([vk_x, proof.c, pvk.neg_alpha_g1], pvk.g2))


def _batch_challenges(vk: VerifyingKey, items: Sequence[tuple[Proof, Sequence[int]]]) -> list[int]:
    """Fiat–Shamir: ρ_i = the first 128 bits of keccak(transcript of the key, every proof and
    input, i), never 0. 128 bits bound a forgery's chance by 2^-128 (a bad batch passes only if
    Σ ρ_i·e_i = 0 for fixed nonzero e_i, one value of one ρ_i) and halve the scalar work."""
    h = sha3.keccak_256(b"zktrade/groth16/batch/v1")
    for p in (vk.alpha_g1, *vk.gamma_abc_g1):
        h.update(p[0].to_bytes(32, "big") + p[1].to_bytes(32, "big"))
    for proof, public in items:
        for coord in (*proof.a, *proof.b[0], *proof.b[1], *proof.c, *public):
            h.update(coord.to_bytes(32, "big"))
    seed = h.digest()
    out = []
    for i in range(len(items)):
        rho = int.from_bytes(sha3.keccak_256(seed + i.to_bytes(8, "big")).digest()[:16], "big")
        out.append(rho or 1)
    return out


def batch_verify(
    pvk: PreparedVerifyingKey, items: Sequence[tuple[Proof, Sequence[int]]]
) -> bool:
    """All proofs valid, checked with one random linear combination ρ: Π e(ρ_i·A_i, B_i) ·
    e(Σ ρ_i·vk_x_i, −γ) · e(Σ ρ_i·C_i, −δ) · e(−(Σ ρ_i)·α, β) = 1, that is N + 3 Miller loops
    and one final exponentiation instead of 4N and N. A forged proof passes with probability
    ≤ 2^-128 (the challenges' width). Σ ρ_i·vk_x_i is one MSM over the IC points, with scalars
    Σ_i ρ_i·x_ij; the G2 subgroup checks of all the B_i are one call of the backend."""
    if not items:
        return True
    for proof, public in items:
        check_public_inputs(pvk.vk, public)
    _check_batch_points([proof for proof, _ in items])
    rhos = _batch_challenges(pvk.vk, items)
    rho_sum = sum(rhos) % R
    *scaled_a, neg_alpha = get_backend().batch_mul_g1([p.a for p, _ in items] + [pvk.neg_alpha_g1], rhos + [rho_sum])
    ic_scalars = [rho_sum] + [
        sum(rho * public[j] for rho, (_, public) in zip(rhos, items)) % R for j in range(pvk.vk.n_public)
    ]
    acc_x = g1_msm_small(pvk.vk.gamma_abc_g1, ic_scalars)
    acc_c = g1_msm_small([p.c for p, _ in items], rhos)
    pairs = [(a, proof.b) for a, (proof, _) in zip(scaled_a, items)]
    return pairing_product_is_one(pairs, ([acc_x, acc_c, neg_alpha], pvk.g2))


def verify(vk: VerifyingKey, proof: Proof, public: Sequence[int]) -> bool:
    """One-shot convenience: prepare the key and verify one proof."""
    return verify_proof(prepare_verifying_key(vk), proof, public)
