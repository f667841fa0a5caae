"""The circuit DSL: write a statement once in Python, get its R1CS (for setup) and witnesses (for proving).

Modelled on gnark's frontend, in the same parts: `expr` (variables and free linear
combinations), `api` (the constraint API `define` calls), `statement` (typed inputs, compile,
solve) and `breakdown` (constraints per gadget path). A statement is a pair of frozen dataclasses (its public and its
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
a·b = 5 (a = 5, b = 1), c = 0; left = 12, right = 7`. Add a statement's
factory to the table in circuits/registry.py and the CLI (setup, prove, circuit info, circuit
export) works on it.

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

Inputs nest: a field typed with another dataclass is that dataclass's fields, so a note or a
Merkle path is declared once and reused by every statement (circuits/trade/spend.py declares the
protocol's: `SpentNote`, `MerklePath`, `OrderTerms`). A field listed in `sizes` (by its dotted
path, `"path.siblings"`) is a list of that many variables or structs; every other field is one.
Inputs are named by their path (`note.asset`, `path.siblings[3]`) in errors, wire names and
`public_names`, and given to `witness` as nested mappings:

    @dataclass(frozen=True)
    class LegPrivate:
        note: SpentNote             # sk, asset, amount, blinding
        path: MerklePath            # siblings, path_bits
        ...

    Statement(..., sizes={"path.siblings": 20, "path.path_bits": 20})
    statement.witness({"root": ..., "note": {"sk": 5, "asset": 1, ...}, "path": {"siblings": [...], ...}})

Wire order: wire 0 is the constant one, then the public inputs in `public_inputs` order, then the
private inputs in field order (nested dataclasses field by field, lists element by element), then
internal wires.
"""

from .api import MAX_BITS, Api, HintHook
from .breakdown import breakdown
from .expr import Value, Var, linear, signed, value_of
from .statement import InputField, Statement

__all__ = ["MAX_BITS", "Api", "HintHook", "InputField", "Statement", "Value", "Var", "breakdown", "linear",
           "signed", "value_of"]
