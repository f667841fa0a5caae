"""The matcher books an order only with a valid collateral proof against a known root, refuses a
note backing two live orders, and suspends partly filled orders until fresh collateral arrives."""

from dataclasses import replace

import pytest

from circuits.trade import collateral_statement
from protocol.keys import CircuitKeys
from protocol.matcher import Matcher, MatcherError, OrderTicket
from protocol.matching import fill_respects_limits
from protocol.notes import Note, Order, owner_of
from protocol.params import BUY, PRICE_SCALE, SELL
from protocol.statements import collateral_inputs
from protocol.tree import MerkleTree
from zk.curve import G1_GENERATOR, g1_add
from zk.groth16 import prepare_verifying_key, setup

DEPTH = 4
BASE, QUOTE = 0xBA5E, 0x0C07E
ALICE, BOB = 1111, 2222


@pytest.fixture(scope="module")
def keys():
    statement = collateral_statement(DEPTH)
    pk = setup(statement.r1cs, seed=4)
    return CircuitKeys(statement, pk, prepare_verifying_key(pk.vk))


@pytest.fixture()
def world(keys):
    tree = MerkleTree(depth=DEPTH)
    notes = {
        "alice": Note(QUOTE, 1000, owner_of(ALICE), 1),   # buys BASE with QUOTE
        "alice2": Note(QUOTE, 500, owner_of(ALICE), 2),
        "bob": Note(BASE, 100, owner_of(BOB), 3),         # sells BASE
    }
    index = {name: tree.append(n.commitment) for name, n in notes.items()}
    matcher = Matcher(keys, tree.is_known_root)

    def ticket(who: str, note: str, order: Order) -> OrderTicket:
        sk = ALICE if who == "alice" else BOB
        public, private = collateral_inputs(sk, notes[note], tree.path(index[note]), order)
        return OrderTicket(order, who, public.root, public.note_tag, keys.prove(public, private))

    return matcher, ticket


def buy(order_id: str, size: int, price: float) -> Order:
    return Order(order_id, BUY, BASE, QUOTE, size, int(price * PRICE_SCALE), salt=int.from_bytes(order_id.encode(), "big"))


def sell(order_id: str, size: int, price: float) -> Order:
    return Order(order_id, SELL, BASE, QUOTE, size, int(price * PRICE_SCALE), salt=int.from_bytes(order_id.encode(), "big"))


def test_match_at_the_makers_price_with_a_partial_fill(world):
    matcher, ticket = world
    assert matcher.submit(ticket("alice", "alice", buy("a1", 100, 2.5))) == []
    trades = matcher.submit(ticket("bob", "bob", sell("b1", 40, 2.4)))
    assert len(trades) == 1
    t = trades[0]
    assert (t.buy_order_id, t.sell_order_id, t.maker_order_id) == ("a1", "b1", "a1")
    assert (t.fill.base_amount, t.fill.quote_amount) == (40, 100)  # at the maker's 2.5
    assert fill_respects_limits(40, 100, int(2.5 * PRICE_SCALE), int(2.4 * PRICE_SCALE))
    assert matcher.order_status("a1").startswith("suspended")
    assert matcher.order_status("b1") == "closed"


def test_the_rest_of_a_partly_filled_order_needs_fresh_collateral(world):
    matcher, ticket = world
    matcher.submit(ticket("alice", "alice", buy("a1", 100, 2.5)))
    matcher.submit(ticket("bob", "bob", sell("b1", 40, 2.4)))
    with pytest.raises(MatcherError, match="size 60"):
        matcher.replace("a1", ticket("alice", "alice2", buy("a2", 100, 2.5)))
    with pytest.raises(MatcherError, match="not waiting"):
        matcher.replace("b1", ticket("alice", "alice2", buy("a2", 60, 2.5)))
    matcher.replace("a1", ticket("alice", "alice2", buy("a2", 60, 2.5)))
    assert matcher.order_status("a2") == "open" and matcher.order_status("a1") == "closed"
    assert matcher.book.orders["a2"].remaining == 60


def test_one_note_cannot_back_two_live_orders(world):
    matcher, ticket = world
    matcher.submit(ticket("alice", "alice", buy("a1", 10, 2.5)))
    with pytest.raises(MatcherError, match="already backs live order a1"):
        matcher.submit(ticket("alice", "alice", buy("a2", 10, 2.0)))
    matcher.submit(ticket("alice", "alice2", buy("a2", 10, 2.0)))  # another note is fine


def test_a_note_too_small_cannot_be_proven(world):
    _, ticket = world
    from zk.errors import Unsatisfied

    with pytest.raises(Unsatisfied, match="collateral"):
        ticket("alice", "alice2", buy("a3", 300, 2.5))  # 750 QUOTE needed, the note holds 500


def test_forged_or_mismatched_proofs_are_refused(world):
    matcher, ticket = world
    good = ticket("alice", "alice", buy("a1", 10, 2.5))
    with pytest.raises(MatcherError, match="does not verify"):
        matcher.submit(replace(good, order=buy("a1", 11, 2.5)))  # terms changed after proving
    with pytest.raises(MatcherError, match="does not verify"):
        matcher.submit(replace(good, proof=replace(good.proof, a=g1_add(good.proof.a, G1_GENERATOR))))
    with pytest.raises(MatcherError, match="root the pool does not know"):
        matcher.submit(replace(good, root=12345))
    with pytest.raises(MatcherError, match="malformed"):
        matcher.submit(replace(good, proof=replace(good.proof, c=(1, 1))))
    matcher.submit(good)
