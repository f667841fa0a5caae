"""zktrade's native proving-key file (`.pk`): a small JSON header, then raw points.

  magic "ZKTRADE-PK" (10 bytes) | version u16 | header length u32 | header (UTF-8 JSON)
  | points, 32-byte big-endian coordinates: G1 = x‖y, G2 = x0‖x1‖y0‖y1, infinity all zero
Point order: vk (α₁, β₂, γ₂, δ₂, IC…), β₁, δ₁, then the queries A, B₁, B₂, H, L with the
counts the header states. Written atomically; read back with every coordinate checked to be
canonical and every point on its curve (key G2 points are also checked for the subgroup).
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..curve import (
    G1_INFINITY,
    G2_INFINITY,
    G1Point,
    G2Point,
    g1_is_on_curve,
    g2_in_subgroup,
    g2_is_on_curve,
)
from ..errors import MalformedInput
from ..field import TWO_ADICITY
from ..jsonio import parse_json
from ..groth16.data import ProvingKey, VerifyingKey
from ..qap import REDUCTIONS

MAGIC = b"ZKTRADE-PK"
HEADER_FIELDS = {"curve", "reduction", "circuit_digest", "domain_size", "n_public", "n_wires", "n_h", "n_l"}
VERSION = 1
HEADER_MAX_BYTES = 4096  # ours are ~220 bytes
_DIGEST = re.compile(r"[0-9a-f]{64}")

@dataclass(frozen=True)
class Header:
    """The header's fields, each checked on its own and against the others."""

    reduction: str
    circuit_digest: str
    domain_size: int
    n_public: int
    n_wires: int
    n_h: int
    n_l: int


def _header_int(header: dict, name: str, minimum: int, what: str) -> int:
    value = header[name]
    # bool is an int subclass, and int("7") or int(7.9) would quietly accept what no writer made.
    if type(value) is not int or value < minimum:
        raise MalformedInput(f"{what}: corrupt header ({name} = {value!r:.40}, expected an integer ≥ {minimum})")
    return value


def _check_header(header, what: str) -> Header:
    """Every field present, of its type and range, and consistent with the others."""
    # Every header field is meaningful: an unknown or altered field is corruption, not noise.
    if not isinstance(header, dict) or set(header) != HEADER_FIELDS:
        fields = sorted(header) if isinstance(header, dict) else type(header).__name__
        raise MalformedInput(f"{what}: corrupt header (fields {fields}, expected {sorted(HEADER_FIELDS)})")
    if header["curve"] != "bn254":
        raise MalformedInput(f"{what}: key is for curve {header['curve']!r:.40}, zktrade proves on bn254")
    reduction = header["reduction"]
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise MalformedInput(f"{what}: unknown QAP reduction {reduction!r:.40} (known: {', '.join(REDUCTIONS)})")
    digest = header["circuit_digest"]
    if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
        raise MalformedInput(f"{what}: corrupt header (circuit_digest {digest!r:.80} is not 64 hex digits)")
    n_public = _header_int(header, "n_public", 0, what)
    n_wires = _header_int(header, "n_wires", n_public + 1, what)
    # The QAP has a row per constraint plus one per public wire and the constant one.
    domain_size = _header_int(header, "domain_size", n_public + 1, what)
    if domain_size & (domain_size - 1) or domain_size > 1 << TWO_ADICITY:
        raise MalformedInput(
            f"{what}: corrupt header (domain size {domain_size} is not a power of two ≤ 2^{TWO_ADICITY})"
        )
    n_h = _header_int(header, "n_h", 0, what)
    n_l = _header_int(header, "n_l", 0, what)
    if n_h != REDUCTIONS[reduction].h_query_length(domain_size):
        raise MalformedInput(
            f"{what}: corrupt header (n_h = {n_h} for a {reduction} key of domain size {domain_size})"
        )
    if n_l != n_wires - n_public - 1:
        raise MalformedInput(
            f"{what}: corrupt header (n_l = {n_l}, but {n_wires} wires of which {n_public} public "
            f"leave {n_wires - n_public - 1} private)"
        )
    return Header(reduction, digest, domain_size, n_public, n_wires, n_h, n_l)


def _g1_bytes(p: G1Point) -> bytes:
    return p[0].to_bytes(32, "big") + p[1].to_bytes(32, "big")


def _g2_bytes(p: G2Point) -> bytes:
    return b"".join(c.to_bytes(32, "big") for pair in p for c in pair)


