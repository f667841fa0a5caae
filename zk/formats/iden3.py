"""The iden3 binary container shared by .r1cs, .wtns, .zkey and .ptau, and its encodings.

  magic (4 ASCII bytes) | version u32 | n_sections u32
  | n_sections × (section type u32 | section size u64 | section bytes)
All integers are little-endian. Field elements are `n8`-byte little-endian integers: plain in
.r1cs and .wtns, Montgomery form (x·2^256 mod p) in .zkey and .ptau points ("LEM"). A G1 point
is x‖y, a G2 point x.c0‖x.c1‖y.c0‖y.c1; the point at infinity is all zero bytes. Every value
read is checked: canonical (< p), and points on their curve.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..curve import G1_INFINITY, G2_INFINITY, G1Point, G2Point, g1_is_on_curve, g2_is_on_curve
from ..errors import MalformedInput
from ..field import Q, R

N8 = 32  # bytes per BN254 field element (Fq and Fr are both < 2^256)
MONTGOMERY_R = 1 << (8 * N8)
G1_SIZE = 2 * N8
G2_SIZE = 4 * N8
_PREAMBLE = 12  # magic, version, section count
_SECTION_HEADER = 12  # type u32, size u64


def to_montgomery(x: int, modulus: int) -> int:
    return x * MONTGOMERY_R % modulus


def from_montgomery(x: int, modulus: int) -> int:
    return x * pow(MONTGOMERY_R, -1, modulus) % modulus


def u32(value: int) -> bytes:
    return value.to_bytes(4, "little")


def u64(value: int) -> bytes:
    return value.to_bytes(8, "little")


def field_bytes(x: int) -> bytes:
    return x.to_bytes(N8, "little")


def prime_name(p: int) -> str:
    names = {R: "BN254's scalar field r", Q: "BN254's base field q"}
    return names.get(p, f"the prime {p}")


@dataclass(frozen=True)
class BinFile:
    """A parsed container: its version and its sections as (type, bytes) in file order."""

    magic: bytes
    version: int
    sections: tuple[tuple[int, bytes], ...]
    data: bytes = b""  # the whole file, for readers that look past a section's end
    ends: tuple[int, ...] = ()  # where each section's bytes end in `data`

    def section(self, kind: int, what: str) -> bytes:
        """The one section of this type; absent or repeated is a malformed file."""
        found = [data for t, data in self.sections if t == kind]
        if len(found) != 1:
            problem = "is missing" if not found else f"appears {len(found)} times"
            raise MalformedInput(f"{what}: section {kind} {problem}; the file is truncated or not a valid {self.magic.decode()} file")
        return found[0]

    def has(self, kind: int) -> bool:
        return any(t == kind for t, _ in self.sections)

    def bytes_after(self, kind: int, n: int) -> bytes:
        """Up to n bytes of the file that follow the section of this type (fewer at the end)."""
        self.section(kind, self.magic.decode())
        end = next(e for (t, _), e in zip(self.sections, self.ends) if t == kind)
        return self.data[end : end + n]


def parse_container(data: bytes, magic: bytes, versions: Iterable[int], what: str) -> BinFile:
    """Split a file into sections, checking the magic, the version and that sizes add up exactly."""
    if len(data) < _PREAMBLE:
        raise MalformedInput(f"{what}: {len(data)} bytes is too short for an iden3 {magic.decode()} file")
    if data[:4] != magic:
        raise MalformedInput(
            f"{what}: not a .{magic.decode()} file (starts with {data[:4]!r}, expected {magic!r})"
        )
    version = int.from_bytes(data[4:8], "little")
    allowed = tuple(versions)
    if version not in allowed:
        raise MalformedInput(f"{what}: format version {version}, zktrade reads version {' or '.join(map(str, allowed))}")
    n_sections = int.from_bytes(data[8:12], "little")
    pos, sections, ends = _PREAMBLE, [], []
    for i in range(n_sections):
        if pos + _SECTION_HEADER > len(data):
            raise MalformedInput(f"{what}: truncated: section {i + 1} of {n_sections} starts past the end of the file")
        kind = int.from_bytes(data[pos : pos + 4], "little")
        size = int.from_bytes(data[pos + 4 : pos + 12], "little")
        pos += _SECTION_HEADER
        if pos + size > len(data):
            raise MalformedInput(
                f"{what}: truncated: section type {kind} declares {size} bytes but only {len(data) - pos} remain"
            )
        sections.append((kind, data[pos : pos + size]))
        pos += size
        ends.append(pos)
    if pos != len(data):
        raise MalformedInput(f"{what}: {len(data) - pos} bytes after the last of {n_sections} sections; the file is corrupt")
    return BinFile(magic, version, tuple(sections), data, tuple(ends))


def encode_container(magic: bytes, version: int, sections: Sequence[tuple[int, bytes]]) -> bytes:
    parts = [magic, u32(version), u32(len(sections))]
    for kind, data in sections:
        parts += [u32(kind), u64(len(data)), data]
    return b"".join(parts)


def read_bytes(path: str | Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise MalformedInput(f"{what}: file {path} does not exist") from None
    except OSError as exc:
        raise MalformedInput(f"{what}: cannot read {path}: {exc.strerror}") from None


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write atomically: a temporary file renamed into place, never half a file."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


class Cursor:
    """Sequential reader over one section; every read is bounds-checked with the section's name."""

    def __init__(self, data: bytes, what: str):
        self.data, self.pos, self.what = data, 0, what

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise MalformedInput(
                f"{self.what}: section too short (needs {self.pos + n} bytes, has {len(self.data)})"
            )
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def u32(self) -> int:
        return int.from_bytes(self.take(4), "little")

    def u64(self) -> int:
        return int.from_bytes(self.take(8), "little")

    def element(self, modulus: int, label: str) -> int:
        """One plain little-endian field element, refused if not canonical (never reduced)."""
        x = int.from_bytes(self.take(N8), "little")
        if x >= modulus:
            raise MalformedInput(f"{self.what}: {label} = {x} is not below {prime_name(modulus)}")
        return x

    def prime(self, expected: int, label: str = "field") -> None:
        """An n8 u32 and a prime: both must be BN254's (32 bytes and `expected`)."""
        n8 = self.u32()
        if n8 != N8:
            raise MalformedInput(f"{self.what}: {label} elements are {n8} bytes; BN254 uses {N8}: is this file for another curve?")
        p = int.from_bytes(self.take(N8), "little")
        if p != expected:
            raise MalformedInput(
                f"{self.what}: {label} prime is {p}, expected {prime_name(expected)}: the file is for another curve "
                "(circom: compile with --prime bn128)"
            )

    def end(self) -> None:
        if self.pos != len(self.data):
            raise MalformedInput(f"{self.what}: section has {len(self.data) - self.pos} unexpected trailing bytes")


