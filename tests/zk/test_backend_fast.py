"""The fast backend against the reference one: MSMs (edge scalars, infinity, cancellation),
NTTs, fixed-base multiplication, and proofs from either backend under the same key."""

import random

import pytest

from circuits import registry
from zk.backends import fast, get_backend, reference
from zk.curve import (
    G1_GENERATOR,
    G1_INFINITY,
    G2_GENERATOR,
    G2_INFINITY,
    g1_mul,
    g1_neg,
    g2_mul,
    g2_neg,
)
from zk.domain import Domain, root_of_unity
from zk.errors import ConfigError
from zk.field import R
from zk.groth16 import create_proof, generate_parameters, prepare_verifying_key, sample_toxic_waste, verify_proof

EDGE_SCALARS = [0, 1, 2, R - 1, R - 2, (R - 1) // 2]


def random_scalars(rng: random.Random, n: int) -> list[int]:
    """Mostly edge scalars (0, 1, r−1, ...) and some uniform ones, as a witness looks."""
    return [rng.choice(EDGE_SCALARS) if rng.random() < 0.5 else rng.randrange(R) for _ in range(n)]


def g1_bases(rng: random.Random, n: int) -> list:
    """Random points plus the cases bucket additions must handle: infinity, a repeated point
    (doubling inside a bucket) and a point next to its negation (cancellation)."""
    points = [g1_mul(G1_GENERATOR, rng.randrange(1, R)) for _ in range(n - 4)]
    return [*points, G1_INFINITY, points[0], g1_neg(points[1]), G1_GENERATOR]


def g2_bases(rng: random.Random, n: int) -> list:
    points = [g2_mul(G2_GENERATOR, rng.randrange(1, R)) for _ in range(n - 4)]
    return [*points, G2_INFINITY, points[0], g2_neg(points[1]), G2_GENERATOR]


@pytest.mark.parametrize("seed", range(4))
def test_msm_g1_matches_reference(seed):
    rng = random.Random(seed)
    bases = g1_bases(rng, 24)
    scalars = random_scalars(rng, len(bases))
    assert fast.msm_g1(fast.prepare_g1(bases), scalars) == reference.msm_g1(bases, scalars)


def test_msm_g1_edge_cases():
    rng = random.Random(10)
    bases = g1_bases(rng, 8)
    prepared = fast.prepare_g1(bases)
    for k in EDGE_SCALARS:
        assert fast.msm_g1(prepared, [k] * len(bases)) == reference.msm_g1(bases, [k] * len(bases))
    # Equal digits for P and −P in every window: their buckets cancel to infinity.
    p = bases[0]
    k = rng.randrange(R)
    assert fast.msm_g1(fast.prepare_g1([p, g1_neg(p)]), [k, k]) == G1_INFINITY
    assert fast.msm_g1(fast.prepare_g1([]), []) == G1_INFINITY


@pytest.mark.parametrize("seed", range(2))
def test_msm_g2_matches_reference(seed):
    rng = random.Random(100 + seed)
    bases = g2_bases(rng, 10)
    scalars = random_scalars(rng, len(bases))
    assert fast.msm_g2(fast.prepare_g2(bases), scalars) == reference.msm_g2(bases, scalars)


def test_msm_g2_edge_scalars():
    bases = g2_bases(random.Random(7), 6)
    prepared = fast.prepare_g2(bases)
    for k in (0, 1, R - 1):
        assert fast.msm_g2(prepared, [k] * len(bases)) == reference.msm_g2(bases, [k] * len(bases))


def test_msm_large_uses_several_windows_and_threads():
    """Enough points that Pippenger picks a wide window; one point repeated keeps the reference
    cheap: Σ k_i·P = (Σ k_i)·P."""
    rng = random.Random(3)
    n = 3000
    p = g1_mul(G1_GENERATOR, rng.randrange(1, R))
    scalars = random_scalars(rng, n)
    assert fast.window_width(sum(k > 1 for k in scalars)) > 4
    assert fast.msm_g1(fast.prepare_g1([p] * n), scalars) == g1_mul(p, sum(scalars) % R)
    q = g2_mul(G2_GENERATOR, rng.randrange(1, R))
    assert fast.msm_g2(fast.prepare_g2([q] * n), scalars) == g2_mul(q, sum(scalars) % R)


@pytest.mark.parametrize("width", [2, 3, 7, 11, 13, 16])
def test_signed_digits_rebuild_every_scalar(width):
    """Σ_w digit_w·2^(w·width) = k with every digit in (−2^(width−1), 2^(width−1)], for the
    edge scalars (r − 1 borrows through every window) and random ones."""
    import numpy as np

    rng = random.Random(width)
    scalars = [*EDGE_SCALARS, 2**253, *(rng.randrange(R) for _ in range(40))]
    n_windows = fast.window_count(width)
    digits = np.empty((n_windows, len(scalars)), np.int32)
    kernels = fast.K
    kernels.signed_digits(fast._limbs(scalars), np.arange(len(scalars)), width, digits, 0, len(scalars))
    half = 1 << (width - 1)
    for k, scalar in enumerate(scalars):
        column = [int(d) for d in digits[:, k]]
        assert all(-half < d <= half for d in column)
        assert sum(d << (w * width) for w, d in enumerate(column)) == scalar


def test_window_width_keeps_buckets_in_cache():
    """The window grows with n until its buckets would leave the cache; G2's cap is one bit
    narrower (its points are twice as large)."""
    g1_cap, g2_cap = fast._bucket_cap((4,)), fast._bucket_cap((2, 4))
    assert g2_cap == g1_cap - 1
    assert 2 ** (g1_cap - 1) * 64 <= fast._BUCKET_BYTES < 2**g1_cap * 64
    widths = [fast.window_width(2**k, g1_cap, threads=2) for k in range(8, 21)]
    assert widths == sorted(widths) and widths[0] < g1_cap == widths[-1]


def test_bases_given_in_montgomery_form_are_the_same_bases():
    """A reader holding a .zkey's Montgomery sections skips prepare_g1/g2; zero rows are infinity."""
    rng = random.Random(21)
    for bases, msm, prepare in ((g1_bases(rng, 12), fast.msm_g1, fast.prepare_g1),
                                (g2_bases(rng, 6), fast.msm_g2, fast.prepare_g2)):
        prepared = prepare(bases)
        points = prepared.points.copy()
        points[prepared.is_infinity] = 0
        given = fast.prepared_from_montgomery(points)
        assert list(given.is_infinity) == list(prepared.is_infinity)
        scalars = random_scalars(rng, len(bases))
        assert msm(given, scalars) == msm(prepared, scalars)
    with pytest.raises(ValueError, match="uint64 limbs"):
        fast.prepared_from_montgomery(points.astype("int64"))


def test_msm_rejects_length_mismatch():
    with pytest.raises(ValueError, match="one scalar per base"):
        fast.msm_g1(fast.prepare_g1([G1_GENERATOR]), [1, 2])


@pytest.mark.parametrize("log_n", [0, 1, 2, 3, 5, 8])
def test_ntt_matches_reference(log_n):
    rng = random.Random(log_n)
    n = 1 << log_n
    values = [rng.choice([0, 1, R - 1, rng.randrange(R)]) for _ in range(n)]
    for omega in (root_of_unity(n), pow(root_of_unity(n), -1, R)):
        assert fast.ntt(values, omega) == reference.ntt(values, omega)


def test_ntt_rejects_non_power_of_two():
    with pytest.raises(ValueError, match="power of two"):
        fast.ntt([1, 2, 3], 5)


def test_fixed_base_matches_scalar_multiplication():
    rng = random.Random(5)
    scalars = [*EDGE_SCALARS, *(rng.randrange(R) for _ in range(6))]
    assert fast.fixed_base_g1(G1_GENERATOR, scalars) == [g1_mul(G1_GENERATOR, k) for k in scalars]
    base2 = g2_mul(G2_GENERATOR, rng.randrange(1, R))
    assert fast.fixed_base_g2(base2, scalars) == [g2_mul(base2, k) for k in scalars]
    assert fast.fixed_base_g1(G1_INFINITY, [3]) == [G1_INFINITY]


def test_fast_setup_equals_reference_setup(monkeypatch):
    c = registry.get("cubic")
    toxic = sample_toxic_waste(seed=11)
    keys = {}
    for name in ("reference", "fast"):
        monkeypatch.setenv("ZKTRADE_BACKEND", name)
        keys[name] = generate_parameters(c.r1cs, toxic, "circom")
    assert keys["fast"] == keys["reference"]


@pytest.mark.parametrize("reduction", ["circom", "libsnark"])
def test_proofs_from_either_backend_verify_under_the_same_key(monkeypatch, reduction):
    """Both provers' proofs verify under one key, and with the same (r, s) they are equal."""
    c = registry.get("cubic")  # the reference prover is slow; the MSM tests above cover size
    monkeypatch.setenv("ZKTRADE_BACKEND", "fast")
    pk = generate_parameters(c.r1cs, sample_toxic_waste(seed=11), reduction)
    pvk = prepare_verifying_key(pk.vk)
    w = c.witness(c.example_inputs())
    public = c.r1cs.public_inputs(w)
    r, s = 12345, 67890
    proofs = {}
    for name in ("reference", "fast"):
        monkeypatch.setenv("ZKTRADE_BACKEND", name)
        proofs[name] = create_proof(pk, c.r1cs, w, r, s)
        assert verify_proof(pvk, proofs[name], public)
    assert proofs["fast"] == proofs["reference"]


def test_backend_selection(monkeypatch):
    monkeypatch.delenv("ZKTRADE_BACKEND", raising=False)
    assert get_backend().name == "fast"
    monkeypatch.setenv("ZKTRADE_BACKEND", "reference")
    assert get_backend().name == "reference"
    monkeypatch.setenv("ZKTRADE_BACKEND", "gpu")
    with pytest.raises(ConfigError, match="ZKTRADE_BACKEND"):
        get_backend()


def test_warmup_compiles_and_reports_the_cache():
    fast.warmup()
    assert fast.is_compiled_cache_present()


@pytest.mark.parametrize("log_n", [0, 1, 4, 7])
def test_coset_evaluations_match_intt_then_coset_ntt(monkeypatch, log_n):
    rng = random.Random(log_n)
    d = Domain(1 << log_n)
    evals = [rng.randrange(R) for _ in range(d.size)]
    shift = rng.randrange(1, R)
    monkeypatch.setenv("ZKTRADE_BACKEND", "reference")
    expected = d.coset_ntt(d.intt(evals), shift)
    assert d.coset_evaluations(evals, shift) == expected
    monkeypatch.setenv("ZKTRADE_BACKEND", "fast")
    assert d.coset_evaluations(evals, shift) == expected
