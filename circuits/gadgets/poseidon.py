"""Poseidon over the BN254 scalar field with circomlib's parameters (1..6 inputs).

Parameters: width t = n + 1, S-box x⁵, 8 full rounds (4 before and 4 after the partial ones),
partial rounds [56, 57, 56, 60, 60, 63] for t = 2..7, capacity element 0 first, output state[0].
Round constants C and MDS matrices M come from circomlibjs (provenance below), so circom
circuits, circomlibjs and our contracts compute the same hash bit for bit.

Provenance of poseidon_constants.json: circomlibjs 0.1.7's src/poseidon_constants.json (the
hadeshash Grain-LFSR parameters), entries t = 2..7 converted from hex to decimal by

    python -m circuits.gadgets.poseidon node_modules/circomlibjs/src/poseidon_constants.json

tests/circuits/test_poseidon.py checks the file against circomlibjs's own when node_modules is
present, and the hash against checked-in circomlibjs vectors and live circomlibjs.
"""

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from operator import mul
from pathlib import Path

from zk.field import R
from zk.jsonio import load_json

from ..dsl import Api, Value, linear

MAX_INPUTS = 6
FULL_ROUNDS = 8
PARTIAL_ROUNDS = (56, 57, 56, 60, 60, 63)

_CONSTANTS_FILE = files(__package__) / "poseidon_constants.json"  # package data, wheel or checkout


@dataclass(frozen=True)
class PoseidonParams:
    """The permutation of width t: round constants (rounds × t, flattened) and the t×t MDS."""

    t: int
    full_rounds: int
    partial_rounds: int
    round_constants: tuple[int, ...]
    mds: tuple[tuple[int, ...], ...]

    @property
    def n_rounds(self) -> int:
        return self.full_rounds + self.partial_rounds

    def is_full_round(self, r: int) -> bool:
        half = self.full_rounds // 2
        return r < half or r >= half + self.partial_rounds


@cache
def params(n_inputs: int) -> PoseidonParams:
    """circomlib's parameters for a hash of `n_inputs` field elements (t = n_inputs + 1)."""
    if not 1 <= n_inputs <= MAX_INPUTS:
        raise ValueError(f"Poseidon takes 1 to {MAX_INPUTS} inputs, got {n_inputs}")
    data = _load_constants()
    i = n_inputs - 1
    t = n_inputs + 1
    p = PoseidonParams(
        t=t,
        full_rounds=FULL_ROUNDS,
        partial_rounds=PARTIAL_ROUNDS[i],
        round_constants=tuple(int(c) for c in data["C"][i]),
        mds=tuple(tuple(int(c) for c in row) for row in data["M"][i]),
    )
    # The file must describe exactly this permutation: one constant per state element per round.
    if len(p.round_constants) != p.n_rounds * t or len(p.mds) != t or any(len(row) != t for row in p.mds):
        raise ValueError(f"{_CONSTANTS_FILE.name}: wrong shape for t = {t}")
    if not all(0 <= c < R for c in p.round_constants) or not all(0 <= c < R for row in p.mds for c in row):
        raise ValueError(f"{_CONSTANTS_FILE.name}: a constant for t = {t} is not in Fr")
    return p


@cache
def _load_constants() -> dict:
    data = load_json(_CONSTANTS_FILE, "Poseidon constants")
    if data["full_rounds"] != FULL_ROUNDS or tuple(data["partial_rounds"]) != PARTIAL_ROUNDS:
        raise ValueError(f"{_CONSTANTS_FILE.name}: round numbers differ from circomlib's")
    return data


def _sbox(x: int) -> int:
    x2 = x * x % R
    return x2 * x2 % R * x % R


def poseidon_permutation(state: list[int], p: PoseidonParams) -> list[int]:
    """The Poseidon permutation: per round add constants, S-box (all or first), multiply by M."""
    t = p.t
    c, m = p.round_constants, p.mds
    for r in range(p.n_rounds):
        state = [(s + c[r * t + i]) % R for i, s in enumerate(state)]
        if p.is_full_round(r):
            state = [_sbox(s) for s in state]
        else:
            state[0] = _sbox(state[0])
        state = [sum(m_ij * s for m_ij, s in zip(row, state)) % R for row in m]
    return state


