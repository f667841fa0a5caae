"""End to end: the demo's trading story (a sweep of two makers, relayed settlements, a relayed
withdrawal) on the embedded chain and on anvil, with the outcome checked (balances, fee, spent
notes, senders) and the transactions searched for plaintext values and traders' addresses."""

from pathlib import Path

import pytest

from protocol.chain import devnet
from protocol.chain.client import Chain
from protocol.demo import UNIT, balances, plaintexts_in, private_values, run_demo

from ..support.tools import require_anvil


def run(chain: Chain, home: Path, keys: Path):
    (home / "keys").symlink_to(keys, target_is_directory=True)
    return run_demo(chain, home, lambda *_: None)


def check_outcome(result) -> None:
    alice, bob, carol = (result.traders[n] for n in ("alice", "bob", "carol"))
    assert balances(alice) == {"WETH": 6 * UNIT, "USDC": 150 * UNIT}  # 1000 − 4·140 − 2·145
    assert balances(bob) == {"USDC": 310 * UNIT}  # 560 − 250 withdrawn
    assert balances(carol) == {"USDC": 290 * UNIT}
    assert result.token_balance("USDC", result.recipient) == 249 * UNIT
    assert result.token_balance("USDC", result.relayer) == 1 * UNIT
    # Every note spent on chain is recorded spent (alice: her deposit and the change of her first
    # leg, which her second leg spent; bob: his deposit and the USDC he withdrew from; carol: her
    # deposit), and nothing is left pending.
    for trader, spent in ((alice, 2), (bob, 2), (carol, 1)):
        assert trader.wallet.notes("pending") == []
        assert len(trader.wallet.notes("spent")) == spent
        assert trader.wallet.pending_operations() == []
    pool = result.pool
    assert pool.token_balance(pool.deployment.tokens["WETH"], pool.address) == 6 * UNIT
    assert pool.token_balance(pool.deployment.tokens["USDC"], pool.address) == 750 * UNIT
    # Settlements and the withdrawal were sent by the relayer: no trader address on them.
    w3 = pool.chain.w3
    for tx in (*result.settle_txs, result.withdraw_tx):
        assert w3.eth.get_transaction(tx)["from"] == result.relayer


def check_privacy(result) -> None:
    private = private_values(result)
    for tx in result.settle_txs:
        assert plaintexts_in(result.pool, tx, private) == []
    addresses = {k: v for k, v in private.items() if k.endswith("'s address")}
    assert plaintexts_in(result.pool, result.withdraw_tx, addresses) == []


@pytest.mark.slow
def test_trading_story_on_the_embedded_chain(tmp_path, protocol_keys):
    result = run(Chain.embedded_chain(), tmp_path, protocol_keys)
    check_outcome(result)
    check_privacy(result)
    # The search itself works: the withdrawal does reveal its token, amount and recipient.
    usdc = int(result.pool.deployment.tokens["USDC"], 16)
    found = plaintexts_in(result.pool, result.withdraw_tx,
                          {"USDC": usdc, "amount": 250 * UNIT, "recipient": int(result.recipient, 16)})
    assert found == ["USDC", "amount", "recipient"]


@pytest.mark.node
@pytest.mark.slow
def test_trading_story_on_anvil(tmp_path, protocol_keys):
    require_anvil()
    node = devnet.up(tmp_path / "devnet")
    try:
        result = run(Chain.connect(node.url), tmp_path, protocol_keys)
        check_outcome(result)
        check_privacy(result)
    finally:
        devnet.down(tmp_path / "devnet")
