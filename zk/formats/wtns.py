"""circom's binary witness, .wtns (iden3 container, magic "wtns", version 2).

  section 1 header: n8 u32 | prime | n_witness u32
  section 2 values: n_witness plain little-endian elements of Fr (wire 0, the constant one, first)
"""

from collections.abc import Sequence
from pathlib import Path

from ..errors import MalformedInput
from ..field import R
from .iden3 import N8, Cursor, encode_container, field_bytes, parse_container, read_bytes, u32, write_bytes

MAGIC = b"wtns"
VERSION = 2
HEADER, VALUES = 1, 2


def decode_wtns(data: bytes, what: str = "wtns") -> list[int]:
    """The witness values, each canonical in Fr; the header's prime and count must match."""
    f = parse_container(data, MAGIC, (VERSION,), what)
    head = Cursor(f.section(HEADER, what), f"{what} header")
    head.prime(R)
    n = head.u32()
    head.end()
    body = f.section(VALUES, what)
    if len(body) != n * N8:
        raise MalformedInput(f"{what}: header says {n} values ({n * N8} bytes) but the values section has {len(body)} bytes")
    cur = Cursor(body, f"{what} values")
    values = [cur.element(R, f"witness value {i}") for i in range(n)]
    if not values or values[0] != 1:
        raise MalformedInput(f"{what}: wire 0 must be the constant 1, got {values[0] if values else 'no values'}")
    return values


def encode_wtns(witness: Sequence[int]) -> bytes:
    for i, v in enumerate(witness):
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < R:
            raise MalformedInput(f"witness value {i} = {v!r} is not a field element in [0, r)")
    header = u32(N8) + field_bytes(R) + u32(len(witness))
    return encode_container(MAGIC, VERSION, [(HEADER, header), (VALUES, b"".join(field_bytes(v) for v in witness))])


def write_wtns(path: str | Path, witness: Sequence[int]) -> None:
    write_bytes(path, encode_wtns(witness))


def read_wtns(path: str | Path) -> list[int]:
    return decode_wtns(read_bytes(path, "wtns"), f"wtns {path}")
