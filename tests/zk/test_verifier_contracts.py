"""Generated verifiers on the embedded chain: acceptance, every rejection path, gas behaviour,
the batched pair, and snarkjs's proofs for snarkjs's keys (cross-implementation)."""

import json
import subprocess
from dataclasses import replace

import pytest

from zk.curve import G1_GENERATOR, G2_GENERATOR, g1_add, g2_add
from zk.errors import MalformedInput
from zk.field import Q, R
from zk.formats.calldata import proof_words
from zk.groth16 import prove

from ..conftest import node_tool
from ..support.keys import keys
from .points import g2_point_outside_subgroup

chain_mod = pytest.importorskip("protocol.chain.client")
from protocol.chain.compiler import compile_contract, compile_vyper  # noqa: E402
from protocol.chain.errors import ChainError  # noqa: E402
from zk.verifier_contracts.solidity import solidity_verifier  # noqa: E402
from zk.verifier_contracts.vyper import vyper_verifier  # noqa: E402

GAS = 1_000_000


@pytest.fixture(scope="module")
def chain():
    return chain_mod.Chain.embedded_chain()


@pytest.fixture(scope="module")
def cubic(chain):
    node_tool("solcjs")  # the Solidity verifier compiles with the pinned solc-js
    c, pk, _ = keys("cubic")
    witness = c.witness({"x": 3})
    proof = prove(pk, c.r1cs, witness)
    verifiers = {
        "solidity": chain.deploy(compile_contract("Groth16Verifier", {"V.sol": solidity_verifier(pk.vk, with_pair=True)})),
        "vyper": chain.deploy(compile_vyper(vyper_verifier(pk.vk, with_pair=True), "VyperVerifier")),
    }
    return pk, proof, c.r1cs.public_inputs(witness), verifiers


def verify(chain, contract, proof_or_words, public) -> bool:
    words = proof_words(proof_or_words) if not isinstance(proof_or_words, tuple) else proof_or_words
    return chain.call(contract.functions.verifyProof(*words, list(public)), gas=GAS)


KINDS = ["solidity", "vyper"]


@pytest.mark.parametrize("kind", KINDS)
def test_valid_proof_is_accepted(chain, cubic, kind):
    _, proof, public, verifiers = cubic
    assert verify(chain, verifiers[kind], proof, public) is True


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("element", ["a", "b", "c", "input"])
def test_each_tampered_element_is_rejected(chain, cubic, kind, element):
    _, proof, public, verifiers = cubic
    if element == "a":
        proof = replace(proof, a=g1_add(proof.a, G1_GENERATOR))
    elif element == "b":
        proof = replace(proof, b=g2_add(proof.b, G2_GENERATOR))
    elif element == "c":
        proof = replace(proof, c=g1_add(proof.c, G1_GENERATOR))
    else:
        public = [(public[0] + 1) % R]
    assert verify(chain, verifiers[kind], proof, public) is False


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("out_of_range", ["x + r", "2^256 - 1"])
def test_public_input_out_of_range_is_rejected(chain, cubic, kind, out_of_range):
    """x + r is x again mod r (snarkjs-style malleability); both must be refused, not reduced."""
    _, proof, public, verifiers = cubic
    bad = public[0] + R if out_of_range == "x + r" else 2**256 - 1
    assert verify(chain, verifiers[kind], proof, [bad]) is False


def malformed(proof):
    """Proof words whose points the precompile must refuse (proof_words layout, EIP-197 G2 order)."""
    a, b, c = proof_words(proof)
    outside = g2_point_outside_subgroup()
    (x0, x1), (y0, y1) = outside
    return {
        "A off the curve": ([a[0], (a[1] + 1) % Q], b, c),
        "A.x + q": ([a[0] + Q, a[1]], b, c),
        "A.y + q": ([a[0], a[1] + Q], b, c),
        "B off the twist": (a, [[b[0][0], (b[0][1] + 1) % Q], b[1]], c),
        "B coordinate + q": (a, [[b[0][0] + Q, b[0][1]], b[1]], c),
        "B outside the subgroup": (a, [[x1, x0], [y1, y0]], c),
        "C off the curve": (a, b, [c[0], (c[1] + 1) % Q]),
        "C.y + q": (a, b, [c[0], c[1] + Q]),
    }


@pytest.mark.parametrize("kind", KINDS)
def test_each_malformed_point_is_rejected(chain, cubic, kind):
    _, proof, public, verifiers = cubic
    for what, words in malformed(proof).items():
        assert verify(chain, verifiers[kind], words, public) is False, what


@pytest.mark.parametrize("kind", KINDS)
def test_too_little_gas_reverts_instead_of_answering_false(chain, cubic, kind):
    _, proof, public, verifiers = cubic
    fn = verifiers[kind].functions.verifyProof(*proof_words(proof), public)
    with pytest.raises(ChainError):
        chain.call(fn, gas=150_000)  # enough for everything but the 4-pair pairing (181k)


