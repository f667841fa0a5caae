"""What ceremony hashes are computed over: snarkjs's uncompressed point encoding and Blake2b-512.

Uncompressed (ffjavascript's `toRprUncompressed`): a G1 point is x‖y, each 32 bytes
big-endian; a G2 point is x‖y with each Fq2 coordinate written c1‖c0 (the 64-byte
little-endian c0‖c1 reversed as a whole). The point at infinity is all zero bytes.
Compressed (`toRprCompressed`, what a .ptau response hash covers): x alone, its top bit set
when y is "negative" (> (q−1)/2; for Fq2 judged on c1, or on c0 when c1 = 0); the point at
infinity is zeros with 0x40 in the first byte.
"""

import hashlib
from collections.abc import Iterable

from ..curve import G1_INFINITY, G2_INFINITY, G1Point, G2Point
from ..field import Q

HASH_SIZE = 64  # Blake2b-512


def g1_uncompressed(p: G1Point) -> bytes:
    if p == G1_INFINITY:
        return bytes(64)
    return p[0].to_bytes(32, "big") + p[1].to_bytes(32, "big")


def g2_uncompressed(p: G2Point) -> bytes:
    if p == G2_INFINITY:
        return bytes(128)
    (x0, x1), (y0, y1) = p
    return b"".join(c.to_bytes(32, "big") for c in (x1, x0, y1, y0))


def fq_is_negative(c: int) -> bool:
    """ffjavascript's sign of an Fq element: above (q − 1)/2."""
    return c > (Q - 1) // 2


def fq2_is_negative(c0: int, c1: int) -> bool:
    """The sign of c0 + c1·u: that of c1, or of c0 when c1 = 0."""
    return fq_is_negative(c1 if c1 else c0)


def g1_compressed(p: G1Point) -> bytes:
    if p == G1_INFINITY:
        return b"\x40" + bytes(31)
    flag = 0x80 if fq_is_negative(p[1]) else 0
    return (p[0] | flag << 248).to_bytes(32, "big")


def g2_compressed(p: G2Point) -> bytes:
    if p == G2_INFINITY:
        return b"\x40" + bytes(63)
    (x0, x1), (y0, y1) = p
    flag = 0x80 if fq2_is_negative(y0, y1) else 0
    return (x1 | flag << 248).to_bytes(32, "big") + x0.to_bytes(32, "big")


def _array_uncompressed(points) -> bytes | None:
    """The fast path for a section read as an array (its Montgomery limbs), if numba is here."""
    limbs = getattr(points, "montgomery_limbs", None)
    if limbs is None:
        return None
    try:
        from ..backends import fast
    except ImportError:
        return None
    return fast.standard_big_endian(limbs())


def g1s_uncompressed(points: Iterable[G1Point]) -> bytes:
    fast = _array_uncompressed(points)
    return fast if fast is not None else b"".join(g1_uncompressed(p) for p in points)


def g2s_uncompressed(points: Iterable[G2Point]) -> bytes:
    fast = _array_uncompressed(points)
    return fast if fast is not None else b"".join(g2_uncompressed(p) for p in points)


def blake2b(*parts: bytes) -> bytes:
    """Blake2b-512 of the concatenation."""
    h = hashlib.blake2b(digest_size=HASH_SIZE)
    for part in parts:
        h.update(part)
    return h.digest()


def format_hash(digest: bytes) -> str:
    """snarkjs's display: four lines of four 8-hex-digit words."""
    words = [digest[i : i + 4].hex() for i in range(0, len(digest), 4)]
    return "\n".join(" ".join(words[i : i + 4]) for i in range(0, len(words), 4))
