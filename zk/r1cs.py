"""Rank-1 constraint systems: ⟨A_j, w⟩·⟨B_j, w⟩ = ⟨C_j, w⟩ for every constraint j.

Wire layout (circom's): wire 0 is the constant one, wires 1..n_public are the public inputs
(circom's outputs first, then its public inputs), the rest are private. Linear combinations
are sparse: tuples of (wire, coefficient) with coefficients in [1, r).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import sha3

from .errors import MalformedInput, Unsatisfied
from .field import R

LinearCombination = tuple[tuple[int, int], ...]


def lc(terms: Mapping[int, int] | Iterable[tuple[int, int]]) -> LinearCombination:
    """Canonical sparse linear combination: merged by wire, reduced mod r, zeros dropped, sorted."""
    merged: dict[int, int] = {}
    items = terms.items() if isinstance(terms, Mapping) else terms
    for wire, coeff in items:
        merged[wire] = (merged.get(wire, 0) + coeff) % R
    return tuple(sorted((w, c) for w, c in merged.items() if c))


def evaluate(combination: LinearCombination, witness: Sequence[int]) -> int:
    return sum(c * witness[w] for w, c in combination) % R


@dataclass(frozen=True)
class Constraint:
    a: LinearCombination
    b: LinearCombination
    c: LinearCombination


@dataclass(frozen=True)
class R1CS:
    """A constraint system; `labels[j]` (optional) names where constraint j came from."""

    n_wires: int
    n_public: int
    constraints: tuple[Constraint, ...]
    labels: tuple[str, ...] = field(default=(), compare=False)
    wire_names: tuple[str, ...] = field(default=(), compare=False)
    _digest: list = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.n_wires < 1 or not 0 <= self.n_public < self.n_wires:
            raise MalformedInput(
                f"R1CS needs wire 0 (the constant one) and n_public < n_wires; "
                f"got n_wires={self.n_wires}, n_public={self.n_public}"
            )
        if self.labels and len(self.labels) != len(self.constraints):
            raise MalformedInput("R1CS labels must name every constraint or none")
        for j, con in enumerate(self.constraints):
            for part in (con.a, con.b, con.c):
                for wire, coeff in part:
                    if not 0 <= wire < self.n_wires or not 0 < coeff < R:
                        raise MalformedInput(
                            f"constraint {j}: term ({wire}, {coeff}) has a wire outside "
                            f"[0, {self.n_wires}) or a coefficient outside [1, r)"
                        )

    @property
    def n_constraints(self) -> int:
        return len(self.constraints)

    @property
    def n_private(self) -> int:
        return self.n_wires - 1 - self.n_public

    def label(self, j: int) -> str:
        return self.labels[j] if self.labels else ""

    def wire_name(self, i: int) -> str:
        return self.wire_names[i] if self.wire_names else f"w{i}"

    def digest(self) -> str:
        """keccak256 of a canonical encoding: binds keys and witnesses to this exact system."""
        if not self._digest:
            h = sha3.keccak_256()
            h.update(b"zktrade/r1cs/v1")
            for v in (self.n_wires, self.n_public, len(self.constraints)):
                h.update(v.to_bytes(8, "big"))
            for con in self.constraints:
                for part in (con.a, con.b, con.c):
                    h.update(len(part).to_bytes(4, "big"))
                    for wire, coeff in part:
                        h.update(wire.to_bytes(4, "big") + coeff.to_bytes(32, "big"))
            self._digest.append(h.hexdigest())
        return self._digest[0]

    def check_witness_shape(self, witness: Sequence[int]) -> None:
        """Length n_wires, wire 0 equal to one, every value canonical in Fr."""
        if len(witness) != self.n_wires:
            raise MalformedInput(
                f"witness has {len(witness)} values but the circuit has {self.n_wires} wires"
            )
        if witness[0] != 1:
            raise MalformedInput(f"witness wire 0 must be the constant 1, got {witness[0]}")
        for i, v in enumerate(witness):
            if not isinstance(v, int) or not 0 <= v < R:
                raise MalformedInput(f"witness value of {self.wire_name(i)} is not in [0, r): {v}")

    def first_unsatisfied(self, witness: Sequence[int]) -> int | None:
        for j, con in enumerate(self.constraints):
            if evaluate(con.a, witness) * evaluate(con.b, witness) % R != evaluate(con.c, witness):
                return j
        return None

    def check(self, witness: Sequence[int]) -> None:
        """Raise Unsatisfied naming the first failing constraint and its values."""
        self.check_witness_shape(witness)
        j = self.first_unsatisfied(witness)
        if j is None:
            return
        con = self.constraints[j]
        a, b, c = (evaluate(p, witness) for p in (con.a, con.b, con.c))
        where = f"{self.label(j)}: " if self.label(j) else ""
        raise Unsatisfied(
            f"{where}constraint {j} unsatisfied: a·b = {a * b % R} (a = {a}, b = {b}), c = {c}", j
        )

    def is_satisfied(self, witness: Sequence[int]) -> bool:
        try:
            self.check(witness)
        except (Unsatisfied, MalformedInput):
            return False
        return True

    def public_inputs(self, witness: Sequence[int]) -> list[int]:
        return list(witness[1 : 1 + self.n_public])
