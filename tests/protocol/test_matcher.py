"""The matcher, with real collateral proofs (depth-4 tree) over an in-memory pool view:
booking checks (spent or promised notes, roots, proofs), fill chains with deadlines, legs,
expiry, cancel, and a restart that rebuilds the book and the pending fills exactly."""

from dataclasses import dataclass, field, replace

import pytest

from circuits.trade import collateral_statement
from protocol.engine import fill_respects_limits
from protocol.keys import CircuitKeys
from protocol.matcher import LEG_DEADLINE, LEG_NULLIFIER, LEG_ORDER, LEG_SIDE, LEG_TRADE, Matcher, MatcherError, PoolView, owner_hash
from protocol.matcher_store import MatcherStore
from protocol.messages import LegProof, Order, OrderTicket, Trade
from protocol.notes import Note, nullifier_of, owner_of
from protocol.params import BUY, PRICE_SCALE, SELL
from protocol.statements import collateral_inputs
from protocol.tree import MerkleTree
from zk.curve import G1_GENERATOR, g1_add
from zk.groth16 import prepare_verifying_key, setup

DEPTH = 4
WINDOW = 100
BASE, QUOTE = 0xBA5E, 0x0C07E
KEYS = {"alice": 1111, "bob": 2222, "carol": 3333, "dave": 4444, "erin": 5555}


@pytest.fixture(scope="module")
def keys():
    statement = collateral_statement(DEPTH)
    pk = setup(statement.r1cs, seed=4)
    return CircuitKeys(statement, pk, prepare_verifying_key(pk.vk))


@dataclass
class FakePool:
    """The chain as the matcher sees it: the tree's roots, spent nullifiers, a settable clock."""

    tree: MerkleTree = field(default_factory=lambda: MerkleTree(depth=DEPTH))
    spent: set = field(default_factory=set)
    time: int = 1_000_000

    def view(self) -> PoolView:
        return PoolView(self.tree.is_known_root, lambda n: n in self.spent, lambda: self.time)


# Proofs by (note, order): every test builds the same tree, so a proof made once holds in all.
PROOFS: dict = {}


class World:
    def __init__(self, keys, tmp_path):
        self.keys = keys
        self.pool = FakePool()
        self.path = tmp_path / "matcher.sqlite"
        self.notes: dict[str, tuple[str, Note, int]] = {}
        self.matcher = self.reopen()

    def reopen(self) -> Matcher:
        self.matcher = Matcher(MatcherStore(self.path), self.keys, self.pool.view(), leg_window=WINDOW)
        return self.matcher

    def note(self, name: str, who: str, asset: int, amount: int) -> None:
        note = Note(asset, amount, owner_of(KEYS[who]), len(self.notes) + 1)
        self.notes[name] = (who, note, self.pool.tree.append(note.commitment))

    def nullifier(self, name: str) -> int:
        who, note, index = self.notes[name]
        return nullifier_of(note.commitment, index, KEYS[who])

    def ticket(self, note: str, order: Order) -> OrderTicket:
        who, n, index = self.notes[note]
        public, private = collateral_inputs(KEYS[who], n, self.pool.tree.path(index), order)
        key = (note, order, public.root)
        if key not in PROOFS:
            PROOFS[key] = self.keys.prove(public, private)
        return OrderTicket(order, public.root, public.nullifier, PROOFS[key], owner_hash(who.encode()))

    def leg(self, trade: Trade, side: int, note: str) -> LegProof:
        """A leg as the matcher checks it (public inputs only: these tests pass no leg keys)."""
        order = self.matcher._tickets[trade.order_of(side)].order
        public = [0] * 8
        public[0] = self.pool.tree.root
        public[LEG_NULLIFIER] = self.nullifier(note)
        public[LEG_TRADE], public[LEG_ORDER] = trade.trade_commitment, order.commitment
        public[LEG_SIDE], public[LEG_DEADLINE] = side, trade.fill.deadline
        return LegProof(trade.trade_commitment, side, self.matcher.store.order(order.order_id).ticket.proof, public)


@pytest.fixture()
def world(keys, tmp_path):
    w = World(keys, tmp_path)
    w.note("alice", "alice", QUOTE, 10_000)
    w.note("alice2", "alice", QUOTE, 500)
    for name in ("bob", "carol", "dave"):
        w.note(name, name, BASE, 100)
    w.note("erin", "erin", QUOTE, 10_000)
    return w


