"""A trading venue in one process: the matcher over its SQLite file, its relayer account and the
settlement coordinator, with the trader-side steps the CLI and the demo run against it.

Each method is one user action (place, cancel, settle, withdraw) as one library call; the CLI
parses, calls one of them and prints. The relayer's key lives in the matcher's database (it is
the matcher's own account); on a devnet the faucet gives it gas the first time it is opened.
The matcher service (`zktrade matcher serve`, issue 15) wraps the same matcher and coordinator.
"""

from dataclasses import dataclass
from pathlib import Path

from circuits.trade import collateral_statement, leg_statement

from .chain.signer import GAS_WEI, LocalAccount, chain_time, fund, new_private_key
from .keys import KeyStore
from .matcher import LEG_WINDOW, Matcher, MatcherError, PoolView
from .matcher_store import MatcherStore, TradeRow
from .messages import LegProof, OrderTicket, Trade, WithdrawRequest
from .settlement import Outcome, SettlementCoordinator, hand_in_legs
from .trader import Trader
from .wallet import NoteRecord


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

    def close(self) -> None:
        self.store.close()
