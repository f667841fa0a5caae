"""The settlement coordinator: every fill the matcher made, driven to settled, expired or failed.

Per trade (rows of the matcher's store):

    awaiting_legs ──both legs in──▶ submitted ──▶ settled
          │                             ├──────▶ expired   (the pool refused: leg deadline passed)
          └──deadline, a leg missing──▶ expired └──────▶ failed(reason)

The relayer, the matcher's own local-key account, sends `settle`: no trader's address appears
on a settlement. The signed transaction and its hash are stored before it is broadcast, so a
crash at any point resumes to the right state: the chain is asked first (`tradeSettled` on
chain ⇒ settled, whatever the local state says), then the recorded transaction (mined: settled;
reverted: expired or failed; unknown: the same signed transaction is broadcast again). Every
trade is handled on its own: one that fails is recorded with its reason, and the rest go on.

The relayer also submits withdrawals for traders who unshield to a fresh address: the proof
binds its address and fee, so it can neither redirect the funds nor change its pay.
"""

import json
from dataclasses import dataclass

from zk.jsonio import parse_json

from .chain.errors import ChainError
from .chain.signer import LocalAccount, SignedTx, crash_point
from .errors import ProtocolError
from .matcher import Matcher
from .matcher_store import UNSETTLED, TradeRow
from .messages import LegProof, WithdrawRequest
from .params import BUY, SELL
from .wallet import WalletError

DEADLINE_PASSED = "Pool: leg deadline passed"


class RelayError(ProtocolError):
    """A withdrawal the relayer will not submit (the message says why)."""


@dataclass(frozen=True)
class Outcome:
    """What one pass did to one trade."""

    trade_commitment: int
    state: str
    detail: str


def _reverted(exc: Exception) -> bool:
    """A refusal by the contract (final), as opposed to a node that did not answer (retry)."""
    return isinstance(exc, ChainError) and "revert" in str(exc)


