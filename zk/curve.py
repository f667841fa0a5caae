"""BN254 G1 and G2 over py_ecc's optimized arithmetic, with points as affine integer tuples.

Data representation (used in keys, proofs and files):
  G1: (x, y)                      with x, y in Fq
  G2: ((x0, x1), (y0, y1))        with x = x0 + x1*u, y = y0 + y1*u in Fq2 = Fq[u]/(u^2 + 1)
The point at infinity is all zeros, as in the iden3 formats and the EVM precompiles; (0, 0) is
not on either curve (y^2 = x^3 + 3 has no solution with x = y = 0), so the encoding is
unambiguous. Conversions to py_ecc's projective points happen only inside this module.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from py_ecc.fields import (  # noqa: F401 (FQ12 is re-exported)
    optimized_bn128_FQ as FQ,
    optimized_bn128_FQ2 as FQ2,
    optimized_bn128_FQ12 as FQ12,
)

from .errors import MalformedInput
from .field import Q, R, canonical_fq

G1Point = tuple[int, int]
G2Point = tuple[tuple[int, int], tuple[int, int]]

G1_INFINITY: G1Point = (0, 0)
G2_INFINITY: G2Point = ((0, 0), (0, 0))


def _ecc():
    """py_ecc's optimized BN254 curve and pairing modules, imported on first use: importing them
    runs py_ecc's own self-checks (scalar multiplications, ~25 ms), which a process that only
    parses points and verifies on the pure-Python pairing never needs."""
    from py_ecc.optimized_bn128 import optimized_curve, optimized_pairing

    return optimized_curve, optimized_pairing


# py_ecc's points at infinity (projective, z = 0), as optimized_curve defines Z1 and Z2.
_Z1 = (FQ.one(), FQ.one(), FQ.zero())
_Z2 = (FQ2.one(), FQ2.one(), FQ2.zero())


def _is_g2(p) -> bool:
    return isinstance(p[0], tuple)


def _from_py_ecc(p, zero) -> tuple:
    """py_ecc projective point → affine tuple of its group (zero: py_ecc's infinity of it)."""
    if p[2] == zero[2]:
        return G2_INFINITY if isinstance(zero[2], FQ2) else G1_INFINITY
    return tuple(tuple(int(c) for c in x.coeffs) if isinstance(x, FQ2) else int(x) for x in _ecc()[0].normalize(p))


def _to_py_ecc(p):
    """Affine tuple of G1 or G2 → py_ecc projective point."""
    if _is_g2(p):
        return _Z2 if p == G2_INFINITY else (FQ2(list(p[0])), FQ2(list(p[1])), FQ2.one())
    return _Z1 if p == G1_INFINITY else (FQ(p[0]), FQ(p[1]), FQ.one())


# EIP-197's generators, py_ecc's G1 and G2 (tests/zk/test_pairing.py checks both against py_ecc).
G1_GENERATOR: G1Point = (1, 2)
G2_GENERATOR: G2Point = (
    (
        10857046999023057135944570762232829481370756359578518086990519993285655852781,
        11559732032986387107991004021392285783925812861821192530917403151452391805634,
    ),
    (
        8495653923123431417604973247489272438418190587263600148770280649306958101930,
        4082367875863433681332203403145435568316851327593401208105741076214120093531,
    ),
)


def g1_is_on_curve(p: G1Point) -> bool:
    """True if p is infinity or satisfies y^2 = x^3 + 3 (G1 has cofactor 1: on curve = in group)."""
    if p == G1_INFINITY:
        return True
    x, y = p
    return 0 <= x < Q and 0 <= y < Q and (y * y - x * x * x - 3) % Q == 0


# b₂ = 3/(9+u) of the twist, as (real, imaginary); checked against py_ecc's at import below.
TWIST_B = (
    19485874751759354771024239261021720505790618469301721065564631296452457478373,
    266929791119991161246907387137283842545076965332900288569378510910307636690,
)


def g2_is_on_curve(p: G2Point) -> bool:
    """True if p is infinity or lies on the twist y^2 = x^3 + 3/(9+u).

    Plain-int Fq2 arithmetic (u² = −1): key files hold tens of thousands of G2 points, and going
    through py_ecc's objects costs several times more per point."""
    if p == G2_INFINITY:
        return True
    (x0, x1), (y0, y1) = p
    if not all(0 <= c < Q for c in (x0, x1, y0, y1)):
        return False
    xx0, xx1 = (x0 * x0 - x1 * x1) % Q, 2 * x0 * x1 % Q
    x30, x31 = (xx0 * x0 - xx1 * x1) % Q, (xx0 * x1 + xx1 * x0) % Q
    yy0, yy1 = (y0 * y0 - y1 * y1) % Q, 2 * y0 * y1 % Q
    return yy0 == (x30 + TWIST_B[0]) % Q and yy1 == (x31 + TWIST_B[1]) % Q


def g2_in_subgroup(p: G2Point) -> bool:
    """True if p is on the twist and of order r (the twist has a large cofactor). The fast path
    checks ψ(p) = [6x²]p, the reference one [r]p = 0."""
    if not g2_is_on_curve(p):
        return False
    if p == G2_INFINITY:
        return True
    fast = _fast_pairing()
    if fast is not None:
        return bool(fast.g2_in_subgroup([p])[0])
    return _ecc()[0].multiply(_to_py_ecc(p), R)[2] == FQ2.zero()


# ---------------------------------------------------------------- group law, one algorithm for G1 and G2


def _add_points(p, q):
    return _from_py_ecc(_ecc()[0].add(_to_py_ecc(p), _to_py_ecc(q)), _Z2 if _is_g2(p) else _Z1)


def _mul_point(p, k: int):
    zero = _Z2 if _is_g2(p) else _Z1
    k %= R
    return _from_py_ecc(zero, zero) if k == 0 else _from_py_ecc(_ecc()[0].multiply(_to_py_ecc(p), k), zero)


def _lincomb(points: Sequence, scalars: Sequence[int], zero) -> tuple:
    """Σ k_i·P_i by double-and-add per term: the readable reference multi-scalar multiplication."""
    ecc = _ecc()[0]
    acc = zero
    for p, k in zip(points, scalars, strict=True):
        k %= R
        if k and p not in (G1_INFINITY, G2_INFINITY):
            acc = ecc.add(acc, ecc.multiply(_to_py_ecc(p), k) if k != 1 else _to_py_ecc(p))
    return _from_py_ecc(acc, zero)


def g1_add(p: G1Point, q: G1Point) -> G1Point:
    return _add_points(p, q)


def g1_neg(p: G1Point) -> G1Point:
    return G1_INFINITY if p == G1_INFINITY else (p[0], (Q - p[1]) % Q)


def g1_mul(p: G1Point, k: int) -> G1Point:
    return _mul_point(p, k)


def g2_add(p: G2Point, q: G2Point) -> G2Point:
    return _add_points(p, q)


def g2_neg(p: G2Point) -> G2Point:
    return G2_INFINITY if p == G2_INFINITY else (p[0], ((Q - p[1][0]) % Q, (Q - p[1][1]) % Q))


def g2_mul(p: G2Point, k: int) -> G2Point:
    return _mul_point(p, k)


def g1_sum_projective(points: Sequence[G1Point]) -> G1Point:
    """Sum of G1 points, kept projective until the end (for the reference MSM)."""
    return _lincomb(points, [1] * len(points), _Z1)


def g1_lincomb(points: Sequence[G1Point], scalars: Sequence[int]) -> G1Point:
    """Σ k_i·P_i in G1 (reference)."""
    return _lincomb(points, scalars, _Z1)


def g2_lincomb(points: Sequence[G2Point], scalars: Sequence[int]) -> G2Point:
    """Σ k_i·Q_i in G2 (reference)."""
    return _lincomb(points, scalars, _Z2)


def g1_msm_small(points: Sequence[G1Point], scalars: Sequence[int]) -> G1Point:
    """Σ k_i·P_i over the few points of a verification: one thread on the fast path."""
    if len(points) != len(scalars):
        raise ValueError(f"{len(scalars)} scalars for {len(points)} points")
    fast = _fast_pairing()
    return g1_lincomb(points, scalars) if fast is None else fast.g1_lincomb(points, scalars)


# ---------------------------------------------------------------- pairings


def _fast_pairing():
    """The selected backend's own pairing (the fast backend's numba kernels, zk/backends/
    pairing.py), or None for py_ecc's. Reached through the backend, which imports this module:
    a direct import here would be a circle."""
    from .backends import get_backend

    return getattr(get_backend(), "pairing", None)


def miller_loop(p: G1Point, q: G2Point) -> FQ12:
    """The optimal-ate Miller loop f_{p,q}, without the final exponentiation (reference)."""
    if p == G1_INFINITY or q == G2_INFINITY:
        return FQ12.one()
    pairing = _ecc()[1]
    return pairing.miller_loop(pairing.twist(_to_py_ecc(q)), pairing.cast_point_to_fq12(_to_py_ecc(p)), final_exponentiate=False)


def final_exponentiation(f: FQ12) -> FQ12:
    """f^((q¹² − 1)/r) (reference)."""
    return _ecc()[1].final_exponentiate(f)


def pairing(p: G1Point, q: G2Point) -> FQ12:
    """e(p, q) in EIP-197 argument order (G1 first); py_ecc's order is adapted here."""
    fast = _fast_pairing()
    if fast is not None:
        return fast.pairing(p, q)
    return final_exponentiation(miller_loop(p, q))


@dataclass(frozen=True, eq=False)
class PreparedG2:
    """Fixed G2 points ready for pairings: on the fast path, their Miller-loop lines."""

    points: tuple[G2Point, ...]
    lines: object  # the fast backend's G2Lines, or None on the reference path
    backend: str | None = None  # the backend whose pairing made the lines (only it can use them)


def prepare_g2(points: Sequence[G2Point]) -> PreparedG2:
    """Prepare fixed G2 points once (a verifying key's β, γ, δ) for pairing_product_is_one."""
    fast = _fast_pairing()
    if fast is None:
        return PreparedG2(tuple(points), None)
    from .backends import get_backend

    return PreparedG2(tuple(points), fast.prepare_g2(points), get_backend().name)


def pairing_product_is_one(
    pairs: Sequence[tuple[G1Point, G2Point]],
    with_prepared: tuple[Sequence[G1Point], PreparedG2] | None = None,
) -> bool:
    """Π e(p_i, q_i) · Π e(p'_j, Q'_j) == 1 (EIP-197), with one multi-Miller loop and one final
    exponentiation; `with_prepared` = ([p'_j], prepared Q'_j), one p'_j per prepared point."""
    g1 = [p for p, _ in pairs]
    g2 = [q for _, q in pairs]
    if with_prepared is not None:
        fixed_g1, prepared = with_prepared
        if len(fixed_g1) != len(prepared.points):
            raise ValueError(f"{len(fixed_g1)} G1 points for {len(prepared.points)} prepared G2 points")
        if prepared.lines is not None:
            from .backends import get_backend

            return get_backend(prepared.backend).pairing.product_is_one(g1, g2, list(fixed_g1), prepared.lines)
        g1, g2 = g1 + list(fixed_g1), g2 + list(prepared.points)
    fast = _fast_pairing()
    if fast is not None:
        return fast.product_is_one(g1, g2)
    f = FQ12.one()
    for p, q in zip(g1, g2):
        f = f * miller_loop(p, q)
    return final_exponentiation(f) == FQ12.one()


def parse_g1(coords: Sequence, what: str) -> G1Point:
    """Canonical affine G1 point from two coordinates; refuses off-curve points."""
    if len(coords) != 2:
        raise MalformedInput(f"{what}: a G1 point needs 2 coordinates, got {len(coords)}")
    p = (canonical_fq(coords[0], f"{what}.x"), canonical_fq(coords[1], f"{what}.y"))
    if not g1_is_on_curve(p):
        raise MalformedInput(f"{what}: point ({p[0]}, {p[1]}) is not on the BN254 G1 curve")
    return p


def parse_g2(coords: Sequence, what: str, check_subgroup: bool = True) -> G2Point:
    """Canonical affine G2 point; refuses points off the twist or outside the order-r subgroup."""
    if len(coords) != 2 or any(len(c) != 2 for c in coords):
        raise MalformedInput(f"{what}: a G2 point needs 2 Fq2 coordinates of 2 elements each")
    p = (
        (canonical_fq(coords[0][0], f"{what}.x.c0"), canonical_fq(coords[0][1], f"{what}.x.c1")),
        (canonical_fq(coords[1][0], f"{what}.y.c0"), canonical_fq(coords[1][1], f"{what}.y.c1")),
    )
    if not g2_is_on_curve(p):
        raise MalformedInput(f"{what}: point is not on the BN254 G2 twist")
    if check_subgroup and not g2_in_subgroup(p):
        raise MalformedInput(f"{what}: point is on the twist but not in the order-r subgroup")
    return p
