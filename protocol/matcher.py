"""The matcher: checks each order's collateral proof, books it, and turns matches into fills.

What it learns: the terms of the orders sent to it (side, pair, size, limit, salt) and the fills
it makes; never keys, notes or balances. Before an order enters the book it verifies:
  * the order's terms open its commitment (so the fill it makes binds the order the trader signed
    up for in the leg proof);
  * the collateral proof, against a root the pool still accepts;
  * the note tag is not backing another live order (one note cannot collateralize two orders).
A fill spends the backing notes, so a partly filled order is suspended until its owner books
the rest as a new order with fresh collateral (`replace`, typically backed by the change note).
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from zk.errors import MalformedInput
from zk.field import R
from zk.groth16 import Proof

from .errors import ProtocolError
from .keys import CircuitKeys
from .matching import BookOrder, OrderBook
from .notes import Fill, Order


class MatcherError(ProtocolError):
    """An order the matcher refuses, with the reason."""


@dataclass(frozen=True)
class OrderTicket:
    """What a trader sends: the order's terms and salt, and its collateral proof."""

    order: Order
    trader: str
    root: int
    note_tag: int
    proof: Proof

    @property
    def public_vector(self) -> list[int]:
        return [self.root, self.order.commitment, self.note_tag]


@dataclass(frozen=True)
class Trade:
    """A fill between a buy and a sell order; both owners prove a leg binding `fill`."""

    buy_order_id: str
    sell_order_id: str
    maker_order_id: str
    fill: Fill
    price: int


@dataclass
class Matcher:
    collateral_keys: CircuitKeys
    is_known_root: Callable[[int], bool]
    book: OrderBook = field(default_factory=OrderBook)
    tickets: dict[str, OrderTicket] = field(default_factory=dict)
    suspended: dict[str, BookOrder] = field(default_factory=dict)
    trades: list[Trade] = field(default_factory=list)

    def _check_ticket(self, ticket: OrderTicket) -> None:
        # Verify the root is one the pool accepts.
        if not self.is_known_root(ticket.root):
            raise MatcherError("the collateral proof uses a root the pool does not know (stale or foreign): sync and prove again")
        # Verify no other live order is backed by the same note.
        for order_id, other in self.tickets.items():
            if other.note_tag == ticket.note_tag and self._is_live(order_id):
                raise MatcherError(f"the note backing this order already backs live order {order_id}")
        # Verify the proof: the note is in the tree, owned, of the paid asset, and covers the order.
        try:
            valid = self.collateral_keys.verify(ticket.proof, ticket.public_vector)
        except MalformedInput as exc:
            raise MatcherError(f"malformed collateral proof: {exc}") from None
        if not valid:
            raise MatcherError("the collateral proof does not verify for this order (wrong note, amount or asset)")

    def _is_live(self, order_id: str) -> bool:
        return order_id in self.book.orders or order_id in self.suspended

    def submit(self, ticket: OrderTicket) -> list[Trade]:
        """Book an order after checking its collateral; returns the trades it made at once."""
        if ticket.order.order_id in self.tickets:
            raise MatcherError(f"order id {ticket.order.order_id} is already taken")
        self._check_ticket(ticket)
        self.tickets[ticket.order.order_id] = ticket
        o = ticket.order
        return self._place(BookOrder(o.order_id, o.side, o.base_asset, o.quote_asset, o.size, o.limit_price, owner=ticket.trader))

    def replace(self, order_id: str, ticket: OrderTicket) -> list[Trade]:
        """Book the rest of a suspended (partly filled) order as a new order with fresh collateral.

        The new order must have the same side, pair and limit, and exactly the size left: the
        suspended one is then closed. (A collateral proof covers a whole order, and the fill spent
        the note behind the old one, so the rest needs an order of its own.)"""
        if order_id not in self.suspended:
            raise MatcherError(f"order {order_id} is not waiting for fresh collateral")
        rest, new = self.suspended[order_id], ticket.order
        same_terms = (new.side, new.base_asset, new.quote_asset, new.limit_price) == (
            rest.side, rest.base_asset, rest.quote_asset, rest.limit_price)
        if not same_terms or new.size != rest.remaining:
            raise MatcherError(f"the replacement must have the same side, pair and limit, and size {rest.remaining}")
        trades = self.submit(ticket)
        del self.suspended[order_id]
        return trades

    def cancel(self, order_id: str) -> None:
        if order_id in self.suspended:
            self.suspended.pop(order_id)
        elif order_id in self.book.orders:
            self.book.cancel(order_id)
        else:
            raise MatcherError(f"no live order {order_id}")

    def _place(self, order: BookOrder) -> list[Trade]:
        trades = []
        for m in self.book.place(order):
            fill = Fill(order.base_asset, order.quote_asset, m.base_amount, m.quote_amount, secrets.randbelow(R))
            trades.append(Trade(m.buy_id, m.sell_id, m.maker_id, fill, m.price))
            # Both backing notes are spent by the legs: what is left of either order waits for
            # fresh collateral.
            for order_id in (m.buy_id, m.sell_id):
                resting = self.book.orders.pop(order_id, None)
                if resting is not None and resting.remaining > 0:
                    self.suspended[order_id] = resting
        self.trades.extend(trades)
        return trades

    def order_status(self, order_id: str) -> str:
        if order_id in self.book.orders:
            return "open"
        if order_id in self.suspended:
            return "suspended (partly filled: awaiting fresh collateral)"
        return "closed" if order_id in self.tickets else "unknown"
