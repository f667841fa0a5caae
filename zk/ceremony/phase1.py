"""Phase 1 of a trusted setup: the universal powers of tau, in snarkjs's .ptau format.

A ptau of power p holds τⁱ·G1 (i < 2^(p+1) − 1), τⁱ·G2, α·τⁱ·G1, β·τⁱ·G1 (i < 2^p) and
β·G2. A contribution multiplies τ, α and β by fresh secrets and records (section 7)
  τ·G1 | τ·G2 | α·G1 | β·G1 | β·G2 after it | its three public keys (s·G1, s·x·G1 for τ, α, β;
  then s'·x·G2 for each) | partialHash (216) | nextChallenge (64) | type u32 | parameters
The challenge a contribution answers is the previous one's nextChallenge (the first is a
Blake2b-512 of the all-generator file, in uncompressed encoding, after the hash of nothing); each
s'·G2 = hashToG2(Blake2b(personalization byte ‖ challenge ‖ s ‖ s·x)) with personalization
0 = τ, 1 = α, 2 = β. The response hash is Blake2b(challenge ‖ the new points compressed ‖ the
public key uncompressed), stored as the state before the key (partialHash); nextChallenge =
Blake2b(response hash ‖ the new points uncompressed).

`prepare` adds the Lagrange bases (sections 12–15) the phase 2 reads: for each domain size
2^k the inverse NTT of the first 2^k points (for τ·G1 up to 2^(p+1), whose last point is
taken as zero, as snarkjs does).
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from py_ecc.optimized_bn128 import FQ, FQ2

from ..backends import get_backend
from ..curve import (
    G1_GENERATOR,
    G1_INFINITY,
    G2_GENERATOR,
    G2_INFINITY,
    G1Point,
    G2Point,
    g1_add,
    g1_mul,
    g1_neg,
    g2_add,
    g2_mul,
    g2_neg,
)
from ..domain import root_of_unity
from ..errors import MalformedInput
from ..field import R, TWO_ADICITY
from ..formats.iden3 import Cursor, encode_g1_lem, encode_g2_lem, take_g1, take_g2, u32
from ..formats.ptau import Lagrange, Ptau
from .blake2b import PARTIAL_SIZE, Blake2b
from .errors import InvalidCeremony
from .keypair import Beacon, Check, PublicKey, Ratio, decode_metadata, encode_metadata, random_weights, verify_checks
from .rng import ChaCha, beacon_rng, fr_from_rng, g1_from_rng, hash_to_g2
from .transcript import (
    HASH_SIZE,
    blake2b,
    g1_compressed,
    g1_uncompressed,
    g1s_uncompressed,
    g2_compressed,
    g2_uncompressed,
    g2s_uncompressed,
)

TAU, ALPHA, BETA = 0, 1, 2  # personalization bytes of the three keys
MAX_POWER = TWO_ADICITY - 1  # τ·G1 needs a domain of 2^(power+1)
_CHUNK_POINTS = 1 << 16


@dataclass(frozen=True)
class PtauKey:
    tau: PublicKey
    alpha: PublicKey
    beta: PublicKey

    def uncompressed(self) -> bytes:
        ks = (self.tau, self.alpha, self.beta)
        return g1s_uncompressed([p for k in ks for p in (k.g1_s, k.g1_sx)]) + g2s_uncompressed([k.g2_spx for k in ks])


@dataclass(frozen=True)
class PtauContribution:
    """One contribution's record: the points it produced, its key, its hashes, its metadata."""

    tau_g1: G1Point
    tau_g2: G2Point
    alpha_g1: G1Point
    beta_g1: G1Point
    beta_g2: G2Point
    key: PtauKey
    partial_hash: bytes
    next_challenge: bytes
    name: str = ""
    beacon: Beacon | None = None

    def response_hash(self) -> bytes:
        """The hash a contributor publishes: Blake2b of the challenge and its response."""
        return Blake2b.from_partial(self.partial_hash).update(self.key.uncompressed()).digest()


@dataclass(frozen=True)
class _Start:
    """The state before any contribution: every point the generator."""

    next_challenge: bytes
    tau_g1: G1Point = G1_GENERATOR
    tau_g2: G2Point = G2_GENERATOR
    alpha_g1: G1Point = G1_GENERATOR
    beta_g1: G1Point = G1_GENERATOR
    beta_g2: G2Point = G2_GENERATOR


# ---------------------------------------------------------------- section 7