@dataclass(frozen=True)
class Group:
    """How a point of G1 or G2 is laid out: its coordinate count, infinity and curve check."""

    name: str
    curve: str
    coords: int
    infinity: tuple
    is_on_curve: Callable

    def point(self, c: Sequence[int]) -> tuple:
        """The point from its coordinates in file order (x, y; or x.c0, x.c1, y.c0, y.c1)."""
        return (c[0], c[1]) if self.coords == 2 else ((c[0], c[1]), (c[2], c[3]))

    def flat(self, p: tuple) -> tuple[int, ...]:
        return p if self.coords == 2 else (*p[0], *p[1])


G1 = Group("G1", "BN254 G1 curve", 2, G1_INFINITY, g1_is_on_curve)
G2 = Group("G2", "BN254 G2 twist", 4, G2_INFINITY, g2_is_on_curve)


def _lem_coords(data: bytes, count: int, what: str) -> list[int]:
    out = []
    rinv = pow(MONTGOMERY_R, -1, Q)
    for i in range(count):
        raw = int.from_bytes(data[N8 * i : N8 * (i + 1)], "little")
        if raw >= Q:
            raise MalformedInput(f"{what}: coordinate {raw} is not below BN254's base field q")
        out.append(raw * rinv % Q)
    return out


def decode_lem(group: Group, data: bytes, what: str) -> list:
    """Points of `group` in Montgomery little-endian form; each checked to be on its curve."""
    size = group.coords * N8
    if len(data) % size:
        raise MalformedInput(f"{what}: {len(data)} bytes is not a whole number of {group.name} points")
    k = group.coords
    c = _lem_coords(data, len(data) // N8, what)
    points = []
    for i in range(len(data) // size):
        p = group.point(c[k * i : k * (i + 1)])
        if p != group.infinity and not group.is_on_curve(p):
            raise MalformedInput(f"{what}: point {i} is not on the {group.curve}")
        points.append(p)
    return points


def encode_lem(group: Group, points: Iterable) -> bytes:
    return b"".join(field_bytes(to_montgomery(c, Q)) for p in points for c in group.flat(p))


def take_points(group: Group, cur: Cursor, count: int, label: str) -> list:
    return decode_lem(group, cur.take(group.coords * N8 * count), f"{cur.what}: {label}")


def decode_g1_lem(data: bytes, what: str) -> list[G1Point]:
    return decode_lem(G1, data, what)


def decode_g2_lem(data: bytes, what: str) -> list[G2Point]:
    return decode_lem(G2, data, what)


def encode_g1_lem(points: Iterable[G1Point]) -> bytes:
    return encode_lem(G1, points)


def encode_g2_lem(points: Iterable[G2Point]) -> bytes:
    return encode_lem(G2, points)


def take_g1(cur: Cursor, count: int, label: str) -> list[G1Point]:
    return take_points(G1, cur, count, label)


def take_g2(cur: Cursor, count: int, label: str) -> list[G2Point]:
    return take_points(G2, cur, count, label)
