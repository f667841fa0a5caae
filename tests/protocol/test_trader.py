"""Trader operations against the real pool on the embedded chain: what the wallet records is what
the chain holds, also when a token charges a fee or a deposit has to be finished after a crash."""

from dataclasses import replace

import pytest

from circuits.trade import leg_statement, withdraw_statement
from protocol.chain.client import Chain
from protocol.chain.deploy import deploy_pool, deploy_test_token
from protocol.keys import KeyStore
from protocol.notes import Note
from protocol.pool import PoolClient
from protocol.trader import Trader
from protocol.wallet import Wallet


@pytest.fixture(scope="module")
def setting(protocol_keys):
    chain = Chain.embedded_chain()
    keys = KeyStore(protocol_keys)
    record, _ = deploy_pool(chain, keys.keys(leg_statement()).proving_key.vk,
                            keys.keys(withdraw_statement()).proving_key.vk, ("PLAIN",))
    fee_token = deploy_test_token(chain, "FEE", fee_bps=100)  # burns 1% of every transfer
    record = replace(record, tokens={**record.tokens, "FEE": fee_token.address})
    return chain, PoolClient(chain, record), keys


def trader(setting, tmp_path, name: str, account_index: int) -> Trader:
    chain, pool, keys = setting
    return Trader(Wallet.create(tmp_path / f"{name}.wallet", name), pool, keys, chain.accounts[account_index])


def test_a_fee_token_deposit_keeps_the_note_the_pool_made(setting, tmp_path):
    chain, pool, _ = setting
    t = trader(setting, tmp_path, "fee", 3)
    token = pool.deployment.tokens["FEE"]
    chain.transact(pool.token(token).functions.mint(t.account, 1000), sender=chain.accounts[0])
    note = t.deposit(token, 1000)
    assert note.amount == 1000
    assert t.wallet.balances() == {int(token, 16): {"live": 990, "pending": 0}}
    assert t.wallet.pending_operations() == []


def test_resume_finds_a_sent_deposit_and_never_sends_it_twice(setting, tmp_path):
    chain, pool, _ = setting
    t = trader(setting, tmp_path, "plain", 4)
    token = pool.deployment.tokens["PLAIN"]
    chain.transact(pool.token(token).functions.mint(t.account, 500), sender=chain.accounts[0])
    # As if the process died after recording the deposit, before sending it.
    note = Note.fresh(int(token, 16), 300, t.wallet.owner)
    op = t.wallet.begin_operation("deposit", {"token": token, "commitment": str(note.commitment)}, [note])
    assert [line.split(": ")[1] for line in t.resume()] == ["deposit sent again (it had not reached the chain)"]
    assert t.wallet.operation(op).state == "done"
    assert t.resume() == []
    assert pool.token_balance(token, t.account) == 200  # 300 went in, once
