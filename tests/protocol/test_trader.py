"""Trader operations against the real pool on the embedded chain: what the wallet records is what
the chain holds, also when a token charges a fee, a deposit has to be finished after a crash, or
two leaves carry the same commitment."""

from dataclasses import replace

import pytest

from circuits.trade import leg_statement, withdraw_statement
from protocol import trader as trader_module
from protocol.chain.client import Chain
from protocol.chain.deploy import deploy_pool, deploy_test_token
from protocol.chain.signer import faucet
from protocol.keys import KeyStore
from protocol.pool import PoolClient
from protocol.trader import Trader
from protocol.wallet import Wallet


class Crash(BaseException):
    """The process dies at a crash point."""


@pytest.fixture(scope="module")
def setting(protocol_keys):
    chain = Chain.embedded_chain()
    keys = KeyStore(protocol_keys)
    record, _ = deploy_pool(chain, keys.keys(leg_statement()).proving_key.vk,
                            keys.keys(withdraw_statement()).proving_key.vk, ("PLAIN",))
    fee_token = deploy_test_token(chain, "FEE", fee_bps=100)  # burns 1% of every transfer
    record = replace(record, tokens={**record.tokens, "FEE": fee_token.address})
    return chain, PoolClient(chain, record), keys


def trader(setting, tmp_path, name: str, token: str, amount: int) -> Trader:
    chain, pool, keys = setting
    t = Trader(Wallet.create(tmp_path / f"{name}.wallet", name), pool, keys)
    faucet(chain, pool.token(pool.deployment.tokens[token]), t.address, amount, gas=True)
    return t


def test_a_fee_token_deposit_keeps_the_note_the_pool_made(setting, tmp_path):
    _, pool, _ = setting
    t = trader(setting, tmp_path, "fee", "FEE", 1000)
    token = pool.deployment.tokens["FEE"]
    note = t.deposit(token, 1000)
    assert (note.amount, note.status) == (990, "live")
    assert t.wallet.balances() == {int(token, 16): {"live": 990, "pending": 0}}
    assert t.wallet.pending_operations() == []


def test_a_deposit_recorded_but_never_broadcast_is_sent_once_on_resume(setting, tmp_path, monkeypatch):
    chain, pool, keys = setting
    t = trader(setting, tmp_path, "plain", "PLAIN", 500)
    token = pool.deployment.tokens["PLAIN"]

    def crash(name: str) -> None:
        if name == "deposit-recorded":
            raise Crash(name)

    monkeypatch.setattr(trader_module, "crash_point", crash)
    with pytest.raises(Crash):
        t.deposit(token, 300)
    monkeypatch.undo()
    assert pool.token_balance(token, t.address) == 500  # signed and stored, not sent
    t = Trader(Wallet.open(t.wallet.path), pool, keys)
    assert [line.split(": ")[1] for line in t.resume()] == ["deposit sent as recorded (it had not reached the chain)"]
    assert t.resume() == []
    assert pool.token_balance(token, t.address) == 200  # 300 went in, once
    assert chain.w3.eth.get_transaction_count(t.address) == 2  # the recorded approve and deposit


def test_two_leaves_with_equal_commitments_are_two_notes(setting, tmp_path):
    _, pool, _ = setting
    t = trader(setting, tmp_path, "twice", "PLAIN", 200)
    token = pool.deployment.tokens["PLAIN"]
    index, note = t.wallet.fresh_note(int(token, 16), 100)
    for _ in range(2):
        t.wallet.begin_operation("deposit", {"token": token, "amount": "100"}, [(index, note)])
    t.resume()
    first, second = t.wallet.notes("live")
    assert first.commitment == second.commitment == note.commitment
    assert first.leaf_index != second.leaf_index and first.nullifier != second.nullifier
    assert t.wallet.balances() == {int(token, 16): {"live": 200, "pending": 0}}
