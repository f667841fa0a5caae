"""Poseidon on-chain: EVM bytecode assembled in Python from the constants of the native hash.

The contract answers `poseidon(uint256[2]) returns (uint256)` with exactly
circuits.gadgets.poseidon.poseidon_hash (circomlib's parameters); it refuses inputs >= r
instead of reducing them. It is straight-line code, assembled here because Solidity and
Vyper cannot hold a fully unrolled permutation cheaply (CHAIN.md):

* the state lives on the stack, r once at its bottom (DUP is cheaper than PUSH32 and 32 bytes
  smaller); the MDS matrix is copied from the code into memory once and read with MLOAD;
* round constants are PUSH32 immediates, and each is added as the accumulator's start value
  of the previous round's matrix product, so no separate add-round-constant step exists;
* sums are left unreduced (each of the t terms is a MULMOD < r, plus a constant < r, so a
  sum stays below (t+1)·r < 2^256) because the next MULMOD reduces them anyway; only the
  output is reduced with MOD;
* the partial rounds use the sparse-matrix form of the Poseidon paper (appendix B), derived
  here from M and the round constants (SparseSchedule): 2t−1 products per partial round
  instead of t², with the sparse entries as PUSH32 immediates.

A symbolic stack (names of values) places every DUP and SWAP, so the code is derived from
the permutation's definition rather than written by hand.
"""

from dataclasses import dataclass, field
from functools import cache

import sha3

from circuits.gadgets.poseidon import matrix_inverse, matrix_product, params
from zk.field import R

from .compiler import Artifact, raw_artifact

N_INPUTS = 2
SIGNATURE = "poseidon(uint256[2])"
ABI = [{
    "type": "function", "name": "poseidon", "stateMutability": "pure",
    "inputs": [{"name": "inputs", "type": "uint256[2]"}],
    "outputs": [{"name": "", "type": "uint256"}],
}]

OP = {"STOP": 0x00, "ADD": 0x01, "MOD": 0x06, "ADDMOD": 0x08, "MULMOD": 0x09, "LT": 0x10, "EQ": 0x14, "ISZERO": 0x15,
      "SHR": 0x1C, "CALLDATALOAD": 0x35, "CODECOPY": 0x39, "POP": 0x50, "MLOAD": 0x51, "MSTORE": 0x52,
      "JUMPI": 0x57, "JUMPDEST": 0x5B, "RETURN": 0xF3, "REVERT": 0xFD}


