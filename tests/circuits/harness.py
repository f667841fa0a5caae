"""One harness for gadget tests: wrap a gadget in a statement, solve it, count its constraints.

`gadget_circuit(f, n_in, n_out)` is the statement "f(x) = y" with x private and y public, so a
witness exists exactly when the gadget computes the expected outputs on x: comparing it with the
native twin is `accepts(c, x, native(x))`.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from circuits.dsl import Api, Statement, Value, Var
from zk.errors import Unsatisfied


@dataclass(frozen=True)
class Outputs:
    y: list[Var]


@dataclass(frozen=True)
class Inputs:
    x: list[Var]


def gadget_circuit(f: Callable[[Api, list[Var]], Sequence[Value] | Value], n_in: int, n_out: int = 1,
                   name: str = "gadget") -> Statement:
    def define(api: Api, pub: Outputs, priv: Inputs) -> None:
        out = f(api, priv.x)
        out = list(out) if isinstance(out, (list, tuple)) else [out]
        for o, y in zip(out, pub.y, strict=True):
            api.assert_equal(o, y)

    return Statement(name, f"test wrapper of {name}", Outputs, Inputs, define, lambda pub: list(pub.y),
                     sizes={"x": n_in, "y": n_out})


def solve(c: Statement, x: Sequence[int], y: Sequence[int], hint_hook=None) -> list[int]:
    """The witness of f(x) = y, cross-checked against the compiled R1CS."""
    w = c.witness({"x": list(x), "y": list(y)}, hint_hook)
    c.r1cs.check(w)
    return w


def accepts(c: Statement, x: Sequence[int], y: Sequence[int], hint_hook=None) -> bool:
    try:
        solve(c, x, y, hint_hook)
    except Unsatisfied:
        return False
    return True


def gadget_cost(f: Callable[[Api, list[Var]], object], n_in: int, n_out: int = 1) -> int:
    """Constraints of f alone: the wrapper's n_out output equalities subtracted."""
    return gadget_circuit(f, n_in, n_out).r1cs.n_constraints - n_out
