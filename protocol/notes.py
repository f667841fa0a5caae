"""Keys, notes, commitments, nullifiers, orders and fills: the protocol's values, natively.

Each function here has an in-circuit twin of the same name in circuits/trade/ (suffix
`_gadget`); tests check that they agree. The exact encodings are in docs/protocol.md.
"""

import secrets
from dataclasses import dataclass

from circuits.gadgets.poseidon import poseidon_hash
from zk.field import R

from .params import AMOUNT_BITS, BUY, NOTE_TAG_DOMAIN, PRICE_BITS, SELL


def random_field_element() -> int:
    return secrets.randbelow(R)


def owner_of(sk: int) -> int:
    """owner = Poseidon(sk): the public tag of a spending key, stored in notes."""
    return poseidon_hash([sk])


def note_commitment(asset: int, amount: int, owner: int, blinding: int) -> int:
    """Poseidon(Poseidon(asset, amount), Poseidon(owner, blinding)).

    Two levels so that a deposit contract holding only Poseidon(2) can compute the commitment
    itself from the asset and amount it received and the depositor's hiding inner hash.
    """
    return poseidon_hash([poseidon_hash([asset, amount]), deposit_inner(owner, blinding)])


def deposit_inner(owner: int, blinding: int) -> int:
    """The hiding half of a commitment, sent with a deposit: Poseidon(owner, blinding)."""
    return poseidon_hash([owner, blinding])


def nullifier_of(commitment: int, leaf_index: int, sk: int) -> int:
    """Poseidon(commitment, leaf_index, sk): position-bound, so equal commitments differ."""
    return poseidon_hash([commitment, leaf_index, sk])


def note_tag(sk: int, commitment: int) -> int:
    """Poseidon(sk, commitment, NOTE_TAG_DOMAIN): lets the matcher see one note behind two orders."""
    return poseidon_hash([sk, commitment, NOTE_TAG_DOMAIN])


def _check_amount(value: int, what: str, bits: int = AMOUNT_BITS) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << bits:
        raise ValueError(f"{what} must be an integer in [0, 2^{bits}), got {value}")
    return value


@dataclass(frozen=True)
class Note:
    asset: int
    amount: int
    owner: int
    blinding: int

    def __post_init__(self) -> None:
        _check_amount(self.amount, "note amount")

    @property
    def commitment(self) -> int:
        return note_commitment(self.asset, self.amount, self.owner, self.blinding)

    @classmethod
    def fresh(cls, asset: int, amount: int, owner: int) -> "Note":
        return cls(asset, amount, owner, random_field_element())


@dataclass(frozen=True)
class Order:
    """A limit order: `size` base units at a price of `limit_price` / PRICE_SCALE quote per base."""

    order_id: str
    side: int
    base_asset: int
    quote_asset: int
    size: int
    limit_price: int
    salt: int

    def __post_init__(self) -> None:
        if self.side not in (BUY, SELL):
            raise ValueError("order side must be buy or sell")
        if self.base_asset == self.quote_asset:
            raise ValueError("an order needs two different assets")
        if _check_amount(self.size, "order size") == 0:
            raise ValueError("order size must be positive")
        if _check_amount(self.limit_price, "limit price", PRICE_BITS) == 0:
            raise ValueError("limit price must be positive")

    @property
    def commitment(self) -> int:
        return order_commitment(self)

    @property
    def pays_asset(self) -> int:
        return self.quote_asset if self.side == BUY else self.base_asset

    @property
    def receives_asset(self) -> int:
        return self.base_asset if self.side == BUY else self.quote_asset


def order_commitment(order: Order) -> int:
    """Poseidon(side, base_asset, quote_asset, size, limit_price, salt)."""
    return poseidon_hash([order.side, order.base_asset, order.quote_asset, order.size, order.limit_price, order.salt])


@dataclass(frozen=True)
class Fill:
    """What both legs of a settlement bind: the pair, the amounts and a salt."""

    base_asset: int
    quote_asset: int
    base_amount: int
    quote_amount: int
    trade_salt: int

    @property
    def commitment(self) -> int:
        return trade_commitment(self)


def trade_commitment(fill: Fill) -> int:
    """Poseidon(base_asset, quote_asset, base_amount, quote_amount, trade_salt)."""
    return poseidon_hash([fill.base_asset, fill.quote_asset, fill.base_amount, fill.quote_amount, fill.trade_salt])


def max_payment(order: Order) -> int:
    """The most an order can pay: size for a sell, ceil(size·limit/PRICE_SCALE) for a buy."""
    from .params import PRICE_SCALE

    if order.side == SELL:
        return order.size
    return -(-order.size * order.limit_price // PRICE_SCALE)
