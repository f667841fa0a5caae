"""The matching engine: per-pair limit order books, price-time priority, partial fills.

Each side of a pair is a sorted list (sortedcontainers) keyed by (price, arrival), so an insert
or a cancel costs O(log n) and a placement walks only the orders it fills. The engine knows
nothing of proofs, deadlines or persistence: the matcher (protocol/matcher.py) gives it orders
and turns its matches into fills.

Matching and rounding (docs/protocol.md states the same rule). A fill of b base units for q
quote units satisfies both legs' limit inequalities, which the circuit proves:

    buyer   q·PRICE_SCALE ≤ b·L_buy        seller   q·PRICE_SCALE ≥ b·L_sell

so q lies in [ceil(b·L_sell/S), floor(b·L_buy/S)] (S = PRICE_SCALE). The engine executes at
the maker's limit, rounded in the maker's favour, which is always one end of that range: the
lower end when the maker sells, the upper end when it buys. When the range holds no integer
for b = min(the two remaining sizes), the fill is the largest b' < b whose range holds one:
the engine tries q = floor(b·L_buy/S), q − 1, ... (at most MAX_QUOTE_STEPS values), takes for
each q the largest amount the seller accepts, b' = floor(q·S/L_sell), and stops at the first q
the buyer accepts too (q·S ≤ b'·L_buy); b' then executes at the maker's rounding as above. If no
q works, this pair of orders does not trade and the taker moves on to the next maker.

So crossing orders always trade when some amount is executable near their sizes; they cannot
when no integer quote fits (a sell of 10^6 base units at a raw limit of 7 and a buy at 9: the
quote would lie in [0.007, 0.009]); the engine then skips that maker.
"""

from dataclasses import dataclass

from sortedcontainers import SortedList

from .errors import InvalidValue
from .params import BUY, PRICE_SCALE, SELL

# Bounds the search for an executable amount (each step is O(1)); past it, the pair does not trade.
MAX_QUOTE_STEPS = 4096


@dataclass(slots=True)
class Resting:
    """An order as the engine holds it: its terms, the size not yet in any fill, its arrival."""

    order_id: str
    side: int
    pair: tuple[int, int]
    limit_price: int
    remaining: int
    seq: int
    owner_hash: str

    def __post_init__(self) -> None:
        if self.side not in (BUY, SELL):
            raise InvalidValue(f"order {self.order_id}: side must be buy (0) or sell (1)")
        if self.remaining < 0 or self.limit_price <= 0:
            raise InvalidValue(f"order {self.order_id}: remaining size must be ≥ 0 and the limit positive")

    @property
    def key(self) -> tuple[int, int]:
        """Best first: bids by price descending, asks ascending; then by arrival."""
        return (-self.limit_price if self.side == BUY else self.limit_price, self.seq)


@dataclass(frozen=True, slots=True)
class Match:
    maker_id: str
    taker_id: str
    buy_id: str
    sell_id: str
    base_amount: int
    quote_amount: int
    price: int  # the maker's limit


