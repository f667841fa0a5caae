"""The protocol's circuits: valid legs, collateral and withdrawals solve; every cheat is refused
by a named constraint. A depth-4 tree keeps these fast; the depth-20 circuits are the same code."""

from dataclasses import asdict, replace

import pytest
import sha3

from circuits.gadgets.poseidon import poseidon_hash
from circuits.trade import collateral_statement, leg_statement, values, withdraw_statement
from circuits.trade.params import AMOUNT_BITS, DEADLINE_BITS, PRICE_SCALE, ZERO_LEAF
from protocol.errors import InvalidValue
from protocol.messages import Fill, Order
from protocol.notes import Note, note_commitment, nullifier_of, owner_of
from protocol.params import BUY, SELL
from protocol.statements import collateral_inputs, leg_inputs, public_vector, withdraw_inputs
from protocol.tree import MerkleTree
from zk.errors import MalformedInput, Unsatisfied
from zk.field import R

DEPTH = 4
BASE, QUOTE = 0xBA5E, 0x0C07E
BUYER_SK, SELLER_SK = 1234567, 7654321
DEADLINE = 1_900_000_000  # unix seconds (2030)


@pytest.fixture(scope="module")
def statements():
    return {"leg": leg_statement(DEPTH), "collateral": collateral_statement(DEPTH),
            "withdraw": withdraw_statement(DEPTH)}