@dataclass
class Assembler:
    """Bytecode plus a model of the stack (value names, top first) to place DUPs and SWAPs."""

    code: bytearray = field(default_factory=bytearray)
    stack: list = field(default_factory=list)

    def op(self, name: str, n_in: int = 0, out: str | None = None) -> None:
        self.code.append(OP[name])
        del self.stack[:n_in]
        if out is not None:
            self.stack.insert(0, out)

    def push(self, value: int, out: str | None = None, width: int | None = None) -> None:
        width = width or max(1, (value.bit_length() + 7) // 8)
        self.code += bytes([0x5F + width]) + value.to_bytes(width, "big")
        self.stack.insert(0, out)

    def dup(self, name: str) -> None:
        d = self.stack.index(name)
        if d > 15:
            raise ValueError(f"{name} is {d} deep: beyond DUP16")
        self.code.append(0x80 + d)
        self.stack.insert(0, name)

    def dup_depth(self, d: int) -> None:
        self.code.append(0x80 + d)
        self.stack.insert(0, self.stack[d])

    def swap(self, d: int) -> None:
        self.code.append(0x8F + d)
        self.stack[0], self.stack[d] = self.stack[d], self.stack[0]

    def to_top(self, name: str) -> None:
        """SWAP the value up (order below is tracked by name, so it may change freely)."""
        d = self.stack.index(name)
        if d:
            self.swap(d)

    def drop(self, name: str) -> None:
        self.to_top(name)
        self.op("POP", 1)


def _sbox(asm: Assembler, x: str) -> None:
    """x ← x⁵ = (x²)²·x with three MULMODs."""
    asm.to_top(x)
    for square in ("x2", "x4"):
        asm.dup("r")  # [r, v]
        asm.dup_depth(1)  # [v, r, v]
        asm.dup_depth(0)  # [v, v, r, v]
        asm.op("MULMOD", 3, square)  # [v², v]
    asm.drop("x2")  # [x⁴, x]
    asm.dup("r")  # [r, x⁴, x]
    asm.swap(2)  # [x, x⁴, r]
    asm.op("MULMOD", 3, x)


def _mix(asm: Assembler, t: int, matrix_at: int, constants: tuple[int, ...] | None, state: list[str],
         tag: str) -> list[str]:
    """new_i = Σ_j M[i][j]·state_j (+ next round's constant), M in memory at `matrix_at`; unreduced."""
    new = []
    for i in range(t):
        name = f"{tag}{i}"
        asm.push(constants[i] if constants else 0, name, width=32 if constants else 1)
        for j in range(t):
            offset = matrix_at + 32 * (i * t + j)
            asm.dup("r")
            asm.dup(state[j])
            asm.push(offset, "m", width=2 if offset > 255 else 1)
            asm.op("MLOAD", 1, "m")
            asm.op("MULMOD", 3, "term")
            asm.op("ADD", 2, name)
        new.append(name)
    for s in state:
        asm.drop(s)
    return new


def _sparse_mix(asm: Assembler, row0: tuple[int, ...], v: tuple[int, ...], constants: tuple[int, ...],
                state: list[str], tag: str) -> list[str]:
    """A partial round's sparse layer: new_0 = row0·state + c_0 (unreduced, the S-box reduces it);
    new_i = state_i + v_i·state_0 + c_i, reduced with ADDMOD (these skip the S-box, so an
    unreduced sum would grow round after round)."""
    t = len(state)
    name0 = f"{tag}0"
    asm.push(constants[0], name0, width=32)
    for j in range(t):
        asm.dup("r")
        asm.dup(state[j])
        asm.push(row0[j], "m", width=32)
        asm.op("MULMOD", 3, "term")
        asm.op("ADD", 2, name0)
    new = [name0]
    for i in range(1, t):
        name = f"{tag}{i}"
        asm.dup("r")
        asm.push(constants[i], "k", width=32)
        asm.dup("r")
        asm.dup(state[0])
        asm.push(v[i - 1], "m", width=32)
        asm.op("MULMOD", 3, "term")
        asm.op("ADD", 2, "sum")
        asm.dup(state[i])
        asm.op("ADDMOD", 3, name)
        new.append(name)
    for s in state:
        asm.drop(s)
    return new


def _mat_vec(a: list[list[int]], v) -> tuple[int, ...]:
    return tuple(sum(x * y for x, y in zip(row, v)) % R for row in a)


@dataclass(frozen=True)
class SparseSchedule:
    """The partial rounds rewritten with sparse matrices (Grassi et al., Poseidon, appendix B).

    Each partial round's M is factored as M = B·A with A = diag(1, Â) and B sparse
    ([[m00, wᵀ], [v, I]]). A leaves element 0 alone, so it commutes with the partial S-box and
    moves one round earlier, into the next factorisation; the last one lands in the full round
    before the partial rounds, whose matrix becomes A₁·M. State z_k = A_k·x_k throughout, so
    each round's constants become A_{k+1}·c_{k+1}.
    """

    pre_matrix: list[list[int]]  # A₁·M, for the full round before the partial ones
    pre_constants: tuple[int, ...]  # A₁·c of the first partial round
    rounds: list[tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]]  # (row0 of B, v, constants after)


def sparse_schedule(p) -> SparseSchedule:
    t, m = p.t, [list(row) for row in p.mds]
    half = p.full_rounds // 2
    first, last = half, half + p.partial_rounds - 1  # round indices of the partial rounds

    def constants(rnd: int) -> tuple[int, ...]:
        return tuple(p.round_constants[rnd * t:(rnd + 1) * t])

    a_next = [[int(i == j) for j in range(t)] for i in range(t)]  # A_{P+1} = I
    rounds = []
    for rnd in range(last, first - 1, -1):
        n = matrix_product(a_next, m)
        a_hat = [row[1:] for row in n[1:]]
        w = _mat_vec([list(col) for col in zip(*matrix_inverse(a_hat))], n[0][1:])  # wᵀ = N[0,1:]·Â⁻¹
        row0 = (n[0][0], *w)
        v = tuple(row[0] for row in n[1:])
        rounds.append((row0, v, _mat_vec(a_next, constants(rnd + 1))))
        a_next = [[1] + [0] * (t - 1)] + [[0, *row] for row in a_hat]  # A_k = diag(1, Â)
    rounds.reverse()
    return SparseSchedule(matrix_product(a_next, m), _mat_vec(a_next, constants(first)), rounds)


