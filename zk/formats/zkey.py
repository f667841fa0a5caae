"""snarkjs's Groth16 proving key, .zkey (iden3 container, magic "zkey", version 1).

  1 header:        protocol u32 (1 = Groth16; PLONK and FFLONK keys are refused)
  2 Groth16:       n8q u32 | q | n8r u32 | r | n_vars u32 | n_public u32 | domain_size u32
                   | α₁ | β₁ | β₂ | γ₂ | δ₁ | δ₂
  3 IC:            n_public + 1 G1 points (γ_abc_g1)
  4 coefficients:  count u32, then (matrix u32: 0 = A, 1 = B | row u32 | wire u32 | value)
  5 A, 6 B₁:       n_vars G1 points each;  7 B₂: n_vars G2 points
  8 C:             the private wires' (β·a + α·b + c)/δ, n_vars − n_public − 1 G1 points (our L)
  9 H:             domain_size G1 points: the 2n-domain Lagrange basis at odd indices, over δ
  10 MPC params:   csHash (64 bytes) and the phase-2 contributions, kept verbatim
Points are Montgomery little-endian. A coefficient value is stored as v·R² mod r (R = 2^256;
snarkjs pre-multiplies so its Montgomery kernels can use the plain witness): we divide by R².
The coefficient rows are the circom QAP's rows: the constraints, then one A-row per public
wire i = 0..n_public with coefficient 1. C has no rows in the file: a prover sets C = A·B.

A .zkey holds no C matrix, so the R1CS cannot be rebuilt from it: `circuit_digest` of a key
read from a .zkey is a zkey digest, "zkey:" + keccak256 of the sizes and section 4.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import sha3

from ..curve import g2_in_subgroup
from ..errors import MalformedInput
from ..field import Q, R
from ..groth16.data import ProvingKey, VerifyingKey
from ..qap import CircomReduction, qap_domain
from ..r1cs import R1CS
from .iden3 import (
    G1_SIZE,
    G2_SIZE,
    MONTGOMERY_R,
    G1,
    G2,
    Cursor,
    decode_lem_array,
    encode_container,
    encode_g1_lem,
    encode_g2_lem,
    field_bytes,
    parse_container,
    prime_name,
    read_buffer,
    take_g1,
    take_g2,
    u32,
    writable_view,
    write_bytes,
)

MAGIC = b"zkey"
VERSION = 1
GROTH16 = 1
PROTOCOLS = {1: "Groth16", 2: "PLONK", 10: "FFLONK"}
HEADER, GROTH_HEADER, IC, COEFFS, A, B1, B2, C, H, MPC = range(1, 11)
MATRIX_A, MATRIX_B = 0, 1
NUMERIC_ORDER = tuple(range(HEADER, MPC + 1))  # what `snarkjs zkey contribute` and `beacon` write
SETUP_ORDER = (HEADER, GROTH_HEADER, COEFFS, IC, H, C, A, B1, B2, MPC)  # what `snarkjs groth16 setup` writes
_COEFF_SIZE = 12 + 32
_R2 = MONTGOMERY_R * MONTGOMERY_R % R
_R2_INV = pow(_R2, -1, R)

Coefficient = tuple[int, int, int, int]  # (matrix, row, wire, value)


@dataclass(frozen=True)
class Zkey:
    """A snarkjs Groth16 key: our proving key plus the QAP rows' A and B coefficients."""

    proving_key: ProvingKey
    coefficients: tuple[Coefficient, ...]
    mpc_params: bytes  # section 10 verbatim: csHash and the contribution transcript

    @property
    def n_vars(self) -> int:
        return self.proving_key.n_wires

    @property
    def n_public(self) -> int:
        return self.proving_key.n_public

    @property
    def domain_size(self) -> int:
        return self.proving_key.domain_size


def zkey_digest(n_vars: int, n_public: int, domain_size: int, coefficient_section: bytes) -> str:
    h = sha3.keccak_256(b"zktrade/zkey/v1")
    for v in (n_vars, n_public, domain_size):
        h.update(v.to_bytes(8, "big"))
    h.update(coefficient_section)
    return "zkey:" + h.hexdigest()


_COEFF_DTYPE = np.dtype([("matrix", "<u4"), ("row", "<u4"), ("wire", "<u4"), ("value", "<u8", (4,))])
_R_LIMBS = tuple((R >> (64 * k)) & (2**64 - 1) for k in range(4))


