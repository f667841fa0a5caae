"""The collateral statement: checked by the matcher before an order enters the book.

Public: root, order_commitment, nullifier. Proves that the prover owns a note in the tree whose
asset is what the order pays and whose amount covers the order's maximum payment:
size for a sell; ceil(size·limit_price / PRICE_SCALE) for a buy, proven as
amount·PRICE_SCALE ≥ size·limit_price (the same inequality without a division).
The per-note tag is the note's nullifier H(commitment, leaf_index, sk), the value the order's
first leg will reveal: the matcher refuses a ticket whose nullifier the pool has marked spent or
that already backs a live order or an unsettled fill (docs/protocol.md, "Collateral").
"""

from dataclasses import dataclass

from ..builder import Api, Statement, Var
from ..gadgets.comparators import assert_less_or_equal_gadget
from .params import PRICE_SCALE, PRODUCT_BITS, TREE_DEPTH
from .spend import MerklePath, OrderTerms, SpentNote, committed_order_gadget, owned_note_gadget, trade_statement
from .values import nullifier_of_gadget


@dataclass(frozen=True)
class CollateralPublic:
    root: Var
    order_commitment: Var
    nullifier: Var


@dataclass(frozen=True)
class CollateralPrivate:
    note: SpentNote
    path: MerklePath
    side: Var
    order: OrderTerms


def define_collateral(api: Api, pub: CollateralPublic, priv: CollateralPrivate) -> None:
    note, order, side = priv.note, priv.order, priv.side
    owned = owned_note_gadget(api, pub.root, note, priv.path)
    committed_order_gadget(api, pub.order_commitment, side, order)
    with api.scope("collateral"):
        # side = SELL (1) pays base, BUY (0) pays quote.
        api.assert_equal(note.asset, api.select(side, order.base_asset, order.quote_asset))
        # sell: size ≤ amount; buy: size·limit ≤ amount·PRICE_SCALE. Both sides are < 2^PRODUCT_BITS
        # (amount, size < 2^96 and limit < 2^96, PRICE_SCALE < 2^30), so the comparison is exact.
        need = api.select(side, order.size, api.mul(order.size, order.limit_price))
        have = api.select(side, note.amount, PRICE_SCALE * note.amount)
        assert_less_or_equal_gadget(api, need, have, PRODUCT_BITS)
    api.assert_equal(nullifier_of_gadget(api, owned.commitment, owned.leaf_index, note.sk), pub.nullifier)


def collateral_public_inputs(pub: CollateralPublic) -> list:
    """The verifier's order: [root, order_commitment, nullifier]."""
    return [pub.root, pub.order_commitment, pub.nullifier]


def collateral_statement(depth: int = TREE_DEPTH) -> Statement:
    """The collateral circuit for a tree of this depth (20 on chain; small depths for tests)."""
    return trade_statement(
        "collateral", "an owned note in the tree covers an order's maximum payment",
        CollateralPublic, CollateralPrivate, define_collateral, collateral_public_inputs, depth,
    )