@pytest.fixture(scope="module")
def world():
    """A buyer holding 1,000 QUOTE, a seller holding 50 BASE, both notes in one tree."""
    tree = MerkleTree(depth=DEPTH)
    tree.append(note_commitment(1, 1, 1, 1))  # someone else's note, so indices are not 0
    buyer_note = Note(QUOTE, 1000, owner_of(BUYER_SK), 11)
    seller_note = Note(BASE, 50, owner_of(SELLER_SK), 22)
    paths = {}
    for note in (buyer_note, seller_note):
        paths[note] = tree.append(note.commitment)
    buy = Order("b", BUY, BASE, QUOTE, size=10, limit_price=25 * PRICE_SCALE // 10, salt=5)
    sell = Order("s", SELL, BASE, QUOTE, size=8, limit_price=24 * PRICE_SCALE // 10, salt=6)
    fill = Fill(BASE, QUOTE, base_amount=8, quote_amount=20, trade_salt=99, deadline=DEADLINE)  # 8 at 2.5
    return {
        "buyer": (BUYER_SK, buyer_note, tree.path(paths[buyer_note]), buy),
        "seller": (SELLER_SK, seller_note, tree.path(paths[seller_note]), sell),
        "fill": fill,
        "tree": tree,
    }


def solve(statement, public, private):
    return statement.witness_for(public, private)


def refused(statement, public, private, where: str):
    with pytest.raises(Unsatisfied, match=where):
        statement.witness_for(public, private)


def leg(world, party, fill=None):
    sk, note, path, order = world[party]
    return leg_inputs(sk, note, path, order, fill or world["fill"], 101, 202)


def test_constants_have_their_provenance():
    assert ZERO_LEAF == int.from_bytes(sha3.keccak_256(b"zktrade/zero-leaf").digest(), "big") % R


@pytest.mark.parametrize("party", ["buyer", "seller"])
def test_valid_legs_solve_and_publish_the_native_values(statements, world, party):
    inputs = leg(world, party)
    witness = solve(statements["leg"], inputs.public, inputs.private)
    # The witness's public wires are the natively computed values in the contract's order:
    # every in-circuit hash (owner, commitments, nullifier, order and trade) equals its twin.
    assert witness[1 : 1 + 8] == public_vector(inputs.public)
    assert inputs.public.deadline == DEADLINE
    fill = world["fill"]
    assert inputs.public.trade_commitment == values.trade_commitment(
        BASE, QUOTE, fill.base_amount, fill.quote_amount, fill.trade_salt, DEADLINE)


def test_both_legs_conserve_value(world):
    buy, sell = leg(world, "buyer"), leg(world, "seller")
    assert buy.public.trade_commitment == sell.public.trade_commitment
    for asset in (BASE, QUOTE):
        spent = sum(n.amount for n in (world["buyer"][1], world["seller"][1]) if n.asset == asset)
        created = sum(n.amount for n in (buy.received, buy.change, sell.received, sell.change) if n.asset == asset)
        assert spent == created


def test_leg_paying_less_than_the_fill_is_refused(statements, world):
    inputs = leg(world, "buyer")
    keep_more = replace(inputs.change, amount=inputs.change.amount + 1)
    refused(statements["leg"], replace(inputs.public, change_commitment=keep_more.commitment), inputs.private, "leg_d4/change")


def test_leg_beyond_the_buyers_limit_is_refused(statements, world):
    sk, note, path, order = world["buyer"]
    stingy = replace(order, limit_price=2 * PRICE_SCALE)  # pays at most 2.0, the fill is at 2.5
    inputs = leg_inputs(sk, note, path, stingy, world["fill"], 101, 202)
    refused(statements["leg"], inputs.public, inputs.private, "leg_d4/limit")


def test_leg_below_the_sellers_limit_is_refused(statements, world):
    sk, note, path, order = world["seller"]
    greedy = replace(order, limit_price=3 * PRICE_SCALE)
    inputs = leg_inputs(sk, note, path, greedy, world["fill"], 101, 202)
    refused(statements["leg"], inputs.public, inputs.private, "leg_d4/limit")


def test_fill_larger_than_the_order_is_refused(statements, world):
    big = replace(world["fill"], base_amount=9, quote_amount=22)  # the sell order is for 8
    inputs = leg(world, "seller", big)
    refused(statements["leg"], inputs.public, inputs.private, "leg_d4/fill/assert_le")


def test_zero_fill_is_refused(statements, world):
    inputs = leg(world, "seller", replace(world["fill"], base_amount=0, quote_amount=0))
    refused(statements["leg"], inputs.public, inputs.private, "leg_d4/fill")


def test_amounts_at_and_beyond_the_range_bound(statements, world):
    top = (1 << AMOUNT_BITS) - 1
    tree = MerkleTree(depth=DEPTH)
    rich = Note(QUOTE, top, owner_of(BUYER_SK), 3)
    path = tree.path(tree.append(rich.commitment))
    order = Order("w", BUY, BASE, QUOTE, size=1, limit_price=1, salt=1)
    public, private = collateral_inputs(BUYER_SK, rich, path, order)
    solve(statements["collateral"], public, private)  # 2^96 − 1 is an amount
    # A note of 2^96 (the wallet refuses to make one; a cheater computes its commitment by hand).
    over = note_commitment(QUOTE, 1 << AMOUNT_BITS, owner_of(BUYER_SK), 3)
    path = tree.path(tree.append(over))
    public, private = collateral_inputs(BUYER_SK, rich, path, order)
    public = replace(public, nullifier=nullifier_of(over, path.leaf_index, BUYER_SK))
    refused(statements["collateral"], public, replace(private, note=replace(private.note, amount=1 << AMOUNT_BITS)), "collateral_d4/note/range96")


def test_a_leg_cannot_spend_the_wrong_asset(statements, world):
    sk, note, path, order = world["seller"]  # the seller's note is BASE
    as_buyer = replace(order, side=BUY, limit_price=3 * PRICE_SCALE)
    inputs = leg_inputs(sk, note, path, as_buyer, replace(world["fill"], quote_amount=20), 1, 2)
    refused(statements["leg"], inputs.public, inputs.private, "leg_d4/payment")


def test_someone_elses_note_cannot_be_spent(statements, world):
    inputs = leg(world, "buyer")
    refused(statements["leg"], inputs.public, replace(inputs.private, note=replace(inputs.private.note, sk=SELLER_SK)), "leg_d4/note")


def test_the_nullifier_is_bound_to_the_note_position(statements, world):
    inputs = leg(world, "buyer")
    sk, note, path, _ = world["buyer"]
    other_position = nullifier_of(note.commitment, path.leaf_index + 1, sk)
    refused(statements["leg"], replace(inputs.public, nullifier=other_position), inputs.private, "leg_d4: ")


def test_side_must_be_a_bit(statements, world):
    inputs = leg(world, "buyer")
    refused(statements["leg"], replace(inputs.public, side=2), inputs.private, "leg_d4/order")


def test_collateral_covers_the_maximum_payment(statements, world):
    sk, note, path, order = world["buyer"]  # 1,000 QUOTE
    public, private = collateral_inputs(sk, note, path, order)
    solve(statements["collateral"], public, private)
    # A buy of 400 at 2.5 may pay 1,000: exactly covered. 401 needs 1,002.5: refused.
    exact = replace(order, size=400)
    solve(statements["collateral"], *collateral_inputs(sk, note, path, exact))
    too_big = replace(order, size=401)
    refused(statements["collateral"], *collateral_inputs(sk, note, path, too_big), "collateral_d4/collateral")
    sk, note, path, order = world["seller"]  # 50 BASE
    solve(statements["collateral"], *collateral_inputs(sk, note, path, replace(order, size=50)))
    refused(statements["collateral"], *collateral_inputs(sk, note, path, replace(order, size=51)), "collateral_d4/collateral")


def test_collateral_must_be_the_asset_the_order_pays(statements, world):
    sk, note, path, order = world["seller"]  # BASE note backing a buy (which pays QUOTE)
    public, private = collateral_inputs(sk, note, path, replace(order, side=BUY, size=1))
    refused(statements["collateral"], public, private, "collateral_d4/collateral")


def test_withdraw_with_change(statements, world):
    sk, note, path, _ = world["seller"]
    recipient = 0xDEADBEEF
    inputs = withdraw_inputs(sk, note, path, 30, recipient, 77)
    witness = solve(statements["withdraw"], inputs.public, inputs.private)
    assert witness[1:9] == public_vector(inputs.public)
    assert inputs.change.amount == 20
    too_much = replace(inputs.public, amount=51)
    refused(statements["withdraw"], too_much, inputs.private, "withdraw_d4/amount")


def test_real_depth_circuit_sizes():
    """The depth-20 circuits as deployed (constraint counts are pinned in the golden files)."""
    leg20 = leg_statement()
    assert leg20.r1cs.n_public == 8 and leg20.r1cs.n_constraints < 10_000


# -- version 2: deadlines, the nullifier as collateral tag, relayed withdrawals ---------------


def test_a_deadline_other_than_the_trade_commitments_is_refused(statements, world):
    """The public deadline the pool checks is the one inside the trade commitment both legs open."""
    inputs = leg(world, "buyer")
    later = replace(inputs.public, deadline=DEADLINE + 3600)
    refused(statements["leg"], later, inputs.private, "leg_d4/fill: ")


def test_a_deadline_of_2_64_has_no_leg(statements, world):
    """The circuit range-checks the deadline, even when the trade commitment was made with it."""
    top = replace(world["fill"], deadline=(1 << DEADLINE_BITS) - 1)
    solve(statements["leg"], leg(world, "seller", top).public, leg(world, "seller", top).private)
    with pytest.raises(InvalidValue, match="deadline"):
        leg(world, "seller", replace(world["fill"], deadline=1 << DEADLINE_BITS))
    # A cheater computes the commitment and the public inputs by hand.
    inputs = leg(world, "seller")
    fill = world["fill"]
    over = 1 << DEADLINE_BITS
    public = replace(inputs.public, deadline=over, trade_commitment=values.trade_commitment(
        BASE, QUOTE, fill.base_amount, fill.quote_amount, fill.trade_salt, over))
    refused(statements["leg"], public, inputs.private, f"leg_d4/fill/range{DEADLINE_BITS}")


def test_collateral_reveals_exactly_the_nullifier_of_the_leg(statements, world):
    sk, note, path, order = world["buyer"]
    public, private = collateral_inputs(sk, note, path, order)
    solve(statements["collateral"], public, private)
    own = nullifier_of(note.commitment, path.leaf_index, sk)
    assert public.nullifier == leg(world, "buyer").public.nullifier == own
    # Any other tag (the note at another position, or v1's keyed hash of the commitment) is refused.
    for tag in (nullifier_of(note.commitment, path.leaf_index + 1, sk), poseidon_hash([sk, note.commitment])):
        refused(statements["collateral"], replace(public, nullifier=tag), private, "collateral_d4: ")


def test_relayed_withdraw_fee_at_most_the_amount(statements, world):
    sk, note, path, _ = world["seller"]  # 50 BASE
    recipient, relayer = 0xDEADBEEF, 0xFEE
    inputs = withdraw_inputs(sk, note, path, 30, recipient, 77, relayer=relayer, fee=30)
    witness = solve(statements["withdraw"], inputs.public, inputs.private)  # the whole amount as fee
    assert witness[1:9] == public_vector(inputs.public)
    assert public_vector(inputs.public)[4:7] == [recipient, relayer, 30]
    refused(statements["withdraw"], replace(inputs.public, fee=31), inputs.private, "withdraw_d4/fee")
    refused(statements["withdraw"], replace(inputs.public, fee=R - 1), inputs.private, "withdraw_d4/fee")
    with pytest.raises(InvalidValue, match="between 0 and the amount"):
        withdraw_inputs(sk, note, path, 30, recipient, 77, relayer=relayer, fee=31)
    with pytest.raises(InvalidValue, match="needs a relayer"):
        withdraw_inputs(sk, note, path, 30, recipient, 77, fee=1)


@pytest.mark.parametrize("name", ["collateral", "leg", "withdraw"])
def test_every_public_input_takes_part_in_a_constraint(statements, name):
    """A public input no constraint reads would be bound by nothing but the verifier's sum: the
    v2 additions (deadline, relayer, fee, the collateral nullifier) each appear in one."""
    cs = statements[name].r1cs
    used = {wire for c in cs.constraints for combination in (c.a, c.b, c.c) for wire, _ in combination}
    public_wires = range(1, 1 + cs.n_public)
    assert [w for w in public_wires if w not in used] == []
    assert len(statements[name].public_names) == cs.n_public == {"collateral": 3, "leg": 8, "withdraw": 8}[name]


def test_the_statements_nest_one_note_one_path_one_order(statements, world):
    """collateral, leg and withdraw declare the spent note, its Merkle path and the order's terms
    once (circuits/trade/spend.py); the private wires keep the flat order (the golden digests
    say the circuits are unchanged), named by their path."""
    leg_names = statements["leg"].r1cs.wire_names[9:9 + 4 + 2 * DEPTH + 5]
    assert leg_names[:5] == ("note.sk", "note.asset", "note.amount", "note.blinding", "path.siblings[0]")
    assert leg_names[4 + DEPTH:4 + DEPTH + 1] == ("path.path_bits[0]",)
    assert leg_names[-5:] == ("order.base_asset", "order.quote_asset", "order.size", "order.limit_price", "order.salt")
    collateral_names = statements["collateral"].r1cs.wire_names[4:]
    assert collateral_names[:4] == leg_names[:4] and collateral_names[4 + 2 * DEPTH] == "side"
    assert collateral_names[5 + 2 * DEPTH:10 + 2 * DEPTH] == leg_names[-5:]
    withdraw_names = statements["withdraw"].r1cs.wire_names[9:9 + 3 + 2 * DEPTH + 1]
    assert withdraw_names[:4] == ("sk", "note_amount", "blinding", "path.siblings[0]")
    assert withdraw_names[-1] == "change_blinding"
    # The inputs as `zktrade prove` reads them from a file: nested objects, checked field by field.
    inputs = leg(world, "buyer")
    document = {**asdict(inputs.public), **asdict(inputs.private)}
    assert statements["leg"].witness(document)[1:9] == public_vector(inputs.public)
    del document["order"]["salt"]
    with pytest.raises(MalformedInput, match=r"input order of leg_d4 takes inputs .*missing \['salt'\]"):
        statements["leg"].witness(document)
