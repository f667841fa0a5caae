"""Values of a circuit: `Var` (a linear combination of wires, or its value while solving) and ints.

Linear operations are free and written with operators (`a + b`, `a - 3`, `5 * a`, `-a`); a
product of two variables costs a constraint, so `a * b` of two variables raises (gnark's
frontend keeps the same line between free linear expressions and the constraint API).
"""

from collections.abc import Iterable
from typing import Union

from zk.field import R
from zk.r1cs import LinearCombination, lc

class Var:
    """A linear combination of wires: `lc` {wire: coeff} when compiling, `value` when solving."""

    __slots__ = ("lc", "value")

    def __init__(self, lc: dict[int, int] | None, value: int | None):
        self.lc = lc
        self.value = value

    def __add__(self, other: "Value") -> "Value":
        return linear(((1, self), (1, other)))

    __radd__ = __add__

    def __sub__(self, other: "Value") -> "Value":
        return linear(((1, self), (-1, other)))

    def __rsub__(self, other: "Value") -> "Value":
        return linear(((1, other), (-1, self)))

    def __neg__(self) -> "Value":
        return linear(((-1, self),))

    def __mul__(self, other: "Value") -> "Value":
        if isinstance(other, Var):
            raise TypeError("a product of two variables costs a constraint: write api.mul(a, b)")
        return linear(((other, self),))

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        raise TypeError("circuit variables cannot be compared in Python: use api.assert_equal or api.is_equal")

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        raise TypeError("a circuit variable has no truth value while compiling: use api.select / api.is_zero")

    def __repr__(self) -> str:
        return f"Var(value={self.value})" if self.lc is None else f"Var({self.lc})"


Value = Union[Var, int]


def linear(terms: Iterable[tuple[int, Value]]) -> Value:
    """Σ k·x over (k, x) pairs: an int if every x is an int, else a Var in the same mode as its inputs."""
    const = 0
    variables: list[tuple[int, Var]] = []
    for k, x in terms:
        if isinstance(x, Var):
            variables.append((k, x))
        else:
            const += k * x
    if not variables:
        return const % R
    if variables[0][1].lc is None:  # solving: values only
        return Var(None, (const + sum(k * x.value for k, x in variables)) % R)
    out: dict[int, int] = {0: const % R} if const % R else {}
    for k, x in variables:
        for wire, c in x.lc.items():
            v = (out.get(wire, 0) + k * c) % R
            if v:
                out[wire] = v
            else:
                out.pop(wire, None)
    return Var(out, None)


def value_of(x: Value) -> int:
    """The value of x while solving (a constant's own value)."""
    return x.value if isinstance(x, Var) else x % R


def signed(v: int) -> str:
    """A field element as a readable integer: values above r/2 shown as negative (r - 1 is -1)."""
    v %= R
    return str(v - R) if v > R // 2 else str(v)


def as_lc(x: Value) -> LinearCombination:
    """x as the R1CS sparse form (compiling only): a constant sits on wire 0."""
    if isinstance(x, Var):
        return lc(x.lc)
    return ((0, x % R),) if x % R else ()
