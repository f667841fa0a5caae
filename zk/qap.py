"""R1CS → QAP reductions: how constraints become polynomials, for setup and for the prover.

Two reductions, chosen by name and recorded in every proving key:

* ``circom`` — snarkjs's. Rows are the constraints followed by one row ``A = w_i`` for each
  public wire i = 0..n_public (this makes the public inputs' polynomials linearly independent,
  which Groth16's soundness needs). The domain has n >= rows points. The prover evaluates
  P = A·B − C on the odd coset {ω_{2n}^(2i+1)}, where Z = X^n − 1 equals −2; the H query
  holds the 2n-domain Lagrange basis at odd indices divided by δ, so Σ P(x_i)·h_i = H(τ)Z(τ)/δ.
  Keys and proofs made with it interoperate with snarkjs's .zkey.
* ``libsnark`` — arkworks's and libsnark's. Same rows; H's coefficients are computed by
  dividing on the coset g·⟨ω⟩ (g = 5, the multiplicative generator) and the H query is
  τ^i·Z(τ)/δ.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .domain import Domain, root_of_unity
from .errors import ConfigError
from .field import MULTIPLICATIVE_GENERATOR, R, batch_inverse
from .r1cs import R1CS, evaluate


@dataclass(frozen=True)
class QapAtTau:
    """Every wire's A, B, C polynomial at τ, and the scalars of the H query (before /δ)."""

    a: list[int]
    b: list[int]
    c: list[int]
    h: list[int]


def qap_rows(r1cs: R1CS) -> int:
    return r1cs.n_constraints + r1cs.n_public + 1


def qap_domain(r1cs: R1CS) -> Domain:
    return Domain.at_least(qap_rows(r1cs))


def lagrange_at(domain: Domain, tau: int) -> list[int]:
    """L_j(τ) = (τ^n − 1)/n · ω^j/(τ − ω^j) for the domain's points ω^j."""
    points = domain.elements()
    z_over_n = domain.vanishing_at(tau) * domain.size_inv % R
    inverses = batch_inverse([(tau - x) % R for x in points])
    return [z_over_n * x % R * inv % R for x, inv in zip(points, inverses)]


def wire_polynomials_at(r1cs: R1CS, lagrange: Sequence[int]) -> tuple[list[int], ...]:
    """a_i(τ), b_i(τ), c_i(τ) for every wire i, including the public-input rows."""
    a, b, c = ([0] * r1cs.n_wires for _ in range(3))
    for j, con in enumerate(r1cs.constraints):
        lj = lagrange[j]
        for target, part in ((a, con.a), (b, con.b), (c, con.c)):
            for wire, coeff in part:
                target[wire] = (target[wire] + coeff * lj) % R
    for i in range(r1cs.n_public + 1):
        a[i] = (a[i] + lagrange[r1cs.n_constraints + i]) % R
    return a, b, c


def row_evaluations(r1cs: R1CS, witness: Sequence[int], size: int) -> tuple[list[int], ...]:
    """⟨A_j, w⟩, ⟨B_j, w⟩, ⟨C_j, w⟩ for every row j of the domain (zero-padded)."""
    a, b, c = ([0] * size for _ in range(3))
    for j, con in enumerate(r1cs.constraints):
        a[j] = evaluate(con.a, witness)
        b[j] = evaluate(con.b, witness)
        c[j] = evaluate(con.c, witness)
    for i in range(r1cs.n_public + 1):
        a[r1cs.n_constraints + i] = witness[i]
    return a, b, c


def coset_products(domain: Domain, rows: tuple[list[int], ...], shift: int) -> list[int]:
    """P(x) = A(x)·B(x) − C(x) at the coset shift·⟨ω⟩, from the row evaluations."""
    a, b, c = (domain.coset_evaluations(v, shift) for v in rows)
    return [(x * y - z) % R for x, y, z in zip(a, b, c)]


def circom_at_tau(r1cs: R1CS, tau: int) -> QapAtTau:
    """Wire polynomials at τ; H's scalars are the 2n-domain Lagrange basis at odd indices."""
    domain = qap_domain(r1cs)
    a, b, c = wire_polynomials_at(r1cs, lagrange_at(domain, tau))
    big = Domain(2 * domain.size)
    odd = [x for x in big.elements()[1::2]]
    scale = big.vanishing_at(tau) * big.size_inv % R
    inverses = batch_inverse([(tau - x) % R for x in odd])
    h = [scale * x % R * inv % R for x, inv in zip(odd, inverses)]
    return QapAtTau(a, b, c, h)


def circom_h_from_rows(domain: Domain, rows: tuple[list[int], ...]) -> list[int]:
    """H's scalars: P = A·B − C on the odd coset of the 2n-domain."""
    return coset_products(domain, rows, root_of_unity(2 * domain.size))


def libsnark_at_tau(r1cs: R1CS, tau: int) -> QapAtTau:
    """Wire polynomials at τ; H's scalars are τ^i·Z(τ)."""
    domain = qap_domain(r1cs)
    a, b, c = wire_polynomials_at(r1cs, lagrange_at(domain, tau))
    z = domain.vanishing_at(tau)
    h, power = [], z
    for _ in range(domain.size - 1):
        h.append(power)
        power = power * tau % R
    return QapAtTau(a, b, c, h)


def libsnark_h_from_rows(domain: Domain, rows: tuple[list[int], ...]) -> list[int]:
    """H's coefficients: P/Z on the coset g·⟨ω⟩ (g = 5), back to coefficients."""
    g = MULTIPLICATIVE_GENERATOR
    p = coset_products(domain, rows, g)
    z_inv = pow((pow(g, domain.size, R) - 1) % R, -1, R)  # Z is constant on the coset
    h = domain.coset_intt([v * z_inv % R for v in p], g)
    if h[-1] != 0:
        raise ArithmeticError("A·B − C is not divisible by Z: the witness is unsatisfied")
    return h[:-1]


@dataclass(frozen=True)
class Reduction:
    """One R1CS → QAP reduction: the setup's view (everything at τ) and the prover's (H's
    scalars from the rows' A, B, C values, which is all a .zkey-driven prover has)."""

    name: str
    at_tau: Callable[[R1CS, int], QapAtTau]
    h_from_rows: Callable[[Domain, tuple[list[int], ...]], list[int]]
    h_query_length: Callable[[int], int]

    def witness_h(self, r1cs: R1CS, witness: Sequence[int]) -> list[int]:
        """H's scalars for a witness of `r1cs`."""
        domain = qap_domain(r1cs)
        return self.h_from_rows(domain, row_evaluations(r1cs, witness, domain.size))


# circom: one H base per odd point of the doubled domain; libsnark: one per coefficient of H,
# whose degree is below the domain size − 1.
CircomReduction = Reduction("circom", circom_at_tau, circom_h_from_rows, lambda domain_size: domain_size)
LibsnarkReduction = Reduction("libsnark", libsnark_at_tau, libsnark_h_from_rows, lambda domain_size: domain_size - 1)


REDUCTIONS = {r.name: r for r in (CircomReduction, LibsnarkReduction)}


def get_reduction(name: str) -> Reduction:
    try:
        return REDUCTIONS[name]
    except KeyError:
        raise ConfigError(f"unknown QAP reduction {name!r}; known: {', '.join(REDUCTIONS)}") from None
