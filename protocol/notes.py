"""Keys, notes, orders and fills: the protocol's values as the trading system holds them.

The hashes (owner, commitments, nullifier, note tag) are computed by the native functions of
circuits/trade/values.py, whose `_gadget` twins the circuits use; tests check that each pair
agrees. The exact encodings are in docs/protocol.md.
"""

import secrets
from dataclasses import dataclass

from circuits.trade import values
from circuits.trade.values import deposit_inner, note_commitment, note_tag, nullifier_of, owner_of  # noqa: F401
from zk.field import R

from .errors import InvalidValue
from .params import AMOUNT_BITS, BUY, PRICE_BITS, PRICE_SCALE, SELL


def random_field_element() -> int:
    return secrets.randbelow(R)


def _check_amount(value: int, what: str, bits: int = AMOUNT_BITS) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << bits:
        raise InvalidValue(f"{what} must be an integer in [0, 2^{bits}), got {value}")
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
            raise InvalidValue("order side must be buy or sell")
        if self.base_asset == self.quote_asset:
            raise InvalidValue("an order needs two different assets")
        if _check_amount(self.size, "order size") == 0:
            raise InvalidValue("order size must be positive")
        if _check_amount(self.limit_price, "limit price", PRICE_BITS) == 0:
            raise InvalidValue("limit price must be positive")

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
    """H(side, base_asset, quote_asset, size, limit_price, salt)."""
    return values.order_commitment(order.side, order.base_asset, order.quote_asset, order.size,
                                   order.limit_price, order.salt)


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
    """H(base_asset, quote_asset, base_amount, quote_amount, trade_salt)."""
    return values.trade_commitment(fill.base_asset, fill.quote_asset, fill.base_amount,
                                   fill.quote_amount, fill.trade_salt)


def max_payment(order: Order) -> int:
    """The most an order can pay: size for a sell, ceil(size·limit/PRICE_SCALE) for a buy."""
    if order.side == SELL:
        return order.size
    return -(-order.size * order.limit_price // PRICE_SCALE)