def encode_proving_key(pk: ProvingKey) -> bytes:


    header = {
        "curve": "bn254",
        "reduction": pk.reduction,
        "circuit_digest": pk.circuit_digest,
        "domain_size": pk.domain_size,
        "n_public": pk.n_public,
        "n_wires": pk.n_wires,
        "n_h": len(pk.h_query),
        "n_l": len(pk.l_query),
    }
    head = json.dumps(header, sort_keys=True).encode()
    vk = pk.vk
    g1s = [vk.alpha_g1, *vk.gamma_abc_g1, pk.beta_g1, pk.delta_g1, *pk.a_query, *pk.b_g1_query]
    g2s = [vk.beta_g2, vk.gamma_g2, vk.delta_g2, *pk.b_g2_query]
    tail = [*pk.h_query, *pk.l_query]
    return b"".join(
        [
            MAGIC,
            VERSION.to_bytes(2, "big"),
            len(head).to_bytes(4, "big"),
            head,
            b"".join(_g1_bytes(p) for p in g1s),
            b"".join(_g2_bytes(p) for p in g2s),
            b"".join(_g1_bytes(p) for p in tail),
        ]
    )


def decode_proving_key(data: bytes, what: str = "proving key") -> ProvingKey:


    if not data.startswith(MAGIC):
        raise MalformedInput(f"{what}: not a zktrade proving key (bad magic); was it made by `zktrade setup`?")
    pos = len(MAGIC)
    if len(data) < pos + 6:
        raise MalformedInput(f"{what}: truncated header")
    version = int.from_bytes(data[pos : pos + 2], "big")
    if version != VERSION:
        raise MalformedInput(f"{what}: format version {version}, this zktrade reads {VERSION}")
    head_len = int.from_bytes(data[pos + 2 : pos + 6], "big")
    pos += 6
    if head_len > HEADER_MAX_BYTES or pos + head_len > len(data):
        raise MalformedInput(f"{what}: corrupt header (length {head_len} for a {len(data)}-byte file)")
    header = parse_json(data[pos : pos + head_len], f"{what}: header", max_bytes=HEADER_MAX_BYTES, max_depth=1)
    pos += head_len
    h = _check_header(header, what)
    n_pub, n_wires, n_h, n_l = h.n_public, h.n_wires, h.n_h, h.n_l
    n_g1 = 1 + (n_pub + 1) + 2 + 2 * n_wires
    n_g2 = 3 + n_wires
    expected = pos + 64 * (n_g1 + n_h + n_l) + 128 * n_g2
    if len(data) != expected:
        raise MalformedInput(
            f"{what}: {len(data)} bytes but the header implies {expected}: the file is truncated or corrupt"
        )

    def coords(start: int, count: int) -> list[int]:
        return [int.from_bytes(data[start + 32 * i : start + 32 * (i + 1)], "big") for i in range(count)]

    def g1s(start: int, count: int, label: str) -> list[G1Point]:
        c = coords(start, 2 * count)
        pts = [(c[2 * i], c[2 * i + 1]) for i in range(count)]
        for i, p in enumerate(pts):
            if p != G1_INFINITY and not g1_is_on_curve(p):
                raise MalformedInput(f"{what}: {label} point {i} is not on G1")
        return pts

    def g2s(start: int, count: int, label: str) -> list[G2Point]:
        c = coords(start, 4 * count)
        pts = [((c[4 * i], c[4 * i + 1]), (c[4 * i + 2], c[4 * i + 3])) for i in range(count)]
        for i, p in enumerate(pts):
            if not g2_is_on_curve(p):
                raise MalformedInput(f"{what}: {label} point {i} is not on the G2 twist")
        return pts

    first = g1s(pos, n_g1, "G1")
    pos += 64 * n_g1
    second = g2s(pos, n_g2, "G2")
    pos += 128 * n_g2
    tail = g1s(pos, n_h + n_l, "H/L")
    for name, p in zip(("beta", "gamma", "delta"), second[:3]):
        if not g2_in_subgroup(p):
            raise MalformedInput(f"{what}: {name}_g2 is not in the order-r subgroup")
    k = n_pub + 1
    vk = VerifyingKey(
        alpha_g1=first[0],
        beta_g2=second[0],
        gamma_g2=second[1],
        delta_g2=second[2],
        gamma_abc_g1=tuple(first[1 : 1 + k]),
    )
    rest = first[1 + k :]
    return ProvingKey(
        vk=vk,
        beta_g1=rest[0],
        delta_g1=rest[1],
        a_query=tuple(rest[2 : 2 + n_wires]),
        b_g1_query=tuple(rest[2 + n_wires : 2 + 2 * n_wires]),
        b_g2_query=tuple(second[3:]),
        h_query=tuple(tail[:n_h]),
        l_query=tuple(tail[n_h:]),
        domain_size=h.domain_size,
        reduction=h.reduction,
        circuit_digest=h.circuit_digest,
    )


def write_proving_key(path: str | Path, pk: ProvingKey) -> None:
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(encode_proving_key(pk))
    tmp.replace(path)


def read_proving_key(path: str | Path) -> ProvingKey:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise MalformedInput(f"proving key: file {path} does not exist (run `zktrade setup` first)") from None
    except OSError as exc:
        raise MalformedInput(f"proving key: cannot read {path}: {exc.strerror}") from None
    return decode_proving_key(data, f"proving key {path}")
