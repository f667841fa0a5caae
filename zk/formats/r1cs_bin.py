"""circom's binary constraint system, .r1cs (iden3 container, magic "r1cs", version 1).

  section 1 header:      n8 u32 | prime | n_wires u32 | n_outputs u32 | n_pub_inputs u32
                         | n_prv_inputs u32 | n_labels u64 | n_constraints u32
  section 2 constraints: per constraint, A then B then C: n_terms u32, n_terms × (wire u32 | coeff)
  section 3 wire→label:  n_wires × label id u64
Coefficients are plain (not Montgomery) little-endian elements of Fr. circom's wire order is
ours: wire 0 is one, then the outputs, the public inputs, the private inputs, the rest.
Custom-gate sections (4, 5; PLONK only) are refused: they have no Groth16 meaning.
"""

from dataclasses import dataclass
from pathlib import Path

from ..errors import MalformedInput
from ..field import R
from ..r1cs import R1CS, Constraint, LinearCombination, lc
from .iden3 import Cursor, encode_container, field_bytes, parse_container, read_bytes, u32, u64, write_bytes

MAGIC = b"r1cs"
VERSION = 1
HEADER, CONSTRAINTS, WIRE_LABELS = 1, 2, 3
CUSTOM_GATE_SECTIONS = (4, 5)


@dataclass(frozen=True)
class R1csFile:
    """A .r1cs file's content: the constraint system and circom's input/label bookkeeping."""

    r1cs: R1CS
    n_outputs: int
    n_pub_inputs: int
    n_prv_inputs: int
    n_labels: int
    wire_labels: tuple[int, ...]


def _read_lc(cur: Cursor, n_wires: int, j: int, part: str) -> LinearCombination:
    terms = []
    for _ in range(cur.u32()):
        wire = cur.u32()
        if wire >= n_wires:
            raise MalformedInput(f"{cur.what}: constraint {j} {part} uses wire {wire}, but there are {n_wires} wires")
        terms.append((wire, cur.element(R, f"constraint {j} {part} coefficient")))
    return lc(terms)


def decode_r1cs(data: bytes, what: str = "r1cs") -> R1csFile:
    """Parse and validate a .r1cs file (BN254 prime, counts, every wire index and coefficient)."""
    f = parse_container(data, MAGIC, (VERSION,), what)
    for kind in CUSTOM_GATE_SECTIONS:
        if f.has(kind):
            raise MalformedInput(f"{what}: uses circom custom gates (PLONK only); Groth16 cannot prove it")
    head = Cursor(f.section(HEADER, what), f"{what} header")
    head.prime(R)
    n_wires, n_outputs, n_pub, n_prv = head.u32(), head.u32(), head.u32(), head.u32()
    n_labels, n_constraints = head.u64(), head.u32()
    head.end()
    n_public = n_outputs + n_pub
    if n_wires < 1 or n_public + n_prv >= n_wires:
        raise MalformedInput(
            f"{what} header: {n_wires} wires cannot hold the constant one, {n_public} public and {n_prv} private inputs"
        )
    cur = Cursor(f.section(CONSTRAINTS, what), f"{what} constraints")
    constraints = []
    for j in range(n_constraints):
        a, b, c = (_read_lc(cur, n_wires, j, part) for part in "ABC")
        constraints.append(Constraint(a, b, c))
    cur.end()
    labels = Cursor(f.section(WIRE_LABELS, what), f"{what} wire labels")
    wire_labels = tuple(labels.u64() for _ in range(n_wires))
    labels.end()
    r1cs = R1CS(n_wires=n_wires, n_public=n_public, constraints=tuple(constraints))
    return R1csFile(r1cs, n_outputs, n_pub, n_prv, n_labels, wire_labels)


def _lc_bytes(part: LinearCombination) -> bytes:
    return u32(len(part)) + b"".join(u32(w) + field_bytes(c) for w, c in part)


def encode_r1cs(file: R1csFile) -> bytes:
    r1cs = file.r1cs
    header = b"".join(
        [
            u32(32),
            field_bytes(R),
            u32(r1cs.n_wires),
            u32(file.n_outputs),
            u32(file.n_pub_inputs),
            u32(file.n_prv_inputs),
            u64(file.n_labels),
            u32(r1cs.n_constraints),
        ]
    )
    body = b"".join(_lc_bytes(p) for con in r1cs.constraints for p in (con.a, con.b, con.c))
    labels = b"".join(u64(label) for label in file.wire_labels)
    return encode_container(MAGIC, VERSION, [(HEADER, header), (CONSTRAINTS, body), (WIRE_LABELS, labels)])


def r1cs_file(r1cs: R1CS, n_outputs: int = 0, n_prv_inputs: int = 0) -> R1csFile:
    """Our constraint system as circom would describe it; labels are the identity (wire i → i)."""
    if not 0 <= n_outputs <= r1cs.n_public:
        raise ValueError(f"n_outputs must be in [0, {r1cs.n_public}] (the public wires), got {n_outputs}")
    if not 0 <= n_prv_inputs <= r1cs.n_private:
        raise ValueError(f"n_prv_inputs must be in [0, {r1cs.n_private}], got {n_prv_inputs}")
    return R1csFile(
        r1cs=r1cs,
        n_outputs=n_outputs,
        n_pub_inputs=r1cs.n_public - n_outputs,
        n_prv_inputs=n_prv_inputs,
        n_labels=r1cs.n_wires,
        wire_labels=tuple(range(r1cs.n_wires)),
    )


def write_r1cs(path: str | Path, r1cs: R1CS, n_outputs: int = 0) -> None:
    """Write `r1cs` as circom's .r1cs; the first `n_outputs` public wires are outputs."""
    write_bytes(path, encode_r1cs(r1cs_file(r1cs, n_outputs)))


def read_r1cs(path: str | Path) -> R1csFile:
    return decode_r1cs(read_bytes(path, "r1cs"), f"r1cs {path}")
