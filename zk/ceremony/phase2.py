"""Phase 2 of a Groth16 trusted setup: the circuit-specific δ ceremony, in snarkjs's .zkey format.

`new_ceremony` is `snarkjs groth16 setup`: the key with δ = 1 and the circuit hash csHash,
a Blake2b-512 over that initial key (α₁, β₁, β₂, γ₂, δ₁, δ₂, then IC, the H points
(τ^(i+n) − τ^i)·G1, L, A, B₁, B₂, each list prefixed by its length as a big-endian u32). Each
contribution multiplies δ by a secret d and divides L and H by it; it publishes
  δ₁ after | s·G1 | (s·d)·G1 | (s'·d)·G2 | transcript | type | parameters
where transcript = Blake2b(csHash ‖ every earlier contribution's public key ‖ s ‖ s·d) and
s'·G2 = hashToG2(transcript). A beacon contribution draws d and s from a public beacon.

A key with no contribution has δ = γ = 1, public to everyone: whoever has it can forge proofs
(snarkjs PR #620). `verify_ceremony` refuses it, and checks everything else back to the R1CS
and the powers of tau: csHash, every contribution's proof of knowledge and its link to the
previous δ, the beacon's derivation, the unchanged sections, and L and H against δ.
"""

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..backends import get_backend
from ..circom.setup import zkey_from_ptau
from ..curve import G1_GENERATOR, G2_GENERATOR, G1Point, g1_add, g1_mul, g1_neg, g2_mul
from ..errors import MalformedInput
from ..field import R
from ..formats.iden3 import (
    G1_SIZE,
    LemPoints,
    Cursor,
    concatenate_points,
    encode_g1_lem,
    encode_g2_lem,
    parse_container,
    scale_points,
    take_g1,
    take_g2,
    u32,
)
from ..formats.ptau import Ptau
from ..formats.zkey import MATRIX_A, MATRIX_B, Coefficient, Zkey, encode_coefficients, zkey_digest
from ..qap import qap_domain
from ..r1cs import R1CS
from .errors import InvalidCeremony
from .keypair import Beacon, Check, PublicKey, decode_metadata, encode_metadata, random_weights, verify_checks
from .rng import ChaCha, beacon_rng, fr_from_rng, g1_from_rng, hash_to_g2
from .transcript import HASH_SIZE, blake2b, g1_uncompressed, g1s_uncompressed, g2_uncompressed, g2s_uncompressed
from .wasm_fq import sub_affine

_H_HASH_CHUNK = 1 << 14  # snarkjs hashes the H points in chunks of this many


@dataclass(frozen=True)
class Contribution:
    delta_after: G1Point
    key: PublicKey
    transcript: bytes
    name: str = ""
    beacon: Beacon | None = None

    def public_key_bytes(self) -> bytes:
        """What later transcripts and the contribution hash cover (snarkjs's `hashPubKey`)."""
        k = self.key
        return b"".join(
            [g1_uncompressed(self.delta_after), g1_uncompressed(k.g1_s), g1_uncompressed(k.g1_sx),
             g2_uncompressed(k.g2_spx), self.transcript]
        )

    def hash(self) -> bytes:
        return blake2b(self.public_key_bytes())


@dataclass(frozen=True)
class MpcParams:
    """Section 10 of a .zkey: the circuit hash and the contributions in order."""

    cs_hash: bytes
    contributions: tuple[Contribution, ...]


def decode_mpc_params(data: bytes, what: str = "zkey MPC section") -> MpcParams:
    cur = Cursor(data, what)
    cs_hash = cur.take(HASH_SIZE)
    contributions = []
    for i in range(cur.u32()):
        label = f"{what}: contribution #{i + 1}"
        (delta_after, g1_s, g1_sx) = take_g1(cur, 3, f"contribution #{i + 1} points")
        (g2_spx,) = take_g2(cur, 1, f"contribution #{i + 1} G2 key")
        transcript = cur.take(HASH_SIZE)
        name, beacon = decode_metadata(cur, label)
        contributions.append(Contribution(delta_after, PublicKey(g1_s, g1_sx, g2_spx), transcript, name, beacon))
    cur.end()
    return MpcParams(cs_hash, tuple(contributions))