def poseidon_hash(inputs: list[int]) -> int:
    """Poseidon(inputs) exactly as circomlibjs's `poseidon(inputs)`: 1..6 canonical Fr elements."""
    for i, x in enumerate(inputs):
        if isinstance(x, bool) or not isinstance(x, int) or not 0 <= x < R:
            raise ValueError(f"Poseidon input {i} = {x!r} is not a field element in [0, r)")
    return _fast_hash([0, *inputs], _fast_schedule(len(inputs)))


# -- the fast path: the same function with cheaper partial rounds --------------------------------
#
# poseidon_permutation above is the reference. The fast path (the Poseidon paper's appendix B,
# as in circomlibjs's poseidon_opt, constants derived here from C and M) rewrites the partial
# rounds, where only state[0] goes through the S-box:
#  1. constants: x ↦ M·S₀(x + c) = M·S₀(x + c₀e₀) + M·(0, c₁, …): the second term is a constant,
#     so it moves into the next round's constants and a partial round adds c₀ only;
#  2. matrices: M = M″·M′ with M′ = diag(1, Â) (Â = M[1:,1:]) and M″ = [[m₀₀, u], [w, I]]
#     sparse; M′ commutes with S₀, so it moves into the previous round (M′·M, factored again);
#     the first partial round's M′ lands in the last full round before them.
# A partial round then costs 2t − 1 multiplications instead of t². tests cross-check both paths.


@dataclass(frozen=True)
class _FastSchedule:
    p: PoseidonParams
    constants: tuple[tuple[int, ...], ...]  # per round; partial rounds use only [0]
    sparse: tuple[tuple[int, tuple[int, ...], tuple[int, ...]], ...]  # (m₀₀, u, w) per partial round
    pre_partial_mds: tuple[tuple[int, ...], ...]  # M′·M for the last full round before the partial ones


def matrix_product(a, b) -> tuple[tuple[int, ...], ...]:
    """a·b over Fr (rows of ints)."""
    return tuple(tuple(sum(map(mul, row, col)) % R for col in zip(*b)) for row in a)


def matrix_inverse(a) -> tuple[tuple[int, ...], ...]:
    """Gauss–Jordan over Fr; Poseidon's MDS submatrices are invertible (the MDS property)."""
    n = len(a)
    m = [list(row) + [int(i == j) for j in range(n)] for i, row in enumerate(a)]
    for col in range(n):
        pivot = next(i for i in range(col, n) if m[i][col])
        m[col], m[pivot] = m[pivot], m[col]
        inv = pow(m[col][col], -1, R)
        m[col] = [x * inv % R for x in m[col]]
        for i in range(n):
            if i != col and m[i][col]:
                f = m[i][col]
                m[i] = [(x - f * y) % R for x, y in zip(m[i], m[col])]
    return tuple(tuple(row[n:]) for row in m)


@cache
def _fast_schedule(n_inputs: int) -> _FastSchedule:
    p = params(n_inputs)
    t, m, half = p.t, p.mds, p.full_rounds // 2
    partial = range(half, half + p.partial_rounds)
    c = [list(p.round_constants[r * t : (r + 1) * t]) for r in range(p.n_rounds)]
    for r in partial:
        carry = [sum(m[i][j] * c[r][j] for j in range(1, t)) % R for i in range(t)]
        c[r + 1] = [(x + y) % R for x, y in zip(c[r + 1], carry)]
        c[r][1:] = [0] * (t - 1)
    sparse = []
    b = m
    for _ in partial:  # from the last partial round back to the first
        a_hat = tuple(row[1:] for row in b[1:])
        a_hat_inv = matrix_inverse(a_hat)
        u = tuple(sum(b[0][1 + k] * a_hat_inv[k][j] for k in range(t - 1)) % R for j in range(t - 1))
        sparse.append((b[0][0], u, tuple(row[0] for row in b[1:])))
        m_prime = ((1,) + (0,) * (t - 1),) + tuple((0, *row) for row in a_hat)
        b = matrix_product(m_prime, m)
    return _FastSchedule(p, tuple(map(tuple, c)), tuple(reversed(sparse)), b)


