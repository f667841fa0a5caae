"""A trader's agent against the matcher service (`zktrade trader run`): it listens for its own
fills, proves and sends its legs before their deadlines, re-collateralizes orders the matcher
dropped with size left, and resumes after a restart.

Each pass, for every wallet it runs:
  1. sync the wallet with the chain, ask the service about the wallet's orders that may still
     have work (open, or with a leg in flight), and prove and send every leg the chain lets it
     prove now, earliest deadline first (`RemoteVenue.hand_in`: an order's legs go one at a time,
     each after the previous one settled or expired);
  2. re-book the rest of an order the matcher dropped (its leg of some fill was missing at the
     deadline: a crash, the service was down) once nothing of that order is in flight: the old
     order is cancelled in the wallet and a new order of the remaining size, at the same limit,
     is proven on the wallet's current note.
Passes run every `poll` seconds, and at once when the service's event stream reports a change
to one of the wallet's fills.

State is the wallet's: a leg is stored (with the notes it creates) before it is sent, so a leg
proven before a crash is sent again as proven, never proven twice; a re-booking is written to
the wallet's meta (`agent:rebook`) before the old order is cancelled and cleared when the new
one is booked, so a crash between the two re-books on restart. SIGINT/SIGTERM set a flag the loop
checks between steps: a step (proving and sending one leg) is never cut in half.
"""

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .chain.errors import ChainError
from .client import MatcherClient, MatcherRefused, MatcherUnavailable
from .matcher_store import UNSETTLED
from .trader import Trader
from .venue import FillView, RemoteVenue

REBOOK = "agent:rebook"  # wallet meta: order ids whose rest is being re-booked (JSON list)


@dataclass(frozen=True)
class Pass:
    """What one pass did for one wallet, and whether anything of it is still in flight."""

    legs: int
    rebooked: list[str]
    busy: bool


