"""The pure-Python BN254 pairing (zk/backends/pairing_python.py) against py_ecc and against the
numba one: pairings, bilinearity, degenerate inputs, the final exponentiation on random Fq12
elements, the Miller loop value itself (the same formulas, so equal before the final
exponentiation), curve and subgroup checks, the small MSM, and the constants it derives."""

import random

from hypothesis import assume, given, settings, strategies as st
from py_ecc.optimized_bn128 import FQ2, FQ12, b2, final_exponentiate, is_on_curve, multiply
from py_ecc.optimized_bn128 import G1 as PY_ECC_G1, G2 as PY_ECC_G2

from zk import curve
from zk.backends import pairing as numba_pairing, pairing_python as pp
from zk.curve import (
    G1_GENERATOR,
    G1_INFINITY,
    G2_GENERATOR,
    G2_INFINITY,
    TWIST_B,
    g1_is_on_curve,
    g1_mul,
    g1_neg,
    g2_mul,
    g2_neg,
)
from zk.field import Q, R

from .points import g2_point_outside_subgroup, twist_point

scalars = st.integers(min_value=1, max_value=R - 1)
fq = st.integers(min_value=0, max_value=Q - 1)
TWIST_COFACTOR = 2 * Q - R


def reference_pairing(p, q) -> FQ12:
    return curve.final_exponentiation(curve.miller_loop(p, q))


@settings(max_examples=3, deadline=None)
@given(a=scalars, b=scalars)
def test_pairing_equals_py_ecc(a, b):
    p, q = g1_mul(G1_GENERATOR, a), g2_mul(G2_GENERATOR, b)
    assert pp.pairing(p, q) == reference_pairing(p, q)


@settings(max_examples=5, deadline=None)
@given(a=scalars, b=scalars)
def test_bilinearity(a, b):
    e = pp.pairing(G1_GENERATOR, G2_GENERATOR)
    assert e != FQ12.one()
    assert e ** R == FQ12.one()
    assert pp.pairing(g1_mul(G1_GENERATOR, a), g2_mul(G2_GENERATOR, b)) == e ** (a * b % R)
    assert pp.pairing(g1_mul(G1_GENERATOR, a * b), G2_GENERATOR) == pp.pairing(G1_GENERATOR, g2_mul(G2_GENERATOR, a * b))


@settings(max_examples=5, deadline=None)
@given(coeffs=st.lists(fq, min_size=12, max_size=12))
def test_final_exponentiation_on_random_fq12(coeffs):
    f = FQ12(coeffs)
    assert pp.to_py_ecc(pp.from_py_ecc(f)) == f
    assert pp.to_py_ecc(pp.final_exponentiation(pp.from_py_ecc(f))) == final_exponentiate(f)


@settings(max_examples=10, deadline=None)
@given(a=st.lists(fq, min_size=12, max_size=12), b=st.lists(fq, min_size=12, max_size=12))
def test_tower_arithmetic_equals_py_ecc(a, b):
    """Products, squares, inverses and the Frobenius maps of the flat tower equal py_ecc's FQ12's."""
    fa, fb = pp.from_py_ecc(FQ12(a)), pp.from_py_ecc(FQ12(b))
    assert pp.to_py_ecc(pp.mul(fa, fb)) == FQ12(a) * FQ12(b)
    assert pp.to_py_ecc(pp.sqr(fa)) == FQ12(a) * FQ12(a)
    if any(a):
        assert pp.to_py_ecc(pp.mul(pp.inverse(fa), fa)) == FQ12.one()
    for power in (1, 2, 3):
        assert pp.to_py_ecc(pp.frobenius(fa, power)) == FQ12(a) ** (Q**power)