def _full_round(state: list[int], constants: tuple[int, ...], mds) -> list[int]:
    s = []
    for x, k in zip(state, constants):
        x = (x + k) % R
        x2 = x * x % R
        s.append(x2 * x2 % R * x % R)
    return [sum(map(mul, row, s)) % R for row in mds]


def _fast_hash(state: list[int], f: _FastSchedule) -> int:
    p, c, m = f.p, f.constants, f.p.mds
    half, last = p.full_rounds // 2, p.n_rounds - 1
    for r in range(half - 1):
        state = _full_round(state, c[r], m)
    state = _full_round(state, c[half - 1], f.pre_partial_mds)
    s0, rest = state[0], state[1:]
    for r, (m00, u, w) in enumerate(f.sparse, start=half):
        x = (s0 + c[r][0]) % R
        x2 = x * x % R
        x = x2 * x2 % R * x % R
        s0 = (m00 * x + sum(map(mul, u, rest))) % R
        rest = [(wi * x + si) % R for wi, si in zip(w, rest)]
    state = [s0, *rest]
    for r in range(half + p.partial_rounds, last):
        state = _full_round(state, c[r], m)
    return _full_round(state, c[last], m[:1])[0]


def _sbox_gadget(api: Api, x: Value) -> Value:
    x2 = api.mul(x, x)
    return api.mul(api.mul(x2, x2), x)


def poseidon_hash_gadget(api: Api, inputs: list[Value]) -> Value:
    """Poseidon(inputs) in the circuit, equal to `poseidon_hash` (1..6 inputs, any field elements).

    Cost: 3 constraints per S-box (x², x⁴, x⁵): 3·(8·t + partial_rounds) − 3, where the −3 is the
    first round's S-box on the capacity element, a constant (0 + C₀) that folds away. Round
    constants and the MDS are linear and free. t = 3 (two inputs): 240, as circomlib at --O2.
    Only the last round's first MDS row is computed (the output is state[0])."""
    p = params(len(inputs))
    t, c, m = p.t, p.round_constants, p.mds
    with api.scope("poseidon"):
        state: list[Value] = [0, *inputs]
        for r in range(p.n_rounds):
            state = [s + c[r * t + i] for i, s in enumerate(state)]
            if p.is_full_round(r):
                state = [_sbox_gadget(api, s) for s in state]
            else:
                state[0] = _sbox_gadget(api, state[0])
            rows = m if r < p.n_rounds - 1 else m[:1]
            state = [linear(zip(row, state)) for row in rows]
    return state[0]


def poseidon_constraints(n_inputs: int) -> int:
    """The documented cost of poseidon_hash_gadget for n_inputs inputs."""
    p = params(n_inputs)
    return 3 * (p.full_rounds * p.t + p.partial_rounds) - 3


def constants_from_circomlibjs(source: dict) -> dict:
    """Our constants file's content from circomlibjs's poseidon_constants.json (hex → decimal)."""
    n = MAX_INPUTS
    return {
        "source": "circomlibjs 0.1.7, src/poseidon_constants.json: C and M for t = 2..7 (1..6 inputs)",
        "full_rounds": FULL_ROUNDS,
        "partial_rounds": list(PARTIAL_ROUNDS),
        "C": [[str(int(x, 16)) for x in source["C"][i]] for i in range(n)],
        "M": [[[str(int(x, 16)) for x in row] for row in source["M"][i]] for i in range(n)],
    }


if __name__ == "__main__":
    import sys

    content = constants_from_circomlibjs(load_json(sys.argv[1], "circomlibjs constants"))
    _CONSTANTS_FILE.write_text(json.dumps(content) + "\n")