def buy(order_id: str, size: int, price: float) -> Order:
    return Order(order_id, BUY, BASE, QUOTE, size, int(price * PRICE_SCALE), salt=int.from_bytes(order_id.encode(), "big"))


def sell(order_id: str, size: int, price: float) -> Order:
    return Order(order_id, SELL, BASE, QUOTE, size, int(price * PRICE_SCALE), salt=int.from_bytes(order_id.encode(), "big"))


def test_a_taker_sweeps_three_makers_at_three_prices_with_chained_deadlines(world):
    m = world.matcher
    for name, price in (("carol", 1.45), ("dave", 1.46), ("bob", 1.44)):
        assert m.submit(world.ticket(name, sell(f"{name}-s", 10, price))) == []
    trades = m.submit(world.ticket("alice", buy("a", 30, 1.5)))
    now = world.pool.time
    assert [(t.sell_order_id, t.fill.base_amount, t.fill.quote_amount) for t in trades] == [
        ("bob-s", 10, 15), ("carol-s", 10, 15), ("dave-s", 10, 15)]  # 14.4 → 15: the selling maker's rounding
    assert [t.fill.deadline for t in trades] == [now + WINDOW, now + 2 * WINDOW, now + 3 * WINDOW]
    for t in trades:
        assert fill_respects_limits(t.fill.base_amount, t.fill.quote_amount, int(1.5 * PRICE_SCALE), t.price)
    assert m.order_status("a") == "filled (3 fill(s) settling)"


def test_an_order_backed_by_a_withdrawn_note_is_refused(world):
    world.pool.spent.add(world.nullifier("bob"))  # bob withdrew the note
    with pytest.raises(MatcherError, match="already spent on chain"):
        world.matcher.submit(world.ticket("bob", sell("b", 10, 1.5)))


def test_one_note_backs_one_order_until_its_fills_resolve(world):
    m = world.matcher
    m.submit(world.ticket("alice", buy("a1", 10, 2.5)))
    with pytest.raises(MatcherError, match="already backs order a1"):
        m.submit(world.ticket("alice", buy("a2", 10, 2.0)))
    m.submit(world.ticket("alice2", buy("a2", 10, 2.0)))  # another note is fine
    # Filled and cancelled, a1's note still backs the fill that awaits its legs.
    assert len(m.submit(world.ticket("bob", sell("b", 10, 2.5)))) == 1
    with pytest.raises(MatcherError, match="already backs order a1"):
        m.submit(world.ticket("alice", buy("a3", 10, 2.0)))


def test_forged_or_mismatched_tickets_are_refused(world):
    m = world.matcher
    good = world.ticket("alice", buy("a1", 10, 2.5))
    with pytest.raises(MatcherError, match="does not verify"):
        m.submit(replace(good, order=buy("a1", 11, 2.5)))  # terms changed after proving
    with pytest.raises(MatcherError, match="does not verify"):
        m.submit(replace(good, proof=replace(good.proof, a=g1_add(good.proof.a, G1_GENERATOR))))
    with pytest.raises(MatcherError, match="does not verify"):
        m.submit(replace(good, nullifier=world.nullifier("alice2")))  # another note's tag
    with pytest.raises(MatcherError, match="root the pool does not accept"):
        m.submit(replace(good, root=12345))
    with pytest.raises(MatcherError, match="malformed"):
        m.submit(replace(good, proof=replace(good.proof, c=(1, 1))))
    m.submit(good)
    with pytest.raises(MatcherError, match="already taken"):
        m.submit(good)


def test_no_self_trade_for_orders_of_one_secret(world):
    m = world.matcher
    m.submit(world.ticket("alice", buy("a1", 10, 2.5)))
    own_sell = replace(world.ticket("bob", sell("b", 10, 2.0)), owner_hash=owner_hash(b"alice"))
    assert m.submit(own_sell) == []


def test_legs_are_checked_against_the_fill(world):
    m = world.matcher
    m.submit(world.ticket("bob", sell("b", 10, 2.0)))
    (trade,) = m.submit(world.ticket("alice", buy("a", 10, 2.0)))
    leg = world.leg(trade, BUY, "alice")
    wrong_deadline = replace(leg, public=[*leg.public[:LEG_DEADLINE], trade.fill.deadline + 1])
    with pytest.raises(MatcherError, match="does not bind"):
        m.submit_leg(wrong_deadline)
    with pytest.raises(MatcherError, match="does not bind"):
        m.submit_leg(replace(leg, side=SELL, public=[*leg.public[:LEG_SIDE], SELL, leg.public[LEG_DEADLINE]]))
    assert m.submit_leg(leg).buy_leg == leg
    assert m.submit_leg(leg).state == "awaiting_legs"  # the same leg again is fine
    world.pool.time = trade.fill.deadline + 1
    with pytest.raises(MatcherError, match="deadline has passed"):
        m.submit_leg(world.leg(trade, SELL, "bob"))


