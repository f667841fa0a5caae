"""The matcher behind the HTTP API: one thread owns the matcher (and its SQLite connection),
worker processes verify collateral proofs, and a background loop expires fills, drives the
settlement coordinator and follows the chain.

A ticket goes: cheap checks first (root, spent or promised nullifier, a taken order id: a
replayed ticket costs no pairing), then the client's turn in the batch verifier, then
`Matcher.submit`, which books it in one durable SQLite transaction before the answer is sent.
"""

import asyncio
import concurrent.futures
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..chain.errors import ChainError
from ..errors import ProtocolError
from ..matcher import COLLATERAL, Matcher, MatcherError, owner_hash
from ..matcher_store import UNSETTLED, TradeRow
from ..messages import LegProof, OrderTicket, Trade, WithdrawRequest
from ..params import BUY, SELL, SIDE_NAMES
from .limits import RateLimiter
from .metrics import Metrics
from .verify import BatchVerifier, PreverifiedKeys, QueueFull

log = logging.getLogger("zktrade.matcher")


class Refused(ProtocolError):
    """A request the service refuses: an HTTP status and a reason."""

    def __init__(self, reason: str, status: int):
        super().__init__(reason)
        self.status = status


@dataclass
class Core:
    """What the service runs on: the matcher (collateral keys wrapped as PreverifiedKeys), and,
    with a chain, the settlement coordinator, the pool client and the relayer's address."""

    matcher: Matcher
    prekeys: PreverifiedKeys
    coordinator: object = None
    pool: object = None
    relayer: str | None = None
    close: Callable[[], None] = lambda: None


@dataclass(frozen=True)
class Limits:
    client_rate: float = 20.0  # requests per second per client key
    client_burst: float = 60.0
    host_rate: float = 200.0  # per peer address, whatever client keys it claims
    host_burst: float = 600.0
    failed_proof_penalty: float = 10.0  # tokens a client loses per ticket whose proof fails
    verify_workers: int = 2
    batch_size: int = 16
    queue_per_client: int = 32
    tick: float = 1.0  # seconds between background passes


def trade_view(t: TradeRow) -> dict:
    """A fill as its owner sees it: the trade (to prove a leg), its deadline and state."""
    return {"trade": t.trade.to_json(), "deadline": t.deadline, "state": t.state, "reason": t.reason,
            "tx_hash": t.tx_hash, "legs": {SIDE_NAMES[s]: t.leg(s) is not None for s in (BUY, SELL)}}


