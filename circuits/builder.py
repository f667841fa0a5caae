"""The circuit DSL: write a statement once in Python, get its R1CS (for setup) and witnesses (for proving).

Modelled on gnark's frontend. A statement is a pair of frozen dataclasses (its public and its
private inputs), one `define_x(api, pub, priv)` body and one `public_inputs(pub)` listing the
public fields in order — the only place that order is fixed:

    @dataclass(frozen=True)
    class CubePublic:
        y: Var

    @dataclass(frozen=True)
    class CubePrivate:
        x: Var

    def define_cube(api: Api, pub: CubePublic, priv: CubePrivate) -> None:
        x2 = api.mul(priv.x, priv.x)                     # 1 constraint
        api.assert_equal(api.mul(x2, priv.x) + priv.x + 5, pub.y)   # 2 constraints

    def public_inputs(pub: CubePublic) -> list:
        return [pub.y]

    cube = Statement("cube", "x³ + x + 5 = y", CubePublic, CubePrivate, define_cube, public_inputs,
                     example=lambda: (CubePublic(y=35), CubePrivate(x=3)))
    cube.r1cs                                  # zk.r1cs.R1CS, labelled per constraint: "cube"
    cube.witness({"y": 35, "x": 3})            # list[int] (values may be ints or decimal/0x strings)
    cube.witness_for(CubePublic(35), CubePrivate(3))   # the same, from the dataclasses
    cube.public_inputs(CubePublic(35))         # [35]: the verifier's public vector
    cube.breakdown()                           # constraints per gadget path (`zktrade circuit info`)

A witness that breaks a constraint raises zk.errors.Unsatisfied naming the gadget path, the
operation and the values, e.g. `leg/note/merkle: constraint 5871 (assert_equal) unsatisfied:
a·b = 5 (a = 5, b = 1), c = 0; left = 12, right = 7`. Register a statement with
`circuits.registry.register(name, description)(factory)` and the CLI (setup, prove, circuit
info, circuit export) works on it.

The same `define` runs in two modes: compiling (variables carry linear combinations, constraints
are recorded) and solving (variables carry values, every constraint is checked as it is made, so
an unsatisfied one raises at the line of the circuit that made it). `public_inputs` is a plain
function of the dataclass, so the protocol calls it on ints to get the verifier's public vector.

Values in a circuit are `Var` (a linear combination of wires) or Python ints (constants, taken
mod r). Linear operations are free and written with operators: `a + b`, `a - 3`, `5 * a`, `-a`.
A product of two variables costs one constraint and is written `api.mul(a, b)` (`a * b` of two
variables raises TypeError, so every constraint is visible). Constants fold: `api.mul(3, a)` and
`api.mul(2, 3)` cost nothing; `api.assert_equal(2, 3)` fails at once. Conditions on variables
(`if a == b`) raise: use `api.is_equal`, `api.select`.

The `Api` (costs in constraints; "bit" means the caller has made it boolean):
  add(a, b, ...), sub(a, b), neg(a)      0        linear combinations
  mul(a, b, ...)                         1 per product of two variables, 0 with a constant
  div(a, b)                              1        q with q·b = a; b must be non-zero (if a = b = 0
                                                  q is free: call assert_nonzero(b) if a prover
                                                  could choose b = 0); 0 when b is a constant
  inverse(a)                             1        a⁻¹, and proves a ≠ 0
  assert_nonzero(a)                      1
  assert_equal(a, b)                     1        (0 if both are constants: checked at once)
  assert_bool(a)                         1        a·a = a
  to_bits(a, n)                          n + 1    little-endian bits, each forced boolean, and
                                                  Σ 2^i·b_i = a, so a < 2^n (n ≤ 253: no wrap mod r)
  from_bits(bits)                        0        Σ 2^i·b_i (does not check the bits)
  select(bit, a, b)                      1        bit ? a : b (0 if bit or a - b is a constant)
  is_zero(a)                             2        1 if a = 0 else 0 (circomlib's IsZero), boolean
  is_equal(a, b)                         2        is_zero(a - b)
  hint(fn, *inputs, n_out=1)             0        n_out new unconstrained variables computed by
                                                  fn(*input values) -> list[int] when solving;
                                                  the caller MUST constrain them, with a comment
                                                  saying why the constraints pin them down
  scope(name)                                     `with api.scope("merkle"):` labels constraints
                                                  "statement/merkle/..." for errors and breakdowns

Wire order: wire 0 is the constant one, then the public inputs in `public_inputs` order, then the
private inputs in field order (lists element by element), then internal wires. A field listed in
`sizes` is a list of that many variables (Merkle siblings, path bits); every other field is one.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from functools import cached_property
from typing import Any, Union

from zk.errors import MalformedInput, Unsatisfied
from zk.field import R, canonical_fr
from zk.r1cs import R1CS, Constraint, LinearCombination, lc

MAX_BITS = 253  # 2^253 < r < 2^254: a 253-bit decomposition cannot wrap around the modulus


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


def _as_lc(x: Value) -> LinearCombination:
    if isinstance(x, Var):
        return lc(x.lc)
    return ((0, x % R),) if x % R else ()


HintHook = Callable[[str, str, list[int]], list[int]]


class Api:
    """The builder handed to `define`: allocates wires, records or checks constraints."""

    def __init__(self, name: str, solving: bool, hint_hook: HintHook | None = None):
        self.solving = solving
        self._path: list[str] = [name]
        self._hint_hook = hint_hook
        self.n_wires = 1
        self.values: list[int] = [1]  # solving only
        self.wire_names: list[str] = ["one"]  # compiling only
        self.constraints: list[Constraint] = []  # compiling only
        self.labels: list[str] = []
        self.n_constraints = 0

    # -- scopes -----------------------------------------------------------------------------

    @property
    def path(self) -> str:
        return "/".join(self._path)

    @contextmanager
    def scope(self, name: str) -> Iterator[None]:
        """Label the constraints made inside with `.../name` (gadget paths in errors, breakdowns)."""
        if "/" in name:
            raise ValueError(f"scope names cannot contain '/': {name!r}")
        self._path.append(name)
        try:
            yield
        finally:
            self._path.pop()

    # -- wires and constraints ----------------------------------------------------------------

    def _new_wire(self, name: str, value: int | None) -> Var:
        wire = self.n_wires
        self.n_wires += 1
        if self.solving:
            self.values.append(value % R)
            return Var(None, value % R)
        self.wire_names.append(name)
        return Var({wire: 1}, None)

    def _constrain(self, a: Value, b: Value, c: Value, op: str, detail: Callable[[], str] | None = None) -> None:
        """Record a·b = c (compiling) or check it (solving); `op` (and `detail`) explain a failure."""
        j = self.n_constraints
        self.n_constraints += 1
        if not self.solving:
            self.constraints.append(Constraint(_as_lc(a), _as_lc(b), _as_lc(c)))
            self.labels.append(self.path)
            return
        va, vb, vc = value_of(a), value_of(b), value_of(c)
        if va * vb % R != vc:
            raise Unsatisfied(
                f"{self.path}: constraint {j} ({op}) unsatisfied: "
                f"a·b = {signed(va * vb)} (a = {signed(va)}, b = {signed(vb)}), c = {signed(vc)}"
                + (f"; {detail()}" if detail else ""),
                j,
            )

    # -- arithmetic ---------------------------------------------------------------------------

    def add(self, a: Value, b: Value, *more: Value) -> Value:
        """a + b + ...: free."""
        return linear((1, x) for x in (a, b, *more))

    def sub(self, a: Value, b: Value) -> Value:
        """a - b: free."""
        return linear(((1, a), (-1, b)))

    def neg(self, a: Value) -> Value:
        """-a: free."""
        return linear(((-1, a),))

    def mul(self, a: Value, b: Value, *more: Value) -> Value:
        """a·b·...: one constraint per product of two variables; products with constants are free."""
        out = a
        for x in (b, *more):
            if not isinstance(out, Var) or not isinstance(x, Var):
                out = linear(((out, x),)) if isinstance(x, Var) else linear(((x, out),))
                continue
            prod = self._new_wire(f"{self.path}/mul", None if not self.solving else out.value * x.value)
            self._constrain(out, x, prod, "mul")
            out = prod
        return out

    def div(self, a: Value, b: Value) -> Value:
        """a / b: one constraint q·b = a (free if b is a constant). Precondition: b ≠ 0."""
        if not isinstance(b, Var):
            if b % R == 0:
                raise ZeroDivisionError(f"{self.path}: division by the constant 0")
            return linear(((pow(b, -1, R), a),))
        # A zero denominator gives q = 0, so the check below fails unless a = 0 as well.
        (q,) = self.hint(_quotient, a, b)
        self._constrain(q, b, a, "div")  # q·b = a pins q to a/b whenever b ≠ 0
        return q

    def inverse(self, a: Value) -> Value:
        """a⁻¹: one constraint a·inv = 1, which also proves a ≠ 0."""
        if not isinstance(a, Var):
            if a % R == 0:
                raise ZeroDivisionError(f"{self.path}: inverse of the constant 0")
            return pow(a, -1, R)
        (inv,) = self.hint(_inverse_or_zero, a)
        self._constrain(a, inv, 1, "inverse")  # has a solution exactly when a ≠ 0, and then inv = 1/a
        return inv

    def assert_nonzero(self, a: Value) -> None:
        """a ≠ 0: one constraint (a has an inverse)."""
        self.inverse(a)

    # -- assertions ---------------------------------------------------------------------------

    def assert_equal(self, a: Value, b: Value) -> None:
        """a = b: one constraint (a - b)·1 = 0; two constants are compared at once."""
        diff = linear(((1, a), (-1, b)))
        if not isinstance(diff, Var):
            if diff:
                raise Unsatisfied(f"{self.path}: constants differ: {value_of(a)} ≠ {value_of(b)}", -1)
            return
        self._constrain(diff, 1, 0, "assert_equal",
                        lambda: f"left = {signed(value_of(a))}, right = {signed(value_of(b))}")

    def assert_bool(self, a: Value) -> None:
        """a ∈ {0, 1}: one constraint a·a = a."""
        if not isinstance(a, Var):
            if a % R not in (0, 1):
                raise Unsatisfied(f"{self.path}: constant {a % R} is not a bit", -1)
            return
        self._constrain(a, a, a, "assert_bool")

    # -- bits ---------------------------------------------------------------------------------

    def to_bits(self, a: Value, n: int) -> list[Value]:
        """Little-endian bits of a, proving a < 2^n: n + 1 constraints (n booleans and the sum)."""
        if not 1 <= n <= MAX_BITS:
            raise ValueError(f"to_bits: n must be in [1, {MAX_BITS}] so the sum cannot wrap mod r, got {n}")
        if not isinstance(a, Var):
            if a % R >= 1 << n:
                raise Unsatisfied(f"{self.path}: constant {a % R} does not fit in {n} bits", -1)
            return [(a % R) >> i & 1 for i in range(n)]
        with self.scope("to_bits"):
            bits = self.hint(_low_bits, a, n, n_out=n)
            # Each bit is boolean and Σ 2^i·b_i = a with n ≤ 253 < log2 r: the sum is below r,
            # so the bits are the unique binary expansion of a, and a < 2^n.
            for bit in bits:
                self.assert_bool(bit)
            self.assert_equal(self.from_bits(bits), a)
        return bits

    def from_bits(self, bits: Sequence[Value]) -> Value:
        """Σ 2^i·bits[i]: free; does not check that the bits are boolean."""
        return linear((1 << i, b) for i, b in enumerate(bits))

    # -- selection and tests ------------------------------------------------------------------

    def select(self, bit: Value, a: Value, b: Value) -> Value:
        """bit ? a : b = b + bit·(a - b): one constraint (free if bit or a - b is constant).

        Precondition: bit is boolean (from to_bits, assert_bool, is_zero or a comparator)."""
        return linear(((1, b), (1, self.mul(bit, linear(((1, a), (-1, b)))))))

    def is_zero(self, a: Value) -> Value:
        """1 if a = 0 else 0, boolean by construction: two constraints (circomlib's IsZero)."""
        if not isinstance(a, Var):
            return int(a % R == 0)
        with self.scope("is_zero"):
            (inv,) = self.hint(_inverse_or_zero, a)
            out = linear(((1, 1), (-1, self.mul(a, inv))))  # out = 1 - a·inv
            # a·out = 0: if a ≠ 0 then out = 0 (so inv = 1/a); if a = 0 then out = 1 - 0 = 1.
            self._constrain(a, out, 0, "is_zero")
        return out

    def is_equal(self, a: Value, b: Value) -> Value:
        """1 if a = b else 0: two constraints."""
        return self.is_zero(linear(((1, a), (-1, b))))

    # -- hints --------------------------------------------------------------------------------

    def hint(self, fn: Callable[..., list[int]], *inputs: Value, n_out: int = 1) -> list[Var]:
        """n_out new wires set to fn(*input values) when solving; UNCONSTRAINED: constrain them.

        Inputs may be variables or ints (passed through as given, e.g. a bit count). A hint that
        raises ArithmeticError or ValueError becomes Unsatisfied naming this gadget path."""
        name = getattr(fn, "__name__", "hint")
        if not self.solving:
            return [self._new_wire(f"{self.path}/{name}[{i}]", None) for i in range(n_out)]
        args = [x.value if isinstance(x, Var) else x for x in inputs]
        try:
            out = [int(v) % R for v in fn(*args)]
        except (ArithmeticError, ValueError) as e:
            raise Unsatisfied(f"{self.path}: hint {name} cannot be computed on {args}: {e}", -1) from e
        if len(out) != n_out:
            raise ValueError(f"{self.path}: hint {name} returned {len(out)} values, expected {n_out}")
        if self._hint_hook is not None:
            out = [int(v) % R for v in self._hint_hook(self.path, name, out)]
        return [self._new_wire(name, v) for v in out]


def _quotient(a: int, b: int) -> list[int]:
    return [a * pow(b, -1, R) % R if b else 0]


def _inverse_or_zero(a: int) -> list[int]:
    return [pow(a, -1, R) if a else 0]


def _low_bits(a: int, n: int) -> list[int]:
    return [a >> i & 1 for i in range(n)]


# -- statements -------------------------------------------------------------------------------


def check_input_names(circuit: str, inputs: object, names: Sequence[str]) -> None:
    """Refuse anything but a mapping of exactly these input names (an input file is untrusted)."""
    if not isinstance(inputs, Mapping):
        raise MalformedInput(f"circuit {circuit} takes a JSON object of named inputs, got {type(inputs).__name__}")
    missing = [n for n in names if n not in inputs]
    extra = [n for n in inputs if n not in names]
    if missing or extra:
        raise MalformedInput(f"circuit {circuit} takes inputs {list(names)}; missing {missing}, unexpected {extra}")


@dataclass(frozen=True, eq=False)
class Statement:
    """A circuit: typed public/private inputs, one define body, one public order; registry interface."""

    name: str
    description: str
    public: type
    private: type
    define: Callable[[Api, Any, Any], None]
    public_inputs: Callable[[Any], list]
    sizes: Mapping[str, int] = None  # type: ignore[assignment]
    example: Callable[[], tuple[Any, Any]] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "sizes", dict(self.sizes or {}))
        pub, priv = [f.name for f in fields(self.public)], [f.name for f in fields(self.private)]
        if set(pub) & set(priv):
            raise ValueError(f"{self.name}: input names used as both public and private: {set(pub) & set(priv)}")
        unknown = set(self.sizes) - set(pub) - set(priv)
        if unknown:
            raise ValueError(f"{self.name}: sizes given for fields that do not exist: {sorted(unknown)}")

    # -- the registry interface ---------------------------------------------------------------

    @cached_property
    def _compiled(self) -> tuple[R1CS, list[str]]:
        api = Api(self.name, solving=False)
        public_names = self._run(api, {})
        cs = R1CS(
            n_wires=api.n_wires,
            n_public=len(public_names),
            constraints=tuple(api.constraints),
            labels=tuple(api.labels),
            wire_names=tuple(api.wire_names),
        )
        used = {w for con in cs.constraints for part in (con.a, con.b, con.c) for w, _ in part}
        unused = [public_names[i - 1] for i in range(1, cs.n_public + 1) if i not in used]
        if unused:
            raise ValueError(
                f"{self.name}: public inputs {unused} take part in no constraint, so a proof would not "
                "bind them: constrain them in define (or make them private)"
            )
        return cs, public_names

    @property
    def r1cs(self) -> R1CS:
        return self._compiled[0]

    @property
    def public_names(self) -> list[str]:
        return list(self._compiled[1])

    @property
    def n_private_inputs(self) -> int:
        """Private input wires (circom's "private inputs"): list fields count their length."""
        return sum(self.sizes.get(f.name, 1) for f in fields(self.private))

    def witness(self, inputs: Mapping[str, object], hint_hook: HintHook | None = None) -> list[int]:
        """The full witness from named inputs (ints or decimal/hex strings; lists for sized fields).

        Raises Unsatisfied naming the gadget path of the first failing constraint. `hint_hook`
        (tests only) may replace hint outputs, to show that a wrong hint cannot satisfy the circuit."""
        values = self._parse_inputs(inputs)
        api = Api(self.name, solving=True, hint_hook=hint_hook)
        self._run(api, values)
        cs = self.r1cs
        if api.n_wires != cs.n_wires or api.n_constraints != cs.n_constraints:
            raise RuntimeError(
                f"{self.name}: define made {api.n_constraints} constraints / {api.n_wires} wires when solving "
                f"but {cs.n_constraints} / {cs.n_wires} when compiling: it must not branch on input values"
            )
        # Every constraint was checked as it was made; checking the compiled system as well catches
        # a define whose constraints (not only their number) depend on the input values.
        cs.check(api.values)
        return api.values

    def witness_for(self, pub: Any, priv: Any, hint_hook: HintHook | None = None) -> list[int]:
        """The witness from the statement's own dataclasses holding ints."""
        return self.witness({**asdict(pub), **asdict(priv)}, hint_hook)

    def example_inputs(self) -> dict:
        if self.example is None:
            return {}
        pub, priv = self.example()
        return {**asdict(pub), **asdict(priv)}

    def breakdown(self) -> list[tuple[str, int]]:
        """Constraints per gadget path prefix (see `breakdown`)."""
        return breakdown(self.r1cs.labels)

    # -- running define -----------------------------------------------------------------------

    def _parse_inputs(self, inputs: Mapping[str, object]) -> dict[str, int | list[int]]:
        names = [f.name for f in fields(self.public)] + [f.name for f in fields(self.private)]
        check_input_names(self.name, inputs, names)
        out: dict[str, int | list[int]] = {}
        for n in names:
            v = inputs[n]
            if n in self.sizes:
                if not isinstance(v, (list, tuple)) or len(v) != self.sizes[n]:
                    raise MalformedInput(f"input {n} of {self.name} must be a list of {self.sizes[n]} field elements")
                out[n] = [canonical_fr(x, f"{n}[{i}]") for i, x in enumerate(v)]
            else:
                if isinstance(v, (list, tuple)):
                    raise MalformedInput(f"input {n} of {self.name} is one field element, not a list")
                out[n] = canonical_fr(v, n)
        return out

    def _run(self, api: Api, values: dict[str, int | list[int]]) -> list[str]:
        """Allocate the inputs (public first, in public_inputs order), run define; the public names."""
        names: dict[int, str] = {}

        def leaf(name: str) -> Var:
            v = Var(None, None)
            names[id(v)] = name
            return v

        def build(cls: type) -> Any:
            kw = {}
            for f in fields(cls):
                size = self.sizes.get(f.name)
                kw[f.name] = leaf(f.name) if size is None else [leaf(f"{f.name}[{i}]") for i in range(size)]
            return cls(**kw)

        def leaves(obj: Any) -> list[Var]:
            return [x for f in fields(obj) for x in _flat(getattr(obj, f.name))]

        pub, priv = build(self.public), build(self.private)
        order = self.public_inputs(pub)
        pub_leaves = leaves(pub)
        if sorted(map(id, order)) != sorted(map(id, pub_leaves)):
            raise ValueError(
                f"{self.name}: public_inputs(pub) must list every public input exactly once "
                f"(fields {[f.name for f in fields(self.public)]})"
            )
        flat_values = {n: v for n, vs in values.items() for n, v in _named(n, vs)}
        for v in [*order, *leaves(priv)]:
            name = names[id(v)]
            wire = api._new_wire(name, flat_values.get(name, 0) if api.solving else None)
            v.lc, v.value = wire.lc, wire.value
        self.define(api, pub, priv)
        return [names[id(v)] for v in order]


