"""anvil (the real node): devnet lifecycle, and the gas behaviour eth_estimateGas depends on,
measured exactly here (anvil's estimator is exact; py-evm's rounds up by up to 21k)."""

import pytest

from protocol.notes import deposit_inner
from protocol.tree import MerkleTree
from zk.formats.calldata import proof_words
from zk.groth16 import prove

from ...support.tools import require_anvil
from ...support.keys import keys

pytest.importorskip("web3")
from protocol.chain import devnet  # noqa: E402
from protocol.chain.client import Chain  # noqa: E402
from protocol.chain.compiler import compile_contract, compile_vyper  # noqa: E402
from protocol.chain.deploy import deploy_pool  # noqa: E402
from protocol.chain.errors import ChainError  # noqa: E402
from zk.verifier_contracts.solidity import solidity_verifier  # noqa: E402
from zk.verifier_contracts.vyper import vyper_verifier  # noqa: E402

pytestmark = pytest.mark.node


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    require_anvil()
    directory = tmp_path_factory.mktemp("devnet")
    started = devnet.up(directory)
    yield directory, started
    devnet.down(directory)


@pytest.fixture(scope="module")
def chain(node):
    return Chain.connect(node[1].url)


def test_up_status_down(tmp_path):
    require_anvil()
    assert devnet.status(tmp_path) is None
    started = devnet.up(tmp_path)
    assert devnet.is_healthy(started.url) and started.url.startswith("http://127.0.0.1:")
    assert devnet.up(tmp_path) == started  # idempotent
    assert devnet.status(tmp_path) == started
    assert devnet.down(tmp_path) == started
    assert devnet.status(tmp_path) is None and not devnet.is_healthy(started.url)
    assert devnet.down(tmp_path) is None


def test_a_missing_anvil_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("ZKTRADE_ANVIL", str(tmp_path / "no-such-anvil"))
    with pytest.raises(devnet.DevnetError, match="npm ci"):
        devnet.up(tmp_path)


def test_connecting_to_nothing_says_what_to_do():
    with pytest.raises(ChainError, match="devnet up"):
        Chain.connect(f"http://127.0.0.1:{devnet.free_port()}", timeout=1)


@pytest.fixture(scope="module")
def cubic(chain):
    c, pk, _ = keys("cubic")
    witness = c.witness({"x": 3})
    return pk, prove(pk, c.r1cs, witness), c.r1cs.public_inputs(witness)


@pytest.mark.parametrize("kind", ["solidity", "vyper"])
def test_estimate_then_exactly_that_gas_succeeds_and_one_less_reverts(chain, cubic, kind):
    pk, proof, public = cubic
    if kind == "solidity":
        v = chain.deploy(compile_contract("Groth16Verifier", {"V.sol": solidity_verifier(pk.vk)}))
    else:
        v = chain.deploy(compile_vyper(vyper_verifier(pk.vk), "VyperVerifier"))
    fn = v.functions.verifyProof(*proof_words(proof), public)
    gas = chain.estimate_gas(fn)
    assert chain.call(fn, gas=gas) is True
    assert chain.transact(fn, gas=gas).gas_used <= gas
    with pytest.raises(ChainError):
        chain.call(fn, gas=gas - 1)


def test_snarkjs_verifier_estimate_is_a_false_answer(chain, cubic):
    """The defect ours fixes: snarkjs's verifier answers false when the pairing runs out of
    gas, so eth_estimateGas settles on a gas at which the proof is 'invalid'."""
    from protocol.chain.snarkjs_verifier import snarkjs_solidity_verifier

    pk, proof, public = cubic
    v = chain.deploy(compile_contract("Groth16Verifier", {"S.sol": snarkjs_solidity_verifier(pk.vk)}))
    fn = v.functions.verifyProof(*proof_words(proof), public)
    gas = chain.estimate_gas(fn)
    assert gas < 100_000
    assert chain.call(fn, gas=gas) is False
    assert chain.call(fn, gas=500_000) is True


