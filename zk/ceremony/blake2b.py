"""BLAKE2b-512 (RFC 7693) whose intermediate state can be saved and resumed, in snarkjs's layout.

A .ptau contribution stores its response hash half-done ("partialHash", 216 bytes): the state
after every point of the response, so that a verifier finishes it with the public key alone.
hashlib cannot export a state, hence this readable implementation (≈0.1 ms per 128-byte block;
use hashlib wherever no state is needed). The saved layout is that of @noble/hashes as
snarkjs's `toPartialHash` writes it: the 128-byte block buffer, then little-endian u32 words:
h[0..8] as (low, high) pairs, the bytes already compressed (low, high), the bytes buffered.
The last block is always kept buffered (BLAKE2 flags the final block), so 1 ≤ buffered ≤ 128
once anything was hashed.
"""

from dataclasses import dataclass, field

from ..errors import MalformedInput

BLOCK = 128
PARTIAL_SIZE = 216
_M64 = (1 << 64) - 1
_IV = (
    0x6A09E667F3BCC908, 0xBB67AE8584CAA73B, 0x3C6EF372FE94F82B, 0xA54FF53A5F1D36F1,
    0x510E527FADE682D1, 0x9B05688C2B3E6C1F, 0x1F83D9ABFB41BD6B, 0x5BE0CD19137E2179,
)
_SIGMA = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
    (14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3),
    (11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4),
    (7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8),
    (9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13),
    (2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9),
    (12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11),
    (13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10),
    (6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5),
    (10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0),
)
_COLUMNS_AND_DIAGONALS = (
    (0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15),
    (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14),
)


def _compress(h: list[int], block: bytes, counter: int, last: bool) -> None:
    m = [int.from_bytes(block[8 * i : 8 * i + 8], "little") for i in range(16)]
    v = h + list(_IV)
    v[12] ^= counter & _M64
    v[13] ^= counter >> 64
    if last:
        v[14] ^= _M64
    for r in range(12):
        s = _SIGMA[r % 10]
        for g, (a, b, c, d) in enumerate(_COLUMNS_AND_DIAGONALS):
            x, y = m[s[2 * g]], m[s[2 * g + 1]]
            va = (v[a] + v[b] + x) & _M64
            vd = v[d] ^ va
            vd = (vd >> 32 | vd << 32) & _M64
            vc = (v[c] + vd) & _M64
            vb = v[b] ^ vc
            vb = (vb >> 24 | vb << 40) & _M64
            va = (va + vb + y) & _M64
            vd ^= va
            vd = (vd >> 16 | vd << 48) & _M64
            vc = (vc + vd) & _M64
            vb ^= vc
            v[a], v[b], v[c], v[d] = va, (vb >> 63 | vb << 1) & _M64, vc, vd
    for i in range(8):
        h[i] ^= v[i] ^ v[i + 8]


@dataclass
class Blake2b:
    """An unkeyed BLAKE2b-512 in progress."""

    h: list[int] = field(default_factory=lambda: [_IV[0] ^ 0x01010040, *_IV[1:]])
    compressed: int = 0
    buffer: bytes = b""

    def update(self, data: bytes) -> "Blake2b":
        buf = self.buffer + bytes(data)
        full = max(0, (len(buf) - 1) // BLOCK)  # keep the last (possibly full) block
        for k in range(full):
            self.compressed += BLOCK
            _compress(self.h, buf[k * BLOCK : (k + 1) * BLOCK], self.compressed, False)
        self.buffer = buf[full * BLOCK :]
        return self

    def digest(self) -> bytes:
        h = list(self.h)
        _compress(h, self.buffer.ljust(BLOCK, b"\0"), self.compressed + len(self.buffer), True)
        return b"".join(x.to_bytes(8, "little") for x in h)

    def partial(self) -> bytes:
        """The state as snarkjs stores it (216 bytes)."""
        words = [w for x in self.h for w in (x & 0xFFFFFFFF, x >> 32)]
        words += [self.compressed & 0xFFFFFFFF, self.compressed >> 32, len(self.buffer), 0, 0, 0]
        return self.buffer.ljust(BLOCK, b"\0") + b"".join(w.to_bytes(4, "little") for w in words)

    @classmethod
    def from_partial(cls, data: bytes) -> "Blake2b":
        if len(data) != PARTIAL_SIZE:
            raise MalformedInput(f"a partial Blake2b state has {PARTIAL_SIZE} bytes, got {len(data)}")
        words = [int.from_bytes(data[BLOCK + 4 * i : BLOCK + 4 * i + 4], "little") for i in range(22)]
        pos = words[18] | words[19] << 32
        if pos > BLOCK:
            raise MalformedInput(f"a partial Blake2b state buffers {pos} bytes, more than a block")
        h = [words[2 * i] | words[2 * i + 1] << 32 for i in range(8)]
        return cls(h, words[16] | words[17] << 32, data[:pos])
