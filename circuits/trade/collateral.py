"""The collateral statement: checked by the matcher before an order enters the book.

Public: root, order_commitment, note_tag. Proves that the prover owns a note in the tree whose
asset is what the order pays and whose amount covers the order's maximum payment:
size for a sell; ceil(size·limit_price / PRICE_SCALE) for a buy, proven as
amount·PRICE_SCALE ≥ size·limit_price (the same inequality without a division).
The note tag H(sk, commitment, NOTE_TAG_DOMAIN) lets the matcher see one note backing two live
orders without learning the note.
"""

from dataclasses import dataclass

from ..builder import Api, Statement, Var
from ..gadgets.comparators import assert_less_or_equal_gadget
from .params import PRICE_SCALE, PRODUCT_BITS, TREE_DEPTH
from .spend import committed_order_gadget, owned_note_gadget
from .values import note_tag_gadget


@dataclass(frozen=True)
class CollateralPublic:
    root: Var
    order_commitment: Var
    note_tag: Var


@dataclass(frozen=True)
class CollateralPrivate:
    sk: Var
    asset: Var
    amount: Var
    blinding: Var
    siblings: list[Var]
    path_bits: list[Var]
    side: Var
    base_asset: Var
    quote_asset: Var
    size: Var
    limit_price: Var
    salt: Var


def define_collateral(api: Api, pub: CollateralPublic, priv: CollateralPrivate) -> None:
    note = owned_note_gadget(api, pub.root, priv.sk, priv.asset, priv.amount, priv.blinding,
                             priv.siblings, priv.path_bits)
    committed_order_gadget(api, pub.order_commitment, priv.side, priv.base_asset, priv.quote_asset, priv.size,
                           priv.limit_price, priv.salt)
    with api.scope("collateral"):
        # side = SELL (1) pays base, BUY (0) pays quote.
        api.assert_equal(priv.asset, api.select(priv.side, priv.base_asset, priv.quote_asset))
        # sell: size ≤ amount; buy: size·limit ≤ amount·PRICE_SCALE. Both sides are < 2^PRODUCT_BITS
        # (amount, size < 2^96 and limit < 2^96, PRICE_SCALE < 2^30), so the comparison is exact.
        need = api.select(priv.side, priv.size, api.mul(priv.size, priv.limit_price))
        have = api.select(priv.side, priv.amount, PRICE_SCALE * priv.amount)
        assert_less_or_equal_gadget(api, need, have, PRODUCT_BITS)
    with api.scope("tag"):
        api.assert_equal(note_tag_gadget(api, priv.sk, note.commitment), pub.note_tag)


def collateral_public_inputs(pub: CollateralPublic) -> list:
    """The verifier's order: [root, order_commitment, note_tag]."""
    return [pub.root, pub.order_commitment, pub.note_tag]


def collateral_statement(depth: int = TREE_DEPTH) -> Statement:
    """The collateral circuit for a tree of this depth (20 on chain; small depths for tests)."""
    return Statement(
        f"collateral{'' if depth == TREE_DEPTH else f'_d{depth}'}",
        "an owned note in the tree covers an order's maximum payment",
        CollateralPublic, CollateralPrivate, define_collateral, collateral_public_inputs,
        sizes={"siblings": depth, "path_bits": depth},
    )
