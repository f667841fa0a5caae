"""A Solidity Groth16 verifier generated from a verifying key (snarkjs-compatible ABI).

`verifyProof(uint256[2] a, uint256[2][2] b, uint256[2] c, uint256[N] input) returns (bool)`
checks e(A, B) · e(α, −β) · e(vk_x, −γ) · e(C, −δ) = 1 with vk_x = IC₀ + Σ xᵢ·ICᵢ. Against
snarkjs's template it differs in three ways, each for a reason:

* −β, −γ, −δ are constants of the key, so A goes to the pairing as given: nothing is computed
  from an unchecked coordinate, and the precompile alone decides whether A, B and C are points
  of the right groups (coordinates ≥ q, points off the curve or outside G2's subgroup fail it).
* A precompile call never turns "out of gas" into `false`. Calls on constant points can fail
  only by running out of gas, so they revert. Calls that see the prover's points first make
  sure enough gas is left for the precompile's full price; then a failure is the input's
  fault and the answer is `false`. eth_estimateGas therefore finds the gas of a true answer
  (snarkjs's verifier returns false when the pairing runs out of gas, so estimates come out
  near 33k and the real call fails).
* Memory starts at 0 and vk_x is accumulated in its slot of the pairing input: the
  scratch space never grows past the pairing input (768 bytes for one proof).

`verifyProofPair(...)` (optional) checks two proofs for the same key with one 5-pair pairing:
e(A₁, B₁) · e(ρA₂, B₂) · e((1+ρ)α, −β) · e(vk_x₁ + ρ·vk_x₂, −γ) · e(C₁ + ρC₂, −δ) = 1, where
ρ = keccak256(both proofs and both input vectors, as ABI-encoded) mod r. ρ is fixed only once
both proofs are, so a pair with an invalid proof passes with probability ≤ 1/r.
"""

from ..curve import G2Point, g2_neg
from ..errors import MalformedInput
from ..field import Q, R
from ..groth16.data import VerifyingKey

PAIRING_BASE_GAS = 45_000  # EIP-1108 prices (Istanbul onwards)
PAIRING_PER_PAIR_GAS = 34_000
EC_MUL_GAS = 6_000
EC_ADD_GAS = 150
SOLIDITY_PRAGMA = ">=0.8.20 <0.9.0"


def pairing_gas(n_pairs: int) -> int:
    return PAIRING_BASE_GAS + PAIRING_PER_PAIR_GAS * n_pairs


def gas_floor(cost: int) -> int:
    """Gas that must be left before a call so the callee gets `cost` after EIP-150's 1/64 rule."""
    return cost + cost // 63 + 500


def g2_words(p: G2Point) -> list[int]:
    """EIP-197 order for an Fq2 coordinate: imaginary part first."""
    (x0, x1), (y0, y1) = p
    return [x1, x0, y1, y0]


def _check_key(vk: VerifyingKey) -> None:
    if vk.n_public < 1:
        raise MalformedInput(
            "the verifier ABI takes a uint256[N] of public inputs with N >= 1; this key has none "
            "(add a public input to the circuit)"
        )


def _constants(vk: VerifyingKey) -> list[str]:
    neg = {name: g2_words(g2_neg(p)) for name, p in
           (("BETA", vk.beta_g2), ("GAMMA", vk.gamma_g2), ("DELTA", vk.delta_g2))}
    lines = [
        f"uint256 constant R = {R};",
        f"uint256 constant Q = {Q};",
        f"uint256 constant ALPHA_X = {vk.alpha_g1[0]};",
        f"uint256 constant ALPHA_Y = {vk.alpha_g1[1]};",
    ]
    for name, words in neg.items():
        for suffix, w in zip(("X_IM", "X_RE", "Y_IM", "Y_RE"), words):
            lines.append(f"uint256 constant NEG_{name}_{suffix} = {w};")
    for i, (x, y) in enumerate(vk.gamma_abc_g1):
        lines.append(f"uint256 constant IC{i}_X = {x};")
        lines.append(f"uint256 constant IC{i}_Y = {y};")
    return lines


def _store_g2(name: str, at: int) -> list[str]:
    return [f"mstore({at + 32 * k}, NEG_{name}_{s})" for k, s in enumerate(("X_IM", "X_RE", "Y_IM", "Y_RE"))]


def _mul_acc(acc: int, ic: int, scalar: str) -> list[str]:
    """acc += scalar·IC_ic, with the product computed right after acc so ecAdd reads both at once."""
    return [
        f"mstore({acc + 64}, IC{ic}_X)",
        f"mstore({acc + 96}, IC{ic}_Y)",
        f"mstore({acc + 128}, {scalar})",
        f"if iszero(staticcall(gas(), 7, {acc + 64}, 96, {acc + 64}, 64)) {{ revert(0, 0) }}",
        f"if iszero(staticcall(gas(), 6, {acc}, 128, {acc}, 64)) {{ revert(0, 0) }}",
    ]


def _checked_call(address: int, cost: int, args: str) -> str:
    """A call that sees the prover's points: enough gas first, then failure means a bad point."""
    return (
        f"if lt(gas(), {gas_floor(cost)}) {{ revert(0, 0) }}\n"
        f"if iszero(staticcall(gas(), {address}, {args})) {{ mstore(0, 0) return(0, 32) }}"
    )


