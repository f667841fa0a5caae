"""A contributor's public key and its proof of knowledge, and the metadata of a contribution.

A contribution multiplies the ceremony's secret by x. It publishes s·G1 and (s·x)·G1 for a
random point s·G1, and (s'·x)·G2 where s'·G2 = hashToG2(transcript) is bound to everything
before it: knowing x is then proven by the pairing equality e(s, s'x) = e(sx, s') ("same
ratio"), and the same G2 pair shows that the ceremony's points moved by exactly x.
"""

from dataclasses import dataclass

from ..curve import G1_INFINITY, G2_INFINITY, G1Point, G2Point, g1_neg, pairing_product_is_one
from ..errors import MalformedInput


NAME, BEACON_ITERATIONS, BEACON_HASH = 1, 2, 3  # snarkjs's contribution parameter tags
MAX_NAME_CHARS = 64  # snarkjs keeps the first 64 characters


@dataclass(frozen=True)
class PublicKey:
    g1_s: G1Point
    g1_sx: G1Point
    g2_spx: G2Point


@dataclass(frozen=True)
class Beacon:
    """A public random value (e.g. a future block hash), stretched by 2^iterations_exp SHA-256."""

    hash: bytes
    iterations_exp: int

    def __post_init__(self) -> None:
        if not 1 <= len(self.hash) <= 255:
            raise MalformedInput(f"a beacon hash has 1 to 255 bytes, got {len(self.hash)}")
        if not 10 <= self.iterations_exp <= 63:
            raise MalformedInput(f"beacon iterations exponent {self.iterations_exp}: snarkjs accepts 10 to 63")


def same_ratio(g1_s: G1Point, g1_sx: G1Point, g2_s: G2Point, g2_sx: G2Point) -> bool:
    """e(g1_s, g2_sx) = e(g1_sx, g2_s): the G1 pair and the G2 pair differ by the same scalar."""
    if G1_INFINITY in (g1_s, g1_sx) or G2_INFINITY in (g2_s, g2_sx):
        return False
    return pairing_product_is_one([(g1_s, g2_sx), (g1_neg(g1_sx), g2_s)])


def encode_parameters(name: str, beacon: Beacon | None) -> bytes:
    """The tagged parameters of a contribution (name, then the beacon's), length-prefixed."""
    out = bytearray()
    if name:
        data = name[:MAX_NAME_CHARS].encode()[:255]
        out += bytes([NAME, len(data)]) + data
    if beacon is not None:
        out += bytes([BEACON_ITERATIONS, beacon.iterations_exp, BEACON_HASH, len(beacon.hash)]) + beacon.hash
    return len(out).to_bytes(4, "little") + bytes(out)


def decode_parameters(data: bytes, what: str) -> tuple[str, int | None, bytes | None]:
    """(name, beacon iterations exponent, beacon hash) from the tagged parameter bytes."""
    name, iterations, beacon_hash = "", None, None
    pos, last = 0, 0
    while pos < len(data):
        tag = data[pos]
        if tag <= last:
            raise MalformedInput(f"{what}: contribution parameters out of order (tag {tag} after {last})")
        last = tag
        if tag == BEACON_ITERATIONS:
            if pos + 2 > len(data):
                raise MalformedInput(f"{what}: truncated beacon parameters")
            iterations, pos = data[pos + 1], pos + 2
            continue
        if tag not in (NAME, BEACON_HASH) or pos + 2 > len(data) or pos + 2 + data[pos + 1] > len(data):
            raise MalformedInput(f"{what}: unknown or truncated contribution parameter {tag}")
        value = data[pos + 2 : pos + 2 + data[pos + 1]]
        pos += 2 + data[pos + 1]
        if tag == NAME:
            name = value.decode("utf-8", errors="replace")
        else:
            beacon_hash = value
    return name, iterations, beacon_hash


