"""Deterministic randomness exactly as snarkjs draws it, so contributions check across tools.

snarkjs derives three things from a ChaCha20 stream (ffjavascript's `ChaCha`: the 20-round
block function over a 16-word state "expand 32-byte k" | seed[0..8] | 64-bit counter, nonce 0):
  * the G2 point of a proof of knowledge, `hashToG2(h)`: the stream seeded with the first 32
    bytes of a Blake2b-512 hash as 8 big-endian u32, then `G2.fromRng`;
  * a beacon's secret and point: the stream seeded from SHA-256 iterated 2^e times.
Field sampling is ffjavascript's `F.fromRng`: four u64 (each high u32 first) from the least
significant limb up, masked to the prime's bit length, rejected while ≥ p. The buffer is read
as a Montgomery representation, so the element is v·2^-256 mod p: we apply that here.
A curve point (`G.fromRng`): x from the field, a sign bit, retry until x³ + b is a square;
y is the root whose "negative" flag (value > (p−1)/2; for Fq2 judged on c1, or c0 if c1 = 0)
equals the sign bit; G2 points are then multiplied by the twist's cofactor.
"""

import hashlib
from dataclasses import dataclass, field

from py_ecc.optimized_bn128 import FQ2, b2, multiply, normalize

from ..curve import G1Point, G2Point, g1_is_on_curve
from ..field import Q, R
from .transcript import fq2_is_negative, fq_is_negative

# Provenance: ffjavascript's bn128 `cofactorG2` (the twist's order over r).
G2_COFACTOR = 0x30644E72E131A029B85045B68181585E06CEECDA572A2489345F2299C0F9FA8D

_MONTGOMERY_R_INV_Q = pow(1 << 256, -1, Q)
_MONTGOMERY_R_INV_R = pow(1 << 256, -1, R)
_MASK_254 = (1 << 254) - 1  # q and r are both 254-bit
_M32 = 0xFFFFFFFF
_SIGMA = (0x61707865, 0x3320646E, 0x79622D32, 0x6B206574)  # "expand 32-byte k"


def _rotl(x: int, n: int) -> int:
    return ((x << n) | (x >> (32 - n))) & _M32


def _quarter_round(s: list[int], a: int, b: int, c: int, d: int) -> None:
    s[a] = (s[a] + s[b]) & _M32
    s[d] = _rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & _M32
    s[b] = _rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & _M32
    s[d] = _rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & _M32
    s[b] = _rotl(s[b] ^ s[c], 7)


def chacha20_block(state: list[int]) -> list[int]:
    """The ChaCha20 block function: 10 double rounds, then the input added word by word."""
    x = list(state)
    for _ in range(10):
        _quarter_round(x, 0, 4, 8, 12)
        _quarter_round(x, 1, 5, 9, 13)
        _quarter_round(x, 2, 6, 10, 14)
        _quarter_round(x, 3, 7, 11, 15)
        _quarter_round(x, 0, 5, 10, 15)
        _quarter_round(x, 1, 6, 11, 12)
        _quarter_round(x, 2, 7, 8, 13)
        _quarter_round(x, 3, 4, 9, 14)
    return [(a + b) & _M32 for a, b in zip(x, state)]


@dataclass
class ChaCha:
    """A ChaCha20 keystream of u32 words seeded by eight u32 (ffjavascript's generator)."""

    seed: tuple[int, ...]
    _state: list[int] = field(init=False)
    _buffer: list[int] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        if len(self.seed) != 8 or not all(0 <= w <= _M32 for w in self.seed):
            raise ValueError("a ChaCha seed is eight 32-bit words")
        self._state = [*_SIGMA, *self.seed, 0, 0, 0, 0]

    @classmethod
    def from_hash(cls, digest: bytes) -> "ChaCha":
        """Seeded with the first 32 bytes of a hash read as eight big-endian u32."""
        return cls(tuple(int.from_bytes(digest[4 * i : 4 * i + 4], "big") for i in range(8)))

    def next_u32(self) -> int:
        if not self._buffer:
            self._buffer = chacha20_block(self._state)[::-1]
            counter = (self._state[12] | self._state[13] << 32 | self._state[14] << 64 | self._state[15] << 96) + 1
            self._state[12:16] = [(counter >> (32 * i)) & _M32 for i in range(4)]
        return self._buffer.pop()

    def next_u64(self) -> int:
        high = self.next_u32()
        return high << 32 | self.next_u32()

    def next_bool(self) -> bool:
        return self.next_u32() & 1 == 1


def _field_from_rng(rng: ChaCha, p: int, r_inv: int) -> int:
    while True:
        v = sum(rng.next_u64() << (64 * i) for i in range(4)) & _MASK_254
        if v < p:
            return v * r_inv % p


def fr_from_rng(rng: ChaCha) -> int:
    return _field_from_rng(rng, R, _MONTGOMERY_R_INV_R)


def fq_from_rng(rng: ChaCha) -> int:
    return _field_from_rng(rng, Q, _MONTGOMERY_R_INV_Q)


def _fq2_sqrt(a: FQ2) -> FQ2 | None:
    """A square root in Fq2 (q ≡ 3 mod 4; Adj–Rodríguez-Henríquez algorithm 9), or None."""
    a1 = a ** ((Q - 3) // 4)
    alpha = a1 * a1 * a
    conj = FQ2([alpha.coeffs[0], -alpha.coeffs[1]])  # alpha^q
    if conj * alpha == FQ2([Q - 1, 0]):
        return None
    x0 = a1 * a
    if alpha == FQ2([Q - 1, 0]):
        return FQ2([0, 1]) * x0
    return (alpha + FQ2.one()) ** ((Q - 1) // 2) * x0


def g1_from_rng(rng: ChaCha) -> G1Point:
    while True:
        x = fq_from_rng(rng)
        greatest = rng.next_bool()
        rhs = (x * x * x + 3) % Q
        y = pow(rhs, (Q + 1) // 4, Q)
        if y * y % Q == rhs:
            break
    if fq_is_negative(y) != greatest:
        y = (Q - y) % Q
    point = (x, y)
    if not g1_is_on_curve(point):
        raise AssertionError("G1 sampling produced a point off the curve")
    return point


def g2_from_rng(rng: ChaCha) -> G2Point:
    while True:
        x = FQ2([fq_from_rng(rng), fq_from_rng(rng)])
        greatest = rng.next_bool()
        y = _fq2_sqrt(x * x * x + b2)
        if y is not None:
            break
    if fq2_is_negative(*(int(c) for c in y.coeffs)) != greatest:
        y = -y
    px, py = normalize(multiply((x, y, FQ2.one()), G2_COFACTOR))  # into the order-r subgroup
    return (tuple(int(c) for c in px.coeffs), tuple(int(c) for c in py.coeffs))


def hash_to_g2(digest: bytes) -> G2Point:
    """snarkjs's `hashToG2`: the G2 point of a proof of knowledge, bound to a transcript hash."""
    return g2_from_rng(ChaCha.from_hash(digest))


def beacon_rng(beacon_hash: bytes, iterations_exp: int) -> ChaCha:
    """The stream of a random beacon: SHA-256 applied 2^iterations_exp times to the beacon."""
    h = beacon_hash
    for _ in range(1 << iterations_exp):
        h = hashlib.sha256(h).digest()
    return ChaCha.from_hash(h)