def test_a_maker_whose_counterparty_never_proves_gets_its_order_back(world):
    m = world.matcher
    m.submit(world.ticket("bob", sell("b", 10, 2.0)))
    (trade,) = m.submit(world.ticket("alice", buy("a", 10, 2.0)))
    m.submit_leg(world.leg(trade, SELL, "bob"))  # alice never proves
    assert m.expire_due() == []  # not yet
    world.pool.time = trade.fill.deadline + 1
    assert m.expire_due() == []
    assert m.store.trade(trade.trade_commitment).state == "expired"
    assert m.order_status("b") == "open (10 resting)"
    assert m.order_status("a") == "dropped"
    # bob's note is free again; erin buys and trades with bob.
    (again,) = m.submit(world.ticket("erin", buy("e", 10, 2.0)))
    assert (again.sell_order_id, again.fill.base_amount) == ("b", 10)
    assert again.fill.deadline == world.pool.time + WINDOW


def test_cancel_revokes_unsettled_fills_and_needs_the_owners_secret(world):
    m = world.matcher
    m.submit(world.ticket("bob", sell("b", 10, 2.0)))
    m.submit(world.ticket("carol", sell("c", 10, 2.1)))
    (trade,) = m.submit(world.ticket("alice", buy("a", 10, 2.0)))
    with pytest.raises(MatcherError, match="no order a of yours"):
        m.cancel("a", b"bob")
    assert m.cancel("a", b"alice") == []
    assert m.store.trade(trade.trade_commitment).state == "revoked"
    assert m.order_status("b") == "open (10 resting)"
    with pytest.raises(MatcherError, match="takes no legs"):
        m.submit_leg(world.leg(trade, SELL, "bob"))


def test_a_restart_rebuilds_the_book_and_the_pending_fills(world):
    m = world.matcher
    m.submit(world.ticket("bob", sell("b", 10, 2.0)))
    m.submit(world.ticket("carol", sell("c", 10, 2.1)))
    (trade,) = m.submit(world.ticket("alice", buy("a", 5, 2.0)))
    m.submit_leg(world.leg(trade, BUY, "alice"))

    def state(matcher):
        book = {o.order_id: (o.remaining, o.seq) for o in matcher.book.orders.values()}
        return book, [(t.trade, t.state, t.buy_leg, t.sell_leg) for t in matcher.store.trades()], matcher.book.seq

    before = state(m)
    m.store.close()
    after = world.reopen()
    assert state(after) == before
    # It carries on: the next order has the next arrival number and matches at bob's price first.
    (t2,) = after.submit(world.ticket("erin", buy("e", 5, 2.2)))
    assert (t2.sell_order_id, t2.fill.base_amount) == ("b", 5)
    assert t2.fill.deadline == world.pool.time + 2 * WINDOW  # after bob's unsettled fill


def test_a_failed_write_leaves_the_book_as_stored(world, monkeypatch):
    m = world.matcher
    m.submit(world.ticket("bob", sell("b", 10, 2.0)))

    def broken(*_):
        raise OSError("disk full")

    monkeypatch.setattr(m.store, "add_trade", broken)
    with pytest.raises(OSError):
        m.submit(world.ticket("alice", buy("a", 10, 2.0)))
    assert m.book.orders["b"].remaining == 10 and "a" not in m.book.orders
    assert m.store.order("a") is None


def test_two_processes_on_one_database_see_each_others_orders(world):
    first = world.matcher
    second = Matcher(MatcherStore(world.path), world.keys, world.pool.view(), leg_window=WINDOW)  # opened before
    first.submit(world.ticket("bob", sell("b", 10, 2.0)))
    (trade,) = second.submit(world.ticket("alice", buy("a", 10, 2.0)))
    assert trade.sell_order_id == "b"
    with pytest.raises(MatcherError, match="already backs order b"):
        first.submit(world.ticket("bob", sell("b2", 10, 2.0)))
