"""The matcher: books orders whose collateral it has checked, makes fills with deadlines,
collects the legs, and gives size back when a fill will not settle.

Before an order enters the book it verifies (each refusal names its reason):
  * the order id is new, and the collateral proof uses a root the pool accepts;
  * the note's nullifier (the collateral statement's public tag) is not spent on chain, and
    does not back a live order, an order with unsettled fills, or a leg not yet settled;
  * the collateral proof, for exactly these order terms.

Fills of one order form a chain: leg k spends the change note of leg k−1 once that settlement
has landed (or the note leg k−1 would have spent, if its fill expired). So each fill gets the
deadline max(now, the latest deadline among unsettled fills of either order) + leg_window, and
a taker may sweep several makers at several prices in one placement.

When a fill will not settle (a leg missing at its deadline, a cancel, a failed settlement),
each side gets the fill's base amount back: a side that did its part goes back to the book at
its original priority (and trades at once if the book crosses it); a side that did not (its leg
never came, or its note was spent elsewhere) is dropped, so it cannot stall the same maker
again. Its collateral is untouched either way: no leg of that fill can ever reach the chain.

Every accepted request is one SQLite transaction (protocol/matcher_store.py), durable before
the call returns; `Matcher.open` rebuilds the book and the pending fills from it.
"""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from zk.errors import MalformedInput
from zk.field import R

from .engine import Book, Match, Resting
from .errors import ProtocolError
from .keys import CircuitKeys
from .matcher_store import UNSETTLED, MatcherStore, TradeRow
from .messages import Fill, LegProof, OrderTicket, Trade
from .params import BUY, SELL, SIDE_NAMES

# Seconds each leg of a chain gets to be proven and relayed after its predecessor settles.
LEG_WINDOW = 600

# Positions in the leg statement's public inputs (docs/protocol.md).
LEG_ROOT, LEG_NULLIFIER, LEG_TRADE, LEG_ORDER, LEG_SIDE, LEG_DEADLINE = 0, 1, 4, 5, 6, 7


class MatcherError(ProtocolError):
    """A request the matcher refuses, with the reason."""


def owner_hash(secret: bytes) -> str:
    """What an order ticket carries of its owner's secret: SHA-256, hex."""
    return hashlib.sha256(secret).hexdigest()


@dataclass(frozen=True)
class SpendWords:
    """How refusals name a proof that spends a note (a ticket's collateral, a leg)."""

    what: str
    note: str
    proof: str
    hint: str = ""


COLLATERAL = SpendWords("the collateral proof", "the note backing this order", "collateral proof",
                        " for this order (wrong note, amount or asset)")
LEG = SpendWords("the leg proof", "the note this leg spends", "leg proof")


@dataclass(frozen=True)
class PoolView:
    """What the matcher asks the chain: roots, spent nullifiers, and the time."""

    is_known_root: Callable[[int], bool]
    nullifier_spent: Callable[[int], bool]
    now: Callable[[], int]