@pytest.mark.parametrize("kind", KINDS)
def test_pair_verifier_accepts_two_valid_and_rejects_either_bad(chain, cubic, kind):
    pk, proof, public, verifiers = cubic
    c, _, _ = keys("cubic")
    w5 = c.witness({"x": 5})
    proof2, public2 = prove(pk, c.r1cs, w5), c.r1cs.public_inputs(w5)
    v = verifiers[kind]

    def pair(p1, x1, p2, x2):
        return chain.call(v.functions.verifyProofPair(*proof_words(p1), x1, *proof_words(p2), x2), gas=GAS)

    assert pair(proof, public, proof2, public2) is True
    assert pair(proof, public, proof2, public) is False  # second input changed
    assert pair(replace(proof, c=g1_add(proof.c, G1_GENERATOR)), public, proof2, public2) is False
    assert pair(proof2, public2, proof, [public[0] + R]) is False
    a, b, cc = proof_words(proof2)
    bad_c = [cc[0], (cc[1] + 1) % Q]  # goes through ecMul first: refused as a point, not by gas
    assert chain.call(v.functions.verifyProofPair(*proof_words(proof), public, a, b, bad_c, public2), gas=GAS) is False
    single = chain.transact(v.functions.verifyProof(*proof_words(proof), public), gas=GAS).gas_used
    batched = chain.transact(v.functions.verifyProofPair(*proof_words(proof), public, *proof_words(proof2), public2), gas=GAS).gas_used
    assert batched < 2 * single - 100_000, (single, batched)


def test_key_without_public_inputs_is_refused_with_a_reason():
    _, pk, _ = keys("gates300x0")
    with pytest.raises(MalformedInput, match="N >= 1"):
        solidity_verifier(pk.vk)


def test_vyper_and_solidity_sources_are_deterministic():
    _, pk, _ = keys("cubic")
    assert solidity_verifier(pk.vk) == solidity_verifier(pk.vk)
    assert vyper_verifier(pk.vk) == vyper_verifier(pk.vk)


@pytest.mark.slow
def test_estimate_gas_then_exactly_that_gas_succeeds_on_the_embedded_chain(chain, cubic):
    """py-evm's estimator overshoots by up to 21k; the point is that the answer is a true one."""
    pk, proof, public, verifiers = cubic
    fn = verifiers["solidity"].functions.verifyProof(*proof_words(proof), public)
    gas = chain.estimate_gas(fn)
    assert chain.call(fn, gas=gas) is True
    assert chain.transact(fn, gas=gas).gas_used <= gas


CIRCUIT = """pragma circom 2.0.0;
template Mul() { signal input a; signal input b; signal output c; c <== a * b; }
component main {public [a]} = Mul();
"""


@pytest.mark.node
@pytest.mark.slow
def test_solidity_verifier_accepts_a_snarkjs_proof_for_a_snarkjs_key(chain, tmp_path, snarkjs):
    """Key and proof made by circom + snarkjs alone; only the verifier contract is ours."""
    from zk.formats.snarkjs_json import load_proof, load_public, load_vk

    (tmp_path / "mul.circom").write_text(CIRCUIT)
    subprocess.run(["node", str(node_tool("circom2")), "mul.circom", "--r1cs", "--wasm", "-o", "."],
                   cwd=tmp_path, check=True, capture_output=True, timeout=300)
    (tmp_path / "input.json").write_text(json.dumps({"a": "3", "b": "11"}))
    steps = [
        ["powersoftau", "new", "bn128", "4", "p0.ptau"],
        ["powersoftau", "contribute", "p0.ptau", "p1.ptau", "--name=t", "-e=zktrade test entropy"],
        ["powersoftau", "prepare", "phase2", "p1.ptau", "pf.ptau"],
        ["groth16", "setup", "mul.r1cs", "pf.ptau", "mul.zkey"],
        ["zkey", "export", "verificationkey", "mul.zkey", "vk.json"],
        ["wtns", "calculate", "mul_js/mul.wasm", "input.json", "w.wtns"],
        ["groth16", "prove", "mul.zkey", "w.wtns", "proof.json", "public.json"],
    ]
    for args in steps:
        done = snarkjs(*[a if not a.endswith((".ptau", ".zkey", ".json", ".wtns", ".r1cs", ".wasm")) else str(tmp_path / a) for a in args])
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    vk, proof, public = load_vk(tmp_path / "vk.json"), load_proof(tmp_path / "proof.json"), load_public(tmp_path / "public.json")
    assert public == [3, 33] or public == [33, 3]
    v = chain.deploy(compile_contract("Groth16Verifier", {"V.sol": solidity_verifier(vk)}))
    assert verify(chain, v, proof, public) is True
    assert verify(chain, v, proof, [public[0], public[1] + 1]) is False
    # The reference verifier our gas table measures is exactly what snarkjs exports for this key.
    from protocol.chain.snarkjs_verifier import snarkjs_solidity_verifier

    done = snarkjs("zkey", "export", "solidityverifier", str(tmp_path / "mul.zkey"), str(tmp_path / "S.sol"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "S.sol").read_text() == snarkjs_solidity_verifier(vk)


@pytest.mark.node
def test_costs_no_more_gas_than_snarkjs_verifier_for_the_same_key_and_proof(chain, cubic):
    from protocol.chain.snarkjs_verifier import snarkjs_solidity_verifier

    pk, proof, public, verifiers = cubic
    theirs = chain.deploy(compile_contract("Groth16Verifier", {"S.sol": snarkjs_solidity_verifier(pk.vk)}))
    words = proof_words(proof)
    gas = {name: chain.transact(c.functions.verifyProof(*words, public), gas=GAS).gas_used
           for name, c in (("snarkjs", theirs), *verifiers.items())}
    assert gas["solidity"] <= gas["snarkjs"], gas
    assert gas["vyper"] <= gas["snarkjs"], gas
