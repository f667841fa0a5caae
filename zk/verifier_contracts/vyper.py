"""A Vyper 0.4 Groth16 verifier generated from a verifying key, with the Solidity one's ABI.

Same check and the same rules as zk/verifier_contracts/solidity.py: −β, −γ, −δ are key constants, so the
prover's A, B, C reach the pairing precompile untouched and it alone judges them as points;
public inputs ≥ r answer false; Vyper's ecmul/ecadd builtins revert on failure, so they see
either constant points or prover's points already checked on the curve (verifyProofPair), and
a revert there can only mean too little gas; and the pairing is called only
when enough gas is left for its full price, so its failure means a bad point (false), never a
lack of gas (a revert, which eth_estimateGas sees).
"""

from ..curve import g2_neg
from ..field import Q, R
from ..groth16.data import VerifyingKey
from .solidity import _check_key, g2_words, gas_floor, pairing_gas

VYPER_PRAGMA = "~=0.4.0"
# Slack for what raw_call spends between the msg.gas check and the CALL. With Vyper 0.4.3 the
# Solidity verifier's 500 already suffices (tests/protocol/chain/test_devnet.py checks on anvil
# that an exact estimateGas answers true); the extra covers other 0.4.x code generators.
RAW_CALL_OVERHEAD = 2_000


def _pairing_check(floor: str, what: str) -> list[str]:
    """Call the pairing precompile on `pairs`; enough gas is checked right before the call."""
    return [
        f'    assert msg.gas >= {floor}, "{what}: too little gas for the pairing"',
        "    success: bool = False",
        "    response: Bytes[32] = b\"\"",
        "    success, response = raw_call(",
        "        0x0000000000000000000000000000000000000008, pairs,",
        "        max_outsize=32, gas=msg.gas, is_static_call=True, revert_on_failure=False,",
        "    )",
        "    if not success:",
        "        return False",
        "    return convert(response, uint256) == 1",
    ]


def _range_checks(*vectors: str) -> list[str]:
    lines = []
    for v in vectors:
        lines += [f"    for x: uint256 in {v}:", "        if x >= R:", "            return False"]
    return lines


def _verify_proof(n: int) -> list[str]:
    return [
        "@external",
        "@view",
        f"def verifyProof(a: uint256[2], b: uint256[2][2], c: uint256[2], input: uint256[{n}]) -> bool:",
        '    """True iff the proof verifies; false for inputs >= r or bad points; reverts on too little gas."""',
        *_range_checks("input"),
        "    vk_x: uint256[2] = IC0",
        *[f"    vk_x = ecadd(vk_x, ecmul(IC{i + 1}, input[{i}]))" for i in range(n)],
        "    pairs: Bytes[768] = abi_encode(a, b, ALPHA, NEG_BETA, vk_x, NEG_GAMMA, c, NEG_DELTA)",
        *_pairing_check("PAIRING_GAS_FLOOR", "verifyProof"),
    ]


def _verify_proof_pair(n: int) -> list[str]:
    """The Solidity verifyProofPair's check, with the same ρ (keccak of the same ABI encoding).

    Vyper's ecadd/ecmul revert on a bad point, so the prover's points that reach them (A₂, C₁,
    C₂) are checked on the curve first: a bad point answers false, as in verifyProof.
    """
    args = (f"a1: uint256[2], b1: uint256[2][2], c1: uint256[2], input1: uint256[{n}], "
            f"a2: uint256[2], b2: uint256[2][2], c2: uint256[2], input2: uint256[{n}]")
    return [
        "@internal",
        "@pure",
        "def _on_g1(p: uint256[2]) -> bool:",
        '    """p is infinity (0, 0) or a point of y² = x³ + 3 with canonical coordinates."""',
        "    if p[0] >= Q or p[1] >= Q:",
        "        return False",
        "    if p[0] == 0 and p[1] == 0:",
        "        return True",
        "    x3: uint256 = uint256_mulmod(uint256_mulmod(p[0], p[0], Q), p[0], Q)",
        "    return uint256_mulmod(p[1], p[1], Q) == uint256_addmod(x3, 3, Q)",
        "",
        "",
        "@external",
        "@view",
        f"def verifyProofPair({args}) -> bool:",
        '    """True iff both proofs verify (one batched pairing: 5 pairs instead of 8)."""',
        *_range_checks("input1", "input2"),
        "    if not (self._on_g1(a2) and self._on_g1(c1) and self._on_g1(c2)):",
        "        return False",
        "    rho: uint256 = convert(keccak256(abi_encode(a1, b1, c1, input1, a2, b2, c2, input2)), uint256) % R",
        "    one_plus_rho: uint256 = uint256_addmod(1, rho, R)",
        "    vk_x: uint256[2] = ecmul(IC0, one_plus_rho)",
        *[f"    vk_x = ecadd(vk_x, ecmul(IC{i + 1}, uint256_addmod(input1[{i}], uint256_mulmod(rho, input2[{i}], R), R)))"
          for i in range(n)],
        "    pairs: Bytes[960] = abi_encode(",
        "        a1, b1, ecmul(a2, rho), b2, ecmul(ALPHA, one_plus_rho), NEG_BETA,",
        "        vk_x, NEG_GAMMA, ecadd(c1, ecmul(c2, rho)), NEG_DELTA,",
        "    )",
        *_pairing_check("PAIR_GAS_FLOOR", "verifyProofPair"),
    ]


def vyper_verifier(vk: VerifyingKey, with_pair: bool = False) -> str:
    """Vyper source of `verifyProof(a, b, c, input) -> bool` for `vk` (and verifyProofPair)."""
    _check_key(vk)
    n = vk.n_public
    consts = [
        f"R: constant(uint256) = {R}",
        f"Q: constant(uint256) = {Q}",
        f"ALPHA: constant(uint256[2]) = [{vk.alpha_g1[0]}, {vk.alpha_g1[1]}]",
    ]
    for name, p in (("NEG_BETA", vk.beta_g2), ("NEG_GAMMA", vk.gamma_g2), ("NEG_DELTA", vk.delta_g2)):
        consts.append(f"{name}: constant(uint256[4]) = [{', '.join(map(str, g2_words(g2_neg(p))))}]")
    for i, (x, y) in enumerate(vk.gamma_abc_g1):
        consts.append(f"IC{i}: constant(uint256[2]) = [{x}, {y}]")
    consts.append(f"PAIRING_GAS_FLOOR: constant(uint256) = {gas_floor(pairing_gas(4)) + RAW_CALL_OVERHEAD}")
    consts.append(f"PAIR_GAS_FLOOR: constant(uint256) = {gas_floor(pairing_gas(5)) + RAW_CALL_OVERHEAD}")
    functions = _verify_proof(n) + (["", ""] + _verify_proof_pair(n) if with_pair else [])
    return "\n".join([
        "# Generated by zktrade (zk/verifier_contracts/vyper.py) from a Groth16 verifying key. Do not edit.",
        f"# pragma version {VYPER_PRAGMA}",
        "",
        *consts,
        "",
        "",
        *functions,
        "",
    ])
