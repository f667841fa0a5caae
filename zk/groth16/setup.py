"""Single-party Groth16 setup. DEV ONLY: the process that runs it could forge any proof.

`generate_parameters` is deterministic in the toxic waste; `setup` draws the waste from the
OS CSPRNG, or derives it from a seed for reproducible development keys.
"""

import secrets

import sha3

from ..backends import get_backend
from ..curve import G1_GENERATOR, G2_GENERATOR, g1_mul, g2_mul
from ..field import R
from ..qap import get_reduction, qap_domain
from ..r1cs import R1CS
from .data import ProvingKey, ToxicWaste, VerifyingKey

DEV_ONLY_WARNING = (
    "DEV-ONLY KEYS: a single party generated this setup and could forge proofs. "
    "Use a multi-party ceremony for anything that holds value."
)


def _nonzero_scalar_from(label: str, seed: int | None) -> int:
    if seed is None:
        return 1 + secrets.randbelow(R - 1)
    counter = 0
    while True:
        digest = sha3.keccak_256(f"zktrade/setup/{seed}/{label}/{counter}".encode()).digest()
        value = int.from_bytes(digest, "big") % R
        if value:
            return value
        counter += 1


def sample_toxic_waste(seed: int | None = None) -> ToxicWaste:
    """Fresh secrets (CSPRNG), or a reproducible set from `seed`; never γ = δ."""
    values = {name: _nonzero_scalar_from(name, seed) for name in ("tau", "alpha", "beta", "gamma")}
    attempt = 0
    while True:
        delta = _nonzero_scalar_from(f"delta/{attempt}", seed)
        if delta != values["gamma"]:
            return ToxicWaste(delta=delta, **values)
        attempt += 1


def generate_parameters(r1cs: R1CS, toxic: ToxicWaste, reduction: str = "circom") -> ProvingKey:
    """Proving and verifying key for `r1cs` from the given toxic waste."""
    if toxic.gamma == toxic.delta:
        raise ValueError("γ = δ makes proofs forgeable: refuse to build such a key")
    qap = get_reduction(reduction).at_tau(r1cs, toxic.tau)
    backend = get_backend()
    gamma_inv = pow(toxic.gamma, -1, R)
    delta_inv = pow(toxic.delta, -1, R)
    n_pub = r1cs.n_public

    def combined(i: int) -> int:
        return (toxic.beta * qap.a[i] + toxic.alpha * qap.b[i] + qap.c[i]) % R

    ic_scalars = [combined(i) * gamma_inv % R for i in range(n_pub + 1)]
    l_scalars = [combined(i) * delta_inv % R for i in range(n_pub + 1, r1cs.n_wires)]
    h_scalars = [h * delta_inv % R for h in qap.h]

    g1_batches = backend.fixed_base_g1(
        G1_GENERATOR, [*qap.a, *qap.b, *ic_scalars, *l_scalars, *h_scalars]
    )
    n = r1cs.n_wires
    a_query, b_g1_query = g1_batches[:n], g1_batches[n : 2 * n]
    rest = g1_batches[2 * n :]
    gamma_abc = rest[: n_pub + 1]
    l_query = rest[n_pub + 1 : n_pub + 1 + len(l_scalars)]
    h_query = rest[n_pub + 1 + len(l_scalars) :]
    b_g2_query = backend.fixed_base_g2(G2_GENERATOR, qap.b)

    vk = VerifyingKey(
        alpha_g1=g1_mul(G1_GENERATOR, toxic.alpha),
        beta_g2=g2_mul(G2_GENERATOR, toxic.beta),
        gamma_g2=g2_mul(G2_GENERATOR, toxic.gamma),
        delta_g2=g2_mul(G2_GENERATOR, toxic.delta),
        gamma_abc_g1=tuple(gamma_abc),
    )
    return ProvingKey(
        vk=vk,
        beta_g1=g1_mul(G1_GENERATOR, toxic.beta),
        delta_g1=g1_mul(G1_GENERATOR, toxic.delta),
        a_query=tuple(a_query),
        b_g1_query=tuple(b_g1_query),
        b_g2_query=tuple(b_g2_query),
        h_query=tuple(h_query),
        l_query=tuple(l_query),
        domain_size=qap_domain(r1cs).size,
        reduction=reduction,
        circuit_digest=r1cs.digest(),
    )


def setup(r1cs: R1CS, seed: int | None = None, reduction: str = "circom") -> ProvingKey:
    """Dev-only keys: toxic waste from the CSPRNG (or `seed`), used once and dropped."""
    return generate_parameters(r1cs, sample_toxic_waste(seed), reduction)