def decode_contributions(data: bytes, what: str = "ptau contributions") -> tuple[PtauContribution, ...]:
    cur = Cursor(data, what)
    out = []
    for i in range(cur.u32()):
        label = f"contribution #{i + 1}"
        (tau_g1,) = take_g1(cur, 1, label)
        (tau_g2,) = take_g2(cur, 1, label)
        alpha_g1, beta_g1 = take_g1(cur, 2, label)
        (beta_g2,) = take_g2(cur, 1, label)
        g1s = take_g1(cur, 6, f"{label} key")
        g2s = take_g2(cur, 3, f"{label} key")
        key = PtauKey(*(PublicKey(g1s[2 * k], g1s[2 * k + 1], g2s[k]) for k in range(3)))
        partial, challenge = cur.take(PARTIAL_SIZE), cur.take(HASH_SIZE)
        name, beacon = decode_metadata(cur, f"{what}: {label}")
        out.append(PtauContribution(tau_g1, tau_g2, alpha_g1, beta_g1, beta_g2, key, partial, challenge, name, beacon))
    cur.end()
    return tuple(out)


def encode_contributions(contributions: Sequence[PtauContribution]) -> bytes:
    parts = [u32(len(contributions))]
    for c in contributions:
        ks = (c.key.tau, c.key.alpha, c.key.beta)
        parts += [
            encode_g1_lem([c.tau_g1]), encode_g2_lem([c.tau_g2]), encode_g1_lem([c.alpha_g1, c.beta_g1]),
            encode_g2_lem([c.beta_g2]),
            encode_g1_lem([p for k in ks for p in (k.g1_s, k.g1_sx)]), encode_g2_lem([k.g2_spx for k in ks]),
            c.partial_hash, c.next_challenge, encode_metadata(c.name, c.beacon),
        ]
    return b"".join(parts)


# ---------------------------------------------------------------- hashes


