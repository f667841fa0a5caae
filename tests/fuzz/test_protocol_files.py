"""The trading system's own files fed hostile variants: a wallet's sealed vault row, the
matcher's stored messages (a damaged book), a deployment file and a devnet state file. Each
must end in a user error (one line at the CLI) or well-formed content, never a traceback."""

import json
from dataclasses import asdict

import pytest

from protocol.chain import devnet
from protocol.chain.deploy import Deployment
from protocol.matcher_store import _decode
from protocol.messages import Fill, LegProof, Order, OrderTicket, Trade, WithdrawRequest
from protocol.params import BUY, PRICE_SCALE
from protocol.vault import ScryptCost, WrongPassphrase
from protocol.wallet import _seal_words, _unseal_words
from zk.errors import UserError
from zk.groth16 import prove

from ..support.keys import keys
from ..support.tools import assert_one_line_error, zktrade
from .mutations import fuzz, json_mutations

WORDS = "abandon " * 23 + "art"


@pytest.fixture(scope="module")
def proof():
    circuit, pk, _ = keys("cubic")
    return prove(pk, circuit.r1cs, circuit.witness(circuit.example_inputs()))


def test_a_wallet_vault_row(capsys):
    sealed = _seal_words(WORDS, "pw", ScryptCost(log_n=10))

    def read(data: bytes):
        words, _ = _unseal_words(data.decode("utf-8", "replace"), "pw", "wallet w")
        assert words == WORDS  # whatever opens is the phrase that was sealed: the AEAD saw to it

    outcomes = fuzz("wallet vault row", read, json_mutations(json.loads(sealed)), 150, capsys, errors=(UserError,))
    assert outcomes["refused (WrongPassphrase)"] + outcomes["refused (MalformedInput)"] > 0
    with pytest.raises(WrongPassphrase):
        _unseal_words(sealed, "not pw", "wallet w")


def _messages(proof) -> dict:
    order = Order("o-1", BUY, 1, 2, 10, 3 * PRICE_SCALE, 99)
    fill = Fill(1, 2, 4, 12, 5, 1_900_000_000)
    return {
        "an order ticket": (OrderTicket, OrderTicket(order, 7, 8, proof, "ab" * 32).to_json()),
        "a trade": (Trade, Trade("o-1", "o-2", "o-2", fill, 3 * PRICE_SCALE).to_json()),
        "a settlement leg": (LegProof, LegProof(fill.commitment, BUY, proof, list(range(8)), b"\x01" * 256).to_json()),
        "a relayed withdrawal": (WithdrawRequest, WithdrawRequest(proof, list(range(8)), b"\x02" * 128).to_json()),
    }


@pytest.mark.parametrize("what", ["an order ticket", "a trade", "a settlement leg", "a relayed withdrawal"])
def test_a_damaged_matcher_book_row(what, proof, capsys):
    cls, document = _messages(proof)[what]
    fuzz(f"matcher book: {what}", lambda data: _decode(cls, data.decode("utf-8", "replace"), what),
         json_mutations(document), 60, capsys, errors=(UserError,))


def test_a_deployment_file(tmp_path, capsys):
    record = Deployment(31337, "0x" + "11" * 20, "0x" + "22" * 20, "0x" + "33" * 20, "0x" + "44" * 20, 3,
                        {"BASE": "0x" + "55" * 20})
    path = tmp_path / "deployment.json"

    def read(data: bytes):
        path.write_bytes(data)
        Deployment.load(path)

    fuzz("deployment.json", read, json_mutations(asdict(record)), 100, capsys, errors=(UserError,))


def test_a_devnet_state_file(tmp_path, capsys):
    state = tmp_path / devnet.STATE_FILE

    def read(data: bytes):
        state.write_bytes(data)
        assert devnet.status(tmp_path) is None or state.exists()

    document = {"pid": 2**22, "port": 8545, "url": "http://127.0.0.1:8545", "log": str(tmp_path / "anvil.log")}
    fuzz("devnet state file", read, json_mutations(document), 100, capsys, errors=(UserError,))


@pytest.mark.parametrize("content, fragment", [
    (b"[" * 80_000 + b"]" * 80_000, "nested 80000 levels deep"),
    (b'{"chain_id": 1', "not valid JSON"),
    (b"[]", "not a JSON object"),
    (b'{"chain_id": 1}', "missing"),
])
def test_a_corrupt_deployment_file_is_one_clear_error(tmp_path, content, fragment):
    """A ChainError (a UserError: one line and exit 1 from every command that reads it)."""
    from protocol.chain.errors import ChainError

    (tmp_path / "deployment.json").write_bytes(content)
    with pytest.raises(ChainError, match="cannot read the deployment") as caught:
        Deployment.load(tmp_path / "deployment.json")
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


def test_cli_a_corrupt_devnet_state_file_is_one_line(tmp_path):
    state = tmp_path / "devnet"
    state.mkdir()
    (state / devnet.STATE_FILE).write_text('{"pid": null, "port": 1, "url": "x", "log": "y"}')
    result = zktrade("devnet", "status", "--dir", str(state), cwd=tmp_path)
    assert_one_line_error(result, "not a devnet state file")
