"""The fast BN254 pairing (zk/backends/pairing.py) against py_ecc: pairings, bilinearity,
degenerate inputs, the final exponentiation on random Fq12 elements, curve and subgroup checks."""

import hashlib
import inspect

from hypothesis import HealthCheck, given, settings, strategies as st
from py_ecc.optimized_bn128 import FQ2, FQ12, final_exponentiate, is_on_curve, b2, multiply

from zk import curve
from zk.backends import _fast_kernels, _pairing_kernels, pairing as fast
from zk.curve import (
    G1_GENERATOR,
    G1_INFINITY,
    G2_GENERATOR,
    G2_INFINITY,
    g1_is_on_curve,
    g1_mul,
    g1_neg,
    g2_mul,
    g2_neg,
)
from zk.field import Q, R

from .backend_choice import each_backend  # noqa: F401 (fixture)
from .points import g2_point_outside_subgroup, twist_point

scalars = st.integers(min_value=1, max_value=R - 1)
fq = st.integers(min_value=0, max_value=Q - 1)
TWIST_COFACTOR = 2 * Q - R  # #E'(Fq2) = r·(2q − r)


def reference_pairing(p, q) -> FQ12:
    return curve.final_exponentiation(curve.miller_loop(p, q))


@settings(max_examples=4, deadline=None)
@given(a=scalars, b=scalars)
def test_pairing_equals_py_ecc(a, b):
    p, q = g1_mul(G1_GENERATOR, a), g2_mul(G2_GENERATOR, b)
    assert fast.pairing(p, q) == reference_pairing(p, q)


@settings(max_examples=10, deadline=None)
@given(a=scalars, b=scalars)
def test_bilinearity(a, b):
    e = fast.pairing(G1_GENERATOR, G2_GENERATOR)
    assert e != FQ12.one()
    assert fast.pairing(g1_mul(G1_GENERATOR, a), g2_mul(G2_GENERATOR, b)) == e ** (a * b % R)
    assert fast.pairing(g1_mul(G1_GENERATOR, a * b), G2_GENERATOR) == fast.pairing(G1_GENERATOR, g2_mul(G2_GENERATOR, a * b))


@settings(max_examples=5, deadline=None)
@given(coeffs=st.lists(fq, min_size=12, max_size=12))
def test_final_exponentiation_on_random_fq12(coeffs):
    f = FQ12(coeffs)
    assert fast.to_py_ecc(fast.from_py_ecc(f)) == f
    assert fast.to_py_ecc(fast.final_exponentiation(fast.from_py_ecc(f))) == final_exponentiate(f)


def test_degenerate_pairs():
    p, q = g1_mul(G1_GENERATOR, 5), g2_mul(G2_GENERATOR, 7)
    assert fast.pairing(G1_INFINITY, q) == FQ12.one()
    assert fast.pairing(p, G2_INFINITY) == FQ12.one()
    assert fast.product_is_one([], [])
    assert fast.product_is_one([G1_INFINITY, p], [G2_INFINITY, G2_INFINITY])
    assert fast.product_is_one([p, g1_neg(p)], [q, q])
    assert fast.product_is_one([p, p], [q, g2_neg(q)])
    assert not fast.product_is_one([p, p], [q, q])
    assert not fast.product_is_one([p], [q])
    # Outside the subgroup (callers refuse such points; the loop itself must still agree).
    outside = g2_point_outside_subgroup()
    assert fast.pairing(p, outside) == reference_pairing(p, outside)


# The fixture only sets ZKTRADE_BACKEND, the same for every example.
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=scalars, b=scalars, c=scalars, flip=st.booleans())
def test_products_agree_on_both_backends(each_backend, a, b, c, flip):
    """Π = e(aP, bQ)·e(−abP, Q)·e(cP, −cQ)·e(cP, cQ) is one; moving one point breaks it."""
    pairs = [
        (g1_mul(G1_GENERATOR, a), g2_mul(G2_GENERATOR, b)),
        (g1_neg(g1_mul(G1_GENERATOR, a * b)), G2_GENERATOR),
        (g1_mul(G1_GENERATOR, c), g2_mul(G2_GENERATOR, R - c)),
        (g1_mul(G1_GENERATOR, c), g2_mul(G2_GENERATOR, c + flip)),
    ]
    assert curve.pairing_product_is_one(pairs) == (not flip)
    prepared = curve.prepare_g2([q for _, q in pairs[2:]])
    assert curve.pairing_product_is_one(pairs[:2], ([p for p, _ in pairs[2:]], prepared)) == (not flip)


@settings(max_examples=30, deadline=None)
@given(x=fq, y=fq)
def test_g1_curve_check(x, y):
    points = [(x, y), (x, (x * x * x + 3) % Q), G1_GENERATOR, g1_mul(G1_GENERATOR, x or 1)]
    assert list(fast.g1_on_curve(points)) == [g1_is_on_curve(p) for p in points]


