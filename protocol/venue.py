"""A trading venue in one process: the matcher over its SQLite file, its relayer account and the
settlement coordinator, with the trader-side steps the CLI and the demo run against it.

Each method is one user action (place, cancel, settle, withdraw) as one library call; the CLI
parses, calls one of them and prints. The relayer's key lives in the matcher's database (it is
the matcher's own account); on a devnet the faucet gives it gas the first time it is opened.
The matcher service (`zktrade matcher serve`) wraps the same matcher and coordinator;
`RemoteVenue` is the same actions against it over HTTP, for traders on other machines.
"""

import time
from dataclasses import dataclass
from pathlib import Path

from circuits.trade import collateral_statement, leg_statement

from .chain.signer import GAS_WEI, LocalAccount, chain_time, fund, new_private_key
from .keys import KeyStore
from .matcher import LEG_WINDOW, Matcher, MatcherError, PoolView
from .client import MatcherClient, MatcherRefused, MatcherUnavailable
from .errors import ProtocolError
from .matcher_store import FINAL, MatcherStore, TradeRow
from .messages import LegProof, OrderTicket, Trade, WithdrawRequest
from .settlement import Outcome, SettlementCoordinator, hand_in_legs
from .params import BUY, SELL, SIDE_NAMES
from .trader import Trader
from .wallet import NoteRecord, WalletError


@dataclass(frozen=True)
class FillView:
    """A fill as a trader or the operator sees it: the trade, its deadline, where its settlement
    stands and which legs are in (from the matcher's store, or from the service's answer)."""

    trade: Trade
    deadline: int
    state: str
    legs: tuple[str, ...]
    tx_hash: str | None
    reason: str | None

    @classmethod
    def from_row(cls, t: TradeRow) -> "FillView":
        return cls(t.trade, t.deadline, t.state, tuple(SIDE_NAMES[s] for s in (BUY, SELL) if t.leg(s) is not None),
                   t.tx_hash, t.reason)

    @classmethod
    def from_json(cls, d: dict) -> "FillView":
        return cls(Trade.from_json(d["trade"]), int(d["deadline"]), d["state"],
                   tuple(name for name in ("buy", "sell") if d["legs"][name]), d["tx_hash"], d["reason"])

    def has_leg(self, side: int) -> bool:
        return SIDE_NAMES[side] in self.legs


@dataclass(frozen=True)
class Settlement:
    """What `Venue.settle` did: the legs handed in and the trades whose state changed."""

    legs: list[LegProof]
    outcomes: list[Outcome]


class Venue:
    """The matcher at `db_path` on `pool`, relaying from its own account."""

    def __init__(self, pool, keys: KeyStore, db_path: str | Path, leg_window: int = LEG_WINDOW):
        self.pool = pool
        self.store = MatcherStore(db_path)
        chain = pool.chain
        key = self.store.meta("relayer_key")
        if key is None:
            key = new_private_key()
            self.store.set_meta("relayer_key", key)
        self.relayer = LocalAccount(chain, key)
        if chain.w3.eth.get_balance(self.relayer.address) == 0 and chain.accounts:
            fund(chain, self.relayer.address, GAS_WEI)
        view = PoolView(pool.is_known_root, pool.nullifier_spent, lambda: chain_time(chain))
        self.matcher = Matcher(self.store, keys.keys(collateral_statement()), view,
                               leg_keys=keys.keys(leg_statement()), leg_window=leg_window)
        self.coordinator = SettlementCoordinator(self.matcher, pool, self.relayer)

    def place(self, trader: Trader, side: int, base: str, quote: str, size: int,
              limit_price: int) -> tuple[OrderTicket, list[Trade]]:
        """Prove collateral for a new order and book it; returns the ticket and the fills it made."""
        ticket = trader.place_order(side, base, quote, size, limit_price)
        try:
            return ticket, self.matcher.submit(ticket)
        except MatcherError:
            trader.wallet.update_order(ticket.order.order_id, status="cancelled")  # never booked: its note is free
            raise

    def cancel(self, trader: Trader, order_id: str) -> list[Trade]:
        """Cancel one of the trader's orders (its unsettled fills are revoked)."""
        trader.order(order_id)  # refuses an order of another wallet
        made = self.matcher.cancel(order_id, trader.wallet.order_secret)
        trader.wallet.update_order(order_id, status="cancelled")
        return made

    def settle(self, trader: Trader | None = None, rounds: int = 8) -> Settlement:
        """Hand in the legs `trader` can prove now (if given) and let the coordinator relay; as
        long as that lets the trader prove more (an order's next leg spends the change of the one
        just settled), go on. Also hands the relayer any withdrawal of `trader` it never got."""
        legs: list[LegProof] = []
        outcomes: list[Outcome] = []
        for _ in range(rounds):
            new = hand_in_legs(trader, self.matcher) if trader is not None else []
            done = self.coordinator.run()
            legs += new
            outcomes += done
            if trader is None or not (new and any(o.state == "settled" for o in done)):
                break
        if trader is not None:
            self._relay_interrupted(trader)
            trader.sync()
        return Settlement(legs, outcomes)

    def _relay_interrupted(self, trader: Trader) -> None:
        """A relayed withdrawal the wallet recorded but the relayer never received (a crash in between)."""
        known = {request.nullifier for request, *_ in self.store.relayed()}
        for op in trader.wallet.pending_operations():
            if op.kind == "withdraw" and op.payload["relayed"]:
                request = WithdrawRequest.from_json(op.payload["request"])
                if request.nullifier not in known and not self.pool.nullifier_spent(request.nullifier):
                    self.coordinator.relay_withdraw(request)

    def withdraw(self, trader: Trader, token: str, amount: int, recipient: str, relayed: bool = False,
                 fee: int = 0) -> tuple[NoteRecord, str]:
        """Unshield to `recipient`: sent by the trader's own account, or relayed by the matcher's
        (which gets `fee`). Returns the change note and the transaction hash."""
        relayer = self.relayer.address if relayed else None
        change, request = trader.withdraw(token, amount, recipient, relayer=relayer, fee=fee)
        if relayed:
            tx_hash = self.coordinator.relay_withdraw(request).tx_hash
            trader.sync()
        else:
            tx_hash = trader.wallet.txs(change.origin)["withdraw"]["tx_hash"]
        return trader.wallet.note(change.note_id), tx_hash

    def trades(self) -> list[TradeRow]:
        return self.store.trades()

    def fills(self, trader: Trader | None = None) -> list[FillView]:
        """Every fill (the operator's view of its own database), or only `trader`'s."""
        rows = self.store.trades()
        if trader is not None:
            rows = [t for t in rows if trader.owns(t.trade.buy_order_id) or trader.owns(t.trade.sell_order_id)]
        return [FillView.from_row(t) for t in rows]

    def order_status(self, trader: Trader, order_id: str) -> str:
        return self.matcher.order_status(order_id)

    def close(self) -> None:
        self.store.close()


