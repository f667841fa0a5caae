"""ffjavascript's wasm arithmetic over Fq on raw 256-bit words, bit-exact for any input.

snarkjs 0.7.6 hashes one G1 "point" that is not a point when a circuit's domain equals the
powers of tau's 2^power (zkey_new.js, hashHPointsChunk: its last chunk reads 64 bytes past
the τ·G1 section, the next section's header and the start of τ⁰·G2). Its coordinates are
not below q, and wasmcurves' f1m_add/f1m_sub then wrap modulo 2^256, which is not a
congruence modulo q. To get snarkjs's circuit hash, `sub_affine` replays g1m_subAffine
(a − b as a Jacobian point, wasmcurves' addAffine formula) word for word on the raw
Montgomery words; the affine conversion and the Montgomery decoding that follow are
congruences and are done modulo q. Checked against ffjavascript in tests/zk/test_ceremony.py.
"""

from ..errors import MalformedInput
from ..field import Q

_WORD = 1 << 256
_Q_NEG_INV = pow(-Q, -1, _WORD)  # Montgomery reduction constant
_R_INV = pow(_WORD, -1, Q)


def f1m_add(a: int, b: int) -> int:
    """f1m_add: a + b mod 2^256, then q subtracted (mod 2^256) on a carry or when ≥ q."""
    s = a + b
    if s >= _WORD:
        return (s - _WORD - Q) % _WORD
    return s - Q if s >= Q else s


def f1m_sub(a: int, b: int) -> int:
    """f1m_sub: a − b mod 2^256, then q added (mod 2^256) on a borrow."""
    d = a - b
    return (d + Q) % _WORD if d < 0 else d


def f1m_mul(a: int, b: int) -> int:
    """f1m_mul and f1m_square: the Montgomery product t = (a·b + m·q)/2^256 < 2^256 + q, minus q once if t ≥ q."""
    t = a * b
    t = (t + (t * _Q_NEG_INV % _WORD) * Q) >> 256
    return t - Q if t >= Q else t


def sub_affine(p1: bytes, p2: bytes) -> bytes:
    """g1m_subAffine(p1, p2), batchToAffine, batchLEMtoU: 64 bytes, x‖y big-endian (zeros at infinity).

    p1 and p2 are 64-byte Montgomery little-endian x‖y words, p1 possibly not a point at all.
    """
    x1, y1 = int.from_bytes(p1[:32], "little"), int.from_bytes(p1[32:64], "little")
    x2, y2 = int.from_bytes(p2[:32], "little"), f1m_sub(0, int.from_bytes(p2[32:64], "little"))
    if (x1, y1) == (0, 0) or (x2, y2) == (0, 0) or x1 == x2:
        # wasmcurves copies or doubles in these branches; the overrun bytes never hit them
        raise MalformedInput("the powers of tau hold a point where snarkjs's circuit hash reads past its section: cannot reproduce the hash")
    h = f1m_sub(x2, x1)
    hh = f1m_mul(h, h)
    i = f1m_add(hh, hh)
    i = f1m_add(i, i)
    j = f1m_mul(h, i)
    r = f1m_sub(y2, y1)
    r = f1m_add(r, r)
    v = f1m_mul(x1, i)
    x3 = f1m_sub(f1m_sub(f1m_mul(r, r), j), f1m_add(v, v))
    y1j = f1m_mul(y1, j)
    y3 = f1m_sub(f1m_mul(f1m_sub(v, x3), r), f1m_add(y1j, y1j))
    z3 = f1m_add(h, h)
    x, y, z = (c * _R_INV % Q for c in (x3, y3, z3))
    if z == 0:
        raise MalformedInput("snarkjs's circuit hash meets a zero Z where it reads past the powers of tau: cannot reproduce the hash")
    z_inv = pow(z, -1, Q)
    return (x * z_inv * z_inv % Q).to_bytes(32, "big") + (y * z_inv**3 % Q).to_bytes(32, "big")
