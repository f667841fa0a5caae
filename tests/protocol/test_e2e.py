"""End to end: the trading story on the embedded chain and on anvil, with the outcome checked
(balances, the withdrawal, spent notes) and the settlement searched for plaintext values."""

from pathlib import Path

import pytest

from protocol.chain import devnet
from protocol.chain.client import Chain
from protocol.demo import UNIT, balances, private_values, run_demo, settlement_plaintexts


def run(chain: Chain, home: Path, keys: Path):
    (home / "keys").symlink_to(keys, target_is_directory=True)
    return run_demo(chain, home, lambda *_: None)


def check_outcome(result) -> None:
    alice, bob = result.traders["alice"], result.traders["bob"]
    assert balances(alice) == {"WETH": 4 * UNIT, "USDC": 400 * UNIT}
    assert balances(bob) == {"WETH": 6 * UNIT, "USDC": 350 * UNIT}
    assert result.recipient_balance == 250 * UNIT
    # Every note spent on chain is recorded spent (alice: her deposit; bob: his deposit and the
    # USDC note he withdrew from), and nothing is left pending.
    for trader, spent in ((alice, 1), (bob, 2)):
        assert trader.wallet.notes("pending") == []
        assert len(trader.wallet.notes("spent")) == spent
        assert trader.wallet.pending_operations() == []
    # The pool holds what stays shielded: 10 WETH and 1,000 − 250 USDC.
    pool = result.pool
    assert pool.token_balance(pool.deployment.tokens["WETH"], pool.address) == 10 * UNIT
    assert pool.token_balance(pool.deployment.tokens["USDC"], pool.address) == 750 * UNIT


def test_trading_story_on_the_embedded_chain(tmp_path, protocol_keys):
    result = run(Chain.embedded_chain(), tmp_path, protocol_keys)
    check_outcome(result)
    assert settlement_plaintexts(result.pool, result.settle_receipt, private_values(result)) == []


def test_the_privacy_check_finds_plaintext_when_there_is_some(tmp_path, protocol_keys):
    """The search itself works: the withdrawal does reveal its token and amount, and is found."""
    result = run(Chain.embedded_chain(), tmp_path, protocol_keys)
    usdc = int(result.pool.deployment.tokens["USDC"], 16)
    found = settlement_plaintexts(result.pool, result.withdraw_receipt, {"USDC": usdc, "amount": 250 * UNIT})
    assert found == ["USDC", "amount"]


@pytest.mark.node
@pytest.mark.slow
def test_trading_story_on_anvil(tmp_path, protocol_keys):
    try:
        devnet.anvil_binary()
    except devnet.DevnetError as exc:
        pytest.skip(str(exc))
    node = devnet.up(tmp_path / "devnet")
    try:
        result = run(Chain.connect(node.url), tmp_path, protocol_keys)
        check_outcome(result)
        assert settlement_plaintexts(result.pool, result.settle_receipt, private_values(result)) == []
    finally:
        devnet.down(tmp_path / "devnet")