class TraderAgent:
    """The agent of one or more wallets (one secret each) against one matcher service."""

    def __init__(self, venue: RemoteVenue, traders: list[Trader], log: Callable[[str], None] = print,
                 poll: float = 2.0):
        self.venue = venue
        self.traders = traders
        self.log = log
        self.poll = poll
        self.stopping = threading.Event()
        self.wake = threading.Event()
        self._watch: dict[int, tuple[tuple[str, ...], bytes]] = {}  # wallet -> (order ids, secret) to listen to
        self._listeners: list[threading.Thread] = []
        self._retrying: dict[int, str] = {}  # wallet -> the error its passes are retrying after

    def stop(self) -> None:
        """Ask the loop to end after its current step (signal handlers call this)."""
        self.stopping.set()
        self.wake.set()

    # --- one pass ------------------------------------------------------------------------

    def step(self, trader: Trader) -> Pass:
        legs, fills = self.venue.hand_in(trader)
        for leg in legs:
            self.log(f"{trader.wallet.path.name}: sent the {'buy' if leg.side == 0 else 'sell'} leg of trade "
                     f"{hex(leg.trade_commitment)[:14]}…")
        rebooked = self.rebook(trader, fills)
        watched = tuple(sorted({f.trade.order_of(side) for f in fills for side in (0, 1)
                                if trader.owns(f.trade.order_of(side))} | set(self.venue.watched_orders(trader))))
        self._watch[id(trader)] = (watched, trader.wallet.order_secret)
        settling = any(op.kind == "settle" for op in trader.wallet.pending_operations())
        busy = settling or any(f.state in UNSETTLED for f in fills) or bool(self._pending_rebooks(trader))
        return Pass(len(legs), rebooked, busy)

    def _pending_rebooks(self, trader: Trader) -> list[str]:
        return json.loads(trader.wallet.meta(REBOOK) or "[]")

    def _set_rebooks(self, trader: Trader, ids: list[str]) -> None:
        trader.wallet.set_meta(REBOOK, json.dumps(sorted(set(ids))))

    def rebook(self, trader: Trader, fills: list[FillView]) -> list[str]:
        """New orders for the rest of orders the matcher dropped, once none of their legs is in flight."""
        settling = {op.payload["order_id"] for op in trader.wallet.pending_operations() if op.kind == "settle"}
        waiting = {f.trade.order_of(s) for f in fills if f.state == "awaiting_legs" for s in (0, 1) if not f.has_leg(s)}
        pending = self._pending_rebooks(trader)
        views = self.venue.statuses(trader)
        for order_id, view in views.items():
            if view["status"] == "dropped" and order_id not in settling and order_id not in waiting:
                _, row = trader.order(order_id)
                if row["status"] == "open" and int(row["remaining"]) > 0 and order_id not in pending:
                    pending.append(order_id)
        done = []
        for order_id in list(pending):
            if order_id in settling or order_id in waiting:
                continue
            order, row = trader.order(order_id)
            remaining = int(row["remaining"])
            # Recorded before acting: a crash from here on re-books on restart.
            self._set_rebooks(trader, pending)
            if row["status"] != "cancelled":
                trader.wallet.update_order(order_id, status="cancelled")
            if remaining > 0:
                ticket, trades = self.venue.place(trader, order.side, f"0x{order.base_asset:040x}",
                                                  f"0x{order.quote_asset:040x}", remaining, order.limit_price)
                self.log(f"{trader.wallet.path.name}: re-booked the rest of {order_id} ({remaining} base units) as "
                         f"{ticket.order.order_id}" + (f", {len(trades)} fill(s) at once" if trades else ""))
            pending.remove(order_id)
            self._set_rebooks(trader, pending)
            done.append(order_id)
        return done

    # --- the loop ------------------------------------------------------------------------

    def _listen(self, trader_key: int) -> None:
        """Wake the loop when the service's event stream reports a change to one of the wallet's fills."""
        client = MatcherClient(self.venue.url)
        try:
            while not self.stopping.is_set():
                watch = self._watch.get(trader_key)
                if not watch or not watch[0]:
                    self.stopping.wait(self.poll)
                    continue
                try:
                    for event in client.events(list(watch[0])[:64], watch[1], keepalive=True):
                        if event is not None:
                            self.wake.set()
                        if self.stopping.is_set() or self._watch.get(trader_key) != watch:
                            break
                except (MatcherRefused, MatcherUnavailable):
                    self.stopping.wait(self.poll)  # the passes poll meanwhile
        finally:
            client.close()

    def run(self, until_idle: float | None = None, max_runtime: float | None = None) -> str:
        """Pass after pass until stopped, idle for `until_idle` seconds, or `max_runtime` is up;
        returns why it stopped."""
        started = time.monotonic()
        idle_since: float | None = None
        for trader in self.traders:
            thread = threading.Thread(target=self._listen, args=(id(trader),), daemon=True)
            thread.start()
            self._listeners.append(thread)
        try:
            while True:
                self.wake.clear()
                busy = False
                for trader in self.traders:
                    if self.stopping.is_set():
                        break
                    try:
                        busy |= self.step(trader).busy
                        self._retrying.pop(id(trader), None)
                    except (MatcherUnavailable, ChainError, OSError, MatcherRefused) as exc:
                        if isinstance(exc, MatcherRefused) and exc.status < 500 and exc.status != 429:
                            raise
                        if self._retrying.get(id(trader)) != str(exc):  # once per outage, not once per pass
                            self._retrying[id(trader)] = str(exc)
                            self.log(f"{trader.wallet.path.name}: will retry: {exc}")
                        busy = True
                now = time.monotonic()
                if self.stopping.is_set():
                    return "stopped by a signal"
                if max_runtime is not None and now - started >= max_runtime:
                    return f"ran for --max-runtime {max_runtime:g} s"
                idle_since = None if busy else (idle_since if idle_since is not None else now)
                if until_idle is not None and idle_since is not None and now - idle_since >= until_idle:
                    return f"idle for {until_idle:g} s: nothing of these wallets is in flight"
                self.wake.wait(self.poll)
        finally:
            self.stopping.set()
