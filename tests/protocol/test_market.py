"""Acceptance of trading protocol v2 (issue 11) with real proofs on a real pool: the embedded
chain, and anvil when it is installed. Traders are wallets with local keys; the matcher checks
collateral and legs; the settlement coordinator relays from the matcher's own account.

Crashes are injected at the coordinator's and the wallet's crash points: the "process" dies
there (a BaseException nothing catches), its objects are dropped, and new ones are opened over
the same files and the same chain, as a restarted process would."""

from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from circuits.trade import collateral_statement, leg_statement, withdraw_statement
from protocol import settlement, trader as trader_module
from protocol.chain import devnet
from protocol.chain.client import Chain
from protocol.chain.deploy import deploy_pool, deploy_test_token
from protocol.chain.errors import ChainError
from protocol.chain.signer import LocalAccount, chain_time, fund, new_private_key
from protocol.keys import KeyStore
from protocol.matcher import Matcher, MatcherError, PoolView
from protocol.matcher_store import MatcherStore
from protocol.notes import Note
from protocol.params import BUY, PRICE_SCALE, SELL
from protocol.pool import PoolClient
from protocol.settlement import RelayError, SettlementCoordinator, hand_in_legs
from protocol.statements import public_vector, withdraw_inputs
from protocol.trader import Trader
from protocol.wallet import Wallet
from ..support.chain_time import advance_time

from ..support.tools import require_anvil

pytestmark = pytest.mark.slow

S = PRICE_SCALE
WINDOW = 900  # seconds per leg: proving on a loaded 2-core machine takes tens of seconds per leg


class Crash(BaseException):
    """The process dies at a crash point."""


@dataclass
class Market:
    chain: Chain
    pool: PoolClient
    keys: KeyStore
    home: Path
    relayer: LocalAccount

    def token(self, symbol: str) -> str:
        return self.pool.deployment.tokens[symbol]

    def trader(self, name: str, token: str, amount: int) -> Trader:
        """A new wallet with gas from the faucet and `amount` of `token` shielded."""
        t = Trader(Wallet.create(self.home / f"{name}.wallet", name), self.pool, self.keys)
        fund(self.chain, t.address, 10**19)
        self.chain.transact(self.pool.token(token).functions.mint(t.address, amount), sender=self.chain.accounts[0])
        t.deposit(token, amount)
        return t

    def reopen(self, t: Trader) -> Trader:
        t.wallet.close()
        return Trader(Wallet.open(t.wallet.path), self.pool, self.keys)

    def matcher(self, name: str) -> Matcher:
        view = PoolView(self.pool.is_known_root, self.pool.nullifier_spent, lambda: chain_time(self.chain))
        return Matcher(MatcherStore(self.home / f"{name}.sqlite"), self.keys.keys(collateral_statement()), view,
                       leg_keys=self.keys.keys(leg_statement()), leg_window=WINDOW)

    def coordinator(self, matcher: Matcher) -> SettlementCoordinator:
        return SettlementCoordinator(matcher, self.pool, self.relayer)


def _market(chain: Chain, protocol_keys, home: Path) -> Market:
    keys = KeyStore(protocol_keys)
    record, _ = deploy_pool(chain, keys.keys(leg_statement()).proving_key.vk,
                            keys.keys(withdraw_statement()).proving_key.vk, ("BASE", "QUOTE"))
    fee_token = deploy_test_token(chain, "FEE", fee_bps=100)  # burns 1% of every transfer
    record = replace(record, tokens={**record.tokens, "FEE": fee_token.address})
    relayer = LocalAccount(chain, new_private_key())
    fund(chain, relayer.address, 10**19)
    return Market(chain, PoolClient(chain, record), keys, home, relayer)


@pytest.fixture(scope="module")
def market(protocol_keys, tmp_path_factory):
    """The embedded chain: every acceptance test runs here."""
    return _market(Chain.embedded_chain(), protocol_keys, tmp_path_factory.mktemp("market"))


@pytest.fixture(scope="module")
def anvil_market(protocol_keys, tmp_path_factory):
    require_anvil()
    state = tmp_path_factory.mktemp("anvil")
    node = devnet.up(state / "devnet")
    yield _market(Chain.connect(node.url), protocol_keys, tmp_path_factory.mktemp("market-anvil"))
    devnet.down(state / "devnet")


@pytest.fixture(params=["embedded", pytest.param("anvil", marks=pytest.mark.node)])
def any_market(request):
    """The acceptance stories (the sweep, a withdrawn note, expiry, a relayed withdrawal) and the
    tests where a real node's behaviour (mempool, nonces, receipts) matters run on anvil too."""
    return request.getfixturevalue("market" if request.param == "embedded" else "anvil_market")


def settle_all(market: Market, matcher: Matcher, traders: list[Trader], rounds: int = 6) -> None:
    """What the traders' agents and the coordinator do: legs as the chain allows, then relay."""
    coordinator = market.coordinator(matcher)
    for _ in range(rounds):
        for t in traders:
            hand_in_legs(t, matcher)
        coordinator.run()
        if not matcher.store.trades(("awaiting_legs", "submitted")):
            break
    for t in traders:
        t.sync()