def encode_mpc_params(params: MpcParams) -> bytes:
    parts = [params.cs_hash, u32(len(params.contributions))]
    for c in params.contributions:
        parts += [
            encode_g1_lem([c.delta_after, c.key.g1_s, c.key.g1_sx]),
            encode_g2_lem([c.key.g2_spx]),
            c.transcript,
            encode_metadata(c.name, c.beacon),
        ]
    return b"".join(parts)


# ---------------------------------------------------------------- the circuit's initial key


def coefficients_in_file_order(r1cs_data: bytes, n_public: int) -> tuple[Coefficient, ...]:
    """The QAP's A and B rows with each constraint's terms in the .r1cs file's order.

    snarkjs copies terms in file order and `snarkjs zkey verify` compares the section byte for
    byte; our R1CS sorts terms by wire, so a circom file's order is read again here.
    """
    f = parse_container(r1cs_data, b"r1cs", (1,), "r1cs")
    header = Cursor(f.section(1, "r1cs"), "r1cs header")
    header.take(4 + 32 + 4 * 4 + 8)
    n_constraints = header.u32()
    cur = Cursor(f.section(2, "r1cs"), "r1cs constraints")
    out: list[Coefficient] = []
    for j in range(n_constraints):
        for matrix in (MATRIX_A, MATRIX_B, None):
            for _ in range(cur.u32()):
                wire, value = cur.u32(), cur.element(R, f"constraint {j} coefficient")
                if matrix is not None:
                    out.append((matrix, j, wire, value))
    out += [(MATRIX_A, n_constraints + i, i, 1) for i in range(n_public + 1)]
    return tuple(out)


