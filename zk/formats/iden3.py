"""The iden3 binary container shared by .r1cs, .wtns, .zkey and .ptau, and its encodings.

  magic (4 ASCII bytes) | version u32 | n_sections u32
  | n_sections × (section type u32 | section size u64 | section bytes)
All integers are little-endian. Field elements are `n8`-byte little-endian integers: plain in
.r1cs and .wtns, Montgomery form (x·2^256 mod p) in .zkey and .ptau points ("LEM"). A G1 point
is x‖y, a G2 point x.c0‖x.c1‖y.c0‖y.c1; the point at infinity is all zero bytes. Every value
read is checked: canonical (< p), and points on their curve.

A large point section is read as an array (`decode_lem_array` → `LemPoints`): the file's bytes
viewed as uint64 limbs, which are the fast backend's own Montgomery form (R = 2^256), checked
in bulk (numpy for canonical coordinates, a numba kernel for the curve equation); affine int
tuples are made only for the points someone indexes or iterates (the reference backend, tests).
"""

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

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
            f"{what}: not a .{magic.decode()} file (starts with {bytes(data[:4])!r}, expected {magic!r})"
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


def read_buffer(path: str | Path, what: str) -> memoryview:
    """The file's bytes in one writable buffer: sections sliced from it are views, and point
    sections viewed as arrays need no copy (the kernels take writable, aligned arrays)."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            buf = bytearray(size)
            got = f.readinto(buf)
    except FileNotFoundError:
        raise MalformedInput(f"{what}: file {path} does not exist") from None
    except OSError as exc:
        raise MalformedInput(f"{what}: cannot read {path}: {exc.strerror}") from None
    return memoryview(buf)[:got]


def writable_view(data: bytes | bytearray | memoryview) -> memoryview:
    """`data` as a writable buffer (copied once if it is immutable bytes)."""
    if isinstance(data, memoryview) and not data.readonly:
        return data
    if isinstance(data, bytearray):
        return memoryview(data)
    return memoryview(bytearray(data))


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
    limbs = getattr(points, "montgomery_limbs", None)
    if limbs is not None:
        return limbs().tobytes()
    return b"".join(field_bytes(to_montgomery(c, Q)) for p in points for c in group.flat(p))


_Q_LIMBS = tuple((Q >> (64 * k)) & (2**64 - 1) for k in range(4))
_RINV_Q = pow(MONTGOMERY_R, -1, Q)


def _first_not_below_q(rows: np.ndarray) -> int:
    """Index of the first (m, 4)-limb row that is >= q, or -1."""
    if not rows.shape[0] or rows[:, 3].max() < np.uint64(_Q_LIMBS[3]):
        return -1  # the usual case, in one pass: every top limb below q's
    greater = np.zeros(rows.shape[0], dtype=bool)
    equal = np.ones(rows.shape[0], dtype=bool)
    for k in (3, 2, 1, 0):
        limb, q = rows[:, k], np.uint64(_Q_LIMBS[k])
        greater |= equal & (limb > q)
        equal &= limb == q
    bad = np.flatnonzero(greater | equal)
    return int(bad[0]) if len(bad) else -1


def _first_off_curve(group: Group, limbs: np.ndarray) -> int:
    """The first point not on its curve (infinity passes), or -1: the fast backend's kernel, or
    point by point where numba is missing."""
    try:
        from ..backends import fast
    except ImportError:
        for i, p in enumerate(LemPoints(group, limbs)):
            if p != group.infinity and not group.is_on_curve(p):
                return i
        return -1
    return fast.first_off_curve(limbs)


class LemPoints(Sequence):
    """A point section as the file holds it: Montgomery uint64 limbs, (n, 2, 4) for G1 or
    (n, 2, 2, 4) for G2, all-zero rows for infinity. A read-only sequence of affine points
    whose elements are converted when asked for; `montgomery_limbs()` is the array itself,
    which the fast backend takes as its bases without conversion."""

    __slots__ = ("group", "_limbs")

    def __init__(self, group: Group, limbs: np.ndarray):
        self.group = group
        self._limbs = limbs

    def __len__(self) -> int:
        return self._limbs.shape[0]

    def montgomery_limbs(self) -> np.ndarray:
        """The points as a C-contiguous, aligned, writable uint64 array (a copy only if the
        view is strided or misaligned)."""
        return np.require(self._limbs, np.uint64, ["C", "A", "W"])

    def take(self, indices: Sequence[int]) -> "LemPoints":
        """The points at these indices, gathered into a new array (a setup's rows of a basis)."""
        return LemPoints(self.group, self._limbs[np.asarray(indices, dtype=np.int64)])

    def _convert(self, limbs: np.ndarray) -> list:
        data = np.ascontiguousarray(limbs).tobytes()
        coords = [int.from_bytes(data[i : i + N8], "little") * _RINV_Q % Q for i in range(0, len(data), N8)]
        k = self.group.coords
        return [self.group.point(coords[k * i : k * (i + 1)]) for i in range(len(coords) // k)]

    def __getitem__(self, index):
        if isinstance(index, slice):
            return LemPoints(self.group, self._limbs[index])
        i = range(len(self))[index]  # IndexError as a tuple raises it
        return self._convert(self._limbs[i : i + 1])[0]

    def __iter__(self) -> Iterator:
        for start in range(0, len(self), 4096):
            yield from self._convert(self._limbs[start : start + 4096])

    def __eq__(self, other) -> bool:
        if isinstance(other, LemPoints):
            return self.group == other.group and np.array_equal(self._limbs, other._limbs)
        if isinstance(other, (tuple, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))  # equal to an equal tuple of points, so hashes must agree

    def __repr__(self) -> str:
        return f"LemPoints({self.group.name}, {len(self)} points)"

    def __reduce__(self):
        return (LemPoints, (self.group, np.array(self._limbs)))


def scale_points(points: Sequence, k: int, backend) -> Sequence:
    """[k·P for P in points] on `backend`: an array stays an array on a backend that multiplies
    limb arrays (the fast one); otherwise its batch multiplication on affine tuples."""
    if isinstance(points, LemPoints) and hasattr(backend, "batch_mul_montgomery"):
        return LemPoints(points.group, backend.batch_mul_montgomery(points.montgomery_limbs(), [k] * len(points)))
    mul = backend.batch_mul_g2 if points_group(points) is G2 else backend.batch_mul_g1
    return tuple(mul(list(points), [k] * len(points)))


def points_group(points: Sequence) -> "Group":
    """G1 or G2, from an array's group or the first point's shape (G1 for an empty sequence)."""
    if isinstance(points, LemPoints):
        return points.group
    return G2 if len(points) and isinstance(points[0][0], tuple) else G1


def concatenate_points(parts: Sequence[LemPoints]) -> LemPoints:
    """Point arrays of one group, one after the other, as one array."""
    if len({p.group for p in parts}) > 1:
        raise ValueError("cannot concatenate G1 and G2 points")
    return LemPoints(parts[0].group, np.concatenate([p._limbs for p in parts]))


def decode_lem_array(group: Group, data, what: str) -> LemPoints:
    """Points of `group` in Montgomery little-endian form, as an array; every coordinate is
    checked canonical and every point on its curve (the errors of `decode_lem`)."""
    size = group.coords * N8
    if len(data) % size:
        raise MalformedInput(f"{what}: {len(data)} bytes is not a whole number of {group.name} points")
    shape = (len(data) // size, 2, 4) if group.coords == 2 else (len(data) // size, 2, 2, 4)
    limbs = np.require(np.frombuffer(data, dtype="<u8").reshape(shape), np.uint64, ["C", "A", "W"])
    bad = _first_not_below_q(limbs.reshape(-1, 4))
    if bad >= 0:
        raw = int.from_bytes(limbs.reshape(-1, 4)[bad].tobytes(), "little")
        raise MalformedInput(f"{what}: coordinate {raw} is not below BN254's base field q")
    bad = _first_off_curve(group, limbs)
    if bad >= 0:
        raise MalformedInput(f"{what}: point {bad} is not on the {group.curve}")
    return LemPoints(group, limbs)


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