@settings(max_examples=6, deadline=None)
@given(x0=fq, x1=fq)
def test_g2_curve_and_subgroup_checks(x0, x1):
    """A random twist point is almost never in G2; times the cofactor it is."""
    p = next(p for k in range(100) if (p := twist_point((x0, (x1 + k) % Q))) is not None)
    off = (p[0], ((p[1][0] + 1) % Q, p[1][1]))
    cleared = curve._from_py_ecc(multiply(curve._to_py_ecc(p), TWIST_COFACTOR), curve._Z2)
    member = g2_mul(G2_GENERATOR, x0 or 1)
    points = [p, off, cleared, member]
    assert list(fast.g2_on_curve(points)) == [is_on_curve(curve._to_py_ecc(q), b2) for q in points]
    on = [p, cleared, member]
    assert list(fast.g2_in_subgroup(on)) == [multiply(curve._to_py_ecc(q), R)[2] == FQ2.zero() for q in on]
    assert list(fast.g2_in_subgroup(on)) == [False, True, True]


def test_g2_subgroup_check_on_both_backends(each_backend):
    assert curve.g2_in_subgroup(g2_mul(G2_GENERATOR, 12345))
    assert curve.g2_in_subgroup(G2_INFINITY)
    assert not curve.g2_in_subgroup(g2_point_outside_subgroup())


def test_kernel_cache_depends_on_the_field_kernels():
    """numba's cache would keep stale pairing kernels if only _fast_kernels.py changed: both the
    configured cache directory's locator and the in-tree one carry _fast_kernels.py's digest."""
    digest = hashlib.sha256(inspect.getsource(_fast_kernels).encode()).hexdigest()
    for cls in (_pairing_kernels._DependentUserProvidedLocator, _pairing_kernels._DependentInTreeLocator):
        locator = cls.from_function(_pairing_kernels.g2_lines.py_func, inspect.getfile(_pairing_kernels))
        if locator is not None:  # the in-tree one declines a read-only source folder
            assert locator.get_source_stamp()[1] == digest
    assert isinstance(_pairing_kernels.g2_lines._cache._impl.locator, _pairing_kernels._DependentStamp)


def test_loop_constants():
    """The NAF digits of 6x + 2, x and 6x² evaluate back to them; 6x² is q mod r."""
    def value(digits):
        acc = 1
        for d in digits:
            acc = 2 * acc + int(d)
        return acc

    x = _pairing_kernels.BN_X
    assert value(_pairing_kernels.ATE_DIGITS) == 6 * x + 2
    assert value(_pairing_kernels.X_DIGITS) == x
    assert value(_pairing_kernels.SUBGROUP_DIGITS) == _pairing_kernels.SUBGROUP_SCALAR == Q % R
    assert set(_pairing_kernels.ATE_DIGITS) <= {-1, 0, 1}


@settings(max_examples=5, deadline=None)
@given(ks=st.lists(st.integers(min_value=0, max_value=2**256 - 1), min_size=0, max_size=5))
def test_small_msm_equals_reference(ks):
    """Σ k_i·P_i with points at infinity and a term that cancels another."""
    points = [g1_mul(G1_GENERATOR, i + 2) for i in range(len(ks))] + [G1_INFINITY, G1_GENERATOR, g1_neg(G1_GENERATOR)]
    scalars = [*ks, 5, 7, 7]
    assert fast.g1_lincomb(points, scalars) == curve.g1_lincomb(points, scalars)
    assert fast.g1_lincomb([G1_GENERATOR], [R]) == G1_INFINITY


@settings(max_examples=3, deadline=None)
@given(ks=st.lists(scalars, min_size=9, max_size=12), flip=st.integers(min_value=-1, max_value=12))
def test_many_pairs_split_over_threads(ks, flip):
    """Enough pairs for product_is_one to split the loop over threads (partial Miller products
    multiplied before one final exponentiation), with infinities among them and prepared lines
    for a fixed point: Π e(k_i·P, Q) · e(−(Σ k_i)·P, Q) is one, and one changed pair breaks it."""
    g1 = [g1_mul(G1_GENERATOR, k) for k in ks] + [G1_INFINITY, g1_mul(G1_GENERATOR, 3)]
    g2 = [G2_GENERATOR] * len(ks) + [G2_GENERATOR, G2_INFINITY]
    assert len(g1) >= fast._PARALLEL_MIN_PAIRS
    total = g1_neg(g1_mul(G1_GENERATOR, sum(ks)))
    fixed = fast.prepare_g2([G2_GENERATOR, G2_INFINITY])
    assert fast.product_is_one(g1, g2, [total, G1_GENERATOR], fixed)
    if 0 <= flip < len(ks):
        g1[flip] = g1_mul(G1_GENERATOR, ks[flip] + 1)
        assert not fast.product_is_one(g1, g2, [total, G1_GENERATOR], fixed)
    assert fast.product_is_one([], [], [G1_GENERATOR], fast.prepare_g2([G2_INFINITY]))
    assert not fast.product_is_one([], [], [G1_GENERATOR], fast.prepare_g2([G2_GENERATOR]))


def test_many_subgroup_checks_split_over_threads():
    outside = g2_point_outside_subgroup()
    points = [g2_mul(G2_GENERATOR, k) for k in range(1, 10)] + [G2_INFINITY, outside]
    assert list(fast.g2_in_subgroup(points)) == [True] * 10 + [False]
    assert list(fast.g2_in_subgroup(points[::-1])) == [False] + [True] * 10