def _single_body(n: int) -> list[str]:
    a, c, inputs = 4, 196, 260  # calldata offsets after the selector
    body = [f"if iszero(lt(calldataload({inputs + 32 * i}), R)) {{ mstore(0, 0) return(0, 32) }}" for i in range(n)]
    # Pairing input: (A, B) at 0, (α, −β) at 192, (vk_x, −γ) at 384, (C, −δ) at 576.
    body += ["mstore(384, IC0_X)", "mstore(416, IC0_Y)"]
    for i in range(n):
        body += _mul_acc(384, i + 1, f"calldataload({inputs + 32 * i})")
    body += [f"calldatacopy(0, {a}, 192)", "mstore(192, ALPHA_X)", "mstore(224, ALPHA_Y)"]
    body += _store_g2("BETA", 256) + _store_g2("GAMMA", 448)
    body += [f"calldatacopy(576, {c}, 64)"] + _store_g2("DELTA", 640)
    body += [
        _checked_call(8, pairing_gas(4), "0, 768, 0, 32"),
        "return(0, 32)",
    ]
    return body


def _pair_body(n: int) -> list[str]:
    size = 256 + 32 * n  # one proof and its inputs, ABI-encoded
    a1, c1, in1 = 4, 196, 260
    a2, b2, c2, in2 = 4 + size, 68 + size, 196 + size, 260 + size
    body = [
        f"if iszero(lt(calldataload({off}), R)) {{ mstore(0, 0) return(0, 32) }}"
        for off in [in1 + 32 * i for i in range(n)] + [in2 + 32 * i for i in range(n)]
    ]
    body += [
        f"calldatacopy(0, 4, {2 * size})",
        f"let rho := mod(keccak256(0, {2 * size}), R)",
        "let one_plus_rho := addmod(1, rho, R)",
        # (vk_x₁ + ρ·vk_x₂) at 576 = (1+ρ)·IC₀ + Σ (x₁ᵢ + ρ·x₂ᵢ)·ICᵢ
        "mstore(576, IC0_X)", "mstore(608, IC0_Y)", "mstore(640, one_plus_rho)",
        "if iszero(staticcall(gas(), 7, 576, 96, 576, 64)) { revert(0, 0) }",
    ]
    for i in range(n):
        scalar = f"addmod(calldataload({in1 + 32 * i}), mulmod(rho, calldataload({in2 + 32 * i}), R), R)"
        body += _mul_acc(576, i + 1, scalar)
    body += [
        # C₁ + ρ·C₂ at 768
        f"calldatacopy(832, {c2}, 64)", "mstore(896, rho)",
        _checked_call(7, EC_MUL_GAS, "832, 96, 832, 64"),
        f"calldatacopy(768, {c1}, 64)",
        _checked_call(6, EC_ADD_GAS, "768, 128, 768, 64"),
        # ρ·A₂ at 192, then B₂
        f"calldatacopy(192, {a2}, 64)", "mstore(256, rho)",
        _checked_call(7, EC_MUL_GAS, "192, 96, 192, 64"),
        f"calldatacopy(256, {b2}, 128)",
        # (1+ρ)·α at 384
        "mstore(384, ALPHA_X)", "mstore(416, ALPHA_Y)", "mstore(448, one_plus_rho)",
        "if iszero(staticcall(gas(), 7, 384, 96, 384, 64)) { revert(0, 0) }",
        # A₁, B₁ at 0 (the challenge's copy of the calldata is no longer needed)
        f"calldatacopy(0, {a1}, 192)",
    ]
    body += _store_g2("BETA", 448) + _store_g2("GAMMA", 640) + _store_g2("DELTA", 832)
    body += [_checked_call(8, pairing_gas(5), "0, 960, 0, 32"), "return(0, 32)"]
    return body


def _indent(lines: list[str], depth: int) -> str:
    pad = " " * (4 * depth)
    return "\n".join(pad + part for line in lines for part in line.split("\n"))


def solidity_verifier(vk: VerifyingKey, contract_name: str = "Groth16Verifier", with_pair: bool = False) -> str:
    """Solidity source of a verifier for `vk`; `with_pair` adds verifyProofPair (two proofs, one pairing)."""
    _check_key(vk)
    n = vk.n_public
    proof_params = f"uint256[2] calldata, uint256[2][2] calldata, uint256[2] calldata, uint256[{n}] calldata"
    functions = [
        "/// True iff the proof verifies for these public inputs; false for inputs >= r or bad points.",
        "/// Reverts only when given too little gas, never answers false for that reason.",
        f"function verifyProof({proof_params}) external view returns (bool) {{",
        "    assembly {",
        _indent(_single_body(n), 2),
        "    }",
        "}",
    ]
    if with_pair:
        functions += [
            "",
            "/// True iff both proofs verify (one batched pairing: 5 pairs instead of 8).",
            f"function verifyProofPair({proof_params}, {proof_params}) external view returns (bool) {{",
            "    assembly {",
            _indent(_pair_body(n), 2),
            "    }",
            "}",
        ]
    return "\n".join([
        "// SPDX-License-Identifier: MIT",
        "// Generated by zktrade (zk/verifier_contracts/solidity.py) from a Groth16 verifying key. Do not edit.",
        f"pragma solidity {SOLIDITY_PRAGMA};",
        "",
        f"contract {contract_name} {{",
        _indent(_constants(vk), 1),
        "",
        _indent(functions, 1),
        "}",
        "",
    ])
