"""The Groth16 prover. `create_proof` is deterministic in (r, s); `prove` draws them fresh.

The MSMs run on a `PreparedProvingKey`: the key's query bases in the selected backend's form
(Montgomery limb arrays for the fast one), converted once, as `PreparedVerifyingKey` holds
what the verifier precomputes. Callers that prove many times with one key prepare it once;
`prove(pk, ...)` on a plain key prepares it on the first call and reuses that for as long as
the key object lives.
"""

import secrets
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

from ..backends import get_backend
from ..curve import G1Point, g1_add, g1_neg, g2_add
from ..errors import KeyMismatch
from ..field import R
from ..qap import get_reduction
from ..r1cs import R1CS
from .data import Proof, ProvingKey, VerifyingKey


@dataclass(frozen=True, eq=False)
class PreparedProvingKey:
    """What the prover's MSMs need, the five query bases in the form of backend `backend`.

    A reader that already holds the bases in that form (a .zkey's Montgomery sections for the
    fast backend) builds this directly, without the affine tuples of a `ProvingKey`.
    """

    backend: str
    vk: VerifyingKey
    beta_g1: G1Point
    delta_g1: G1Point
    a_query: object
    b_g1_query: object
    b_g2_query: object
    h_query: object
    l_query: object

    @property
    def n_public(self) -> int:
        return self.vk.n_public


# Prepared forms of plain keys, by identity and backend; an entry goes when its key does.
_prepared_keys: dict[tuple[int, str], PreparedProvingKey] = {}


def prepare_proving_key(pk: ProvingKey, backend=None) -> PreparedProvingKey:
    """Convert the key's bases for `backend` (default: the selected one) once."""
    backend = backend or get_backend()
    return PreparedProvingKey(
        backend=backend.name,
        vk=pk.vk,
        beta_g1=pk.beta_g1,
        delta_g1=pk.delta_g1,
        a_query=backend.prepare_g1(pk.a_query),
        b_g1_query=backend.prepare_g1(pk.b_g1_query),
        b_g2_query=backend.prepare_g2(pk.b_g2_query),
        h_query=backend.prepare_g1(pk.h_query),
        l_query=backend.prepare_g1(pk.l_query),
    )


def _prepared(pk: ProvingKey | PreparedProvingKey, backend) -> PreparedProvingKey:
    if isinstance(pk, PreparedProvingKey):
        if pk.backend != backend.name:
            raise KeyMismatch(
                f"the proving key was prepared for the {pk.backend} backend, but {backend.name} is "
                "selected: prepare it again (or select its backend with ZKTRADE_BACKEND)"
            )
        return pk
    key = (id(pk), backend.name)
    if key not in _prepared_keys:
        _prepared_keys[key] = prepare_proving_key(pk, backend)
        weakref.finalize(pk, _prepared_keys.pop, key, None)
    return _prepared_keys[key]


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


def assemble_proof(
    pk: ProvingKey | PreparedProvingKey, witness: Sequence[int], h: Sequence[int], r: int, s: int
) -> Proof:
    """The MSMs of Groth16 given the full witness and H's scalars (the QAP's part is done).

    Callers that hold the constraints in another form (a snarkjs .zkey's coefficient section)
    compute `h` their own way and share this step.
    """
    backend = get_backend()
    key = _prepared(pk, backend)
    # A backend that takes its scalars in its own form (the fast one: limb arrays) converts the
    # witness once for its four MSMs; H may come in that form already (a .zkey's fast path).
    convert = getattr(backend, "scalar_limbs", None)
    w = convert(witness) if convert is not None else list(witness)
    private = w[key.n_public + 1 :]

    # The blinding terms go through the backend too: one py_ecc G2 multiplication costs more
    # than the whole G1 MSM of a small circuit.
    (s_delta_g2,) = backend.batch_mul_g2([key.vk.delta_g2], [s])
    r_delta, s_delta = backend.batch_mul_g1([key.delta_g1, key.delta_g1], [r, s])
    a = g1_add(g1_add(key.vk.alpha_g1, backend.msm_g1(key.a_query, w)), r_delta)
    b = g2_add(g2_add(key.vk.beta_g2, backend.msm_g2(key.b_g2_query, w)), s_delta_g2)
    b1 = g1_add(g1_add(key.beta_g1, backend.msm_g1(key.b_g1_query, w)), s_delta)
    s_a, r_b1, rs_delta = backend.batch_mul_g1([a, b1, key.delta_g1], [s, r, r * s % R])
    c = backend.msm_g1(key.l_query, private)
    c = g1_add(c, backend.msm_g1(key.h_query, h))
    c = g1_add(g1_add(c, s_a), g1_add(r_b1, g1_neg(rs_delta)))
    return Proof(a=a, b=b, c=c)


def prove(pk: ProvingKey, r1cs: R1CS, witness: Sequence[int]) -> Proof:
    """A zero-knowledge proof: fresh uniformly random r, s from the OS CSPRNG."""
    return create_proof(pk, r1cs, witness, secrets.randbelow(R), secrets.randbelow(R))
