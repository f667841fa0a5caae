"""snarkjs's powers of tau, .ptau (iden3 container, magic "ptau", version 1).

  1 header:        n8 u32 | q | power u32 | ceremony_power u32
  2 τⁱ·G1:         2^(power+1) − 1 points      3 τⁱ·G2:  2^power points
  4 α·τⁱ·G1:       2^power points              5 β·τⁱ·G1: 2^power points
  6 β·G2:          one point                   7 contributions (kept verbatim)
  after `snarkjs powersoftau prepare phase2`, the Lagrange bases L_j(τ) of every domain size
  2^k, concatenated for k = 0, 1, …:
  12 L_j(τ)·G1 (k = 0..power+1)   13 L_j(τ)·G2   14 α·L_j(τ)·G1   15 β·L_j(τ)·G1 (k = 0..power)
Points are Montgomery little-endian, checked on their curve when read. Every point section is
kept as an array over the file's bytes (`LemPoints`): a domain's Lagrange basis is a view of
it, and the fast backend takes it as its bases without a per-point conversion.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..curve import G1_GENERATOR, G2_GENERATOR, G1Point, G2Point
from ..errors import MalformedInput
from ..field import Q, TWO_ADICITY
from .iden3 import (
    G1,
    G1_SIZE,
    G2,
    G2_SIZE,
    Cursor,
    decode_lem_array,
    encode_container,
    encode_g1_lem,
    encode_g2_lem,
    field_bytes,
    parse_container,
    read_buffer,
    u32,
    u64,
    writable_view,
    write_bytes,
)

MAGIC = b"ptau"
VERSION = 1
HEADER, TAU_G1, TAU_G2, ALPHA_TAU_G1, BETA_TAU_G1, BETA_G2, CONTRIBUTIONS = range(1, 8)
LAGRANGE_G1, LAGRANGE_G2, LAGRANGE_ALPHA_G1, LAGRANGE_BETA_G1 = range(12, 16)


@dataclass(frozen=True)
class Lagrange:
    """Sections 12–15: the Lagrange bases of every domain size, concatenated by size."""

    tau_g1: Sequence[G1Point]
    tau_g2: Sequence[G2Point]
    alpha_tau_g1: Sequence[G1Point]
    beta_tau_g1: Sequence[G1Point]


@dataclass(frozen=True)
class Ptau:
    power: int
    ceremony_power: int
    tau_g1: Sequence[G1Point]  # tuples when built in memory, LemPoints when read from a file
    tau_g2: Sequence[G2Point]
    alpha_tau_g1: Sequence[G1Point]
    beta_tau_g1: Sequence[G1Point]
    beta_g2: G2Point
    contributions: bytes
    lagrange: Lagrange | None  # None until `snarkjs powersoftau prepare phase2`
    # The bytes the file held right after section 2 (snarkjs's circuit hash reads 64 of them
    # when the domain is 2^power); None means the layout encode_ptau writes.
    after_tau_g1: bytes | None = None

    def bytes_after_tau_g1(self) -> bytes:
        """The 64 bytes following the τ·G1 section: what snarkjs takes for point 2^(power+1) − 1."""
        if self.after_tau_g1 is not None:
            return self.after_tau_g1
        tau_g2 = encode_g2_lem(self.tau_g2[:1])
        return (u32(TAU_G2) + u64(len(self.tau_g2) * G2_SIZE) + tau_g2)[:G1_SIZE]

    def lagrange_basis(self, size: int) -> tuple[Sequence[G1Point], Sequence[G2Point], Sequence[G1Point], Sequence[G1Point]]:
        """L_j(τ)·G1, L_j(τ)·G2, α·L_j(τ)·G1, β·L_j(τ)·G1 for the domain of `size` points
        (views of the sections when they were read from a file)."""
        self.check_domain(size)
        lo, hi = size - 1, 2 * size - 1
        lg = self.lagrange
        return lg.tau_g1[lo:hi], lg.tau_g2[lo:hi], lg.alpha_tau_g1[lo:hi], lg.beta_tau_g1[lo:hi]

    def odd_lagrange_g1(self, size: int) -> Sequence[G1Point]:
        """L^{2n}_{2i+1}(τ)·G1 for i < n: the circom reduction's H query before the δ division."""
        self.check_domain(size)
        return self.lagrange.tau_g1[2 * size : 4 * size - 1 : 2]

    def check_domain(self, size: int) -> None:
        check_domain(self.power, self.lagrange is not None, size)


def check_domain(power: int, prepared: bool, size: int) -> None:
    """A ptau of 2^power (prepared for phase 2 or not) serves a QAP domain of `size` points."""
    if not prepared:
        raise MalformedInput(
            "the powers of tau are not prepared for phase 2: run `zktrade ptau prepare IN.ptau OUT.ptau` "
            "(or `snarkjs powersoftau prepare phase2 IN.ptau OUT.ptau`)"
        )
    if size > 1 << power:
        raise MalformedInput(
            f"the circuit needs a domain of {size} points but the powers of tau go to 2^{power}: "
            f"use a .ptau of power >= {size.bit_length() - 1}"
        )


