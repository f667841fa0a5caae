"""A contributor's public key and its proof of knowledge, and the metadata of a contribution.

A contribution multiplies the ceremony's secret by x. It publishes s·G1 and (s·x)·G1 for a
random point s·G1, and (s'·x)·G2 where s'·G2 = hashToG2(transcript) is bound to everything
before it: knowing x is then proven by the pairing equality e(s, s'x) = e(sx, s') ("same
ratio"), and the same G2 pair shows that the ceremony's points moved by exactly x.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from ..curve import G1_INFINITY, G2_INFINITY, G1Point, G2Point, g1_add, g1_mul, g1_neg, pairing_product_is_one
from ..errors import MalformedInput
from ..formats.iden3 import Cursor
from .errors import InvalidCeremony

Ratio = tuple[G1Point, G1Point, G2Point, G2Point]
Check = tuple[int | None, str, "bool | Ratio"]  # (contribution, failure message, truth or ratio to check)


CONTRIBUTION, BEACON = 0, 1  # a contribution's type
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


def same_ratios(ratios: Sequence[Ratio]) -> bool:
    """Every same_ratio holds, by one pairing product: each equation raised to a random 128-bit
    weight, G1 sides merged per distinct G2 point (a false equation passes with chance ~2^-128)."""
    by_g2: dict[G2Point, G1Point] = {}
    for a, b, c, d in ratios:
        if G1_INFINITY in (a, b) or G2_INFINITY in (c, d):
            return False
        weight = secrets.randbits(128) | 1
        by_g2[d] = g1_add(by_g2.get(d, G1_INFINITY), g1_mul(a, weight))
        by_g2[c] = g1_add(by_g2.get(c, G1_INFINITY), g1_mul(g1_neg(b), weight))
    return pairing_product_is_one([(g1, g2) for g2, g1 in by_g2.items()])


def _all_hold(checks: Sequence[Check]) -> bool:
    ratios = [c for _, _, c in checks if not isinstance(c, bool)]
    return all(c for _, _, c in checks if isinstance(c, bool)) and same_ratios(ratios)


def verify_checks(checks: Sequence[Check]) -> None:
    """All checks at once (pairings batched); if any fails, find and raise the first in order:
    one batch per contribution, then one check at a time inside the first failing one."""
    if _all_hold(checks):
        return
    groups: dict[int | None, list[Check]] = {}
    for check in checks:
        groups.setdefault(check[0], []).append(check)
    for group in groups.values():
        if _all_hold(group):
            continue
        for index, message, c in group:
            if not (c if isinstance(c, bool) else same_ratio(*c)):
                raise InvalidCeremony(message, index)
    raise InvalidCeremony("a pairing check failed")  # unreachable: the batch holds when every check does


def random_weights(n: int) -> list[int]:
    """Random 128-bit scalars for checking many equations as one random linear combination."""
    return [secrets.randbits(128) for _ in range(n)]


def encode_metadata(name: str, beacon: Beacon | None) -> bytes:
    """type u32 | parameters length u32 | the tagged parameters (name, then the beacon's)."""
    out = bytearray()
    if name:
        data = name[:MAX_NAME_CHARS].encode()[:255]
        out += bytes([NAME, len(data)]) + data
    if beacon is not None:
        out += bytes([BEACON_ITERATIONS, beacon.iterations_exp, BEACON_HASH, len(beacon.hash)]) + beacon.hash
    kind = BEACON if beacon is not None else CONTRIBUTION
    return kind.to_bytes(4, "little") + len(out).to_bytes(4, "little") + bytes(out)


def decode_metadata(cur: Cursor, what: str) -> tuple[str, Beacon | None]:
    """(name, beacon) from a contribution's type and tagged parameters."""
    kind = cur.u32()
    data = cur.take(cur.u32())
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
    has_beacon = iterations is not None and beacon_hash is not None
    if kind not in (CONTRIBUTION, BEACON) or (kind == BEACON) != has_beacon:
        raise MalformedInput(f"{what}: type {kind} does not match its beacon parameters")
    return name, Beacon(beacon_hash, iterations) if kind == BEACON else None


