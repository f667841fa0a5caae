"""The DSL: costs of each operation, constant folding, witnesses, errors naming the gadget path."""

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circuits.dsl import MAX_BITS, Api, Statement, Var, breakdown
from zk.errors import MalformedInput, Unsatisfied
from zk.field import R

from .harness import accepts, gadget_circuit, gadget_cost, solve

fr = st.integers(0, R - 1)


@dataclass(frozen=True)
class CubePublic:
    y: Var


@dataclass(frozen=True)
class CubePrivate:
    x: Var


def define_cube(api: Api, pub: CubePublic, priv: CubePrivate) -> None:
    with api.scope("cube"):
        x3 = api.mul(priv.x, priv.x, priv.x)
        api.assert_equal(x3 + priv.x + 5, pub.y)


CUBE = Statement("cubic", "x³ + x + 5 = y", CubePublic, CubePrivate, define_cube, lambda pub: [pub.y],
                 example=lambda: (CubePublic(35), CubePrivate(3)))


def test_cube_r1cs_and_witness():
    cs = CUBE.r1cs
    assert (cs.n_constraints, cs.n_wires, cs.n_public) == (3, 5, 1)
    assert CUBE.public_names == ["y"]
    assert cs.wire_names[:3] == ("one", "y", "x")
    w = CUBE.witness(CUBE.example_inputs())
    assert w == [1, 35, 3, 9, 27]
    cs.check(w)
    assert CUBE.witness({"y": "0x23", "x": "3"}) == w


def test_unsatisfied_names_the_gadget_path_and_values():
    with pytest.raises(Unsatisfied, match=r"^cubic/cube: constraint 2 \(assert_equal\) unsatisfied: a·b = -1 \(a = -1, b = 1\), c = 0; left = 35, right = 36$"):
        CUBE.witness({"y": 36, "x": 3})


def test_inputs_are_named_canonical_and_sized():
    with pytest.raises(MalformedInput, match="missing \\['x'\\]"):
        CUBE.witness({"y": 35})
    with pytest.raises(MalformedInput, match="unexpected \\['z'\\]"):
        CUBE.witness({"y": 35, "x": 3, "z": 1})
    with pytest.raises(MalformedInput, match="not a canonical field element"):
        CUBE.witness({"y": 35, "x": R})
    c = gadget_circuit(lambda api, x: x[0] + x[1], 2)
    with pytest.raises(MalformedInput, match="list of 2"):
        c.witness({"x": [1], "y": [1]})


def test_linear_operations_and_constants_are_free():
    def f(api, x):
        a, b = x
        return [a + b, a - 3, 5 * a, -b, api.mul(3, a), api.mul(2, 3), api.div(a, 7), api.add(a, b, 1),
                api.select(1, a, b), api.select(x[0], 4, 4), api.from_bits([a, b])]

    assert gadget_cost(f, 2, 11) == 0
    inv7 = pow(7, -1, R)
    assert accepts(gadget_circuit(f, 2, 11), [10, 20], [30, 7, 50, R - 20, 30, 6, 10 * inv7 % R, 31, 10, 4, 50])


def test_costs_of_each_operation():
    assert gadget_cost(lambda api, x: api.mul(x[0], x[1]), 2) == 1
    assert gadget_cost(lambda api, x: api.mul(x[0], x[1], x[0] + 1, 7), 2) == 2
    assert gadget_cost(lambda api, x: api.div(x[0], x[1]), 2) == 1
    assert gadget_cost(lambda api, x: api.inverse(x[0]), 1) == 1
    assert gadget_cost(lambda api, x: api.select(x[0], x[1], x[2]), 3) == 1
    assert gadget_cost(lambda api, x: api.is_zero(x[0]), 1) == 2
    assert gadget_cost(lambda api, x: api.is_equal(x[0], x[1]), 2) == 2
    for n in (1, 8, 64, MAX_BITS):
        assert gadget_cost(lambda api, x: api.to_bits(x[0], n), 1, n) == n + 1


def test_products_of_variables_must_be_explicit():
    def f(api, x):
        return x[0] * x[1]

    with pytest.raises(TypeError, match="api.mul"):
        gadget_circuit(f, 2).r1cs
    with pytest.raises(TypeError, match="api.assert_equal"):
        gadget_circuit(lambda api, x: int(x[0] == x[1]), 2).r1cs
    with pytest.raises(TypeError, match="api.select"):
        gadget_circuit(lambda api, x: 1 if x[0] else 0, 1).r1cs


