"""The protocol's circuits against the real pool (depth-20 circuits, dev keys, real proofs), on the
embedded chain and on anvil: honest settlements and withdrawals land, from a relayer's account;
every attack is refused by the contract with its reason, or never gets a proof from the circuit.

Built on the chain side only (notes, statements, the pool client), as a trader's software would
use it; the market side's end-to-end tests drive the same calls through the matcher and wallets.
"""

import secrets
from dataclasses import dataclass, replace

import pytest

from circuits.trade import leg_statement, withdraw_statement
from protocol.chain import devnet
from protocol.chain.client import Chain
from protocol.chain.deploy import deploy_pool
from protocol.chain.errors import ChainError
from protocol.keys import KeyStore
from protocol.messages import Fill, LegProof, Order
from protocol.notes import Note, deposit_inner, owner_of
from protocol.params import BUY, PRICE_SCALE, SELL
from protocol.pool import PoolClient
from protocol.statements import leg_inputs, public_vector, withdraw_inputs
from protocol.tree import MerkleTree

from ..support.chain_time import advance_time, latest_timestamp

from ..support.tools import require_anvil

UNIT = 10**18
JUNK_DEPOSITS = 35


@dataclass(frozen=True)
class Party:
    sk: int
    account: str
    note: Note
    leaf_index: int
    order: Order


@pytest.fixture(scope="module", params=["embedded", "anvil"])
def chain(request, tmp_path_factory):
    if request.param == "embedded":
        yield Chain.embedded_chain()
        return
    require_anvil()
    directory = tmp_path_factory.mktemp("devnet")
    node = devnet.up(directory)
    try:
        yield Chain.connect(node.url)
    finally:
        devnet.down(directory)


@pytest.fixture(scope="module")
def market(chain, protocol_keys):
    keys = KeyStore(protocol_keys)
    record, _ = deploy_pool(chain, keys.keys(leg_statement()).proving_key.vk,
                            keys.keys(withdraw_statement()).proving_key.vk, ("BASE", "QUOTE", "JUNK"))
    pool = PoolClient(chain, record)
    base, quote = record.tokens["BASE"], record.tokens["QUOTE"]
    operator, relayer = chain.accounts[0], chain.accounts[3]
    parties = {}
    for i, (name, side, token, amount, limit) in enumerate(
            (("buyer", BUY, quote, 1000, 100), ("seller", SELL, base, 10, 90)), start=1):
        sk, account = 1000 + i, chain.accounts[i]
        chain.transact(pool.token(token).functions.mint(account, amount * UNIT), sender=operator)
        note = Note.fresh(int(token, 16), amount * UNIT, owner_of(sk))
        receipt = pool.deposit(account, token, amount * UNIT, deposit_inner(note.owner, note.blinding))
        (event,) = [d for d in pool.deposits() if d.block_number == receipt.block_number]
        assert event.commitment == note.commitment
        salt = secrets.randbelow(2**64)
        order = Order(name, side, int(base, 16), int(quote, 16), 5 * UNIT, limit * PRICE_SCALE, salt)
        parties[name] = Party(sk, account, note, event.leaf_index, order)
    market = {"chain": chain, "pool": pool, "keys": keys, "parties": parties, "relayer": relayer}
    market["fill"] = fill(market, deadline=latest_timestamp(chain) + 3600)
    market["legs"] = prove_legs(market, market["fill"])
    return market


def fill(market, deadline: int, salt: int = 4242) -> Fill:
    order = market["parties"]["buyer"].order
    return Fill(order.base_asset, order.quote_asset, 2 * UNIT, 200 * UNIT, salt, deadline)


def prove_leg(market, party: Party, the_fill: Fill, tree: MerkleTree | None = None, note: Note | None = None,
              leaf_index: int | None = None) -> LegProof:
    tree = tree or market["pool"].tree()
    note = note or party.note
    index = party.leaf_index if leaf_index is None else leaf_index
    inputs = leg_inputs(party.sk, note, tree.path(index), party.order, the_fill, 11, 22)
    proof = market["keys"].keys(leg_statement()).prove(inputs.public, inputs.private)
    return LegProof(the_fill.commitment, party.order.side, proof, public_vector(inputs.public))


def prove_legs(market, the_fill: Fill) -> dict[str, LegProof]:
    tree = market["pool"].tree()
    return {name: prove_leg(market, market["parties"][name], the_fill, tree) for name in ("buyer", "seller")}


def refused(market, buy_leg: LegProof, sell_leg: LegProof, reason: str) -> None:
    pool = market["pool"]
    with pytest.raises(ChainError, match=reason):
        pool.settle(market["relayer"], buy_leg, sell_leg)


def with_public(leg: LegProof, index: int, value: int) -> LegProof:
    public = list(leg.public)
    public[index] = value
    return replace(leg, public=public)


def test_a_sell_leg_paired_with_a_sell_leg(market):
    refused(market, market["legs"]["seller"], market["legs"]["seller"], "legs must be a buy and a sell")


def test_legs_of_different_trades(market):
    other = with_public(market["legs"]["buyer"], 4, market["legs"]["buyer"].public[4] + 1)
    refused(market, other, market["legs"]["seller"], "legs bind different trades")


def test_a_tampered_public_input(market):
    changed = with_public(market["legs"]["buyer"], 3, market["legs"]["buyer"].public[3] + 1)  # change commitment
    refused(market, changed, market["legs"]["seller"], "invalid settlement proof")