def first_challenge(power: int) -> bytes:
    """The challenge the first contributor answers: the hash of the all-generator file."""
    n = 1 << power
    g1, g2 = g1_uncompressed(G1_GENERATOR), g2_uncompressed(G2_GENERATOR)
    h = hashlib.blake2b(blake2b())
    for point, count in ((g1, 2 * n - 1), (g2, n), (g1, n), (g1, n)):
        chunk = point * min(count, _CHUNK_POINTS)  # a truncated file of a 2^28 ceremony hashes ~32 GB
        for _ in range(count // _CHUNK_POINTS):
            h.update(chunk)
        h.update(point * (count % _CHUNK_POINTS))
    h.update(g2)
    return h.digest()


def _points_uncompressed(ptau: Ptau) -> bytes:
    return b"".join([
        g1s_uncompressed(ptau.tau_g1), g2s_uncompressed(ptau.tau_g2), g1s_uncompressed(ptau.alpha_tau_g1),
        g1s_uncompressed(ptau.beta_tau_g1), g2_uncompressed(ptau.beta_g2),
    ])


def _points_compressed(ptau: Ptau) -> bytes:
    return b"".join([
        *map(g1_compressed, ptau.tau_g1), *map(g2_compressed, ptau.tau_g2), *map(g1_compressed, ptau.alpha_tau_g1),
        *map(g1_compressed, ptau.beta_tau_g1), g2_compressed(ptau.beta_g2),
    ])


def _g2_sp(personalization: int, challenge: bytes, g1_s: G1Point, g1_sx: G1Point) -> G2Point:
    return hash_to_g2(blake2b(bytes([personalization]), challenge, g1_uncompressed(g1_s), g1_uncompressed(g1_sx)))


# ---------------------------------------------------------------- new, contribute, beacon


def new_ptau(power: int) -> Ptau:
    """The starting file: every point the generator, no contribution (`snarkjs powersoftau new`)."""
    if not 1 <= power <= MAX_POWER:
        raise MalformedInput(f"power {power}: a BN254 powers of tau has power 1 to {MAX_POWER}")
    n = 1 << power
    return Ptau(
        power=power, ceremony_power=power,
        tau_g1=(G1_GENERATOR,) * (2 * n - 1), tau_g2=(G2_GENERATOR,) * n,
        alpha_tau_g1=(G1_GENERATOR,) * n, beta_tau_g1=(G1_GENERATOR,) * n, beta_g2=G2_GENERATOR,
        contributions=encode_contributions(()), lagrange=None,
    )


def _challenge(ptau: Ptau, contributions: Sequence[PtauContribution]) -> bytes:
    return contributions[-1].next_challenge if contributions else first_challenge(ptau.ceremony_power)


def _key(rng: ChaCha, challenge: bytes) -> tuple[tuple[int, int, int], PtauKey]:
    """Secrets (τ, α, β) and their public keys, drawn in snarkjs's order (`createPTauKey`)."""
    secrets_ = (fr_from_rng(rng), fr_from_rng(rng), fr_from_rng(rng))
    keys = []
    for personalization, x in zip((TAU, ALPHA, BETA), secrets_):
        g1_s = g1_from_rng(rng)
        g1_sx = g1_mul(g1_s, x)
        keys.append(PublicKey(g1_s, g1_sx, g2_mul(_g2_sp(personalization, challenge, g1_s, g1_sx), x)))
    return secrets_, PtauKey(*keys)


def contribute(ptau: Ptau, rng: ChaCha, name: str = "", beacon: Beacon | None = None) -> tuple[Ptau, PtauContribution]:
    """Multiply τ, α, β by secrets from `rng` (deterministic in it); the Lagrange sections are
    dropped (run `prepare` again)."""
    if ptau.power != ptau.ceremony_power:
        raise MalformedInput("this .ptau was truncated from a bigger ceremony: contribute to the full-size file")
    contributions = decode_contributions(ptau.contributions)
    challenge = _challenge(ptau, contributions)
    (tau, alpha, beta), key = _key(rng, challenge)
    if 0 in (tau, alpha, beta):
        raise MalformedInput("a contribution secret came out zero: run the contribution again")
    n = 1 << ptau.power
    powers = [1] * (2 * n - 1)
    for i in range(1, len(powers)):
        powers[i] = powers[i - 1] * tau % R
    backend = get_backend()
    new = Ptau(
        power=ptau.power, ceremony_power=ptau.ceremony_power,
        tau_g1=tuple(backend.batch_mul_g1(ptau.tau_g1, powers)),
        tau_g2=tuple(backend.batch_mul_g2(ptau.tau_g2, powers[:n])),
        alpha_tau_g1=tuple(backend.batch_mul_g1(ptau.alpha_tau_g1, [alpha * p % R for p in powers[:n]])),
        beta_tau_g1=tuple(backend.batch_mul_g1(ptau.beta_tau_g1, [beta * p % R for p in powers[:n]])),
        beta_g2=g2_mul(ptau.beta_g2, beta),
        contributions=b"", lagrange=None,
    )
    response = Blake2b().update(challenge).update(_points_compressed(new))
    partial = response.partial()
    response_hash = response.update(key.uncompressed()).digest()
    contribution = PtauContribution(
        tau_g1=new.tau_g1[1], tau_g2=new.tau_g2[1], alpha_g1=new.alpha_tau_g1[0], beta_g1=new.beta_tau_g1[0],
        beta_g2=new.beta_g2, key=key, partial_hash=partial,
        next_challenge=blake2b(response_hash, _points_uncompressed(new)), name=name, beacon=beacon,
    )
    return replace(new, contributions=encode_contributions((*contributions, contribution))), contribution


def apply_beacon(ptau: Ptau, beacon: Beacon, name: str = "") -> tuple[Ptau, PtauContribution]:
    return contribute(ptau, beacon_rng(beacon.hash, beacon.iterations_exp), name, beacon)


# ---------------------------------------------------------------- verification


def _contribution_checks(index: int, c: PtauContribution, prev: "PtauContribution | _Start") -> list[Check]:
    """Its beacon, its three proofs of knowledge, and its five points against the previous ones."""
    challenge = prev.next_challenge
    checks: list[Check] = []
    if c.beacon is not None:
        _, expected = _key(beacon_rng(c.beacon.hash, c.beacon.iterations_exp), challenge)
        checks.append((index, "its key is not the one the beacon's hash and iterations produce", expected == c.key))
    tau, alpha, beta = c.key.tau, c.key.alpha, c.key.beta
    sp = {label: _g2_sp(pers, challenge, k.g1_s, k.g1_sx) for label, pers, k in (("τ", TAU, tau), ("α", ALPHA, alpha), ("β", BETA, beta))}
    for label, k in (("τ", tau), ("α", alpha), ("β", beta)):
        checks.append((index, f"the proof of knowledge of its {label} fails", (k.g1_s, k.g1_sx, sp[label], k.g2_spx)))
    for label, ratio in (
        ("τ·G1", (prev.tau_g1, c.tau_g1, sp["τ"], tau.g2_spx)),
        ("τ·G2", (tau.g1_s, tau.g1_sx, prev.tau_g2, c.tau_g2)),
        ("α·G1", (prev.alpha_g1, c.alpha_g1, sp["α"], alpha.g2_spx)),
        ("β·G1", (prev.beta_g1, c.beta_g1, sp["β"], beta.g2_spx)),
        ("β·G2", (beta.g1_s, beta.g1_sx, prev.beta_g2, c.beta_g2)),
    ):
        checks.append((index, f"its {label} does not follow the previous contribution by its key (broken chain)", ratio))
    return checks


def _consecutive_powers_g1(points: Sequence[G1Point], tau_g2: G2Point) -> "Ratio | bool":
    """Pᵢ₊₁ = τ·Pᵢ for all i as one ratio: Σ rᵢ·Pᵢ against Σ rᵢ·Pᵢ₊₁ for random rᵢ."""
    if len(points) < 2:
        return True
    b = get_backend()
    r = random_weights(len(points) - 1)
    return (b.msm_g1(b.prepare_g1(points[:-1]), r), b.msm_g1(b.prepare_g1(points[1:]), r), G2_GENERATOR, tau_g2)


def _consecutive_powers_g2(points: Sequence[G2Point], tau_g1: G1Point) -> "Ratio | bool":
    if len(points) < 2:
        return True
    b = get_backend()
    r = random_weights(len(points) - 1)
    return (G1_GENERATOR, tau_g1, b.msm_g2(b.prepare_g2(points[:-1]), r), b.msm_g2(b.prepare_g2(points[1:]), r))


def verify_ptau(ptau: Ptau) -> tuple[PtauContribution, ...]:
    """Check every contribution and the points against the last one; returns the contributions
    or raises InvalidCeremony naming the failing contribution (1-based)."""
    contributions = decode_contributions(ptau.contributions)
    if not contributions:
        raise InvalidCeremony(
            "the file has no contribution: τ = α = β = 1, so keys made from it can be forged; "
            "run `zktrade ptau contribute` (or `snarkjs powersoftau contribute`) first"
        )
    prev: PtauContribution | _Start = _Start(first_challenge(ptau.ceremony_power))
    checks: list[Check] = []
    for i, c in enumerate(contributions):
        checks += _contribution_checks(i + 1, c, prev)
        prev = c
    last, k = contributions[-1], len(contributions)
    firsts = (ptau.tau_g1[1], ptau.tau_g2[1], ptau.alpha_tau_g1[0], ptau.beta_tau_g1[0], ptau.beta_g2)
    checks.append((None, f"the file's first points are not those of the last contribution (#{k})",
                   firsts == (last.tau_g1, last.tau_g2, last.alpha_g1, last.beta_g1, last.beta_g2)))
    for label, check in (
        ("τⁱ·G1", _consecutive_powers_g1(ptau.tau_g1, last.tau_g2)),
        ("τⁱ·G2", _consecutive_powers_g2(ptau.tau_g2, last.tau_g1)),
        ("α·τⁱ·G1", _consecutive_powers_g1(ptau.alpha_tau_g1, last.tau_g2)),
        ("β·τⁱ·G1", _consecutive_powers_g1(ptau.beta_tau_g1, last.tau_g2)),
    ):
        checks.append((None, f"the {label} section is not a sequence of powers of the last contribution's τ", check))
    if ptau.power == ptau.ceremony_power:
        checks.append((None, f"the file's points are not the ones the last contribution (#{k}) committed to",
                       blake2b(last.response_hash(), _points_uncompressed(ptau)) == last.next_challenge))
    verify_checks(checks)
    if ptau.lagrange is not None:
        _verify_lagrange(ptau)
    return contributions


# ---------------------------------------------------------------- phase 2 preparation


def _sums_and_differences(us: Sequence, vs: Sequence, g2: bool) -> tuple[list, list]:
    """(uᵢ + vᵢ, uᵢ − vᵢ) for affine pairs, sharing one field inversion (Montgomery's trick);
    the rare pairs with a point at infinity or equal x go through zk.curve's addition."""
    field, infinity = (FQ2, G2_INFINITY) if g2 else (FQ, G1_INFINITY)
    to_field = (lambda c: FQ2(list(c))) if g2 else FQ
    to_int = (lambda e: tuple(int(c) for c in e.coeffs)) if g2 else int
    add, neg = (g2_add, g2_neg) if g2 else (g1_add, g1_neg)
    sums, diffs = [infinity] * len(us), [infinity] * len(us)
    regular = []
    for i, (u, v) in enumerate(zip(us, vs)):
        if infinity in (u, v) or u[0] == v[0]:
            sums[i], diffs[i] = add(u, v), add(u, neg(v))
        else:
            regular.append(i)
    coords = [(to_field(us[i][0]), to_field(us[i][1]), to_field(vs[i][0]), to_field(vs[i][1])) for i in regular]
    prefix, acc = [], field.one()
    for x1, _, x2, _ in coords:
        prefix.append(acc)
        acc = acc * (x2 - x1)
    inv = field.one() / acc
    for k in range(len(regular) - 1, -1, -1):
        x1, y1, x2, y2 = coords[k]
        inv_dx = inv * prefix[k]
        inv = inv * (x2 - x1)
        for target, y in ((sums, y2), (diffs, -y2)):
            slope = (y - y1) * inv_dx
            x3 = slope * slope - x1 - x2
            target[regular[k]] = (to_int(x3), to_int(slope * (x1 - x3) - y1))
    return sums, diffs


def _group_intt(points: Sequence, g2: bool) -> list:
    """(1/n)·Σ_j ω^(−ij)·P_j for every i: the Lagrange basis from the first n powers. Radix 2:
    per layer, the twiddle products in one batch on the fast backend, then the butterflies."""
    n = len(points)
    mul = get_backend().batch_mul_g2 if g2 else get_backend().batch_mul_g1
    bits = n.bit_length() - 1
    a = [points[int(format(i, f"0{bits}b")[::-1], 2) if bits else 0] for i in range(n)]
    omega_inv = pow(root_of_unity(n), -1, R) if n > 1 else 1
    half = 1
    while half < n:
        w = pow(omega_inv, n // (2 * half), R)
        twiddled = [(s + k + half, pow(w, k, R)) for s in range(0, n, 2 * half) for k in range(1, half)]
        for (index, _), p in zip(twiddled, mul([a[i] for i, _ in twiddled], [t for _, t in twiddled])):
            a[index] = p
        tops = [s + k for s in range(0, n, 2 * half) for k in range(half)]
        sums, diffs = _sums_and_differences([a[i] for i in tops], [a[i + half] for i in tops], g2)
        for i, total, difference in zip(tops, sums, diffs):
            a[i], a[i + half] = total, difference
        half *= 2
    return mul(a, [pow(n, -1, R)] * n)


def _lagrange_section(points: Sequence, top_power: int, g2: bool) -> tuple:
    zero = G2_INFINITY if g2 else G1_INFINITY
    out: list = []
    for k in range(top_power + 1):
        first = list(points[: 1 << k])
        first += [zero] * ((1 << k) - len(first))  # τ·G1's last power of the top domain: zero
        out += _group_intt(first, g2)
    return tuple(out)


def prepare(ptau: Ptau) -> Ptau:
    """Add the Lagrange bases phase 2 needs (`snarkjs powersoftau prepare phase2`)."""
    p = ptau.power
    lagrange = Lagrange(
        tau_g1=_lagrange_section(ptau.tau_g1, p + 1, False),
        tau_g2=_lagrange_section(ptau.tau_g2, p, True),
        alpha_tau_g1=_lagrange_section(ptau.alpha_tau_g1, p, False),
        beta_tau_g1=_lagrange_section(ptau.beta_tau_g1, p, False),
    )
    return replace(ptau, lagrange=lagrange)


def _verify_lagrange(ptau: Ptau) -> None:
    """Σ_j r_j·τʲ = Σ_i L_i(τ)·(Σ_j r_j·ωⁱʲ) for random r, per section and domain size."""
    b = get_backend()
    lg = ptau.lagrange
    for label, powers, basis, top, g2 in (
        ("τ·G1", ptau.tau_g1, lg.tau_g1, ptau.power + 1, False),
        ("τ·G2", ptau.tau_g2, lg.tau_g2, ptau.power, True),
        ("α·τ·G1", ptau.alpha_tau_g1, lg.alpha_tau_g1, ptau.power, False),
        ("β·τ·G1", ptau.beta_tau_g1, lg.beta_tau_g1, ptau.power, False),
    ):
        msm, prep = (b.msm_g2, b.prepare_g2) if g2 else (b.msm_g1, b.prepare_g1)
        for k in range(top + 1):
            n = 1 << k
            r = random_weights(n)
            if len(powers) < n:
                r[-1] = 0  # the missing top power counts as zero
            lhs = msm(prep(list(powers[: min(n, len(powers))])), r[: min(n, len(powers))])
            rhs = msm(prep(list(basis[n - 1 : 2 * n - 1])), b.ntt(r, root_of_unity(n)) if n > 1 else r)
            if lhs != rhs:
                raise InvalidCeremony(f"the prepared Lagrange basis of {label} for domain size {n} does not match the powers")