def test_pool_on_anvil_deposit_and_withdraw_with_estimated_gas(chain):
    vk = keys("free_publics8")[1].vk
    _, contracts = deploy_pool(chain, vk, vk, ("BASE",))
    pool, base = contracts["pool"], contracts["BASE"]
    user, recipient, thief = chain.accounts[1:4]
    chain.transact(base.functions.mint(user, 10**21))
    chain.transact(base.functions.approve(pool.address, 10**21), sender=user)
    chain.transact(pool.functions.deposit(base.address, 5000, deposit_inner(1, 2), b""), sender=user)
    tree = MerkleTree()
    tree.append(chain.events(pool, "LeafAppended")[-1]["commitment"])
    root = chain.call(pool.functions.lastRoot())
    assert root == tree.root
    c, pk, _ = keys("free_publics8")

    def proof_of(public):
        witness = c.witness({f"x{i}": v for i, v in enumerate(public)})
        return dict(zip("abc", proof_words(prove(pk, c.r1cs, witness))))

    public = [root, 55, int(base.address, 16), 1234, int(recipient, 16), 0, 0, 66]
    proof = proof_of(public)
    stolen = (root, 55, base.address, 1234, thief, "0x" + "00" * 20, 0, 66)
    with pytest.raises(ChainError, match="invalid withdraw proof"):
        chain.transact(pool.functions.withdraw(proof, stolen, b""), sender=thief, gas=2_000_000)
    fn = pool.functions.withdraw(proof, (root, 55, base.address, 1234, recipient, "0x" + "00" * 20, 0, 66), b"")
    gas = chain.estimate_gas(fn)
    assert chain.transact(fn, gas=gas).gas_used <= gas
    assert chain.call(base.functions.balanceOf(recipient)) == 1234
    # settle: the batched pair inside the pool, with exactly the estimated gas
    root = chain.call(pool.functions.lastRoot())
    deadline = chain.w3.eth.get_block("latest")["timestamp"] + 3600

    def leg(side, nullifier):
        public = [root, nullifier, 10 + side, 20 + side, 30, 40 + side, side, deadline]
        return {"proof": proof_of(public), "input": public, "memo": b""}

    fn = pool.functions.settle(leg(0, 71), leg(1, 72))
    gas = chain.estimate_gas(fn)
    assert chain.transact(fn, gas=gas).gas_used <= gas
    assert chain.call(pool.functions.tradeSettled(30)) is True


def test_many_public_inputs_single_and_pair(chain):
    """32 public inputs: the vk_x accumulation and the pair's challenge copy grow with N."""
    c, pk, _ = keys("gates64x32")
    proofs = []
    for s in (3, 4):
        witness = c.witness({"s": s})
        proofs.append((proof_words(prove(pk, c.r1cs, witness)), c.r1cs.public_inputs(witness)))
    v = chain.deploy(compile_contract("Groth16Verifier", {"V.sol": solidity_verifier(pk.vk, with_pair=True)}))
    (w1, x1), (w2, x2) = proofs
    assert chain.call(v.functions.verifyProof(*w1, x1)) is True
    assert chain.call(v.functions.verifyProofPair(*w1, x1, *w2, x2)) is True
    assert chain.call(v.functions.verifyProofPair(*w1, x1, *w2, [*x2[:31], (x2[31] + 1)])) is False
    assert chain.call(v.functions.verifyProofPair(*w1, x2, *w2, x1)) is False


@pytest.mark.parametrize("kind", ["solidity", "vyper"])
def test_any_changed_byte_of_proof_or_inputs_answers_false(chain, cubic, kind):
    """Property (anvil verifies in ms): change any byte of the calldata after the selector and
    the verifier answers false, never true and never a revert (with enough gas)."""
    from hypothesis import given, settings, strategies as st

    from zk.formats.calldata import encode_verify_call

    pk, proof, public = cubic
    source = solidity_verifier(pk.vk) if kind == "solidity" else None
    artifact = (compile_contract("Groth16Verifier", {"V.sol": source}) if source
                else compile_vyper(vyper_verifier(pk.vk), "VyperVerifier"))
    address = chain.deploy(artifact).address
    data = encode_verify_call(proof, public)

    def answer(calldata: bytes) -> bytes:
        return bytes(chain.w3.eth.call({"to": address, "data": calldata, "gas": 1_000_000}))

    assert answer(data) == (1).to_bytes(32, "big")

    @settings(max_examples=120, deadline=None, derandomize=True)
    @given(position=st.integers(4, len(data) - 1), xor=st.integers(1, 255))
    def changed(position, xor):
        bad = bytearray(data)
        bad[position] ^= xor
        assert answer(bytes(bad)) == bytes(32), (position, xor)

    changed()