def shielded(t: Trader) -> dict[str, int]:
    return {t.pool.symbol_of(a): b["live"] for a, b in t.wallet.balances().items() if b["live"] or b["pending"]}


def assert_settled_cleanly(traders: list[Trader]) -> None:
    for t in traders:
        assert t.wallet.notes("pending") == [] and t.wallet.pending_operations() == []


def test_one_buyer_sweeps_three_sellers_at_three_prices(any_market):
    market = any_market
    base, quote = market.token("BASE"), market.token("QUOTE")
    sellers = [market.trader(name, base, 10) for name in ("carol", "dave", "frank")]
    erin = market.trader("erin", quote, 10_000)
    m = market.matcher("sweep")
    for seller, price in zip(sellers, (145, 146, 147)):
        assert m.submit(seller.place_order(SELL, base, quote, 4, price * S)) == []
    trades = m.submit(erin.place_order(BUY, base, quote, 12, 150 * S))
    assert [(t.fill.base_amount, t.fill.quote_amount) for t in trades] == [(4, 580), (4, 584), (4, 588)]
    settle_all(market, m, [*sellers, erin])
    assert [t.state for t in m.store.trades()] == ["settled"] * 3
    assert shielded(erin) == {"BASE": 12, "QUOTE": 10_000 - 580 - 584 - 588}
    assert [shielded(s) for s in sellers] == [{"BASE": 6, "QUOTE": q} for q in (580, 584, 588)]
    assert_settled_cleanly([*sellers, erin])
    # Every settlement was sent by the relayer, never by a trader.
    traders = {t.address for t in [*sellers, erin]}
    for t in m.store.trades():
        sender = market.chain.w3.eth.get_transaction(t.tx_hash)["from"]
        assert sender == market.relayer.address and sender not in traders


def test_an_order_backed_by_a_withdrawn_note_is_refused(any_market):
    market = any_market
    base, quote = market.token("BASE"), market.token("QUOTE")
    bob = market.trader("bob-withdrawn", base, 5)
    ticket = bob.place_order(SELL, base, quote, 5, 100 * S)
    # bob drops the order in his wallet, withdraws the note, then books the ticket anyway.
    bob.wallet.update_order(ticket.order.order_id, status="cancelled")
    bob.withdraw(base, 5, LocalAccount(market.chain, new_private_key()).address)
    with pytest.raises(MatcherError, match="already spent on chain"):
        market.matcher("withdrawn").submit(ticket)


def test_a_maker_whose_counterparty_never_proves_trades_with_someone_else(any_market):
    market = any_market
    base, quote = market.token("BASE"), market.token("QUOTE")
    bob = market.trader("bob-maker", base, 2)
    mallory = market.trader("mallory", quote, 1000)
    carol = market.trader("carol-taker", quote, 1000)
    m = market.matcher("expiry")
    m.submit(bob.place_order(SELL, base, quote, 2, 100 * S))
    (stalled,) = m.submit(mallory.place_order(BUY, base, quote, 2, 100 * S))
    settle_all(market, m, [bob], rounds=1)  # bob proves; mallory never does
    assert m.store.trade(stalled.trade_commitment).state == "awaiting_legs"
    advance_time(market.chain, WINDOW + 1)
    market.coordinator(m).run()
    assert m.store.trade(stalled.trade_commitment).state == "expired"
    assert m.order_status(stalled.sell_order_id).startswith("open (2 resting")
    bob.sync()  # bob's leg can no longer land: its size is his order's again, his note untouched
    assert bob.wallet.pending_operations() == [] and shielded(bob) == {"BASE": 2}
    (trade,) = m.submit(carol.place_order(BUY, base, quote, 2, 100 * S))
    assert trade.sell_order_id == stalled.sell_order_id
    settle_all(market, m, [bob, carol])
    assert m.store.trade(trade.trade_commitment).state == "settled"
    assert shielded(bob) == {"QUOTE": 200} and shielded(carol) == {"BASE": 2, "QUOTE": 800}
    assert_settled_cleanly([bob, carol])


def test_a_relayed_withdrawal_pays_the_relayer_its_fee_and_a_fresh_address_the_rest(any_market):
    market = any_market
    quote = market.token("QUOTE")
    zoe = market.trader("zoe", quote, 1000)
    fresh = LocalAccount(market.chain, new_private_key()).address  # never funded, never seen
    m = market.matcher("relay")
    _, request = zoe.withdraw(quote, 300, fresh, relayer=market.relayer.address, fee=7)
    greedy = replace(request, public=[*request.public[:6], 8, request.public[7]])  # the relayer ups its fee
    with pytest.raises(ChainError, match="revert"):
        market.coordinator(m).relay_withdraw(greedy)
    with pytest.raises(RelayError, match="not this relayer"):
        market.coordinator(m).relay_withdraw(replace(request, public=[*request.public[:5], 1, *request.public[6:]]))
    receipt = market.coordinator(m).relay_withdraw(request)
    assert market.pool.token_balance(quote, fresh) == 293
    assert market.pool.token_balance(quote, market.relayer.address) == 7
    assert market.chain.w3.eth.get_transaction(receipt.tx_hash)["from"] == market.relayer.address != zoe.address
    zoe.sync()
    assert shielded(zoe) == {"QUOTE": 700} and zoe.wallet.pending_operations() == []