def test_a_deadline_cannot_be_moved(market):
    """Both legs' public deadline pushed later together passes the deadline checks and fails the
    proofs (the deadline is inside the trade commitment); one leg alone is a mismatch."""
    buy, sell = market["legs"]["buyer"], market["legs"]["seller"]
    later = buy.public[7] + 10**6
    refused(market, with_public(buy, 7, later), with_public(sell, 7, later), "invalid settlement proof")
    refused(market, with_public(buy, 7, later), sell, "legs bind different deadlines")


def test_an_unknown_root(market):
    """A leg proven against a tree that holds a note the pool never saw."""
    buyer = market["parties"]["buyer"]
    fake_note = Note(buyer.note.asset, 10**6 * UNIT, buyer.note.owner, 7)
    fake_tree = MerkleTree()
    fake_tree.append(fake_note.commitment)
    forged = prove_leg(market, buyer, market["fill"], fake_tree, fake_note, leaf_index=0)
    refused(market, forged, market["legs"]["seller"], "unknown root")


def test_a_leg_after_its_deadline_is_refused(market):
    short = fill(market, deadline=latest_timestamp(market["chain"]) + 60, salt=5151)
    legs = prove_legs(market, short)
    advance_time(market["chain"], 61)
    refused(market, legs["buyer"], legs["seller"], "leg deadline passed")
    assert market["pool"].trade_settled(short.commitment) is False


def test_junk_deposits_do_not_stop_a_settlement_sent_by_the_relayer(market):
    """35 deposits of another token between proving and settling (v1 kept 30 roots): the legs'
    root is superseded but young, so the pool still accepts it."""
    chain, pool = market["chain"], market["pool"]
    junk, griefer = pool.deployment.tokens["JUNK"], chain.accounts[5]
    chain.transact(pool.token(junk).functions.mint(griefer, JUNK_DEPOSITS), sender=chain.accounts[0])
    chain.transact(pool.approve_call(junk, JUNK_DEPOSITS), sender=griefer)
    root = market["legs"]["buyer"].public[0]
    for i in range(JUNK_DEPOSITS):
        chain.transact(pool.deposit_call(junk, 1, deposit_inner(i, i)), sender=griefer)
    assert pool.current_root() != root and pool.is_known_root(root)
    receipt = pool.settle(market["relayer"], market["legs"]["buyer"], market["legs"]["seller"])
    sender = chain.w3.eth.get_transaction(receipt.tx_hash)["from"]
    assert sender == market["relayer"]
    assert sender not in {p.account for p in market["parties"].values()}
    (settled,) = [s for s in pool.settlements() if s.block_number == receipt.block_number]
    assert settled.trade_commitment == market["fill"].commitment and pool.trade_settled(settled.trade_commitment)
    assert pool.nullifier_spent(settled.buy_nullifier) and pool.nullifier_spent(settled.sell_nullifier)
    market["settled"] = settled


def test_settles_once_then_every_replay_and_double_spend_is_refused(market):
    legs = market["legs"]
    refused(market, legs["buyer"], legs["seller"], "trade already settled")
    # The same notes in a new trade: fresh trade commitment, valid proofs, spent nullifiers.
    again = prove_legs(market, fill(market, deadline=latest_timestamp(market["chain"]) + 3600, salt=4343))
    refused(market, again["buyer"], again["seller"], "nullifier already spent")


def test_a_relayed_withdrawal_to_a_fresh_address(market):
    """The seller unshields the 200 QUOTE it received to an address never funded, through a
    relayer paid 2 QUOTE; the transaction comes from a third account. A changed fee or relayer
    address is refused."""
    chain, pool, seller = market["chain"], market["pool"], market["parties"]["seller"]
    quote = pool.deployment.tokens["QUOTE"]
    received_index = market["settled"].first_leaf_index + 2
    received = Note(int(quote, 16), 200 * UNIT, seller.note.owner, 11)
    tree = pool.tree()
    assert tree.leaves[received_index] == received.commitment
    recipient = chain.w3.to_checksum_address("0x" + secrets.token_hex(20))
    fee_to, sender = market["relayer"], chain.accounts[4]
    inputs = withdraw_inputs(seller.sk, received, tree.path(received_index), 150 * UNIT, int(recipient, 16), 33,
                             relayer=int(fee_to, 16), fee=2 * UNIT)
    proof = market["keys"].keys(withdraw_statement()).prove(inputs.public, inputs.private)
    public = public_vector(inputs.public)
    for index, value in ((5, int(sender, 16)), (6, 3 * UNIT), (6, 0)):
        changed = [*public[:index], value, *public[index + 1:]]
        with pytest.raises(ChainError, match="invalid withdraw proof"):
            pool.withdraw(sender, proof, changed)
    before = {who: pool.token_balance(quote, who) for who in (recipient, fee_to, sender)}
    receipt = pool.withdraw(sender, proof, public, change_memo=b"\x05" * 64)
    assert chain.w3.eth.get_transaction(receipt.tx_hash)["from"] == sender
    assert before[recipient] == 0 and pool.token_balance(quote, recipient) == 148 * UNIT
    assert pool.token_balance(quote, fee_to) - before[fee_to] == 2 * UNIT
    assert pool.token_balance(quote, sender) == before[sender]
    (event,) = [w for w in pool.withdrawals() if w.block_number == receipt.block_number]
    assert (event.recipient, event.relayer, event.fee, event.change_memo) == (recipient, fee_to, 2 * UNIT, b"\x05" * 64)
    assert event.change_commitment == inputs.change.commitment and inputs.change.amount == 50 * UNIT
    with pytest.raises(ChainError, match="nullifier already spent"):
        pool.withdraw(sender, proof, public)