@settings(max_examples=5, deadline=None)
@given(coeffs=st.lists(fq, min_size=12, max_size=12))
def test_cyclotomic_squaring_on_the_cyclotomic_subgroup(coeffs):
    """On f^((q⁶ − 1)(q² + 1)) the Granger–Scott squaring is the square; elsewhere it need not be."""
    assume(any(coeffs))
    f = pp.from_py_ecc(FQ12(coeffs))
    m = pp.mul(pp.conjugate(f), pp.inverse(f))
    m = pp.mul(pp.frobenius(m, 2), m)
    assert pp.cyclotomic_sqr(m) == pp.sqr(m)
    assert pp.mul(m, pp.conjugate(m)) == pp.ONE  # the conjugate is the inverse there


def test_degenerate_pairs():
    p, q = g1_mul(G1_GENERATOR, 5), g2_mul(G2_GENERATOR, 7)
    assert pp.pairing(G1_INFINITY, q) == FQ12.one()
    assert pp.pairing(p, G2_INFINITY) == FQ12.one()
    assert pp.product_is_one([], [])
    assert pp.product_is_one([G1_INFINITY, p], [G2_INFINITY, G2_INFINITY])
    assert pp.product_is_one([p, g1_neg(p)], [q, q])
    assert pp.product_is_one([p, p], [q, g2_neg(q)])
    assert not pp.product_is_one([p, p], [q, q])
    assert not pp.product_is_one([p], [q])
    # Outside the subgroup (callers refuse such points; the loop itself must still agree).
    outside = g2_point_outside_subgroup()
    assert pp.pairing(p, outside) == reference_pairing(p, outside)


def test_prepared_lines_are_the_lines_computed_on_the_fly():
    """product_is_one with prepared fixed points equals the same product with every point given."""
    p, q = g1_mul(G1_GENERATOR, 6), g2_mul(G2_GENERATOR, 11)
    fixed = pp.prepare_g2([q, G2_INFINITY])
    assert fixed[1] is None
    assert pp.product_is_one([g1_mul(p, 2)], [q], [g1_neg(g1_mul(p, 2)), p], fixed)
    assert not pp.product_is_one([g1_mul(p, 3)], [q], [g1_neg(g1_mul(p, 2)), p], fixed)


@settings(max_examples=3, deadline=None)
@given(a=scalars, b=scalars, c=scalars)
def test_miller_loop_and_lines_equal_the_numba_kernels(a, b, c):
    """The same tower, formulas and line order as _pairing_kernels.py: equal values before the
    final exponentiation (which would hide a wrong Fq2 factor), not only after it."""
    g1 = [g1_mul(G1_GENERATOR, a), g1_mul(G1_GENERATOR, b)]
    g2 = [g2_mul(G2_GENERATOR, c), G2_GENERATOR]
    lines = [pp.g2_lines(q) for q in g2]
    numba_lines = numba_pairing.prepare_g2(g2).lines
    assert [[tuple(int(x) for x in coeff) for line in point for coeff in line] for point in lines] == [
        [tuple(numba_pairing._standard(coeff)) for line in point for coeff in line] for point in numba_lines
    ]
    numba_f = numba_pairing._standard(numba_pairing.miller_loop(g1, numba_lines))
    assert list(pp.miller_loop(g1, lines)) == numba_f


@settings(max_examples=30, deadline=None)
@given(x=fq, y=fq)
def test_g1_curve_check(x, y):
    points = [(x, y), (x, (x * x * x + 3) % Q), G1_GENERATOR, G1_INFINITY, (Q, 2), g1_mul(G1_GENERATOR, x or 1)]
    assert pp.g1_on_curve(points) == [g1_is_on_curve(p) for p in points]


@settings(max_examples=5, deadline=None)
@given(x0=fq, x1=fq)
def test_g2_curve_and_subgroup_checks(x0, x1):
    """A random twist point is almost never in G2; times the cofactor it is."""
    p = next(p for k in range(100) if (p := twist_point((x0, (x1 + k) % Q))) is not None)
    off = (p[0], ((p[1][0] + 1) % Q, p[1][1]))
    cleared = curve._from_py_ecc(multiply(curve._to_py_ecc(p), TWIST_COFACTOR), curve._Z2)
    member = g2_mul(G2_GENERATOR, x0 or 1)
    points = [p, off, cleared, member]
    assert pp.g2_on_curve(points) == [is_on_curve(curve._to_py_ecc(q), b2) for q in points]
    on = [p, cleared, member, G2_INFINITY]
    assert pp.g2_in_subgroup(on) == [False, True, True, True]
    assert pp.g2_in_subgroup(on[:3]) == [multiply(curve._to_py_ecc(q), R)[2] == FQ2.zero() for q in on[:3]]


