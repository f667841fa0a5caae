"""The settlement leg: one proof per party, made by that party alone with its own secrets.

Public: root, nullifier, received_commitment, change_commitment, trade_commitment,
order_commitment, side, deadline. Proves:
  * the input note is in the tree and owned by the prover; the nullifier is H(commitment,
    leaf_index, sk);
  * the fill opens trade_commitment = H(pair, amounts, trade_salt, deadline) with the public
    deadline, and deadline < 2^64 (the contract compares it with block.timestamp);
  * the fill matches the order: the same pair, this side, 0 < base_amount ≤ size, and the limit
    price respected: a buyer pays at most, quote_amount·PRICE_SCALE ≤ base_amount·limit_price;
    a seller receives at least, quote_amount·PRICE_SCALE ≥ base_amount·limit_price;
  * collateral: the input note holds the asset paid and change = amount − payment < 2^96 (so
    amount ≥ payment: a smaller amount would wrap to ≈ r, which has no 96-bit decomposition);
  * the received note (asset bought, amount bought) and the change note (asset paid, change) are
    well-formed and owned by the same owner as the input note.
Both legs of a settlement bind the same trade commitment, so the contract, which checks that
they are one buy and one sell, conserves each asset: what one pays the other receives; and
both bind the same deadline, after which the contract refuses the pair.
"""

from dataclasses import dataclass

from ..builder import Api, Statement, Var
from ..gadgets.bits import range_check_gadget
from ..gadgets.comparators import assert_less_or_equal_gadget
from .params import AMOUNT_BITS, DEADLINE_BITS, PRICE_SCALE, PRODUCT_BITS, TREE_DEPTH
from .spend import MerklePath, OrderTerms, SpentNote, committed_order_gadget, owned_note_gadget, trade_statement
from .values import (
    note_commitment_gadget,
    nullifier_of_gadget,
    trade_commitment_gadget,
)


@dataclass(frozen=True)
class LegPublic:
    root: Var
    nullifier: Var
    received_commitment: Var
    change_commitment: Var
    trade_commitment: Var
    order_commitment: Var
    side: Var
    deadline: Var


@dataclass(frozen=True)
class FillAmounts:
    """A fill's private terms: its pair is the order's and its deadline is public."""

    base_amount: Var
    quote_amount: Var
    trade_salt: Var


@dataclass(frozen=True)
class LegPrivate:
    note: SpentNote
    path: MerklePath
    order: OrderTerms
    fill: FillAmounts
    received_blinding: Var
    change_blinding: Var


def define_leg(api: Api, pub: LegPublic, priv: LegPrivate) -> None:
    note, order, fill, side = priv.note, priv.order, priv.fill, pub.side
    owned = owned_note_gadget(api, pub.root, note, priv.path)
    api.assert_equal(nullifier_of_gadget(api, owned.commitment, owned.leaf_index, note.sk), pub.nullifier)
    committed_order_gadget(api, pub.order_commitment, side, order)
    with api.scope("fill"):
        api.assert_equal(
            trade_commitment_gadget(api, order.base_asset, order.quote_asset, fill.base_amount,
                                    fill.quote_amount, fill.trade_salt, pub.deadline),
            pub.trade_commitment,
        )
        range_check_gadget(api, pub.deadline, DEADLINE_BITS)
        range_check_gadget(api, fill.base_amount, AMOUNT_BITS)
        range_check_gadget(api, fill.quote_amount, AMOUNT_BITS)
        api.assert_nonzero(fill.base_amount)
        assert_less_or_equal_gadget(api, fill.base_amount, order.size, AMOUNT_BITS)
    with api.scope("limit"):
        # Buyer (side 0): quote·SCALE ≤ base·limit; seller (side 1): base·limit ≤ quote·SCALE.
        # Both products are < 2^PRODUCT_BITS, so the comparison cannot wrap.
        base_value = api.mul(fill.base_amount, order.limit_price)
        quote_value = PRICE_SCALE * fill.quote_amount
        low = api.select(side, base_value, quote_value)
        high = api.select(side, quote_value, base_value)
        assert_less_or_equal_gadget(api, low, high, PRODUCT_BITS)
    with api.scope("payment"):
        pays_asset = api.select(side, order.base_asset, order.quote_asset)
        receives_asset = api.select(side, order.quote_asset, order.base_asset)
        payment = api.select(side, fill.base_amount, fill.quote_amount)
        received = api.select(side, fill.quote_amount, fill.base_amount)
        api.assert_equal(note.asset, pays_asset)
        change = note.amount - payment
        range_check_gadget(api, change, AMOUNT_BITS)
    with api.scope("received"):
        api.assert_equal(
            note_commitment_gadget(api, receives_asset, received, owned.owner, priv.received_blinding),
            pub.received_commitment,
        )
    with api.scope("change"):
        api.assert_equal(
            note_commitment_gadget(api, pays_asset, change, owned.owner, priv.change_blinding),
            pub.change_commitment,
        )


def leg_public_inputs(pub: LegPublic) -> list:
    """The verifier's order, which the pool contract's settle() uses too:
    [root, nullifier, received_commitment, change_commitment, trade_commitment, order_commitment, side,
    deadline]."""
    return [pub.root, pub.nullifier, pub.received_commitment, pub.change_commitment,
            pub.trade_commitment, pub.order_commitment, pub.side, pub.deadline]


def leg_statement(depth: int = TREE_DEPTH) -> Statement:
    """The settlement-leg circuit for a tree of this depth (20 on chain; small depths for tests)."""
    return trade_statement(
        "leg", "one party's side of a settlement: spends a note, pays the fill, receives and keeps change",
        LegPublic, LegPrivate, define_leg, leg_public_inputs, depth,
    )
