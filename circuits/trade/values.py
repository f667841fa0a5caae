"""The protocol's hashed values, each natively and in-circuit under the same name.

These are the encodings of docs/protocol.md; protocol/notes.py computes them through the native
functions here and the circuits through the `_gadget` twins, and tests/circuits/test_trade.py
checks that every pair agrees.

| value            | definition                                                  |
|------------------|-------------------------------------------------------------|
| owner            | H(sk)                                                       |
| deposit inner    | H(owner, blinding)                                          |
| note commitment  | H(H(asset, amount), H(owner, blinding))                     |
| nullifier        | H(commitment, leaf_index, sk)                               |
| order commitment | H(side, base_asset, quote_asset, size, limit_price, salt)   |
| trade commitment | H(base_asset, quote_asset, base_amount, quote_amount, salt, deadline) |

The collateral statement reveals a note's nullifier (not a separate tag): the value its leg
will reveal, so the matcher can refuse a note that is spent or already promised.
"""

from ..builder import Api, Value
from ..gadgets.poseidon import poseidon_hash, poseidon_hash_gadget


def owner_of(sk: int) -> int:
    """owner = H(sk): the public tag of a spending key, stored in notes."""
    return poseidon_hash([sk])


def owner_of_gadget(api: Api, sk: Value) -> Value:
    return poseidon_hash_gadget(api, [sk])


def deposit_inner(owner: int, blinding: int) -> int:
    """The hiding half of a commitment, H(owner, blinding): what a depositor sends the pool."""
    return poseidon_hash([owner, blinding])


def deposit_inner_gadget(api: Api, owner: Value, blinding: Value) -> Value:
    return poseidon_hash_gadget(api, [owner, blinding])


def note_commitment(asset: int, amount: int, owner: int, blinding: int) -> int:
    """H(H(asset, amount), H(owner, blinding)).

    Two levels so that the pool contract, which holds Poseidon(2) only, computes the commitment
    itself from the asset and amount it received and the depositor's inner hash."""
    return poseidon_hash([poseidon_hash([asset, amount]), deposit_inner(owner, blinding)])


def note_commitment_gadget(api: Api, asset: Value, amount: Value, owner: Value, blinding: Value) -> Value:
    with api.scope("commitment"):
        value_hash = poseidon_hash_gadget(api, [asset, amount])
        return poseidon_hash_gadget(api, [value_hash, deposit_inner_gadget(api, owner, blinding)])


def nullifier_of(commitment: int, leaf_index: int, sk: int) -> int:
    """H(commitment, leaf_index, sk): position-bound, so two equal commitments have two nullifiers."""
    return poseidon_hash([commitment, leaf_index, sk])


def nullifier_of_gadget(api: Api, commitment: Value, leaf_index: Value, sk: Value) -> Value:
    with api.scope("nullifier"):
        return poseidon_hash_gadget(api, [commitment, leaf_index, sk])


def order_commitment(side: int, base_asset: int, quote_asset: int, size: int, limit_price: int, salt: int) -> int:
    """H(side, base_asset, quote_asset, size, limit_price, salt)."""
    return poseidon_hash([side, base_asset, quote_asset, size, limit_price, salt])


def order_commitment_gadget(api: Api, side: Value, base_asset: Value, quote_asset: Value, size: Value,
                            limit_price: Value, salt: Value) -> Value:
    with api.scope("order_commitment"):
        return poseidon_hash_gadget(api, [side, base_asset, quote_asset, size, limit_price, salt])


def trade_commitment(base_asset: int, quote_asset: int, base_amount: int, quote_amount: int, trade_salt: int,
                     deadline: int) -> int:
    """H(base_asset, quote_asset, base_amount, quote_amount, trade_salt, deadline): both legs of a
    trade open it, so they bind the same amounts and the same deadline."""
    return poseidon_hash([base_asset, quote_asset, base_amount, quote_amount, trade_salt, deadline])


def trade_commitment_gadget(api: Api, base_asset: Value, quote_asset: Value, base_amount: Value,
                            quote_amount: Value, trade_salt: Value, deadline: Value) -> Value:
    with api.scope("trade_commitment"):
        return poseidon_hash_gadget(api, [base_asset, quote_asset, base_amount, quote_amount, trade_salt, deadline])