def h_hash_count(n: int) -> int:
    """How many H points snarkjs hashes: n − 1, or n above 2^14 (its chunk loop rounds up to whole chunks)."""
    return -(-(n - 1) // _H_HASH_CHUNK) * min(n - 1, _H_HASH_CHUNK)


def check_ptau_for_hash(ptau: Ptau, n: int) -> None:
    """Refuse, before any heavy work, a ptau whose circuit hash snarkjs could not compute either."""
    ptau.check_domain(n)
    overrun = n + h_hash_count(n) - len(ptau.tau_g1)
    if overrun > 0 and len(ptau.bytes_after_tau_g1()) < G1_SIZE:
        raise MalformedInput(
            f"snarkjs's circuit hash for a domain of {n} reads {G1_SIZE} bytes past the τ·G1 section, "
            f"which ends the file here: use a .ptau of power >= {n.bit_length()}"
        )


def _h_hash_bytes(ptau: Ptau, n: int) -> bytes:
    """(τ^(i+n) − τ^i)·G1, uncompressed, for the H points snarkjs hashes.

    At n = 2^power the last point τ^(2n−1) is past the section: snarkjs reads the file's next
    64 bytes in its place, and its wasm arithmetic on them is replayed bit for bit."""
    count = h_hash_count(n)
    inside = min(count, len(ptau.tau_g1) - n)
    out = g1s_uncompressed(g1_add(ptau.tau_g1[i + n], g1_neg(ptau.tau_g1[i])) for i in range(inside))
    if inside < count:  # exactly one point: check_ptau_for_hash refused larger domains
        out += sub_affine(ptau.bytes_after_tau_g1(), encode_g1_lem([ptau.tau_g1[inside]]))
    return out


def circuit_hash(initial: Zkey, ptau: Ptau) -> bytes:
    """snarkjs's csHash of the initial (δ = 1) key: what every contribution's transcript starts from."""
    pk, vk = initial.proving_key, initial.proving_key.vk

    def counted(points: Sequence, encode) -> bytes:
        return len(points).to_bytes(4, "big") + encode(points)

    check_ptau_for_hash(ptau, pk.domain_size)
    return blake2b(
        g1_uncompressed(vk.alpha_g1), g1_uncompressed(pk.beta_g1), g2_uncompressed(vk.beta_g2),
        g2_uncompressed(G2_GENERATOR), g1_uncompressed(G1_GENERATOR), g2_uncompressed(G2_GENERATOR),
        counted(vk.gamma_abc_g1, g1s_uncompressed),
        (pk.domain_size - 1).to_bytes(4, "big") + _h_hash_bytes(ptau, pk.domain_size),
        counted(pk.l_query, g1s_uncompressed),
        counted(pk.a_query, g1s_uncompressed),
        counted(pk.b_g1_query, g1s_uncompressed),
        counted(pk.b_g2_query, g2s_uncompressed),
    )


def new_ceremony(r1cs: R1CS, ptau: Ptau, coefficients: Sequence[Coefficient] | None = None) -> Zkey:
    """The initial .zkey (δ = 1, no contribution), equal to `snarkjs groth16 setup`'s output.

    `coefficients` fixes the order of section 4 (from `coefficients_in_file_order` for a circom
    .r1cs); by default our canonical order, which is what `zktrade circom export` writes.
    """
    check_ptau_for_hash(ptau, qap_domain(r1cs).size)
    zkey = zkey_from_ptau(r1cs, ptau, 1)
    if coefficients is not None:
        if sorted(coefficients) != sorted(zkey.coefficients):
            raise MalformedInput("the coefficient order given is not of this R1CS")
        pk = zkey.proving_key
        digest = zkey_digest(pk.n_wires, pk.n_public, pk.domain_size, encode_coefficients(coefficients))
        zkey = Zkey(replace(pk, circuit_digest=digest), tuple(coefficients), zkey.mpc_params)
    params = MpcParams(circuit_hash(zkey, ptau), ())
    return replace(zkey, mpc_params=encode_mpc_params(params))


# ---------------------------------------------------------------- contributions


def entropy_rng(entropy: bytes = b"") -> ChaCha:
    """A fresh stream as snarkjs makes one: Blake2b of 64 OS-random bytes and the user's text."""
    return ChaCha.from_hash(blake2b(os.urandom(64), entropy))


def _transcript(params: MpcParams, g1_s: G1Point, g1_sx: G1Point) -> bytes:
    return blake2b(
        params.cs_hash, *(c.public_key_bytes() for c in params.contributions),
        g1_uncompressed(g1_s), g1_uncompressed(g1_sx),
    )


def contribute(zkey: Zkey, rng: ChaCha, name: str = "", beacon: Beacon | None = None) -> tuple[Zkey, Contribution]:
    """Multiply δ by a secret drawn from `rng` (deterministic in it), and record the contribution."""
    params = decode_mpc_params(zkey.mpc_params)
    d = fr_from_rng(rng)
    g1_s = g1_from_rng(rng)
    if d == 0:
        raise MalformedInput("the contribution's secret came out zero: run the contribution again")
    g1_sx = g1_mul(g1_s, d)
    transcript = _transcript(params, g1_s, g1_sx)
    pk = zkey.proving_key
    delta_g1 = g1_mul(pk.delta_g1, d)
    contribution = Contribution(
        delta_after=delta_g1,
        key=PublicKey(g1_s, g1_sx, g2_mul(hash_to_g2(transcript), d)),
        transcript=transcript,
        name=name,
        beacon=beacon,
    )
    backend = get_backend()
    d_inv = pow(d, -1, R)
    new_pk = replace(
        pk,
        vk=replace(pk.vk, delta_g2=g2_mul(pk.vk.delta_g2, d)),
        delta_g1=delta_g1,
        l_query=scale_points(pk.l_query, d_inv, backend),  # arrays stay arrays on the fast backend
        h_query=scale_points(pk.h_query, d_inv, backend),
    )
    new_params = MpcParams(params.cs_hash, (*params.contributions, contribution))
    return Zkey(new_pk, zkey.coefficients, encode_mpc_params(new_params)), contribution


def apply_beacon(zkey: Zkey, beacon: Beacon, name: str = "") -> tuple[Zkey, Contribution]:
    """The final, publicly reproducible contribution from a random beacon."""
    return contribute(zkey, beacon_rng(beacon.hash, beacon.iterations_exp), name, beacon)


# ---------------------------------------------------------------- verification


def _contribution_checks(index: int, c: Contribution, prior: MpcParams, delta_before: G1Point) -> list[Check]:
    """One link of the chain: transcript, proof of knowledge, δ moved by that key, beacon."""
    g2_sp = hash_to_g2(c.transcript)
    checks: list[Check] = [
        (index, "its transcript hash does not cover the circuit hash and the earlier contributions",
         c.transcript == _transcript(prior, c.key.g1_s, c.key.g1_sx)),
        (index, "the proof of knowledge fails (its G1 and G2 keys hide different secrets)",
         (c.key.g1_s, c.key.g1_sx, g2_sp, c.key.g2_spx)),
        (index, "δ after it does not follow the previous δ by the contributor's secret (broken chain)",
         (delta_before, c.delta_after, g2_sp, c.key.g2_spx)),
    ]
    if c.beacon is not None:
        rng = beacon_rng(c.beacon.hash, c.beacon.iterations_exp)
        d = fr_from_rng(rng)
        g1_s = g1_from_rng(rng)
        checks.append((index, "its key is not the one the beacon's hash and iterations produce",
                       (c.key.g1_s, c.key.g1_sx) == (g1_s, g1_mul(g1_s, d))))
    return checks


def _joined(first: Sequence, second: Sequence) -> Sequence:
    """Two point sections as one sequence (one array when both are arrays)."""
    if isinstance(first, LemPoints) and isinstance(second, LemPoints):
        return concatenate_points([first, second])
    return [*first, *second]


def verify_ceremony(zkey: Zkey, initial: Zkey) -> tuple[Contribution, ...]:
    """Check a .zkey against the initial key of its circuit (from `new_ceremony` on the same
    R1CS and ptau); returns the contributions, or raises InvalidCeremony saying which failed."""
    params = decode_mpc_params(zkey.mpc_params)
    init_params = decode_mpc_params(initial.mpc_params)
    if params.cs_hash != init_params.cs_hash:
        raise InvalidCeremony(
            "the key's circuit hash is not that of this circuit and powers of tau: "
            "it was started from another .r1cs or .ptau"
        )
    if not params.contributions:
        raise InvalidCeremony(
            "the key has no contribution: its δ is 1, the same as γ, and public, so anyone can forge "
            "proofs with it; run `zktrade ceremony contribute` (or `snarkjs zkey contribute`) first"
        )
    checks: list[Check] = []
    delta = G1_GENERATOR
    for i, c in enumerate(params.contributions):
        checks += _contribution_checks(i + 1, c, MpcParams(params.cs_hash, params.contributions[:i]), delta)
        delta = c.delta_after

    pk, ipk = zkey.proving_key, initial.proving_key
    last = len(params.contributions)
    checks += [
        (None, f"the key's δ₁ is not the δ of the last contribution (#{last})", pk.delta_g1 == delta),
        (None, "the key's δ₂ does not match its δ₁", (G1_GENERATOR, pk.delta_g1, G2_GENERATOR, pk.vk.delta_g2)),
    ]
    for label, ours, theirs in (
        ("α₁", pk.vk.alpha_g1, ipk.vk.alpha_g1),
        ("β₁", pk.beta_g1, ipk.beta_g1),
        ("β₂", pk.vk.beta_g2, ipk.vk.beta_g2),
        ("γ₂", pk.vk.gamma_g2, ipk.vk.gamma_g2),
        ("IC (the public inputs' points)", pk.vk.gamma_abc_g1, ipk.vk.gamma_abc_g1),
        ("the coefficient section", zkey.coefficients, initial.coefficients),
        ("the A points", pk.a_query, ipk.a_query),
        ("the B₁ points", pk.b_g1_query, ipk.b_g1_query),
        ("the B₂ points", pk.b_g2_query, ipk.b_g2_query),
    ):
        checks.append((None, f"{label} differ from the circuit's initial key: contributions only change δ, L and H", ours == theirs))
    if len(pk.l_query) != len(ipk.l_query) or len(pk.h_query) != len(ipk.h_query):
        raise InvalidCeremony("the L or H section has the wrong number of points")
    # Σ rᵢ·Pᵢ(initial) and Σ rᵢ·Pᵢ(now) for random rᵢ: one pairing shows every L and H point
    # was divided by the same δ (a cheating point survives with probability ~2^-128).
    backend = get_backend()
    scalars = random_weights(len(pk.l_query) + len(pk.h_query))
    before = backend.msm_g1(backend.prepare_g1(_joined(ipk.l_query, ipk.h_query)), scalars)
    after = backend.msm_g1(backend.prepare_g1(_joined(pk.l_query, pk.h_query)), scalars)
    checks.append((None, "the L and H points are not the initial ones divided by the key's δ",
                   (after, before, G2_GENERATOR, pk.vk.delta_g2)))
    verify_checks(checks)
    return params.contributions