class RemoteVenue:
    """The matcher service at `url` (`zktrade matcher serve`): the same user actions as Venue,
    over HTTP. The service matches, relays settlements and withdrawals, and expires fills by
    itself; a trader proves its own legs here (or lets `zktrade trader run` do it)."""

    def __init__(self, pool, url: str, client: str = ""):
        self.pool = pool
        self.url = url
        self.client = MatcherClient(url, client=client)

    def close(self) -> None:
        self.client.close()

    def place(self, trader: Trader, side: int, base: str, quote: str, size: int,
              limit_price: int) -> tuple[OrderTicket, list[Trade]]:
        """Prove collateral for a new order and send it to the service; the ticket and the fills it made."""
        ticket = trader.place_order(side, base, quote, size, limit_price)
        return ticket, self.book(trader, ticket)

    def book(self, trader: Trader, ticket: OrderTicket) -> list[Trade]:
        """Send a proven ticket; if the service refused it (or never got it) its note is free again."""
        try:
            return self.client.submit(ticket)
        except (MatcherRefused, MatcherUnavailable) as exc:
            if isinstance(exc, MatcherRefused) or not exc.sent:
                trader.wallet.update_order(ticket.order.order_id, status="cancelled")
            raise

    def cancel(self, trader: Trader, order_id: str) -> int:
        """Cancel one of the trader's orders; the number of fills its counterparties' re-entry made."""
        trader.order(order_id)  # refuses an order of another wallet
        made = self.client.cancel(order_id, trader.wallet.order_secret)
        trader.wallet.update_order(order_id, status="cancelled")
        return made

    def watched_orders(self, trader: Trader) -> list[str]:
        """The trader's orders that may still have fills to prove or follow: open in the wallet,
        or with a leg in flight."""
        settling = {op.payload["order_id"] for op in trader.wallet.pending_operations() if op.kind == "settle"}
        return [o["order_id"] for o in trader.wallet.orders() if o["status"] == "open" or o["order_id"] in settling]

    def statuses(self, trader: Trader, order_ids: list[str] | None = None) -> dict[str, dict]:
        """What the service says of each order (orders it never booked are left out)."""
        views = {}
        for order_id in self.watched_orders(trader) if order_ids is None else order_ids:
            try:
                views[order_id] = self.client.status(order_id, trader.wallet.order_secret)
            except MatcherRefused as exc:
                if exc.status != 404:
                    raise
        return views

    def fills(self, trader: Trader | None = None, order_ids: list[str] | None = None) -> list[FillView]:
        """The trader's fills as the service reports them (the service is dark: no one sees all)."""
        if trader is None:
            raise ProtocolError(f"the matcher at {self.url} shows each trader only its own fills: pass --wallet")
        ids = [o["order_id"] for o in trader.wallet.orders()] if order_ids is None else order_ids
        seen: dict[int, FillView] = {}
        for view in self.statuses(trader, ids).values():
            for t in view["trades"]:
                fill = FillView.from_json(t)
                seen[fill.trade.trade_commitment] = fill
        return sorted(seen.values(), key=lambda f: f.deadline)

    def order_status(self, trader: Trader, order_id: str) -> str:
        return self.statuses(trader, [order_id]).get(order_id, {}).get("status", "unknown")

    def hand_in(self, trader: Trader) -> tuple[list[LegProof], list[FillView]]:
        """Prove and send every leg of the trader's fills that the chain lets it prove now (an
        order's legs go one at a time), earliest deadline first; a leg proven before a crash is
        sent again as proven. Returns the legs sent and the fills as they stood."""
        trader.sync()
        fills = self.fills(trader, self.watched_orders(trader))
        now = None
        sent = []
        for f in fills:
            if f.state != "awaiting_legs":
                continue
            for side in (BUY, SELL):
                if not trader.owns(f.trade.order_of(side)) or f.has_leg(side):
                    continue
                now = chain_time(self.pool.chain) if now is None else now
                if now > f.deadline:
                    continue  # too late: the service expires it
                try:
                    leg = trader.prove_leg(f.trade)
                except WalletError:
                    continue  # an earlier leg of the same order comes first
                try:
                    self.client.submit_leg(leg)
                except MatcherRefused as exc:
                    if exc.status == 404 or exc.status == 409:
                        continue  # the fill moved on meanwhile (expired, revoked); the next sync says
                    raise
                sent.append(leg)
        return sent, fills

    def settle(self, trader: Trader | None = None, rounds: int = 8, wait: float = 60.0) -> Settlement:
        """Hand in the legs `trader` can prove now and wait (up to `wait` seconds per round) for
        the service to settle the fills whose two legs are in; go on while that lets the trader
        prove more. Also hands the relayer any withdrawal of `trader` it never got."""
        if trader is None:
            raise ProtocolError(f"the matcher at {self.url} relays settlements by itself: pass --wallet to prove "
                                "and hand in this wallet's legs")
        legs: list[LegProof] = []
        before = {f.trade.trade_commitment: f.state for f in self.fills(trader)}
        for _ in range(rounds):
            new, _ = self.hand_in(trader)
            legs += new
            settled = self._wait_settled(trader, wait)
            if not (new and settled):
                break
        self._relay_interrupted(trader)
        trader.sync()
        outcomes = [Outcome(f.trade.trade_commitment, f.state, f.reason or f.tx_hash or "")
                    for f in self.fills(trader) if f.state in FINAL and before.get(f.trade.trade_commitment) != f.state]
        return Settlement(legs, outcomes)

    def _wait_settled(self, trader: Trader, wait: float) -> bool:
        """Until no fill of the trader with both legs in is still being settled (or `wait` ends);
        whether one settled meanwhile."""
        end = time.monotonic() + wait
        first = None
        while True:
            fills = self.fills(trader, self.watched_orders(trader))
            first = {f.trade.trade_commitment: f.state for f in fills} if first is None else first
            busy = [f for f in fills if f.state == "submitted" or (f.state == "awaiting_legs" and len(f.legs) == 2)]
            if not busy or time.monotonic() > end:
                break
            time.sleep(0.5)
        trader.sync()
        return any(f.state == "settled" and first.get(f.trade.trade_commitment) != "settled" for f in fills)

    def _relay_interrupted(self, trader: Trader) -> None:
        """A relayed withdrawal the wallet recorded but the relayer never received (a crash in between)."""
        for op in trader.wallet.pending_operations():
            if op.kind == "withdraw" and op.payload["relayed"]:
                request = WithdrawRequest.from_json(op.payload["request"])
                if not self.pool.nullifier_spent(request.nullifier):
                    try:
                        self.client.relay_withdraw(request)
                    except MatcherRefused as exc:
                        if "already being relayed" not in str(exc):
                            raise

    def withdraw(self, trader: Trader, token: str, amount: int, recipient: str, relayed: bool = False,
                 fee: int = 0) -> tuple[NoteRecord, str]:
        """Unshield to `recipient`: sent by the trader's own account, or relayed by the service's
        (which gets `fee`). Returns the change note and the transaction hash."""
        relayer = self.client.info()["relayer"] if relayed else None
        if relayed and relayer is None:
            raise ProtocolError(f"the matcher at {self.url} has no relayer account")
        change, request = trader.withdraw(token, amount, recipient, relayer=relayer, fee=fee)
        if relayed:
            tx_hash = self.client.relay_withdraw(request)
            trader.sync()
        else:
            tx_hash = trader.wallet.txs(change.origin)["withdraw"]["tx_hash"]
        return trader.wallet.note(change.note_id), tx_hash