class MatcherService:
    def __init__(self, build: Callable[[], Core], limits: Limits = Limits()):
        self._build = build
        self.limits = limits
        self.metrics = Metrics()
        self.client_limiter = RateLimiter(limits.client_rate, limits.client_burst)
        self.host_limiter = RateLimiter(limits.host_rate, limits.host_burst)
        self._thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="matcher")
        self.core: Core | None = None
        self.verifier: BatchVerifier | None = None
        self._loop_task: asyncio.Task | None = None
        self._made_at: dict[int, float] = {}  # trade commitment -> when this process made the fill
        self._changes = asyncio.Condition()

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        self.core = await self.call(self._build)
        self.verifier = BatchVerifier(self.core.prekeys.keys.verifying_key, self.limits.verify_workers,
                                      self.limits.batch_size, self.limits.queue_per_client, self._on_batch)
        self.verifier.start()
        self.metrics.gauges["zktrade_verify_queue_depth"] = self.verifier.queued
        self.metrics.gauges["zktrade_book_orders"] = lambda: len(self.core.matcher.book.orders)
        self._loop_task = asyncio.create_task(self._background())

    async def stop(self) -> None:
        if self._loop_task is not None:
            self._loop_task.cancel()
            await asyncio.gather(self._loop_task, return_exceptions=True)
        if self.verifier is not None:
            await self.verifier.stop()
        if self.core is not None:
            await self.call(self.core.close)
        self._thread.shutdown(wait=True)

    async def call(self, fn, *args):
        """Run `fn` on the matcher's thread (the only one that touches the matcher and its store)."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn, *args)

    def _on_batch(self, size: int, invalid: int) -> None:
        self.metrics.observe("zktrade_verify_batch_size", size)
        self.metrics.inc("zktrade_proofs_verified_total", size - invalid, result="valid")
        self.metrics.inc("zktrade_proofs_verified_total", invalid, result="invalid")

    # --- admission -----------------------------------------------------------------------

    def admit(self, host: str, client: str) -> None:
        """Per-client and per-address rate limits (429 when exceeded)."""
        if not self.host_limiter.allow(host):
            self.refuse("too many requests from your address: slow down", 429, "rate_limited")
        if not self.client_limiter.allow(f"{host}/{client}"):
            self.refuse("too many requests from this client: slow down", 429, "rate_limited")

    def refuse(self, reason: str, status: int, label: str):
        self.metrics.inc("zktrade_requests_refused_total", reason=label)
        raise Refused(reason, status)

    # --- requests ------------------------------------------------------------------------

    async def submit(self, host: str, client: str, ticket: OrderTicket) -> list[Trade]:
        """Book an order: cheap checks, the client's turn at batch verification, then the matcher."""
        await self._guarded(self._precheck, ticket)
        try:
            valid = await self.verifier.verify(f"{host}/{client}", ticket.proof, ticket.public_vector)
        except QueueFull as exc:
            self.refuse(str(exc), 429, "queue_full")
        if not valid:
            self.client_limiter.penalize(f"{host}/{client}", self.limits.failed_proof_penalty)
            self.refuse("the collateral proof does not verify for this order (wrong note, amount or asset)", 422, "bad_proof")
        self.core.prekeys.accept(ticket.proof, ticket.public_vector)
        try:
            trades = await self._guarded(self.core.matcher.submit, ticket)
        finally:
            self.core.prekeys.forget(ticket.proof, ticket.public_vector)
        self.metrics.inc("zktrade_orders_booked_total")
        await self._made(trades)
        return trades

    def _precheck(self, ticket: OrderTicket) -> None:
        """What the matcher would refuse anyway, checked before paying for a pairing."""
        m = self.core.matcher
        if m.store.order(ticket.order.order_id) is not None:
            raise MatcherError(f"order id {ticket.order.order_id} is already taken")
        other = m.store.backing(ticket.nullifier)
        if other is not None:
            raise MatcherError(f"the note backing this order already backs order {other} (live, or with a fill not yet settled)")
        m.check_spend(None, ticket.proof, ticket.public_vector, ticket.root, ticket.nullifier, COLLATERAL)

    async def _guarded(self, fn, *args):
        """Call into the matcher; its refusals become 4xx answers, a node that fails a 503."""
        try:
            return await self.call(fn, *args)
        except MatcherError as exc:
            text = str(exc)
            status, label = (404, "unknown_order") if text.startswith("no order") else \
                (409, "conflict") if "already" in text else (422, "refused")
            self.refuse(text, status, label)
        except ChainError as exc:
            self.refuse(f"the chain node did not answer: {exc}", 503, "chain_unavailable")

    async def cancel(self, order_id: str, secret: bytes) -> list[Trade]:
        trades = await self._guarded(self.core.matcher.cancel, order_id, secret)
        await self._made(trades)
        return trades

    def _owned(self, order_id: str, secret: bytes) -> dict:
        m = self.core.matcher
        row = m.store.order(order_id)
        # Verify the caller owns the order (an unknown order and a wrong secret answer alike).
        if row is None or row.ticket.owner_hash != owner_hash(secret):
            raise MatcherError(f"no order {order_id} of yours")
        return {"order_id": order_id, "status": m.order_status(order_id),
                "trades": [trade_view(t) for t in m.store.trades(order_id=order_id)]}

    async def status(self, order_id: str, secret: bytes) -> dict:
        return await self._guarded(self._owned, order_id, secret)

    async def submit_leg(self, leg: LegProof) -> dict:
        row = await self._guarded(self.core.matcher.submit_leg, leg)
        self.metrics.inc("zktrade_legs_accepted_total")
        await self._notify()
        return trade_view(row)

    async def relay_withdraw(self, request: WithdrawRequest) -> str:
        if self.core.coordinator is None:
            self.refuse("this matcher has no relayer (no chain)", 404, "no_relayer")
        try:
            receipt = await self.call(self.core.coordinator.relay_withdraw, request)
        except ProtocolError as exc:
            self.refuse(str(exc), 422, "relay_refused")
        except ChainError as exc:
            self.refuse(f"the pool refused the withdrawal: {exc}", 422, "relay_refused")
        return receipt.tx_hash

    def info(self) -> dict:
        m = self.core.matcher
        return {"leg_window": m.leg_window, "relayer": self.core.relayer,
                "pool": getattr(self.core.pool, "address", None)}

    # --- events --------------------------------------------------------------------------

    async def _made(self, trades: list[Trade]) -> None:
        now = time.monotonic()
        for t in trades:
            self._made_at[t.trade_commitment] = now
        if trades:
            await self._notify()

    async def _notify(self) -> None:
        async with self._changes:
            self._changes.notify_all()

    async def wait_change(self, timeout: float) -> None:
        """Until something may have changed (a fill, a leg, a background pass) or `timeout`."""
        async with self._changes:
            try:
                await asyncio.wait_for(self._changes.wait(), timeout)
            except asyncio.TimeoutError:
                pass

    # --- background ----------------------------------------------------------------------

    def _pass(self) -> list[tuple[int, str]]:
        """Expire what is due, relay what is complete, and follow the chain: a fill settled on
        chain by anyone is settled here too. Returns (trade, new state) for what changed."""
        m = self.core.matcher
        before = {t.trade.trade_commitment: t.state for t in m.store.trades(UNSETTLED)}
        if self.core.coordinator is not None:
            self.core.coordinator.run()
        else:
            m.expire_due()
        if self.core.pool is not None:
            for t in m.store.trades(("awaiting_legs",)):
                if self.core.pool.trade_settled(t.trade.trade_commitment):
                    with m.store.transaction():
                        m.store.set_trade(t.trade.trade_commitment, "settled", reason="settled on chain by another sender")
        changed = []
        for c, state in before.items():
            now = m.store.trade(c).state
            if now != state:
                changed.append((c, now))
        return changed

    async def _background(self) -> None:
        while True:
            try:
                changed = await self.call(self._pass)
            except Exception:  # a node hiccup must not end the loop; the next pass retries
                log.exception("background pass failed")
                changed = []
            for c, state in changed:
                if state in ("settled", "expired", "failed", "revoked"):
                    self.metrics.inc("zktrade_trades_total", state=state)
                made = self._made_at.pop(c, None) if state != "submitted" else None
                if state == "settled" and made is not None:
                    self.metrics.observe("zktrade_settlement_latency_seconds", time.monotonic() - made)
            if changed:
                await self._notify()
            await asyncio.sleep(self.limits.tick)