class Coefficients(Sequence):
    """Section 4 as the file holds it: a read-only sequence of (matrix, row, wire, value) with
    the plain value, converted when asked for. `arrays()` gives the prover the columns and
    the stored values v·R² mod r (limbs) without a per-entry Python object."""

    __slots__ = ("_entries", "_section")

    def __init__(self, section: bytes):
        self._section = bytes(section)
        self._entries = np.frombuffer(self._section, dtype=_COEFF_DTYPE, offset=4)

    def __len__(self) -> int:
        return len(self._entries)

    def section_bytes(self) -> bytes:
        return self._section

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(matrix, row, wire) as int64 arrays and the stored values v·R² mod r as (m, 4) uint64."""
        e = self._entries
        return (e["matrix"].astype(np.int64), e["row"].astype(np.int64), e["wire"].astype(np.int64),
                np.ascontiguousarray(e["value"], dtype=np.uint64))

    def _entry(self, k: int) -> Coefficient:
        m, row, wire, value = self._entries[k].tolist()
        stored = sum(int(limb) << (64 * i) for i, limb in enumerate(value))
        return (m, row, wire, stored * _R2_INV % R)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self._entry(k) for k in range(len(self))[index])
        return self._entry(range(len(self))[index])

    def __iter__(self) -> Iterator[Coefficient]:
        return (self._entry(k) for k in range(len(self)))

    def __eq__(self, other) -> bool:
        if isinstance(other, Coefficients):
            return self._section == other._section
        if isinstance(other, (tuple, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Coefficients({len(self)} entries)"


def _first_true(mask: np.ndarray) -> int:
    found = np.flatnonzero(mask)
    return int(found[0]) if len(found) else len(mask)


def _read_coefficients(data, n_vars: int, domain_size: int, what: str) -> Coefficients:
    """Section 4, checked entry by entry as a whole (the first bad entry is the one named)."""
    cur = Cursor(data, f"{what} coefficients")
    count = cur.u32()
    if len(data) != 4 + count * _COEFF_SIZE:
        raise MalformedInput(
            f"{what}: the coefficient section says {count} entries ({4 + count * _COEFF_SIZE} bytes) but has {len(data)} bytes"
        )
    coefficients = Coefficients(data)
    e = coefficients._entries
    misplaced = _first_true((e["matrix"] > MATRIX_B) | (e["row"] >= domain_size) | (e["wire"] >= n_vars))
    values = e["value"]
    greater = np.zeros(count, dtype=bool)
    equal = np.ones(count, dtype=bool)
    for k in (3, 2, 1, 0):
        limb, r = values[:, k], np.uint64(_R_LIMBS[k])
        greater |= equal & (limb > r)
        equal &= limb == r
    too_big = _first_true(greater | equal)
    if misplaced < count and misplaced <= too_big:
        matrix, row, wire = (int(e[f][misplaced]) for f in ("matrix", "row", "wire"))
        raise MalformedInput(
            f"{what}: coefficient {misplaced} (matrix {matrix}, row {row}, wire {wire}) is outside "
            f"A/B × {domain_size} rows × {n_vars} wires"
        )
    if too_big < count:
        x = sum(int(limb) << (64 * i) for i, limb in enumerate(values[too_big]))
        raise MalformedInput(f"{what} coefficients: coefficient {too_big} = {x} is not below {prime_name(R)}")
    return coefficients


def decode_zkey(data: bytes, what: str = "zkey") -> Zkey:
    """Parse and validate a Groth16 .zkey: primes, sizes, every point on its curve.

    The point sections stay arrays over the file's bytes (`LemPoints`): nothing per point is
    made in Python unless a caller asks for points one by one."""
    f = parse_container(writable_view(data), MAGIC, (VERSION,), what)
    head = Cursor(f.section(HEADER, what), f"{what} header")
    protocol = head.u32()
    head.end()
    if protocol != GROTH16:
        name = PROTOCOLS.get(protocol, f"unknown protocol {protocol}")
        raise MalformedInput(f"{what}: a {name} key; zktrade proves Groth16 (make the key with `snarkjs groth16 setup`)")
    g = Cursor(f.section(GROTH_HEADER, what), f"{what} Groth16 header")
    g.prime(Q, "base field")
    g.prime(R, "scalar field")
    n_vars, n_public, domain_size = g.u32(), g.u32(), g.u32()
    if not 0 <= n_public < n_vars:
        raise MalformedInput(f"{what}: {n_public} public inputs do not fit {n_vars} wires")
    if domain_size < n_public + 1 or domain_size & (domain_size - 1):
        raise MalformedInput(f"{what}: domain size {domain_size} is not a power of two above the public inputs")
    alpha_g1, beta_g1 = take_g1(g, 2, "α₁, β₁")
    beta_g2, gamma_g2 = take_g2(g, 2, "β₂, γ₂")
    (delta_g1,) = take_g1(g, 1, "δ₁")
    (delta_g2,) = take_g2(g, 1, "δ₂")
    g.end()
    for name, p in (("beta_g2", beta_g2), ("gamma_g2", gamma_g2), ("delta_g2", delta_g2)):
        if not g2_in_subgroup(p):
            raise MalformedInput(f"{what}: {name} is not in the order-r subgroup of G2")

    def points(kind: int, count: int, size: int, label: str) -> list:
        body = f.section(kind, what)
        if len(body) != count * size:
            raise MalformedInput(f"{what}: section {kind} ({label}) has {len(body)} bytes, expected {count} points ({count * size} bytes)")
        return decode_lem_array(G1 if size == G1_SIZE else G2, body, f"{what}: {label}")

    coefficient_section = f.section(COEFFS, what)
    mpc = bytes(f.section(MPC, what))
    if len(mpc) < 68:
        raise MalformedInput(f"{what}: the MPC section ({len(mpc)} bytes) is shorter than a circuit hash and a count")
    vk = VerifyingKey(
        alpha_g1=alpha_g1,
        beta_g2=beta_g2,
        gamma_g2=gamma_g2,
        delta_g2=delta_g2,
        gamma_abc_g1=tuple(points(IC, n_public + 1, G1_SIZE, "IC")),  # small: the verifier's tuples
    )
    pk = ProvingKey(
        vk=vk,
        beta_g1=beta_g1,
        delta_g1=delta_g1,
        a_query=points(A, n_vars, G1_SIZE, "A"),
        b_g1_query=points(B1, n_vars, G1_SIZE, "B1"),
        b_g2_query=points(B2, n_vars, G2_SIZE, "B2"),
        h_query=points(H, domain_size, G1_SIZE, "H"),
        l_query=points(C, n_vars - n_public - 1, G1_SIZE, "C"),
        domain_size=domain_size,
        reduction=CircomReduction.name,
        circuit_digest=zkey_digest(n_vars, n_public, domain_size, bytes(coefficient_section)),
    )
    return Zkey(pk, _read_coefficients(coefficient_section, n_vars, domain_size, what), mpc)


def encode_coefficients(coefficients: Sequence[Coefficient]) -> bytes:
    if isinstance(coefficients, Coefficients):
        return coefficients.section_bytes()
    return u32(len(coefficients)) + b"".join(
        u32(m) + u32(row) + u32(wire) + field_bytes(v * _R2 % R) for m, row, wire, v in coefficients
    )


def encode_zkey(zkey: Zkey, order: Sequence[int] = NUMERIC_ORDER) -> bytes:
    """The .zkey's bytes, sections in `order` (snarkjs reads them by type, in any order)."""
    pk, vk = zkey.proving_key, zkey.proving_key.vk
    if pk.reduction != CircomReduction.name:
        raise MalformedInput(f"a .zkey holds circom-reduction keys; this key uses the {pk.reduction!r} reduction")
    groth_header = b"".join(
        [
            u32(32), field_bytes(Q), u32(32), field_bytes(R),
            u32(pk.n_wires), u32(pk.n_public), u32(pk.domain_size),
            encode_g1_lem([vk.alpha_g1, pk.beta_g1]),
            encode_g2_lem([vk.beta_g2, vk.gamma_g2]),
            encode_g1_lem([pk.delta_g1]),
            encode_g2_lem([vk.delta_g2]),
        ]
    )
    sections = {
        HEADER: u32(GROTH16),
        GROTH_HEADER: groth_header,
        IC: encode_g1_lem(vk.gamma_abc_g1),
        COEFFS: encode_coefficients(zkey.coefficients),
        A: encode_g1_lem(pk.a_query),
        B1: encode_g1_lem(pk.b_g1_query),
        B2: encode_g2_lem(pk.b_g2_query),
        C: encode_g1_lem(pk.l_query),
        H: encode_g1_lem(pk.h_query),
        MPC: zkey.mpc_params,
    }
    if sorted(order) != sorted(sections):
        raise ValueError(f"a section order lists each of the sections 1..10 once, got {list(order)}")
    return encode_container(MAGIC, VERSION, [(kind, sections[kind]) for kind in order])


