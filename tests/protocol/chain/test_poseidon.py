"""The on-chain Poseidon(2) equals the native hash (and circomlibjs's own contract) on random inputs."""

import random
import subprocess

import pytest

from circuits.gadgets.poseidon import poseidon_hash
from zk.field import R

pytest.importorskip("web3")
from protocol.chain.client import Chain  # noqa: E402
from protocol.chain.compiler import raw_artifact  # noqa: E402
from protocol.chain.errors import ChainError  # noqa: E402
from protocol.chain.poseidon_evm import ABI, poseidon_artifact  # noqa: E402

from ...conftest import ROOT, node_tool  # noqa: E402


@pytest.fixture(scope="module")
def chain():
    return Chain.embedded_chain()


@pytest.fixture(scope="module")
def poseidon(chain):
    return chain.deploy(poseidon_artifact())


def edge_and_random_inputs(n_random: int, seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    edges = [[0, 0], [1, 2], [R - 1, R - 1], [0, R - 1], [2**128, 3]]
    return edges + [[rng.randrange(R), rng.randrange(R)] for _ in range(n_random)]


def test_equals_the_native_hash(chain, poseidon):
    for x in edge_and_random_inputs(40, seed=1):
        assert chain.call(poseidon.functions.poseidon(x)) == poseidon_hash(x), x


@pytest.mark.parametrize("bad", [[R, 0], [0, R], [2**256 - 1, 5]])
def test_inputs_outside_the_field_are_refused_not_reduced(chain, poseidon, bad):
    with pytest.raises(ChainError):
        chain.call(poseidon.functions.poseidon(bad))


def test_other_selectors_revert(chain, poseidon):
    other = {"type": "function", "name": "other", "stateMutability": "view", "outputs": [{"type": "uint256"}],
             "inputs": [{"type": "uint256[2]"}]}  # any selector but poseidon(uint256[2])'s
    contract = chain.w3.eth.contract(address=poseidon.address, abi=[other])
    with pytest.raises(ChainError, match="call other reverted without a reason"):
        chain.call(contract.functions.other([1, 2]))


def test_fits_eip170_and_costs_less_than_20k_per_hash(chain, poseidon):
    assert poseidon_artifact().deployed_size <= 24_576
    gas = chain.transact(poseidon.functions.poseidon([1, 2]), gas=200_000).gas_used
    assert gas - 21_000 - 68 * 16 < 20_000, gas


@pytest.mark.node
def test_equals_circomlibjs_generated_contract(chain, poseidon):
    node_tool("snarkjs")  # skips when the npm tools are absent
    code = subprocess.run(
        ["node", "--input-type=module", "-e",
         "import {poseidonContract} from 'circomlibjs'; process.stdout.write(poseidonContract.createCode(2))"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=120,
    ).stdout
    theirs = chain.deploy(raw_artifact("CircomlibPoseidon", bytes.fromhex(code.removeprefix("0x")), 0, ABI))
    for x in edge_and_random_inputs(10, seed=2):
        assert chain.call(theirs.functions.poseidon(x)) == chain.call(poseidon.functions.poseidon(x))
