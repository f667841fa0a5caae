"""The Groth16 prover. `create_proof` is deterministic in (r, s); `prove` draws them fresh."""

import secrets
from collections.abc import Sequence

from ..backends import get_backend
from ..curve import g1_add, g1_mul, g1_neg, g2_add, g2_mul
from ..errors import KeyMismatch
from ..field import R
from ..qap import get_reduction
from ..r1cs import R1CS
from .data import Proof, ProvingKey


def _prepared(pk: ProvingKey, backend, query: str):
    key = (backend.name, query)
    if key not in pk.cache:
        bases = getattr(pk, query)
        prepare = backend.prepare_g2 if query == "b_g2_query" else backend.prepare_g1
        pk.cache[key] = prepare(bases)
    return pk.cache[key]


def check_key_matches(pk: ProvingKey, r1cs: R1CS) -> None:
    """Refuse a key made for another circuit (digest, wire count, public-input count)."""
    if pk.circuit_digest != r1cs.digest():
        raise KeyMismatch(
            f"the proving key was made for circuit {pk.circuit_digest[:16]}…, but this circuit "
            f"is {r1cs.digest()[:16]}…: run setup for this circuit (or pick the right key)"
        )
    if pk.n_wires != r1cs.n_wires or pk.n_public != r1cs.n_public:
        raise KeyMismatch("the proving key's wire or public-input count differs from the circuit's")


def create_proof(pk: ProvingKey, r1cs: R1CS, witness: Sequence[int], r: int, s: int) -> Proof:
    """π = (A, B, C) for a satisfying witness, with blinding scalars r and s."""
    check_key_matches(pk, r1cs)
    r1cs.check(witness)
    h = get_reduction(pk.reduction).witness_h(r1cs, witness)
    return assemble_proof(pk, witness, h, r, s)


def assemble_proof(pk: ProvingKey, witness: Sequence[int], h: Sequence[int], r: int, s: int) -> Proof:
    """The MSMs of Groth16 given the full witness and H's scalars (the QAP's part is done).

    Callers that hold the constraints in another form (a snarkjs .zkey's coefficient section)
    compute `h` their own way and share this step.
    """
    backend = get_backend()
    w = list(witness)
    private = w[pk.n_public + 1 :]

    a = g1_add(
        g1_add(pk.vk.alpha_g1, backend.msm_g1(_prepared(pk, backend, "a_query"), w)),
        g1_mul(pk.delta_g1, r),
    )
    b = g2_add(
        g2_add(pk.vk.beta_g2, backend.msm_g2(_prepared(pk, backend, "b_g2_query"), w)),
        g2_mul(pk.vk.delta_g2, s),
    )
    b1 = g1_add(
        g1_add(pk.beta_g1, backend.msm_g1(_prepared(pk, backend, "b_g1_query"), w)),
        g1_mul(pk.delta_g1, s),
    )
    c = backend.msm_g1(_prepared(pk, backend, "l_query"), private)
    c = g1_add(c, backend.msm_g1(_prepared(pk, backend, "h_query"), h))
    c = g1_add(c, g1_mul(a, s))
    c = g1_add(c, g1_mul(b1, r))
    c = g1_add(c, g1_neg(g1_mul(pk.delta_g1, r * s % R)))
    return Proof(a=a, b=b, c=c)


def prove(pk: ProvingKey, r1cs: R1CS, witness: Sequence[int]) -> Proof:
    """A zero-knowledge proof: fresh uniformly random r, s from the OS CSPRNG."""
    return create_proof(pk, r1cs, witness, secrets.randbelow(R), secrets.randbelow(R))