@settings(max_examples=5, deadline=None)
@given(ks=st.lists(st.integers(min_value=0, max_value=2**256 - 1), min_size=0, max_size=4))
def test_small_msm_equals_reference(ks):
    """Σ k_i·P_i with points at infinity, a term that cancels another, and a doubling (P + P)."""
    points = [g1_mul(G1_GENERATOR, i + 2) for i in range(len(ks))]
    points += [G1_INFINITY, G1_GENERATOR, g1_neg(G1_GENERATOR), G1_GENERATOR]
    scalars = [*ks, 5, 7, 7, 3]
    assert pp.g1_lincomb(points, scalars) == curve.g1_lincomb(points, scalars)
    assert pp.g1_lincomb([G1_GENERATOR], [R]) == G1_INFINITY
    assert pp.g1_lincomb([], []) == G1_INFINITY
    assert pp.g1_lincomb([G1_GENERATOR, G1_GENERATOR], [1, 1]) == g1_mul(G1_GENERATOR, 2)


def test_constants():
    """The Frobenius constants from one exponentiation equal the eighteen direct powers; the
    NAF digits evaluate back; the curve module's generators and twist constant are py_ecc's."""
    assert pp.FROBENIUS == tuple(tuple(pp._fq2_pow(pp.XI, k * (Q**p - 1) // 6) for k in range(6)) for p in (1, 2, 3))

    def value(digits):
        acc = 1
        for d in digits:
            acc = 2 * acc + d
        return acc

    assert value(pp.ATE_DIGITS) == 6 * pp.BN_X + 2
    assert value(pp.X_DIGITS) == pp.BN_X
    assert value(pp.SUBGROUP_DIGITS) == 6 * pp.BN_X**2 == Q % R
    assert curve._from_py_ecc(PY_ECC_G1, curve._Z1) == G1_GENERATOR
    assert curve._from_py_ecc(PY_ECC_G2, curve._Z2) == G2_GENERATOR
    assert multiply(curve._to_py_ecc(G2_GENERATOR), R)[2] == FQ2.zero()
    assert b2 == FQ2(list(TWIST_B))


def test_prepared_lines_pickle():
    """A prepared verifying key goes to the matcher's worker processes: its lines are plain ints."""
    import pickle

    prepared = pp.prepare_g2([G2_GENERATOR, G2_INFINITY])
    assert pickle.loads(pickle.dumps(prepared)) == prepared
    rng = random.Random(1)
    k = rng.randrange(1, R)
    assert pp.product_is_one([g1_mul(G1_GENERATOR, k)], [G2_GENERATOR], [g1_neg(G1_GENERATOR)],
                             pickle.loads(pickle.dumps(pp.prepare_g2([g2_mul(G2_GENERATOR, k)]))))


def test_the_python_backend_and_a_preferred_default(monkeypatch):
    """`preferred` names the backend when ZKTRADE_BACKEND is unset, and only within its block;
    the variable still wins; an unknown name is refused with the names it could be."""
    import pytest

    from zk import backends
    from zk.errors import ConfigError

    monkeypatch.setattr(backends, "_preferred", None)
    monkeypatch.delenv("ZKTRADE_BACKEND", raising=False)
    with backends.preferred("python"):
        assert backends.get_backend().name == "python"
        assert backends.get_backend().pairing is pp
        monkeypatch.setenv("ZKTRADE_BACKEND", "reference")
        assert backends.get_backend().name == "reference"
        monkeypatch.delenv("ZKTRADE_BACKEND")
    assert backends.get_backend().name == "fast"
    with pytest.raises(ConfigError, match="unknown backend 'gpu': one of reference, python, fast"):
        with backends.preferred("gpu"):
            pass
