"""The pieces the protocol's statements share: their nested inputs (the note spent, its Merkle
path, an order's terms) and the gadgets over them (an owned note in the tree, an order that
opens its commitment).

The inputs are declared once here and nested in each statement's private dataclass, so the
statements name them alike (`note.sk`, `path.siblings[3]`, `order.limit_price`). Nesting keeps
the flat field order, so the circuits (their R1CS digests, hence their keys) are those of the
flat declarations they replace.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..builder import Api, Statement, Value, Var
from ..gadgets.bits import range_check_gadget
from ..gadgets.merkle import merkle_membership_gadget
from .params import AMOUNT_BITS, PRICE_BITS, TREE_DEPTH
from .values import note_commitment_gadget, order_commitment_gadget, owner_of_gadget


@dataclass(frozen=True)
class SpentNote:
    """A note being spent, with the key that owns it (its owner is H(sk), computed in the circuit)."""

    sk: Var
    asset: Var
    amount: Var
    blinding: Var


@dataclass(frozen=True)
class MerklePath:
    """A leaf's authentication path, bottom up: path_bits[i] = 1 where the node at level i is a
    right child (protocol/tree.py's MerklePath holds the same two lists)."""

    siblings: list[Var]
    path_bits: list[Var]


@dataclass(frozen=True)
class OrderTerms:
    """An order's committed terms except its side (public in a leg, private in collateral)."""

    base_asset: Var
    quote_asset: Var
    size: Var
    limit_price: Var
    salt: Var


def trade_statement(name: str, description: str, public: type, private: type,
                    define: Callable[[Api, Any, Any], None], public_inputs: Callable[[Any], list],
                    depth: int) -> Statement:
    """A protocol statement whose `path` is a MerklePath in a tree of this depth: named `name`
    at the pool's depth (TREE_DEPTH, what the registry and the contracts use), `name_dN` at a
    test depth, so keys for the two are never confused."""
    return Statement(name if depth == TREE_DEPTH else f"{name}_d{depth}", description, public, private, define,
                     public_inputs, sizes={"path.siblings": depth, "path.path_bits": depth})


@dataclass(frozen=True)
class OwnedNote:
    owner: Value
    commitment: Value
    leaf_index: Value


def owned_note_gadget(api: Api, root: Value, note: SpentNote, path: MerklePath) -> OwnedNote:
    """Proves: the note (asset, amount, H(sk), blinding) is a leaf of the tree with this root, at
    index Σ 2^i·path_bits[i], and amount < 2^AMOUNT_BITS.

    The owner is computed from sk, so only the key holder can produce the commitment the tree
    holds. The leaf index is returned for the nullifier (path bits are forced boolean by the
    Merkle gadget, so the index is the position of the leaf, not a free value)."""
    with api.scope("note"):
        owner = owner_of_gadget(api, note.sk)
        range_check_gadget(api, note.amount, AMOUNT_BITS)
        commitment = note_commitment_gadget(api, note.asset, note.amount, owner, note.blinding)
        merkle_membership_gadget(api, root, commitment, path.siblings, path.path_bits)
    return OwnedNote(owner, commitment, api.from_bits(list(path.path_bits)))


def committed_order_gadget(api: Api, commitment: Value, side: Value, order: OrderTerms) -> None:
    """Proves: the order (side and terms) opens `commitment`, side is a bit, size < 2^AMOUNT_BITS
    and limit_price < 2^PRICE_BITS (what every limit comparison on them assumes)."""
    with api.scope("order"):
        api.assert_bool(side)
        range_check_gadget(api, order.size, AMOUNT_BITS)
        range_check_gadget(api, order.limit_price, PRICE_BITS)
        api.assert_equal(
            order_commitment_gadget(api, side, order.base_asset, order.quote_asset, order.size, order.limit_price,
                                    order.salt),
            commitment,
        )
