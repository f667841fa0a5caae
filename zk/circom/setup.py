"""Groth16 keys for a circom circuit from a phase-2-prepared powers of tau, as a .zkey.

This is `snarkjs groth16 setup` followed by one δ contribution, done in one step: the wires'
A, B and (β·a + α·b + c) points are combinations of the ptau's Lagrange bases at the circuit's
domain size (the circom reduction's rows: constraints, then A = wᵢ for each public wire), the
H query is the 2n-domain Lagrange basis at odd indices, and C and H are divided by a fresh
secret δ. γ stays the G2 generator, as in every snarkjs key. The key is as trustworthy as the
ptau and the machine that drew δ: one party's contribution, so DEV-ONLY unless others
contribute after (`snarkjs zkey contribute`).

Section 10 of the written .zkey carries no contribution transcript (a zero circuit hash and no
contributions), so `snarkjs zkey verify` does not accept it; `snarkjs groth16 prove` and
`snarkjs zkey export verificationkey` do.
"""

import secrets
from collections.abc import Sequence
from functools import reduce

from ..backends import get_backend
from ..curve import (
    G1_GENERATOR,
    G1_INFINITY,
    G2_GENERATOR,
    G2_INFINITY,
    G1Point,
    g1_add,
    g1_mul,
    g1_sum_projective,
    g2_add,
    g2_mul,
)
from ..errors import MalformedInput
from ..field import R
from ..formats.iden3 import concatenate_points, scale_points
from ..formats.ptau import Ptau
from ..formats.zkey import MATRIX_A, Zkey, encode_coefficients, qap_coefficients, zkey_digest
from ..groth16.data import ProvingKey, VerifyingKey
from ..qap import CircomReduction, qap_domain
from ..r1cs import R1CS

MPC_PARAMS_WITHOUT_TRANSCRIPT = bytes(64) + (0).to_bytes(4, "little")


def _combination(bases: Sequence, scalars: Sequence[int], g2: bool = False):
    """Σ scalars[k]·bases[k] through the selected MSM backend."""
    if all(k == 1 for k in scalars):  # bit decompositions, outputs: additions only, no MSM call
        return reduce(g2_add if g2 else g1_add, bases, G2_INFINITY if g2 else G1_INFINITY)
    backend = get_backend()
    if not hasattr(bases, "montgomery_limbs"):
        bases = list(bases)
    if g2:
        return backend.msm_g2(backend.prepare_g2(bases), list(scalars))
    return backend.msm_g1(backend.prepare_g1(bases), list(scalars))


def _rows(basis: Sequence, rows: Sequence[int]) -> Sequence:
    """basis[row] for each row: gathered as an array when the basis is one (a ptau read from a file)."""
    take = getattr(basis, "take", None)
    return take(rows) if take is not None else [basis[row] for row in rows]


def check_lagrange_basis(lagrange_g1: Sequence[G1Point]) -> None:
    """Σ_j L_j(τ) = 1, so the basis must sum to the generator: catches a corrupt or foreign ptau."""
    if hasattr(lagrange_g1, "montgomery_limbs"):  # an array: summed by the backend, no point objects
        backend = get_backend()
        total = backend.msm_g1(backend.prepare_g1(lagrange_g1), [1] * len(lagrange_g1))
    else:
        total = g1_sum_projective(lagrange_g1)
    if total != G1_GENERATOR:
        raise MalformedInput(
            f"the ptau's Lagrange basis of size {len(lagrange_g1)} does not sum to the generator: "
            "the file is corrupt or was not made by `snarkjs powersoftau prepare phase2`"
        )


def _scaled(points: Sequence[G1Point], k: int) -> Sequence[G1Point]:
    """[k·P for P in points] in one batch (an array kept an array on the fast backend)."""
    return scale_points(points, k, get_backend())


def zkey_from_ptau(r1cs: R1CS, ptau: Ptau, delta: int) -> Zkey:
    """The Groth16 .zkey for `r1cs` from `ptau` with the secret δ (deterministic in δ)."""
    if not 0 < delta < R:
        raise ValueError("δ must be a non-zero element of Fr")
    n = qap_domain(r1cs).size
    l_g1, l_g2, alpha_l_g1, beta_l_g1 = ptau.lagrange_basis(n)
    check_lagrange_basis(l_g1)
    delta_inv = pow(delta, -1, R)
    coefficients = qap_coefficients(r1cs)

    a_terms: list[list[tuple[int, int]]] = [[] for _ in range(r1cs.n_wires)]
    b_terms: list[list[tuple[int, int]]] = [[] for _ in range(r1cs.n_wires)]
    for matrix, row, wire, value in coefficients:
        (a_terms if matrix == MATRIX_A else b_terms)[wire].append((row, value))
    c_terms: list[list[tuple[int, int]]] = [[] for _ in range(r1cs.n_wires)]
    for j, con in enumerate(r1cs.constraints):
        for wire, value in con.c:
            c_terms[wire].append((j, value))

    def at_tau(terms, basis, g2=False):
        return _combination(_rows(basis, [row for row, _ in terms]), [v for _, v in terms], g2)

    def combined(i: int, scale: int) -> G1Point:
        """(β·a_i(τ) + α·b_i(τ) + c_i(τ))·scale·G1."""
        scalars = [v * scale % R for _, v in (*a_terms[i], *b_terms[i], *c_terms[i])]
        return sum_of(
            (beta_l_g1, [row for row, _ in a_terms[i]]), (alpha_l_g1, [row for row, _ in b_terms[i]]),
            (l_g1, [row for row, _ in c_terms[i]]), scalars=scalars)

    def sum_of(*parts, scalars):
        """One MSM over rows of several bases (one array when the bases are arrays)."""
        gathered = [_rows(basis, rows) for basis, rows in parts]
        if all(hasattr(g, "montgomery_limbs") for g in gathered):
            return _combination(concatenate_points(gathered), scalars)
        return _combination([p for g in gathered for p in g], scalars)

    n_pub = r1cs.n_public
    vk = VerifyingKey(
        alpha_g1=ptau.alpha_tau_g1[0],
        beta_g2=ptau.beta_g2,
        gamma_g2=G2_GENERATOR,
        delta_g2=g2_mul(G2_GENERATOR, delta),
        gamma_abc_g1=tuple(combined(i, 1) for i in range(n_pub + 1)),
    )
    pk = ProvingKey(
        vk=vk,
        beta_g1=ptau.beta_tau_g1[0],
        delta_g1=g1_mul(G1_GENERATOR, delta),
        a_query=tuple(at_tau(a_terms[i], l_g1) for i in range(r1cs.n_wires)),
        b_g1_query=tuple(at_tau(b_terms[i], l_g1) for i in range(r1cs.n_wires)),
        b_g2_query=tuple(at_tau(b_terms[i], l_g2, g2=True) for i in range(r1cs.n_wires)),
        h_query=_scaled(ptau.odd_lagrange_g1(n), delta_inv),
        l_query=tuple(combined(i, delta_inv) for i in range(n_pub + 1, r1cs.n_wires)),
        domain_size=n,
        reduction=CircomReduction.name,
        circuit_digest=zkey_digest(r1cs.n_wires, n_pub, n, encode_coefficients(coefficients)),
    )
    return Zkey(pk, coefficients, MPC_PARAMS_WITHOUT_TRANSCRIPT)


def setup_from_ptau(r1cs: R1CS, ptau: Ptau) -> Zkey:
    """Keys with δ drawn from the OS CSPRNG and dropped: one contribution, dev-grade alone."""
    return zkey_from_ptau(r1cs, ptau, 1 + secrets.randbelow(R - 1))