def _trades(market: Market, name: str, n: int):
    """n sellers, n buyers, n trades with both legs at the matcher."""
    base, quote = market.token("BASE"), market.token("QUOTE")
    sellers = [market.trader(f"{name}-seller{i}", base, 10) for i in range(n)]
    buyers = [market.trader(f"{name}-buyer{i}", quote, 1000) for i in range(n)]
    m = market.matcher(name)
    for seller in sellers:
        m.submit(seller.place_order(SELL, base, quote, 2, 100 * S))
    trades = [m.submit(b.place_order(BUY, base, quote, 2, 100 * S))[0] for b in buyers]
    traders = [*sellers, *buyers]
    for t in traders:
        hand_in_legs(t, m)
    assert all(t.buy_leg and t.sell_leg for t in m.store.trades())
    return m, trades, traders


def test_the_coordinator_killed_after_send_after_the_receipt_and_before_saving(any_market, monkeypatch):
    """Three trades; the coordinator dies at each crash point in turn and is restarted over the
    same database: every trade settles exactly once and none is blocked by the one before."""
    market = any_market
    m, trades, traders = _trades(market, "crash", 3)
    expected = [
        ("settle-recorded", ["submitted", "awaiting_legs", "awaiting_legs"]),  # signed and saved, never sent
        ("settle-sent", ["submitted", "awaiting_legs", "awaiting_legs"]),      # resent as recorded; no receipt yet
        ("settle-receipt", ["settled", "submitted", "awaiting_legs"]),         # found settled; the next one mined, unsaved
    ]
    for point, states in expected:
        def crash(name: str, point=point) -> None:
            if name == point:
                raise Crash(name)

        monkeypatch.setattr(settlement, "crash_point", crash)
        with pytest.raises(Crash):
            market.coordinator(m).run()
        monkeypatch.undo()
        m.store.close()
        m = market.matcher("crash")
        assert [t.state for t in m.store.trades()] == states, point
    settle_all(market, m, traders)
    settled = [e.trade_commitment for e in market.pool.settlements()]
    for t in trades:
        assert settled.count(t.trade_commitment) == 1
        assert m.store.trade(t.trade_commitment).state == "settled"
    assert_settled_cleanly(traders)


def test_one_failing_trade_does_not_block_the_next(market):
    m, trades, (_, _, buyer0, _) = _trades(market, "failing", 2)
    # The note buyer0's leg spends is withdrawn behind the wallet's back (its key used elsewhere):
    # that settlement must fail, the other one land.
    (note,) = buyer0.wallet.notes("live")
    inputs = withdraw_inputs(buyer0.wallet.spending_key, Note(note.asset, note.amount, note.owner, note.blinding),
                             buyer0.tree.path(note.leaf_index), note.amount, int(buyer0.address, 16), 1)
    proof = market.keys.keys(withdraw_statement()).prove(inputs.public, inputs.private)
    market.pool.withdraw(market.chain.accounts[0], proof, public_vector(inputs.public))
    outcomes = {o.trade_commitment: o for o in market.coordinator(m).run()}
    assert outcomes[trades[0].trade_commitment].state == "failed"
    assert "nullifier already spent" in outcomes[trades[0].trade_commitment].detail
    assert outcomes[trades[1].trade_commitment].state == "settled"
    assert m.order_status(trades[0].buy_order_id) == "dropped"  # at fault
    assert m.order_status(trades[0].sell_order_id).startswith("open (2 resting")  # back in the book
    buyer0.sync()  # the wallet sees its leg can never land
    assert [op.kind for op in buyer0.wallet.pending_operations()] == []


def test_a_fee_token_deposit_killed_before_its_receipt_is_sent_once(any_market, monkeypatch):
    market = any_market
    fee = market.token("FEE")
    t = Trader(Wallet.create(market.home / "fee.wallet", "fee"), market.pool, market.keys)
    fund(market.chain, t.address, 10**19)
    market.chain.transact(market.pool.token(fee).functions.mint(t.address, 1000), sender=market.chain.accounts[0])
    pool_before = market.pool.token_balance(fee, market.pool.address)

    def crash(name: str) -> None:
        if name == "deposit-sent":
            raise Crash(name)

    monkeypatch.setattr(trader_module, "crash_point", crash)
    with pytest.raises(Crash):
        t.deposit(fee, 1000)
    monkeypatch.undo()
    t = market.reopen(t)
    assert [line.split(": ")[1] for line in t.resume()] == ["deposit found on chain"]
    assert t.resume() == []
    assert market.pool.token_balance(fee, market.pool.address) == pool_before + 990  # in once, net of the fee
    assert market.pool.token_balance(fee, t.address) == 0
    assert shielded(t) == {"FEE": 990} and t.wallet.pending_operations() == []
    assert market.chain.w3.eth.get_transaction_count(t.address) == 2  # approve and deposit, nothing else