def check_ptau_file(path: str | Path, size: int) -> None:
    """check_domain from the file's header alone: refuses a ptau before its points are decoded."""
    what = f"ptau {path}"
    f = parse_container(read_buffer(path, "ptau"), MAGIC, (VERSION,), what)
    head = Cursor(f.section(HEADER, what), f"{what} header")
    head.prime(Q, "base field")
    check_domain(head.u32(), f.has(LAGRANGE_G1), size)


def _lagrange_points(power: int) -> int:
    return (1 << (power + 1)) - 1


def decode_ptau(data: bytes, what: str = "ptau") -> Ptau:
    """Parse and validate a .ptau: BN254, section sizes from the power, points on their curves."""
    f = parse_container(writable_view(data), MAGIC, (VERSION,), what)
    head = Cursor(f.section(HEADER, what), f"{what} header")
    head.prime(Q, "base field")
    power, ceremony_power = head.u32(), head.u32()
    head.end()
    if not 1 <= power <= TWO_ADICITY - 1 or ceremony_power < power:
        raise MalformedInput(f"{what}: power {power} (ceremony power {ceremony_power}) is not a valid BN254 ceremony size")
    n = 1 << power

    def points(kind: int, count: int, g2: bool, label: str):
        body = f.section(kind, what)
        size = G2_SIZE if g2 else G1_SIZE
        if len(body) != count * size:
            raise MalformedInput(
                f"{what}: section {kind} ({label}) has {len(body)} bytes, power {power} needs {count} points ({count * size} bytes)"
            )
        return decode_lem_array(G2 if g2 else G1, body, f"{what}: {label}")

    tau_g1 = points(TAU_G1, 2 * n - 1, False, "tau_g1")
    tau_g2 = points(TAU_G2, n, True, "tau_g2")
    if tau_g1[0] != G1_GENERATOR or tau_g2[0] != G2_GENERATOR:
        raise MalformedInput(f"{what}: τ⁰ is not the BN254 generator: not a powers-of-tau file for bn128")
    lagrange = None
    if any(f.has(k) for k in (LAGRANGE_G1, LAGRANGE_G2, LAGRANGE_ALPHA_G1, LAGRANGE_BETA_G1)):
        lagrange = Lagrange(
            tau_g1=points(LAGRANGE_G1, _lagrange_points(power + 1), False, "Lagrange tau_g1"),
            tau_g2=points(LAGRANGE_G2, _lagrange_points(power), True, "Lagrange tau_g2"),
            alpha_tau_g1=points(LAGRANGE_ALPHA_G1, _lagrange_points(power), False, "Lagrange alpha_tau_g1"),
            beta_tau_g1=points(LAGRANGE_BETA_G1, _lagrange_points(power), False, "Lagrange beta_tau_g1"),
        )
    return Ptau(
        power=power,
        ceremony_power=ceremony_power,
        tau_g1=tau_g1,
        tau_g2=tau_g2,
        alpha_tau_g1=points(ALPHA_TAU_G1, n, False, "alpha_tau_g1"),
        beta_tau_g1=points(BETA_TAU_G1, n, False, "beta_tau_g1"),
        beta_g2=points(BETA_G2, 1, True, "beta_g2")[0],
        contributions=bytes(f.section(CONTRIBUTIONS, what)),
        lagrange=lagrange,
        after_tau_g1=bytes(f.bytes_after(TAU_G1, G1_SIZE)),
    )


def encode_ptau(ptau: Ptau) -> bytes:
    sections = [
        (HEADER, u32(32) + field_bytes(Q) + u32(ptau.power) + u32(ptau.ceremony_power)),
        (TAU_G1, encode_g1_lem(ptau.tau_g1)),
        (TAU_G2, encode_g2_lem(ptau.tau_g2)),
        (ALPHA_TAU_G1, encode_g1_lem(ptau.alpha_tau_g1)),
        (BETA_TAU_G1, encode_g1_lem(ptau.beta_tau_g1)),
        (BETA_G2, encode_g2_lem([ptau.beta_g2])),
        (CONTRIBUTIONS, ptau.contributions),
    ]
    if ptau.lagrange is not None:
        lg = ptau.lagrange
        sections += [
            (LAGRANGE_G1, encode_g1_lem(lg.tau_g1)),
            (LAGRANGE_G2, encode_g2_lem(lg.tau_g2)),
            (LAGRANGE_ALPHA_G1, encode_g1_lem(lg.alpha_tau_g1)),
            (LAGRANGE_BETA_G1, encode_g1_lem(lg.beta_tau_g1)),
        ]
    return encode_container(MAGIC, VERSION, sections)


def write_ptau(path: str | Path, ptau: Ptau) -> None:
    write_bytes(path, encode_ptau(ptau))


def read_ptau(path: str | Path) -> Ptau:
    return decode_ptau(read_buffer(path, "ptau"), f"ptau {path}")
