"""The one JSON reader for every file and request: size and nesting capped before parsing.

The json module recurses once per nesting level in C. Under a raised recursion limit (py_ecc
sets 100,000) an 80,000-deep document overflows the C stack and kills the process, so the depth
is measured first by a scan that does not recurse and runs in linear time. Beyond RFC 8259 the
loader also refuses what parsers disagree on: NaN/Infinity, duplicate object keys, a BOM.
"""

import json
from itertools import accumulate
from pathlib import Path

from .errors import MalformedInput

MAX_BYTES = 64 << 20  # a circom input of a few million bits fits; a vk of ~400k public inputs too
MAX_DEPTH = 64  # our deepest documents (circom inputs of multi-dimensional arrays) nest < 10

_NOT_SKELETON = bytes(sorted(set(range(256)) - set(b'"[]{}')))
_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 / -1 as signed bytes


def nesting_depth(data: bytes) -> int:
    """Deepest bracket nesting of a JSON text (UTF-8), brackets inside strings not counted.

    Exact on the longest valid prefix, which is all the parser ever recurses into: there a
    backslash occurs only inside strings, pairs from the left as the parser reads it, and no
    UTF-8 sequence contains an ASCII byte. Bytes-level replace/translate/split keep it linear.
    """
    unescaped = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    skeleton = unescaped.translate(None, delete=_NOT_SKELETON)
    outside_strings = b"".join(skeleton.split(b'"')[::2])
    return max(accumulate(memoryview(outside_strings.translate(_STEP)).cast("b"), initial=0))


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"duplicate key {key!r:.60}")
        obj[key] = value
    return obj


def parse_json(data: bytes | str, what: str, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH):
    """Parse a JSON document held in memory, refusing oversize or overdeep input before parsing."""
    if len(data) > max_bytes:
        raise MalformedInput(f"{what}: {len(data)} bytes, more than the {max_bytes} this reader accepts")
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    try:
        # Decoded here, not by json.loads: given bytes it would guess UTF-16/32, which the
        # byte-level depth scan does not read.
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedInput(f"{what}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    depth = nesting_depth(data)
    if depth > max_depth:
        raise MalformedInput(f"{what}: nested {depth} levels deep, more than the {max_depth} this reader accepts")
    try:
        return json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_unique_keys)
    except ValueError as exc:  # JSONDecodeError, our refusals, an integer beyond int_max_str_digits
        raise MalformedInput(f"{what}: not valid JSON ({str(exc):.200})") from None


def load_json(path: str | Path, what: str, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH):
    """Read and parse a JSON file; every I/O, size, depth or syntax problem is a MalformedInput."""
    try:
        with open(path, "rb") as f:
            # Read one byte past the cap: a FIFO or a growing file has no trustworthy size.
            data = f.read(max_bytes + 1)
    except FileNotFoundError:
        raise MalformedInput(f"{what}: file {path} does not exist") from None
    except IsADirectoryError:
        raise MalformedInput(f"{what}: {path} is a directory, not a file") from None
    except OSError as exc:
        raise MalformedInput(f"{what}: cannot read {path}: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise MalformedInput(f"{what}: {path} is larger than the {max_bytes} bytes this reader accepts")
    return parse_json(data, f"{what} {path}", max_bytes, max_depth)
