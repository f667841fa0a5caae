"""NTT/iNTT, roots of unity and the QAP polynomials against galois, an independent GF(r) implementation.

galois.GF(r) is built with primitive_element=5 (r's multiplicative generator, as snarkjs and
zk/field.py use) and verify=False: otherwise galois factors r − 1 to find or check one, which
takes minutes. That 5 generates the 2-power part of Fr* needs only Euler's criterion, checked here.
"""

import random

import galois
import pytest

from circuits import registry
from zk.domain import Domain
from zk.field import MULTIPLICATIVE_GENERATOR, R, TWO_ADICITY
from zk.qap import CircomReduction, LibsnarkReduction, lagrange_at, qap_domain, row_evaluations, wire_polynomials_at

GF = galois.GF(R, primitive_element=MULTIPLICATIVE_GENERATOR, verify=False)
SIZES = (1, 2, 8, 32)


def poly(coeffs) -> galois.Poly:
    return galois.Poly(GF([c % R for c in coeffs]), order="asc")


def coefficients(p: galois.Poly, n: int) -> list[int]:
    """p's coefficients, lowest first, padded with zeros to n."""
    asc = [int(c) for c in p.coefficients(order="asc")] if p != 0 else []
    return asc + [0] * (n - len(asc))


def interpolate(domain: Domain, values) -> galois.Poly:
    return galois.lagrange_poly(GF(domain.elements()), GF([v % R for v in values]))


@pytest.fixture(params=["reference", "fast"])
def backend(request, monkeypatch):
    monkeypatch.setenv("ZKTRADE_BACKEND", request.param)
    return request.param


def test_five_generates_the_two_power_subgroup():
    assert pow(MULTIPLICATIVE_GENERATOR, (R - 1) // 2, R) == R - 1  # a non-residue: order has all of 2^28
    for n in (2, 1 << 10, 1 << TWO_ADICITY):
        assert Domain(n).omega == int(GF.primitive_root_of_unity(n))


@pytest.mark.parametrize("n", SIZES)
def test_ntt_is_evaluation_at_the_roots_of_unity(backend, n):
    rng = random.Random(n)
    coeffs = [rng.randrange(R) for _ in range(n)]
    d = Domain(n)
    assert d.ntt(coeffs) == [int(v) for v in poly(coeffs)(GF(d.elements()))]


@pytest.mark.parametrize("n", SIZES)
def test_intt_is_interpolation_on_the_roots_of_unity(backend, n):
    rng = random.Random(100 + n)
    values = [rng.randrange(R) for _ in range(n)]
    d = Domain(n)
    assert d.intt(values) == coefficients(interpolate(d, values), n)


@pytest.mark.parametrize("n", SIZES[1:])
def test_coset_ntt_is_evaluation_on_the_coset(backend, n):
    rng = random.Random(200 + n)
    coeffs = [rng.randrange(R) for _ in range(n)]
    d = Domain(n)
    coset = GF(d.elements()) * GF(MULTIPLICATIVE_GENERATOR)
    assert d.coset_ntt(coeffs, MULTIPLICATIVE_GENERATOR) == [int(v) for v in poly(coeffs)(coset)]


@pytest.fixture(scope="module")
def circuit():
    """A registered circuit small enough for galois's O(n²) interpolation, its witness and domain."""
    c = registry.get("cubic")
    witness = c.witness(c.example_inputs())
    return c.r1cs, witness, qap_domain(c.r1cs)


def _column_polys(r1cs, domain: Domain, wire: int) -> tuple[galois.Poly, ...]:
    """A_i, B_i, C_i of one wire, interpolated from its coefficients in every row (galois only)."""
    cols = [[0] * domain.size for _ in range(3)]
    for j, con in enumerate(r1cs.constraints):
        for col, part in zip(cols, (con.a, con.b, con.c)):
            col[j] = sum(coeff for w, coeff in part if w == wire)
    if wire <= r1cs.n_public:
        cols[0][r1cs.n_constraints + wire] = 1  # the row A = w_i of each public wire
    return tuple(interpolate(domain, col) for col in cols)


def test_wire_polynomials_at_tau_match_lagrange_interpolation(circuit):
    r1cs, _, domain = circuit
    tau = random.Random(7).randrange(R)
    a, b, c = wire_polynomials_at(r1cs, lagrange_at(domain, tau))
    for i in range(r1cs.n_wires):
        pa, pb, pc = _column_polys(r1cs, domain, i)
        assert (a[i], b[i], c[i]) == (int(pa(GF(tau))), int(pb(GF(tau))), int(pc(GF(tau)))), i


def _witness_products(r1cs, witness, domain: Domain) -> tuple[galois.Poly, galois.Poly]:
    """P = A·B − C of the witness and the vanishing polynomial Z = X^n − 1."""
    a, b, c = (interpolate(domain, v) for v in row_evaluations(r1cs, witness, domain.size))
    z = galois.Poly.Degrees([domain.size, 0], GF([1, R - 1]))
    return a * b - c, z


def test_libsnark_h_is_the_quotient_of_a_b_minus_c_by_z(circuit, backend):
    r1cs, witness, domain = circuit
    p, z = _witness_products(r1cs, witness, domain)
    h, remainder = divmod(p, z)
    assert remainder == 0
    assert LibsnarkReduction.witness_h(r1cs, witness) == coefficients(h, domain.size - 1)


def test_circom_h_query_pairs_with_the_odd_coset_to_h_times_z_at_tau(circuit, backend):
    """snarkjs's H: P on the odd coset of the 2n-th roots, and a query that sums it to H(τ)·Z(τ)."""
    r1cs, witness, domain = circuit
    p, z = _witness_products(r1cs, witness, domain)
    odd = GF(Domain(2 * domain.size).elements()[1::2])
    values = CircomReduction.witness_h(r1cs, witness)
    assert values == [int(v) for v in p(odd)]
    tau = random.Random(8).randrange(R)
    query = CircomReduction.at_tau(r1cs, tau).h
    h = p // z
    assert sum(v * q for v, q in zip(values, query)) % R == int(h(GF(tau)) * z(GF(tau)))