def _flat(x: Any) -> list:
    return list(x) if isinstance(x, list) else [x]


def _named(name: str, v: int | list[int]) -> Iterator[tuple[str, int]]:
    if isinstance(v, list):
        yield from ((f"{name}[{i}]", x) for i, x in enumerate(v))
    else:
        yield name, v


def breakdown(labels: Sequence[str]) -> list[tuple[str, int]]:
    """(gadget path, constraints) for every path prefix, below the statement's own name.

    Numbers in scope names merge ("level 7" → "level #") and a merged row says how many
    instances it sums ("merkle/level #/poseidon (×20)"); a row whose constraints all lie in one
    sub-path is left out for that sub-path ("commitment/poseidon", not also "commitment");
    constraints made directly in the body are "(top level)"."""
    counts: dict[str, int] = {}
    instances: dict[str, set[str]] = {}
    for label in labels:
        parts = label.split("/")[1:]
        if not parts:
            counts["(top level)"] = counts.get("(top level)", 0) + 1
            continue
        for depth in range(1, len(parts) + 1):
            key = "/".join(_generic(p) for p in parts[:depth])
            counts[key] = counts.get(key, 0) + 1
            instances.setdefault(key, set()).add("/".join(parts[:depth]))
    covered = {k.rpartition("/")[0] for k, n in counts.items() if "/" in k and counts[k.rpartition("/")[0]] == n}
    return [(k if len(instances.get(k, ())) < 2 else f"{k} (×{len(instances[k])})", n)
            for k, n in sorted(counts.items()) if k not in covered]


def _generic(scope: str) -> str:
    head, _, tail = scope.rpartition(" ")
    return f"{head} #" if head and tail.isdigit() else scope