def quote_range(base_amount: int, buy_limit: int, sell_limit: int) -> tuple[int, int]:
    """[lowest, highest] quote amount both legs accept for `base_amount` (empty if lo > hi)."""
    return -(-base_amount * sell_limit // PRICE_SCALE), base_amount * buy_limit // PRICE_SCALE


def fill_respects_limits(base_amount: int, quote_amount: int, buy_limit: int, sell_limit: int) -> bool:
    """The limit-price inequalities of the settlement legs (buyer pays at most, seller gets at least)."""
    return (
        base_amount > 0
        and quote_amount * PRICE_SCALE <= base_amount * buy_limit
        and quote_amount * PRICE_SCALE >= base_amount * sell_limit
    )


def executable(base_amount: int, maker_side: int, buy_limit: int, sell_limit: int) -> tuple[int, int] | None:
    """(b, q): the largest b ≤ base_amount with a quote both legs accept, and that quote at the
    maker's limit rounded in the maker's favour; None if the search finds none."""
    if buy_limit < sell_limit or base_amount <= 0:
        return None
    b = base_amount
    lo, hi = quote_range(b, buy_limit, sell_limit)
    if lo > hi:
        # For a quote q the largest amount the seller accepts is floor(q·S/L_sell); it is the
        # largest b' for that q, and larger q give larger b', so the first q that works wins.
        for q in range(hi, max(0, hi - MAX_QUOTE_STEPS), -1):
            b = min(base_amount, q * PRICE_SCALE // sell_limit)
            if b > 0 and q * PRICE_SCALE <= b * buy_limit:
                break
        else:
            return None
        lo, hi = quote_range(b, buy_limit, sell_limit)
    return b, (lo if maker_side == SELL else hi)


class Book:
    """Every pair's book. `place` matches an order and rests the rest; `reenter` gives an order
    size back at its original priority; `cancel` takes one off the book."""

    def __init__(self) -> None:
        self.orders: dict[str, Resting] = {}
        self._sides: dict[tuple[tuple[int, int], int], SortedList] = {}
        self.seq = 0

    def _side(self, pair: tuple[int, int], side: int) -> SortedList:
        book = self._sides.get((pair, side))
        if book is None:  # not setdefault: that would build a SortedList on every call
            book = self._sides[(pair, side)] = SortedList()
        return book

    def side(self, pair: tuple[int, int], side: int) -> list[Resting]:
        """Resting orders of one side with size left, best first."""
        return [self.orders[oid] for _, oid in self._side(pair, side)]

    def _rest(self, order: Resting) -> None:
        if order.remaining > 0:
            self._side(order.pair, order.side).add((order.key, order.order_id))

    def _unrest(self, order: Resting) -> None:
        self._side(order.pair, order.side).discard((order.key, order.order_id))

    def restore(self, order: Resting) -> None:
        """Put back an order as it was (rebuilding the book after a restart): no matching."""
        self.orders[order.order_id] = order
        self.seq = max(self.seq, order.seq)
        self._rest(order)

    def place(self, order: Resting) -> list[Match]:
        """Give `order` the next arrival number, match it against the book, rest what is left."""
        if order.order_id in self.orders:
            raise InvalidValue(f"order {order.order_id} is already in the book")
        self.seq += 1
        order.seq = self.seq
        self.orders[order.order_id] = order
        return self._match(order)

    def reenter(self, order_id: str, amount: int) -> list[Match]:
        """`amount` comes back to a live order (a fill that will not settle); it rests at its
        original priority, and trades at once if the book now crosses it."""
        order = self.orders[order_id]
        self._unrest(order)
        order.remaining += amount
        return self._match(order)

    def cancel(self, order_id: str) -> Resting:
        try:
            order = self.orders.pop(order_id)
        except KeyError:
            raise InvalidValue(f"no order {order_id} in the book") from None
        self._unrest(order)
        return order

    def _match(self, taker: Resting) -> list[Match]:
        matches: list[Match] = []
        makers = self._side(taker.pair, SELL if taker.side == BUY else BUY)
        i = 0
        while taker.remaining > 0 and i < len(makers):
            maker = self.orders[makers[i][1]]
            crosses = maker.limit_price <= taker.limit_price if taker.side == BUY else maker.limit_price >= taker.limit_price
            if not crosses:
                break
            buy, sell = (taker, maker) if taker.side == BUY else (maker, taker)
            amounts = None
            if maker.owner_hash != taker.owner_hash:  # no self-trades
                amounts = executable(min(taker.remaining, maker.remaining), maker.side, buy.limit_price, sell.limit_price)
            if amounts is None:
                i += 1
                continue
            base_amount, quote_amount = amounts
            maker.remaining -= base_amount
            taker.remaining -= base_amount
            if maker.remaining == 0:
                del makers[i]
            matches.append(Match(maker.order_id, taker.order_id, buy.order_id, sell.order_id,
                                 base_amount, quote_amount, maker.limit_price))
        self._rest(taker)
        return matches
