"""The constraint API handed to `define` (gnark's frontend.API and its R1CS builder in one class).

Every method works in both modes: compiling (variables carry linear combinations, constraints
are recorded with their gadget path) and solving (variables carry values, each constraint is
checked as it is made, so an unsatisfied one raises at the line of the circuit that made it).
Costs are listed in circuits/dsl/__init__.py.
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from zk.errors import Unsatisfied
from zk.field import R
from zk.r1cs import Constraint

from .expr import Value, Var, as_lc, linear, signed, value_of

MAX_BITS = 253  # 2^253 < r < 2^254: a 253-bit decomposition cannot wrap around the modulus

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
            self.constraints.append(Constraint(as_lc(a), as_lc(b), as_lc(c)))
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