def test_constant_assertions_fail_at_once():
    with pytest.raises(Unsatisfied, match="constants differ: 2 ≠ 3"):
        gadget_circuit(lambda api, x: api.assert_equal(2, 3) or x[0], 1).r1cs
    with pytest.raises(Unsatisfied, match="not a bit"):
        gadget_circuit(lambda api, x: api.assert_bool(2) or x[0], 1).r1cs


@settings(max_examples=30, deadline=None)
@given(fr, fr)
def test_div_and_inverse(a, b):
    c = gadget_circuit(lambda api, x: api.div(x[0], x[1]), 2)
    if b:
        assert accepts(c, [a, b], [a * pow(b, -1, R) % R])
    else:
        assert accepts(c, [a, 0], [0]) == (a == 0)  # 0/0: q free (documented); a/0 impossible
    inv = gadget_circuit(lambda api, x: api.inverse(x[0]), 1)
    assert accepts(inv, [a], [pow(a, -1, R) if a else 0]) == (a != 0)


def test_wrong_hints_fail_the_constraints():
    def bump(path, name, out):
        return [(v + 1) % R for v in out]

    cases = [
        (lambda api, x: api.div(x[0], x[1]), [6, 3], [2]),
        (lambda api, x: api.inverse(x[0]), [5], [pow(5, -1, R)]),
        (lambda api, x: api.is_zero(x[0]), [5], [0]),
        (lambda api, x: api.to_bits(x[0], 4), [5], [1, 0, 1, 0]),
    ]
    for f, x, y in cases:
        c = gadget_circuit(f, len(x), len(y))
        assert accepts(c, x, y)
        assert not accepts(c, x, y, hint_hook=bump)
    # is_zero(0): the inverse hint is irrelevant (out = 1 - 0·inv), so any hint gives the right 1.
    assert accepts(gadget_circuit(lambda api, x: api.is_zero(x[0]), 1), [0], [1], hint_hook=bump)


def test_a_failing_hint_names_its_gadget_path():
    def reciprocal(a: int) -> list[int]:
        return [pow(a, -1, R)]

    def f(api, x):
        with api.scope("mine"):
            (inv,) = api.hint(reciprocal, x[0])
            api.assert_equal(api.mul(inv, x[0]), 1)  # inv·x = 1 pins inv = 1/x (and proves x ≠ 0)
            return inv

    c = gadget_circuit(f, 1)
    assert accepts(c, [4], [pow(4, -1, R)])
    with pytest.raises(Unsatisfied, match=r"^gadget/mine: hint reciprocal cannot be computed on \[0\]"):
        solve(c, [0], [0])


def test_to_bits_non_boolean_hint_with_the_right_sum_is_caught():
    # 2 = 0b10, but the hint claims "bits" (2, 0): the sum 2·1 + 0·2 matches, the boolean check does not.
    c = gadget_circuit(lambda api, x: api.to_bits(x[0], 2), 1, 2)
    with pytest.raises(Unsatisfied, match="to_bits: constraint 0 \\(assert_bool\\)"):
        solve(c, [2], [2, 0], hint_hook=lambda p, n, out: [2, 0])


@pytest.mark.parametrize("n", [1, 8, 64, MAX_BITS])
def test_to_bits_boundaries(n):
    c = gadget_circuit(lambda api, x: api.to_bits(x[0], n), 1, n)
    top = (1 << n) - 1
    assert accepts(c, [top], [1] * n)
    assert accepts(c, [0], [0] * n)
    for too_big in (1 << n, R - 1):
        with pytest.raises(Unsatisfied, match="to_bits"):
            solve(c, [too_big], [0] * n)


def test_to_bits_refuses_widths_that_wrap():
    with pytest.raises(ValueError, match="253"):
        gadget_circuit(lambda api, x: api.to_bits(x[0], 254), 1, 254).r1cs


@settings(max_examples=30, deadline=None)
@given(fr, fr, st.integers(0, 1))
def test_select_and_is_equal(a, b, bit):
    sel = gadget_circuit(lambda api, x: api.select(x[0], x[1], x[2]), 3)
    assert accepts(sel, [bit, a, b], [a if bit else b])
    eq = gadget_circuit(lambda api, x: api.is_equal(x[0], x[1]), 2)
    assert accepts(eq, [a, b], [int(a == b)]) and accepts(eq, [a, a], [1])