class SettlementCoordinator:
    """Drives the matcher's trades to the chain through one relayer account."""

    def __init__(self, matcher: Matcher, pool, relayer: LocalAccount, min_fee: int = 0):
        self.matcher = matcher
        self.store = matcher.store
        self.pool = pool
        self.relayer = relayer
        self.min_fee = min_fee

    def run(self) -> list[Outcome]:
        """One pass: expire what is due, follow submitted settlements, submit complete ones,
        follow relayed withdrawals. Returns what changed (and what will be retried)."""
        before = {t.trade.trade_commitment: t.state for t in self.store.trades(UNSETTLED)}
        retries: list[Outcome] = []
        self.matcher.expire_due()
        # Submitted first: a recorded transaction keeps its nonce before a new one is signed.
        for t in self.store.trades(("submitted",)):
            retries += self._guard(t, self._follow)
        for t in self.store.trades(("awaiting_legs",)):
            if t.buy_leg is not None and t.sell_leg is not None:
                retries += self._guard(t, self._submit)
        self._follow_withdrawals()
        changed = []
        for c, state in before.items():
            t = self.store.trade(c)
            if t.state != state:
                changed.append(Outcome(c, t.state, t.reason or t.tx_hash or ""))
        return changed + retries

    def _guard(self, t: TradeRow, step) -> list[Outcome]:
        """Run one trade's step; a refusal by the pool ends that trade, a node error is retried."""
        try:
            step(t)
        except (ChainError, OSError) as exc:
            if not _reverted(exc):
                return [Outcome(t.trade.trade_commitment, t.state, f"will retry: {exc}")]
            self._refused(t, str(exc))
        return []

    def _submit(self, t: TradeRow) -> None:
        c = t.trade.trade_commitment
        if self.pool.trade_settled(c):
            self._settled(c, None)
            return
        fn = self.pool.settle_call(t.buy_leg, t.sell_leg)
        with self.store.transaction():
            # Verify no other coordinator (another process) took this trade meanwhile.
            if self.store.trade(c).state != "awaiting_legs":
                return
            signed = self.relayer.sign(fn)
            self.store.set_trade(c, "submitted", tx_hash=signed.tx_hash, raw_tx=json.dumps(signed.to_json()))
        crash_point("settle-recorded")
        self._send(c, signed, fn)

    def _send(self, c: int, signed: SignedTx, fn) -> None:
        self.relayer.broadcast(signed, "settle")
        crash_point("settle-sent")
        receipt = self.relayer.wait(signed, fn, "settle")
        crash_point("settle-receipt")
        self._settled(c, receipt.tx_hash)

    def _follow(self, t: TradeRow) -> None:
        """A settlement recorded as submitted: find out what became of it."""
        c = t.trade.trade_commitment
        if self.pool.trade_settled(c):
            self._settled(c, t.tx_hash)
            return
        signed = SignedTx.from_json(parse_json(t.raw_tx, f"the recorded settlement of trade {c:#x}"))
        fn = self.pool.settle_call(t.buy_leg, t.sell_leg)
        status = self.relayer.status(signed)
        if status == "unknown" and self.relayer.next_nonce() > signed.nonce:
            # Its nonce went to another transaction, so it can never land: sign it anew.
            with self.store.transaction():
                self.store.set_trade(c, "awaiting_legs", tx_hash=None, raw_tx=None)
            self._submit(self.store.trade(c))
        elif status == "unknown":
            self._send(c, signed, fn)
        else:  # mined and reverted: wait() raises with the pool's reason
            self.relayer.wait(signed, fn, "settle")
            self._settled(c, signed.tx_hash)

    def _settled(self, c: int, tx_hash: str | None) -> None:
        with self.store.transaction():
            self.store.set_trade(c, "settled", **({"tx_hash": tx_hash} if tx_hash else {}))

    def _refused(self, t: TradeRow, reason: str) -> None:
        """The pool refused the settlement: past the deadline both sides did their part (they go
        back to the book); otherwise the side whose note is already spent is at fault."""
        c = t.trade.trade_commitment
        if self.pool.trade_settled(c):
            self._settled(c, t.tx_hash)
        elif DEADLINE_PASSED in reason:
            self.matcher.resolve(c, "expired", reason, at_fault=set())
        else:
            spent = {side for side in (BUY, SELL) if self.pool.nullifier_spent(t.leg(side).public[1])}
            self.matcher.resolve(c, "failed", reason, at_fault=spent or {BUY, SELL})

    # --- relayed withdrawals -------------------------------------------------------------

    def relay_withdraw(self, request: WithdrawRequest):
        """Submit a trader's withdrawal from the relayer's account; returns the receipt."""
        # Verify the proof pays this relayer, enough, and the note is not spent yet.
        if request.relayer != int(self.relayer.address, 16):
            raise RelayError(f"the withdrawal names relayer {request.relayer:#042x}, not this relayer ({self.relayer.address})")
        if request.fee < self.min_fee:
            raise RelayError(f"the relayer's fee is at least {self.min_fee} base units; the withdrawal offers {request.fee}")
        if self.pool.nullifier_spent(request.nullifier):
            raise RelayError("the note of this withdrawal is already spent on chain")
        fn = self.pool.withdraw_call(request.proof, request.public, request.change_memo)
        with self.store.transaction():
            # Verify it is not being relayed already (a refused attempt may be tried again).
            if self.store.relayed_state(request.nullifier) in ("submitted", "done"):
                raise RelayError("this withdrawal is already being relayed")
            signed = self.relayer.sign(fn)
            self.store.add_relayed(request, signed.to_json())
        crash_point("relay-recorded")
        return self._send_withdrawal(request, signed, fn)

    def _send_withdrawal(self, request: WithdrawRequest, signed: SignedTx, fn):
        try:
            self.relayer.broadcast(signed, "withdraw")
            receipt = self.relayer.wait(signed, fn, "withdraw")
        except ChainError as exc:
            if _reverted(exc):
                with self.store.transaction():
                    self.store.set_relayed(request.nullifier, "failed", reason=str(exc))
            raise
        with self.store.transaction():
            self.store.set_relayed(request.nullifier, "done")
        return receipt

    def _follow_withdrawals(self) -> None:
        for request, _, tx, _ in self.store.relayed("submitted"):
            if self.pool.nullifier_spent(request.nullifier):
                with self.store.transaction():
                    self.store.set_relayed(request.nullifier, "done")
                continue
            try:
                self._send_withdrawal(request, SignedTx.from_json(tx),
                                      self.pool.withdraw_call(request.proof, request.public, request.change_memo))
            except (ChainError, OSError):
                continue  # recorded as failed if the pool refused it; retried next pass otherwise


def hand_in_legs(trader, matcher: Matcher) -> list[LegProof]:
    """Prove every leg of `trader`'s fills that the chain lets it prove now (an order's legs go
    one at a time, each after the previous settled or expired) and give each to the matcher."""
    trader.sync()
    mine = {o["order_id"] for o in trader.wallet.orders()}
    handed = []
    for t in matcher.awaiting_legs(mine):
        for side in (BUY, SELL):
            if t.trade.order_of(side) in mine and t.leg(side) is None:
                try:
                    leg = trader.prove_leg(t.trade)
                except WalletError:
                    continue  # an earlier leg of the same order comes first
                matcher.submit_leg(leg)
                handed.append(leg)
    return handed
