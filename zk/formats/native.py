"""zktrade's native proving-key file (`.pk`): a small JSON header, then raw points.

  magic "ZKTRADE-PK" (10 bytes) | version u16 | header length u32 | header (UTF-8 JSON)
  | points, 32-byte big-endian coordinates: G1 = x‖y, G2 = x0‖x1‖y0‖y1, infinity all zero
Point order: vk (α₁, β₂, γ₂, δ₂, IC…), β₁, δ₁, then the queries A, B₁, B₂, H, L with the
counts the header states. Written atomically; read back with every coordinate checked to be
canonical and every point on its curve (key G2 points are also checked for the subgroup).
"""

import json
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
from ..groth16.data import ProvingKey, VerifyingKey
from ..qap import REDUCTIONS

MAGIC = b"ZKTRADE-PK"
HEADER_FIELDS = {"curve", "reduction", "circuit_digest", "domain_size", "n_public", "n_wires", "n_h", "n_l"}
VERSION = 1

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
    try:
        header = json.loads(data[pos : pos + head_len].decode())
        n_pub, n_wires = int(header["n_public"]), int(header["n_wires"])
        n_h, n_l = int(header["n_h"]), int(header["n_l"])
        reduction, digest = str(header["reduction"]), str(header["circuit_digest"])
        domain_size = int(header["domain_size"])
    except (ValueError, KeyError, UnicodeDecodeError, TypeError) as exc:
        raise MalformedInput(f"{what}: corrupt header ({exc})") from None
    # Every header field is meaningful: an unknown or altered field is corruption, not noise.
    if set(header) != HEADER_FIELDS:
        raise MalformedInput(f"{what}: corrupt header (fields {sorted(header)}, expected {sorted(HEADER_FIELDS)})")
    if header["curve"] != "bn254":
        raise MalformedInput(f"{what}: key is for curve {header['curve']!r}, zktrade proves on bn254")
    if reduction not in REDUCTIONS:
        raise MalformedInput(f"{what}: unknown QAP reduction {reduction!r} (known: {', '.join(REDUCTIONS)})")
    if domain_size <= 0 or domain_size & (domain_size - 1):
        raise MalformedInput(f"{what}: corrupt header (domain size {domain_size} is not a power of two)")
    pos += head_len
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
        domain_size=domain_size,
        reduction=reduction,
        circuit_digest=digest,
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