def test_public_order_comes_from_public_inputs():
    @dataclass(frozen=True)
    class Pub:
        a: Var
        b: list[Var]

    def define(api, pub, priv):
        api.assert_equal(pub.a + pub.b[0] + pub.b[1], priv.s)

    c = Statement("order", "", Pub, _Secret, define,
                  lambda pub: [pub.b[1], pub.a, pub.b[0]], sizes={"b": 2})
    assert c.public_names == ["b[1]", "a", "b[0]"]
    assert c.witness({"a": 1, "b": [2, 3], "s": 6})[:5] == [1, 3, 1, 2, 6]
    bad = Statement("bad", "", Pub, _Secret, define, lambda pub: [pub.a, pub.b[0]], sizes={"b": 2})
    with pytest.raises(ValueError, match="exactly once"):
        bad.r1cs


@dataclass(frozen=True)
class _Secret:
    s: Var


def test_public_inputs_must_be_constrained():
    def define(api, pub, priv):
        api.assert_bool(priv.x)

    c = Statement("loose", "", CubePublic, CubePrivate, define, lambda pub: [pub.y])
    with pytest.raises(ValueError, match=r"public inputs \['y'\] take part in no constraint"):
        c.r1cs


def test_define_must_not_branch_on_values():
    def define(api, pub, priv):
        api.assert_equal(priv.x, pub.y)
        if priv.x.value == 7:
            api.mul(priv.x, priv.x)

    c = Statement("branchy", "", CubePublic, CubePrivate, define, lambda pub: [pub.y])
    with pytest.raises(RuntimeError, match="must not branch"):
        c.witness({"y": 7, "x": 7})


def test_breakdown_merges_numbered_scopes():
    labels = ["m", "m/level 0/h", "m/level 0/h", "m/level 1/h", "m/level 1", "m/bits", "m/x 1", "m/c/h/g"]
    assert breakdown(labels) == [
        ("(top level)", 1), ("bits", 1), ("c/h/g", 1), ("level # (×2)", 4), ("level #/h (×2)", 3), ("x #", 1)
    ]
    assert CUBE.breakdown() == [("cube", 3)]


def test_scope_names_cannot_contain_slashes():
    with pytest.raises(ValueError, match="'/'"):
        gadget_circuit(lambda api, x: api.scope("a/b").__enter__(), 1).r1cs


@pytest.mark.parametrize("a", [0, 1, 2, R - 1])
def test_is_zero_and_is_equal_boundaries(a):
    c = gadget_circuit(lambda api, x: api.is_zero(x[0]), 1)
    assert accepts(c, [a], [int(a == 0)]) and not accepts(c, [a], [int(a != 0)])
    eq = gadget_circuit(lambda api, x: api.is_equal(x[0], x[1]), 2)
    for b in (0, 1, R - 1):
        assert accepts(eq, [a, b], [int(a == b)]) and not accepts(eq, [a, b], [int(a != b)])


def test_witness_for_takes_the_statements_own_dataclasses():
    w = CUBE.witness_for(CubePublic(y=35), CubePrivate(x=3))
    assert w == CUBE.witness({"y": 35, "x": 3})
    assert CUBE.public_inputs(CubePublic(y=35)) == [35]  # the verifier's vector


# Random straight-line programs: the circuit (compiled, then solved) computes what Python computes.
OPS = {
    "add": (lambda api, a, b: a + b, lambda a, b: (a + b) % R),
    "sub": (lambda api, a, b: api.sub(a, b), lambda a, b: (a - b) % R),
    "scale": (lambda api, a, b: 3 * a - 7, lambda a, b: (3 * a - 7) % R),
    "mul": (lambda api, a, b: api.mul(a, b), lambda a, b: a * b % R),
    "is_equal": (lambda api, a, b: api.is_equal(a, b), lambda a, b: int(a == b)),
    "select": (lambda api, a, b: api.select(api.is_zero(a), b, a), lambda a, b: b if a == 0 else a),
    "low_bit": (lambda api, a, b: api.to_bits(api.is_zero(b) * 5 + 2, 3)[0], lambda a, b: int(b == 0)),
}
programs = st.lists(st.tuples(st.sampled_from(sorted(OPS)), st.integers(0, 100), st.integers(0, 100)),
                    min_size=1, max_size=12)


@settings(max_examples=40, deadline=None)
@given(programs, st.lists(st.sampled_from([0, 1, 2, R - 1]) | fr, min_size=2, max_size=2))
def test_random_programs_compute_what_python_computes(program, x):
    def run(ops, values):
        for name, i, j in program:
            values.append(ops[name](values[i % len(values)], values[j % len(values)]))
        return values[-1]

    native = run({k: f for k, (_, f) in OPS.items()}, list(x))
    c = gadget_circuit(lambda api, xs: run({k: (lambda a, b, g=g: g(api, a, b)) for k, (g, _) in OPS.items()},
                                           list(xs)), 2)
    assert accepts(c, x, [native])
    assert not accepts(c, x, [(native + 1) % R])