def qap_coefficients(r1cs: R1CS) -> tuple[Coefficient, ...]:
    """The circom QAP's A and B rows in snarkjs's order: per constraint A then B, then A = wᵢ."""
    out: list[Coefficient] = []
    for j, con in enumerate(r1cs.constraints):
        out += [(MATRIX_A, j, w, v) for w, v in con.a]
        out += [(MATRIX_B, j, w, v) for w, v in con.b]
    out += [(MATRIX_A, r1cs.n_constraints + i, i, 1) for i in range(r1cs.n_public + 1)]
    return tuple(out)


def zkey_from_proving_key(pk: ProvingKey, r1cs: R1CS, mpc_params: bytes) -> Zkey:
    """A .zkey for one of our circom-reduction keys (the digest becomes the zkey digest)."""
    if pk.reduction != CircomReduction.name or pk.domain_size != qap_domain(r1cs).size:
        raise MalformedInput("only keys made with the circom reduction for this circuit can be written as .zkey")
    coefficients = qap_coefficients(r1cs)
    digest = zkey_digest(pk.n_wires, pk.n_public, pk.domain_size, encode_coefficients(coefficients))
    return Zkey(replace(pk, circuit_digest=digest), coefficients, mpc_params)


def write_zkey(path: str | Path, zkey: Zkey, order: Sequence[int] = NUMERIC_ORDER) -> None:
    write_bytes(path, encode_zkey(zkey, order))


def read_zkey(path: str | Path) -> Zkey:
    return decode_zkey(read_buffer(path, "zkey"), f"zkey {path}")
