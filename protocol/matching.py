"""The matching engine: per-pair limit order books, price-time priority, partial fills, cancels.

Execution is at the maker's (resting order's) limit price. Amounts are integers; the quote
amount of a fill of b base units at price p (quote units per base unit × PRICE_SCALE) is

    q = ceil(b·p / PRICE_SCALE)   when the maker sells (the seller gets at least its price)
    q = floor(b·p / PRICE_SCALE)  when the maker buys  (the buyer pays at most its price)

and every fill satisfies both limit inequalities that the settlement-leg circuit proves:
buyer  q·PRICE_SCALE ≤ b·limit_buy, seller  q·PRICE_SCALE ≥ b·limit_sell. Rounding can break
the taker's inequality only when both limits are equal and b·p is not a multiple of
PRICE_SCALE; then b is rounded down to the largest amount for which b·p/PRICE_SCALE is exact
(no fill if that is zero). The engine checks every fill with `fill_respects_limits`, the same
inequalities as the circuit, so it cannot produce a fill that a leg proof would refuse.
"""

from dataclasses import dataclass, field
from math import gcd

from .errors import InvalidValue
from .params import BUY, PRICE_SCALE, SELL


@dataclass
class BookOrder:
    """An order as the book sees it: terms, remaining size, arrival sequence number."""

    order_id: str
    side: int
    base_asset: int
    quote_asset: int
    size: int
    limit_price: int
    remaining: int = -1
    seq: int = 0
    owner: str = ""

    def __post_init__(self) -> None:
        if self.side not in (BUY, SELL):
            raise InvalidValue(f"order {self.order_id}: side must be buy (0) or sell (1)")
        if self.size <= 0 or self.limit_price <= 0:
            raise InvalidValue(f"order {self.order_id}: size and limit price must be positive")
        if self.remaining < 0:
            self.remaining = self.size

    @property
    def pair(self) -> tuple[int, int]:
        return (self.base_asset, self.quote_asset)


@dataclass(frozen=True)
class Match:
    maker_id: str
    taker_id: str
    buy_id: str
    sell_id: str
    base_amount: int
    quote_amount: int
    price: int


def quote_for(base_amount: int, price: int, maker_side: int) -> int:
    """The quote amount of a fill at the maker's price, rounded in the maker's favour."""
    num = base_amount * price
    return -(-num // PRICE_SCALE) if maker_side == SELL else num // PRICE_SCALE


def fill_respects_limits(base_amount: int, quote_amount: int, buy_limit: int, sell_limit: int) -> bool:
    """The limit-price inequalities of the settlement legs (buyer pays at most, seller gets at least)."""
    return (
        base_amount > 0
        and quote_amount * PRICE_SCALE <= base_amount * buy_limit
        and quote_amount * PRICE_SCALE >= base_amount * sell_limit
    )


def _executable(base_amount: int, maker: BookOrder, taker: BookOrder) -> tuple[int, int] | None:
    buy, sell = (maker, taker) if maker.side == BUY else (taker, maker)
    q = quote_for(base_amount, maker.limit_price, maker.side)
    if fill_respects_limits(base_amount, q, buy.limit_price, sell.limit_price):
        return base_amount, q
    step = PRICE_SCALE // gcd(maker.limit_price, PRICE_SCALE)
    b = base_amount - base_amount % step
    if b == 0:
        return None
    q = quote_for(b, maker.limit_price, maker.side)
    return (b, q) if fill_respects_limits(b, q, buy.limit_price, sell.limit_price) else None


@dataclass
class OrderBook:
    """All books, keyed by (base_asset, quote_asset)."""

    orders: dict[str, BookOrder] = field(default_factory=dict)
    _seq: int = 0

    def _side(self, pair: tuple[int, int], side: int) -> list[BookOrder]:
        """Resting orders of one side, best first: bids by price desc, asks asc, then by time."""
        resting = [o for o in self.orders.values() if o.pair == pair and o.side == side and o.remaining > 0]
        if side == BUY:
            return sorted(resting, key=lambda o: (-o.limit_price, o.seq))
        return sorted(resting, key=lambda o: (o.limit_price, o.seq))

    def bids(self, pair: tuple[int, int]) -> list[BookOrder]:
        return self._side(pair, BUY)

    def asks(self, pair: tuple[int, int]) -> list[BookOrder]:
        return self._side(pair, SELL)

    def place(self, order: BookOrder) -> list[Match]:
        """Match an incoming order against the book; the rest of it rests as a limit order."""
        if order.order_id in self.orders:
            raise InvalidValue(f"order {order.order_id} is already in the book")
        self._seq += 1
        order.seq = self._seq
        matches: list[Match] = []
        opposite = SELL if order.side == BUY else BUY
        for maker in self._side(order.pair, opposite):
            if order.remaining == 0:
                break
            crosses = (
                maker.limit_price <= order.limit_price if order.side == BUY else maker.limit_price >= order.limit_price
            )
            if not crosses:
                break
            if order.owner and maker.owner == order.owner:
                continue  # no self-trades
            amounts = _executable(min(order.remaining, maker.remaining), maker, order)
            if amounts is None:
                continue
            base_amount, quote_amount = amounts
            maker.remaining -= base_amount
            order.remaining -= base_amount
            buy, sell = (maker, order) if maker.side == BUY else (order, maker)
            matches.append(
                Match(maker.order_id, order.order_id, buy.order_id, sell.order_id, base_amount, quote_amount, maker.limit_price)
            )
        self.orders[order.order_id] = order
        return matches

    def cancel(self, order_id: str) -> BookOrder:
        try:
            order = self.orders.pop(order_id)
        except KeyError:
            raise InvalidValue(f"no order {order_id} in the book") from None
        return order
