"""NTT properties: against naive evaluation, inverse round trips, cosets; the roots snarkjs uses."""

from hypothesis import given, settings, strategies as st

from zk.domain import Domain, root_of_unity
from zk.field import R

sizes = st.sampled_from([1, 2, 4, 8, 16, 32, 64])
fr = st.integers(min_value=0, max_value=R - 1)


def naive_eval(coeffs, x):
    return sum(c * pow(x, j, R) for j, c in enumerate(coeffs)) % R


@settings(max_examples=30, deadline=None)
@given(sizes.flatmap(lambda n: st.lists(fr, min_size=n, max_size=n)))
def test_ntt_matches_naive_evaluation(coeffs):
    d = Domain(len(coeffs))
    assert d.ntt(coeffs) == [naive_eval(coeffs, x) for x in d.elements()]


@settings(max_examples=30, deadline=None)
@given(sizes.flatmap(lambda n: st.lists(fr, min_size=n, max_size=n)))
def test_intt_inverts_ntt(values):
    d = Domain(len(values))
    assert d.intt(d.ntt(values)) == values
    assert d.ntt(d.intt(values)) == values


@settings(max_examples=20, deadline=None)
@given(sizes.flatmap(lambda n: st.lists(fr, min_size=n, max_size=n)), st.integers(1, R - 1))
def test_coset_ntt(coeffs, shift):
    d = Domain(len(coeffs))
    assert d.coset_ntt(coeffs, shift) == [naive_eval(coeffs, shift * x % R) for x in d.elements()]
    assert d.coset_intt(d.coset_ntt(coeffs, shift), shift) == coeffs


def test_roots_of_unity_are_primitive_and_match_snarkjs():
    for log_n in range(0, 29):
        n = 1 << log_n
        w = root_of_unity(n)
        assert pow(w, n, R) == 1
        assert n == 1 or pow(w, n // 2, R) == R - 1
    # ffjavascript's Fr.w[28] for bn128 (nqr 5 raised to the odd part of r − 1).
    assert root_of_unity(1 << 28) == 19103219067921713944291392827692070036145651957329286315305642004821462161904


def test_at_least_rounds_up():
    assert Domain.at_least(1).size == 1
    assert Domain.at_least(5).size == 8
    assert Domain.at_least(8).size == 8
