"""The pieces the protocol's statements share: an owned note in the tree, and an order that
opens its commitment."""

from collections.abc import Sequence
from dataclasses import dataclass

from ..builder import Api, Value
from ..gadgets.bits import range_check_gadget
from ..gadgets.merkle import merkle_membership_gadget
from .params import AMOUNT_BITS, PRICE_BITS
from .values import note_commitment_gadget, order_commitment_gadget, owner_of_gadget


@dataclass(frozen=True)
class OwnedNote:
    owner: Value
    commitment: Value
    leaf_index: Value


def owned_note_gadget(api: Api, root: Value, sk: Value, asset: Value, amount: Value, blinding: Value,
                      siblings: Sequence[Value], path_bits: Sequence[Value]) -> OwnedNote:
    """Proves: the note (asset, amount, H(sk), blinding) is a leaf of the tree with this root, at
    index Σ 2^i·path_bits[i], and amount < 2^AMOUNT_BITS.

    The owner is computed from sk, so only the key holder can produce the commitment the tree
    holds. The leaf index is returned for the nullifier (path bits are forced boolean by the
    Merkle gadget, so the index is the position of the leaf, not a free value)."""
    with api.scope("note"):
        owner = owner_of_gadget(api, sk)
        range_check_gadget(api, amount, AMOUNT_BITS)
        commitment = note_commitment_gadget(api, asset, amount, owner, blinding)
        merkle_membership_gadget(api, root, commitment, siblings, path_bits)
    return OwnedNote(owner, commitment, api.from_bits(list(path_bits)))


def committed_order_gadget(api: Api, commitment: Value, side: Value, base_asset: Value, quote_asset: Value,
                           size: Value, limit_price: Value, salt: Value) -> None:
    """Proves: the order's fields open `commitment`, side is a bit, size < 2^AMOUNT_BITS and
    limit_price < 2^PRICE_BITS (what every limit comparison on them assumes)."""
    with api.scope("order"):
        api.assert_bool(side)
        range_check_gadget(api, size, AMOUNT_BITS)
        range_check_gadget(api, limit_price, PRICE_BITS)
        api.assert_equal(
            order_commitment_gadget(api, side, base_asset, quote_asset, size, limit_price, salt), commitment
        )