class Matcher:
    """One matcher over one store; constructing it rebuilds the book from the store."""

    def __init__(self, store: MatcherStore, collateral_keys: CircuitKeys, pool: PoolView,
                 leg_keys: CircuitKeys | None = None, leg_window: int = LEG_WINDOW):
        self.store = store
        self.collateral_keys = collateral_keys
        self.leg_keys = leg_keys
        self.pool = pool
        self.leg_window = leg_window
        self.book = Book()
        self._tickets: dict[str, OrderTicket] = {}
        self._load()

    def _load(self) -> None:
        """The book as the store holds it: live orders in arrival order, with the size not in any fill."""
        self._version = self.store.data_version()
        self.book = Book()
        self._tickets = {}
        for row in self.store.orders():
            self._tickets[row.order_id] = row.ticket
            if row.status == "live":
                self.book.restore(_resting(row.ticket, row.remaining, row.seq))
            else:
                self.book.seq = max(self.book.seq, row.seq)

    def _atomically(self, fn):
        """Run `fn` in one store transaction, on the book as stored (another process may have
        written since); on any failure the engine is rebuilt from the store."""
        try:
            with self.store.transaction():
                if self.store.data_version() != self._version:
                    self._load()
                result = fn()
        except BaseException:
            self._load()
            raise
        self._version = self.store.data_version()
        return result

    def check_spend(self, keys: CircuitKeys | None, proof, public: list[int], root: int, nullifier: int,
                     words: SpendWords) -> None:
        """A proof that spends (or promises) a note: its root is one the pool accepts, the note's
        nullifier is not spent on chain, and the proof verifies (not checked without `keys`)."""
        if not self.pool.is_known_root(root):
            raise MatcherError(f"{words.what} uses a root the pool does not accept (stale or foreign): sync and prove again")
        if self.pool.nullifier_spent(nullifier):
            raise MatcherError(f"{words.note} is already spent on chain (withdrawn or traded)")
        if keys is None:
            return
        try:
            valid = keys.verify(proof, public)
        except MalformedInput as exc:
            raise MatcherError(f"malformed {words.proof}: {exc}") from None
        if not valid:
            raise MatcherError(f"{words.what} does not verify{words.hint}")

    # --- orders --------------------------------------------------------------------------

    def _check_ticket(self, ticket: OrderTicket) -> None:
        """The checks against the chain and the proof (outside the store's lock: they are slow)."""
        # Verify the proof: the note is in the tree, owned, of the paid asset, and covers the order.
        self.check_spend(self.collateral_keys, ticket.proof, ticket.public_vector, ticket.root, ticket.nullifier, COLLATERAL)

    def submit(self, ticket: OrderTicket) -> list[Trade]:
        """Book an order after checking its collateral; returns the fills it made at once."""
        self._check_ticket(ticket)

        def book() -> list[Trade]:
            # Verify, under the store's lock, that the order id is new and the note promised nowhere.
            if self.store.order(ticket.order.order_id) is not None:
                raise MatcherError(f"order id {ticket.order.order_id} is already taken")
            other = self.store.backing(ticket.nullifier)
            if other is not None:
                raise MatcherError(f"the note backing this order already backs order {other} (live, or with a fill not yet settled)")
            resting = _resting(ticket, ticket.order.size, 0)
            matches = self.book.place(resting)
            self.store.add_order(ticket, resting.seq, resting.remaining)
            self._tickets[ticket.order.order_id] = ticket
            return self._record(matches)

        return self._atomically(book)

    def cancel(self, order_id: str, secret: bytes) -> list[Trade]:
        """Take the owner's order off the book and revoke its fills that await legs (the matcher
        will not relay them); the counterparties get their size back. Returns the fills their
        re-entry made."""
        row = self.store.order(order_id)
        # Verify the caller owns the order, and that it is live.
        if row is None or row.ticket.owner_hash != owner_hash(secret):
            raise MatcherError(f"no order {order_id} of yours")
        if row.status != "live":
            raise MatcherError(f"order {order_id} is {row.status}, not live")

        def cancel() -> list[Trade]:
            order = self.book.cancel(order_id)
            self.store.set_order(order_id, remaining=order.remaining, status="cancelled")
            made = []
            for t in self.store.trades(("awaiting_legs",), order_id=order_id):
                self.store.set_trade(t.trade.trade_commitment, "revoked", reason=f"order {order_id} cancelled")
                made += self._give_back(t, at_fault={_side_of(t.trade, order_id)})
            return made

        return self._atomically(cancel)

    # --- fills ---------------------------------------------------------------------------

    def _record(self, matches: list[Match]) -> list[Trade]:
        """Fills for the engine's matches, each with its chain deadline, stored with the orders' sizes."""
        now = self.pool.now()
        trades = []
        for m in matches:
            start = max(now, self.store.latest_deadline(m.buy_id), self.store.latest_deadline(m.sell_id))
            buy = self._tickets[m.buy_id].order
            fill = Fill(buy.base_asset, buy.quote_asset, m.base_amount, m.quote_amount, secrets.randbelow(R),
                        start + self.leg_window)
            trade = Trade(m.buy_id, m.sell_id, m.maker_id, fill, m.price)
            self.store.add_trade(trade)
            trades.append(trade)
        for order_id in {oid for m in matches for oid in (m.buy_id, m.sell_id)}:
            self.store.set_order(order_id, remaining=self.book.orders[order_id].remaining)
        return trades

    def _give_back(self, t: TradeRow, at_fault: set[int]) -> list[Trade]:
        """The fill's size back to both orders: re-entered if live and not at fault, else dropped."""
        made: list[Trade] = []
        for side in (BUY, SELL):
            order_id = t.trade.order_of(side)
            if order_id not in self.book.orders:  # cancelled or dropped earlier
                continue
            if side in at_fault:
                order = self.book.cancel(order_id)
                self.store.set_order(order_id, remaining=order.remaining + t.trade.fill.base_amount, status="dropped")
            else:
                made += self._record(self.book.reenter(order_id, t.trade.fill.base_amount))
                self.store.set_order(order_id, remaining=self.book.orders[order_id].remaining)
        return made

    def resolve(self, trade_commitment: int, state: str, reason: str, at_fault: set[int]) -> list[Trade]:
        """A fill that will not settle ends in `state` (expired or failed); the orders get its
        size back. Returns the fills the re-entries made."""
        t = self.store.trade(trade_commitment)
        if t is None or t.state not in UNSETTLED:
            return []

        def resolve() -> list[Trade]:
            self.store.set_trade(trade_commitment, state, reason=reason)
            return self._give_back(t, at_fault)

        return self._atomically(resolve)

    def expire_due(self) -> list[Trade]:
        """Expire every fill still waiting for a leg past its deadline; the side whose leg is
        missing is at fault. Returns the fills the re-entries made."""
        now = self.pool.now()
        made = []
        for t in self.store.trades(("awaiting_legs",)):
            if t.deadline < now:
                missing = {side for side in (BUY, SELL) if t.leg(side) is None}
                names = " and ".join(SIDE_NAMES[s] for s in sorted(missing))
                made += self.resolve(t.trade.trade_commitment, "expired", f"no {names} leg by the deadline", missing)
        return made

    # --- legs ----------------------------------------------------------------------------

    def submit_leg(self, leg: LegProof) -> TradeRow:
        """Take one party's leg of a fill that awaits it; returns the trade as it now stands."""
        t = self.store.trade(leg.trade_commitment)
        # Verify the fill exists and still waits for legs, before its deadline.
        if t is None:
            raise MatcherError("no fill with this trade commitment")
        if t.state != "awaiting_legs":
            raise MatcherError(f"the fill is {t.state}{': ' + t.reason if t.reason else ''}; it takes no legs")
        if self.pool.now() > t.deadline:
            raise MatcherError("the fill's deadline has passed: its legs are no longer accepted")
        # Verify the leg binds this fill, its order, its side and the fill's deadline.
        if leg.side not in (BUY, SELL) or len(leg.public) != 8:
            raise MatcherError("malformed leg: a side and 8 public inputs are needed")
        order = self._tickets[t.trade.order_of(leg.side)].order
        expected = {LEG_TRADE: t.trade.trade_commitment, LEG_ORDER: order.commitment, LEG_SIDE: leg.side,
                    LEG_DEADLINE: t.deadline}
        if any(leg.public[i] != v for i, v in expected.items()) or leg.trade_commitment != t.trade.trade_commitment:
            raise MatcherError("the leg does not bind this fill, its order, its side and its deadline")
        existing = t.leg(leg.side)
        if existing is not None:
            if existing.public == leg.public:
                return t  # the same leg again: already taken
            raise MatcherError(f"the {SIDE_NAMES[leg.side]} leg of this fill is already in")
        # Verify the root and the nullifier against the pool, then the proof.
        self.check_spend(self.leg_keys, leg.proof, leg.public, leg.public[LEG_ROOT], leg.public[LEG_NULLIFIER], LEG)

        def take() -> TradeRow:
            self.store.set_leg(t.trade.trade_commitment, leg)
            return self.store.trade(t.trade.trade_commitment)

        return self._atomically(take)

    # --- status --------------------------------------------------------------------------

    def awaiting_legs(self, order_ids: set[str]) -> list[TradeRow]:
        """The fills of these orders that wait for a leg, in the order they were made."""
        return [t for t in self.store.trades(("awaiting_legs",))
                if t.trade.buy_order_id in order_ids or t.trade.sell_order_id in order_ids]

    def order_status(self, order_id: str) -> str:
        row = self.store.order(order_id)
        if row is None:
            return "unknown"
        if row.status != "live":
            return row.status
        pending = self.store.trades(UNSETTLED, order_id=order_id)
        resting = self.book.orders[order_id].remaining
        if resting:
            return f"open ({resting} resting" + (f", {len(pending)} fill(s) settling)" if pending else ")")
        return f"filled ({len(pending)} fill(s) settling)" if pending else "filled"


def _resting(ticket: OrderTicket, remaining: int, seq: int) -> Resting:
    o = ticket.order
    return Resting(o.order_id, o.side, o.pair, o.limit_price, remaining, seq, ticket.owner_hash)


def _side_of(trade: Trade, order_id: str) -> int:
    return BUY if trade.buy_order_id == order_id else SELL
