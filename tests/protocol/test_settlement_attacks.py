"""Settlement attacks against the real pool with real leg proofs (depth-20 circuits, dev keys):
each is refused by the contract with its reason, or never gets a proof from the circuit."""

from dataclasses import replace

import pytest

from circuits.trade import leg_statement, withdraw_statement
from protocol.chain.client import Chain
from protocol.chain.deploy import deploy_pool
from protocol.chain.errors import ChainError
from protocol.keys import KeyStore
from protocol.messages import Fill, LegProof, Trade
from protocol.notes import Note
from protocol.params import BUY, PRICE_SCALE, SELL
from protocol.pool import PoolClient
from protocol.statements import leg_inputs, public_vector
from protocol.trader import Trader
from protocol.tree import MerkleTree
from protocol.wallet import Wallet

UNIT = 10**18


@pytest.fixture(scope="module")
def market(tmp_path_factory, protocol_keys):
    home = tmp_path_factory.mktemp("attacks")
    chain = Chain.embedded_chain()
    keys = KeyStore(protocol_keys)
    record, _ = deploy_pool(chain, keys.keys(leg_statement()).proving_key.vk,
                            keys.keys(withdraw_statement()).proving_key.vk, ("BASE", "QUOTE"))
    pool = PoolClient(chain, record)
    base, quote = record.tokens["BASE"], record.tokens["QUOTE"]
    traders = {}
    for i, (name, token, amount) in enumerate((("buyer", quote, 1000), ("seller", base, 10)), start=1):
        account = chain.accounts[i]
        chain.transact(pool.token(token).functions.mint(account, amount * UNIT), sender=chain.accounts[0])
        traders[name] = Trader(Wallet.create(home / f"{name}.wallet", name), pool, keys, account)
        traders[name].deposit(token, amount * UNIT)
    for t in traders.values():
        t.sync()
    buy_ticket = traders["buyer"].place_order(BUY, base, quote, 5 * UNIT, 100 * PRICE_SCALE)
    sell_ticket = traders["seller"].place_order(SELL, base, quote, 5 * UNIT, 90 * PRICE_SCALE)
    fill = Fill(int(base, 16), int(quote, 16), 2 * UNIT, 200 * UNIT, 4242)
    trade = Trade(buy_ticket.order.order_id, sell_ticket.order.order_id, buy_ticket.order.order_id, fill, 100 * PRICE_SCALE)
    legs = {"buy": traders["buyer"].prove_leg(trade), "sell": traders["seller"].prove_leg(trade)}
    return {"chain": chain, "pool": pool, "traders": traders, "trade": trade, "legs": legs, "keys": keys}


def refused(market, buy_leg: LegProof, sell_leg: LegProof, reason: str) -> None:
    pool = market["pool"]
    with pytest.raises(ChainError, match=reason):
        pool.settle(pool.chain.accounts[0], buy_leg, sell_leg)


def test_a_sell_leg_paired_with_a_sell_leg(market):
    refused(market, market["legs"]["sell"], market["legs"]["sell"], "legs must be a buy and a sell")


def test_legs_of_different_trades(market):
    buy = market["legs"]["buy"]
    other = replace(buy, public=[*buy.public[:4], buy.public[4] + 1, *buy.public[5:]])
    refused(market, other, market["legs"]["sell"], "legs bind different trades")


def test_a_tampered_public_input(market):
    buy = market["legs"]["buy"]
    changed = replace(buy, public=[*buy.public[:3], (buy.public[3] + 1), *buy.public[4:]])  # change commitment
    refused(market, changed, market["legs"]["sell"], "invalid settlement proof")


def test_an_unknown_root(market):
    """A leg proven against a tree that holds a note the pool never saw."""
    buyer = market["traders"]["buyer"]
    fake_note = Note(market["trade"].fill.quote_asset, 10**6 * UNIT, buyer.wallet.owner, 7)
    fake_tree = MerkleTree()
    fake_tree.append(fake_note.commitment)
    order, _ = buyer.order(market["trade"].buy_order_id)
    inputs = leg_inputs(buyer.wallet.spending_key, fake_note, fake_tree.path(0), order, market["trade"].fill, 1, 2)
    proof = market["keys"].keys(leg_statement()).prove(inputs.public, inputs.private)
    forged = LegProof(market["trade"].fill.commitment, BUY, proof, public_vector(inputs.public))
    refused(market, forged, market["legs"]["sell"], "unknown root")


def test_settles_once_then_every_replay_and_double_spend_is_refused(market):
    pool, legs = market["pool"], market["legs"]
    receipt = pool.settle(pool.chain.accounts[0], legs["buy"], legs["sell"])
    assert receipt.gas_used > 0
    refused(market, legs["buy"], legs["sell"], "trade already settled")
    # The same notes in a new trade: fresh trade commitment, valid proofs, spent nullifiers.
    buyer, seller = market["traders"]["buyer"], market["traders"]["seller"]
    for t in (buyer, seller):
        t.sync()
    again = replace(market["trade"], fill=replace(market["trade"].fill, trade_salt=4343))
    new_legs = []
    for trader, order_id in ((buyer, again.buy_order_id), (seller, again.sell_order_id)):
        order, row = trader.order(order_id)
        spent = trader.wallet.note(int(row["note"]))
        assert spent.status == "spent"
        inputs = leg_inputs(trader.wallet.spending_key, Note(spent.asset, spent.amount, spent.owner, spent.blinding),
                            trader.tree.path(spent.leaf_index), order, again.fill, 3, 4)
        proof = market["keys"].keys(leg_statement()).prove(inputs.public, inputs.private)
        new_legs.append(LegProof(again.fill.commitment, order.side, proof, public_vector(inputs.public)))
    refused(market, new_legs[0], new_legs[1], "nullifier already spent")
