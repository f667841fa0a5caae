"""Hand-written R1CS fixtures: small systems whose every wire is visible, for tests and demos."""

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from zk.errors import MalformedInput
from zk.field import R, canonical_fr
from zk.r1cs import R1CS, Constraint, lc


@dataclass
class FixtureCircuit:
    """An R1CS with a solver mapping named inputs to the full witness."""

    name: str
    description: str
    r1cs: R1CS
    public_names: list[str]
    input_names: list[str]
    solve: Callable[[dict[str, int]], list[int]]
    example: dict[str, int] = field(default_factory=dict)

    def witness(self, inputs: Mapping[str, object]) -> list[int]:
        if not isinstance(inputs, Mapping):  # an input file is untrusted: it may hold any JSON value
            raise MalformedInput(f"circuit {self.name} takes an object of named inputs, got {type(inputs).__name__}")
        missing = [n for n in self.input_names if n not in inputs]
        extra = [n for n in inputs if n not in self.input_names]
        if missing or extra:
            raise MalformedInput(
                f"circuit {self.name} takes inputs {self.input_names}; "
                f"missing {missing}, unexpected {extra}"
            )
        values = {n: canonical_fr(inputs[n] if not isinstance(inputs[n], str) else inputs[n], n)
                  for n in self.input_names}
        return self.solve(values)

    def example_inputs(self) -> dict[str, int]:
        return dict(self.example)

    def breakdown(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for j in range(self.r1cs.n_constraints):
            key = (self.r1cs.label(j) or self.name).split("/")[0]
            counts[key] = counts.get(key, 0) + 1
        return list(counts.items())


def cubic() -> FixtureCircuit:
    """x³ + x + 5 = y (Vitalik's QAP example). Wires: 1 y (public), 2 x, 3 x², 4 x³."""
    r1cs = R1CS(
        n_wires=5,
        n_public=1,
        constraints=(
            Constraint(lc({2: 1}), lc({2: 1}), lc({3: 1})),
            Constraint(lc({3: 1}), lc({2: 1}), lc({4: 1})),
            Constraint(lc({4: 1, 2: 1, 0: 5}), lc({0: 1}), lc({1: 1})),
        ),
        labels=("cubic/square", "cubic/cube", "cubic/sum"),
        wire_names=("one", "y", "x", "x2", "x3"),
    )

    def solve(v: dict[str, int]) -> list[int]:
        x = v["x"]
        return [1, (x**3 + x + 5) % R, x, x * x % R, x**3 % R]

    return FixtureCircuit("cubic", "x³ + x + 5 = y", r1cs, ["y"], ["x"], solve, {"x": 3})


def random_gates(n_gates: int, n_public: int, seed: int) -> FixtureCircuit:
    """A chain of multiplication gates with random coefficients.

    Wires: 0 one, 1..n_public public outputs, then the secret start value s and n_gates
    intermediates t_k = (c_k·t_{k-1} + d_k)·(t_{k-1} + e_k); output i is t at gate i·step.
    """
    rng = random.Random(seed)
    first_private = n_public + 1
    s = first_private
    t0 = s + 1
    coefficients = [(rng.randrange(1, R), rng.randrange(R), rng.randrange(R)) for _ in range(n_gates)]
    constraints, labels = [], []
    prev = s
    for k, (c, d, e) in enumerate(coefficients):
        constraints.append(Constraint(lc({prev: c, 0: d}), lc({prev: 1, 0: e}), lc({t0 + k: 1})))
        labels.append(f"gates/gate {k}")
        prev = t0 + k
    step = max(1, n_gates // max(1, n_public))
    taps = [min(n_gates - 1, (i + 1) * step - 1) for i in range(n_public)]
    for i, k in enumerate(taps):
        constraints.append(Constraint(lc({t0 + k: 1}), lc({0: 1}), lc({1 + i: 1})))
        labels.append(f"outputs/out {i}")
    r1cs = R1CS(
        n_wires=t0 + n_gates,
        n_public=n_public,
        constraints=tuple(constraints),
        labels=tuple(labels),
    )

    def solve(v: dict[str, int]) -> list[int]:
        t = [v["s"]]
        for c, d, e in coefficients:
            t.append((c * t[-1] + d) * (t[-1] + e) % R)
        gates = t[1:]
        return [1, *(gates[k] for k in taps), v["s"], *gates]

    name = f"gates{n_gates}x{n_public}"
    return FixtureCircuit(
        name,
        f"{n_gates} random multiplication gates, {n_public} public outputs",
        r1cs,
        [f"out{i}" for i in range(n_public)],
        ["s"],
        solve,
        {"s": 7},
    )


def free_publics(n_public: int) -> FixtureCircuit:
    """n public inputs that take any values: each is squared into a private wire (x_i·x_i = s_i).

    Stands in for a protocol circuit with the same public-input count when testing contracts:
    the proofs are real, and any change to a public input makes them fail.
    """
    first_private = n_public + 1
    r1cs = R1CS(
        n_wires=first_private + n_public,
        n_public=n_public,
        constraints=tuple(
            Constraint(lc({1 + i: 1}), lc({1 + i: 1}), lc({first_private + i: 1})) for i in range(n_public)
        ),
        labels=tuple(f"squares/x{i}" for i in range(n_public)),
    )
    names = [f"x{i}" for i in range(n_public)]

    def solve(v: dict[str, int]) -> list[int]:
        xs = [v[n] for n in names]
        return [1, *xs, *(x * x % R for x in xs)]

    return FixtureCircuit(
        f"free_publics{n_public}",
        f"{n_public} unconstrained public inputs (contract tests)",
        r1cs,
        names,
        names,
        solve,
        {n: i + 1 for i, n in enumerate(names)},
    )