@cache
def poseidon_bytecode() -> tuple[bytes, int]:
    """(creation code, runtime size) of the Poseidon(2) contract."""
    p = params(N_INPUTS)
    t, c = p.t, p.round_constants
    asm = Assembler()
    selector = int.from_bytes(sha3.keccak_256(SIGNATURE.encode()).digest()[:4], "big")
    # Dispatch: only poseidon(uint256[2]).
    asm.push(0)
    asm.op("CALLDATALOAD", 1, "word")
    asm.push(0xE0)
    asm.op("SHR", 2, "sel")
    asm.push(selector, width=4)
    asm.op("EQ", 2, "ok")
    asm.op("ISZERO", 1, "bad")
    revert_fixups = [len(asm.code) + 1]
    asm.push(0, width=2)
    asm.op("JUMPI", 2)
    # Memory[0:32·t²] = M, then A₁·M: copied from the data appended to the code.
    sparse = sparse_schedule(p)
    mds_fixup = len(asm.code) + 1 + 3
    asm.push(2 * 32 * t * t, width=2)
    asm.push(0, width=2)
    asm.push(0)
    asm.op("CODECOPY", 3)
    asm.push(R, "r", width=32)
    # State after round 0's constants: [C₀, x₁ + C₁, x₂ + C₂] (sums < 2r, reduced by the S-box).
    state = ["s0"]
    asm.push(c[0], "s0", width=32)
    for i in range(1, t):
        asm.push(4 + 32 * (i - 1))
        asm.op("CALLDATALOAD", 1, f"in{i}")
        asm.dup("r")
        asm.dup(f"in{i}")
        asm.op("LT", 2, "ok")
        asm.op("ISZERO", 1, "bad")
        revert_fixups.append(len(asm.code) + 1)
        asm.push(0, width=2)
        asm.op("JUMPI", 2)
        asm.push(c[i], "k", width=32)
        asm.op("ADD", 2, f"s{i}")
        state.append(f"s{i}")
    first_partial = p.full_rounds // 2
    for rnd in range(p.n_rounds):
        tag = f"r{rnd}_"
        if p.is_full_round(rnd):
            for i in range(t):
                _sbox(asm, state[i])
            if rnd == first_partial - 1:
                state = _mix(asm, t, 32 * t * t, sparse.pre_constants, state, tag)
            else:
                nxt = c[(rnd + 1) * t:(rnd + 2) * t] if rnd + 1 < p.n_rounds else None
                state = _mix(asm, t, 0, nxt, state, tag)
        else:
            _sbox(asm, state[0])
            row0, v, nxt = sparse.rounds[rnd - first_partial]
            state = _sparse_mix(asm, row0, v, nxt, state, tag)
    # Output: state[0] mod r at memory 0.
    asm.to_top(state[0])
    asm.dup("r")
    asm.swap(1)  # [out, r]
    asm.op("MOD", 2, "out")
    asm.push(0)
    asm.op("MSTORE", 2)
    asm.push(32)
    asm.push(0)
    asm.op("RETURN", 2)
    revert_at = len(asm.code)
    asm.code += bytes([OP["JUMPDEST"], 0x5F, 0x80, OP["REVERT"]])  # PUSH0 DUP1 REVERT
    mds_at = len(asm.code)
    for matrix in (p.mds, sparse.pre_matrix):
        for row in matrix:
            for m in row:
                asm.code += m.to_bytes(32, "big")
    for at in revert_fixups:
        asm.code[at:at + 2] = revert_at.to_bytes(2, "big")
    asm.code[mds_fixup:mds_fixup + 2] = mds_at.to_bytes(2, "big")
    runtime = bytes(asm.code)
    n = len(runtime)
    # Creation code, 11 bytes: copy the runtime that follows it to memory and return it.
    # PUSH2 n, DUP1, PUSH2 11, PUSH0, CODECOPY, PUSH0, RETURN
    init = bytes([0x61, *n.to_bytes(2, "big"), 0x80, 0x61, 0x00, 11, 0x5F, 0x39, 0x5F, 0xF3])
    return init + runtime, n


def poseidon_artifact() -> Artifact:
    code, size = poseidon_bytecode()
    return raw_artifact("Poseidon2", code, size, ABI)
