"""The matcher's durable state: one SQLite file (WAL) of orders and trades, written row by row.

Every request the matcher accepts is one SQLite transaction, committed (synchronous=FULL) before
the matcher answers; nothing is ever rewritten whole. After a restart the book is rebuilt from
the live orders (in arrival order, each with the size not in any fill) and the pending fills
are the trades not yet settled, expired, failed or revoked. The settlement coordinator
(protocol/settlement.py) keeps its per-trade states in the same `trades` rows, and the
withdrawals it relays in `relayed`.
"""

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from zk.jsonio import parse_json

from . import sqlite_db
from .errors import ProtocolError
from .messages import LegProof, OrderTicket, Trade, WithdrawRequest
from .params import BUY

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, remaining TEXT NOT NULL,
    nullifier TEXT NOT NULL, owner_hash TEXT NOT NULL, ticket TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('live', 'cancelled', 'dropped')), updated REAL NOT NULL);
CREATE INDEX IF NOT EXISTS orders_nullifier ON orders (nullifier);
CREATE TABLE IF NOT EXISTS trades (
    id INTEGER PRIMARY KEY AUTOINCREMENT, trade_commitment TEXT NOT NULL UNIQUE,
    buy_order TEXT NOT NULL, sell_order TEXT NOT NULL, trade TEXT NOT NULL, deadline INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('awaiting_legs', 'submitted', 'settled', 'expired', 'failed', 'revoked')),
    buy_leg TEXT, sell_leg TEXT, buy_nullifier TEXT, sell_nullifier TEXT,
    tx_hash TEXT, raw_tx TEXT, reason TEXT, updated REAL NOT NULL);
CREATE INDEX IF NOT EXISTS trades_buy ON trades (buy_order, state);
CREATE INDEX IF NOT EXISTS trades_sell ON trades (sell_order, state);
CREATE INDEX IF NOT EXISTS trades_state ON trades (state);
CREATE TABLE IF NOT EXISTS relayed (
    nullifier TEXT PRIMARY KEY, request TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('submitted', 'done', 'failed')),
    tx TEXT NOT NULL, reason TEXT, updated REAL NOT NULL);
"""

VERSION = "2"
UNSETTLED = ("awaiting_legs", "submitted")
FINAL = ("settled", "expired", "failed", "revoked")


class StoreError(ProtocolError):
    """The matcher's database cannot be used (the message names the file and the problem)."""


@dataclass(frozen=True)
class OrderRow:
    ticket: OrderTicket
    seq: int
    remaining: int
    status: str

    @property
    def order_id(self) -> str:
        return self.ticket.order.order_id


@dataclass(frozen=True)
class TradeRow:
    """A trade and where its settlement stands."""

    trade: Trade
    deadline: int
    state: str
    buy_leg: LegProof | None
    sell_leg: LegProof | None
    tx_hash: str | None
    raw_tx: str | None
    reason: str | None

    def leg(self, side: int) -> LegProof | None:
        return self.buy_leg if side == BUY else self.sell_leg


class MatcherStore:
    """The matcher's SQLite file at `path` (created on first use)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite_db.connect(self.path, SCHEMA)
            self._conn.execute("INSERT OR IGNORE INTO meta VALUES ('version', ?)", (VERSION,))
            version = self._conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a usable matcher database: {exc}") from None
        if version != VERSION:
            raise StoreError(f"{self.path} is a matcher database of version {version}; this zktrade reads {VERSION}")

    def close(self) -> None:
        self._conn.close()

    def data_version(self) -> int:
        """Changes whenever another connection (another process) commits to the file."""
        return self._conn.execute("PRAGMA data_version").fetchone()[0]

    def transaction(self):
        """Every write in the block commits together (durably) or not at all."""
        return sqlite_db.transaction(self._conn)

    def meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self._conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # --- orders --------------------------------------------------------------------------

    def add_order(self, ticket: OrderTicket, seq: int, remaining: int) -> None:
        self._conn.execute(
            "INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, 'live', ?)",
            (ticket.order.order_id, seq, str(remaining), str(ticket.nullifier), ticket.owner_hash,
             json.dumps(ticket.to_json()), time.time()),
        )

    def set_order(self, order_id: str, remaining: int | None = None, status: str | None = None) -> None:
        self._conn.execute(
            "UPDATE orders SET remaining = COALESCE(?, remaining), status = COALESCE(?, status), updated = ?"
            " WHERE order_id = ?",
            (None if remaining is None else str(remaining), status, time.time(), order_id),
        )

    def order(self, order_id: str) -> OrderRow | None:
        row = self._conn.execute("SELECT ticket, seq, remaining, status FROM orders WHERE order_id = ?",
                                 (order_id,)).fetchone()
        return None if row is None else _order_row(row)

    def orders(self, status: str | None = None) -> list[OrderRow]:
        """Orders in arrival order (all, or those with `status`)."""
        query = "SELECT ticket, seq, remaining, status FROM orders" + (" WHERE status = ?" if status else "")
        return [_order_row(r) for r in self._conn.execute(query + " ORDER BY seq", (status,) if status else ())]

    def backing(self, nullifier: int) -> str | None:
        """The order a note already backs, by its nullifier: a live order's collateral, the
        collateral of an order with unsettled fills, or the input of a leg not yet settled."""
        n = str(nullifier)
        row = self._conn.execute(
            "SELECT order_id FROM orders WHERE nullifier = ? AND (status = 'live' OR EXISTS ("
            " SELECT 1 FROM trades WHERE state IN (?, ?) AND (buy_order = order_id OR sell_order = order_id)))",
            (n, *UNSETTLED),
        ).fetchone()
        if row is not None:
            return row[0]
        row = self._conn.execute(
            "SELECT CASE WHEN buy_nullifier = ? THEN buy_order ELSE sell_order END FROM trades"
            " WHERE state IN (?, ?) AND (buy_nullifier = ? OR sell_nullifier = ?)",
            (n, *UNSETTLED, n, n),
        ).fetchone()
        return None if row is None else row[0]

    # --- trades --------------------------------------------------------------------------

    def add_trade(self, trade: Trade) -> None:
        self._conn.execute(
            "INSERT INTO trades (trade_commitment, buy_order, sell_order, trade, deadline, state, updated)"
            " VALUES (?, ?, ?, ?, ?, 'awaiting_legs', ?)",
            (str(trade.trade_commitment), trade.buy_order_id, trade.sell_order_id, json.dumps(trade.to_json()),
             trade.fill.deadline, time.time()),
        )

    def set_leg(self, trade_commitment: int, leg: LegProof) -> None:
        side = "buy" if leg.side == BUY else "sell"
        self._conn.execute(
            f"UPDATE trades SET {side}_leg = ?, {side}_nullifier = ?, updated = ? WHERE trade_commitment = ?",
            (json.dumps(leg.to_json()), str(leg.public[1]), time.time(), str(trade_commitment)),
        )

    def set_trade(self, trade_commitment: int, state: str, **fields: str | None) -> None:
        """Move a trade to `state`, recording tx_hash / raw_tx / reason when given."""
        allowed = {"tx_hash", "raw_tx", "reason"}
        if not set(fields) <= allowed:
            raise ValueError(f"unknown trade fields {set(fields) - allowed}")
        sets = "".join(f", {k} = ?" for k in fields)
        self._conn.execute(f"UPDATE trades SET state = ?{sets}, updated = ? WHERE trade_commitment = ?",
                           (state, *fields.values(), time.time(), str(trade_commitment)))

    def trade(self, trade_commitment: int) -> TradeRow | None:
        row = self._conn.execute(f"SELECT {_TRADE_COLS} FROM trades WHERE trade_commitment = ?",
                                 (str(trade_commitment),)).fetchone()
        return None if row is None else _trade_row(row)

    def trades(self, states: tuple[str, ...] = (), order_id: str | None = None) -> list[TradeRow]:
        """Trades in the order they were made, optionally only in `states` / of one order."""
        where, args = [], []
        if states:
            where.append(f"state IN ({', '.join('?' * len(states))})")
            args.extend(states)
        if order_id is not None:
            where.append("(buy_order = ? OR sell_order = ?)")
            args.extend((order_id, order_id))
        query = f"SELECT {_TRADE_COLS} FROM trades" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
        return [_trade_row(r) for r in self._conn.execute(query, args)]

    def latest_deadline(self, order_id: str) -> int:
        """The latest deadline among the order's unsettled fills (0 if none)."""
        row = self._conn.execute(
            "SELECT MAX(deadline) FROM trades WHERE state IN (?, ?) AND (buy_order = ? OR sell_order = ?)",
            (*UNSETTLED, order_id, order_id),
        ).fetchone()
        return row[0] or 0

    # --- relayed withdrawals -------------------------------------------------------------

    def add_relayed(self, request: WithdrawRequest, tx: dict) -> None:
        self._conn.execute("INSERT OR REPLACE INTO relayed VALUES (?, ?, 'submitted', ?, NULL, ?)",
                           (str(request.nullifier), json.dumps(request.to_json()), json.dumps(tx), time.time()))

    def set_relayed(self, nullifier: int, state: str, tx: dict | None = None, reason: str | None = None) -> None:
        self._conn.execute("UPDATE relayed SET state = ?, tx = COALESCE(?, tx), reason = ?, updated = ? WHERE nullifier = ?",
                           (state, None if tx is None else json.dumps(tx), reason, time.time(), str(nullifier)))

    def relayed_state(self, nullifier: int) -> str | None:
        row = self._conn.execute("SELECT state FROM relayed WHERE nullifier = ?", (str(nullifier),)).fetchone()
        return None if row is None else row[0]

    def relayed(self, state: str | None = None) -> list[tuple[WithdrawRequest, str, dict, str | None]]:
        """Relayed withdrawals: (request, state, signed transaction, reason)."""
        query = "SELECT request, state, tx, reason FROM relayed" + (" WHERE state = ?" if state else "")
        return [(_decode(WithdrawRequest, r, "a relayed withdrawal"), st, _decode(dict, tx, "a relayed transaction"), reason)
                for r, st, tx, reason in self._conn.execute(query + " ORDER BY updated", (state,) if state else ())]


_TRADE_COLS = "trade, deadline, state, buy_leg, sell_leg, tx_hash, raw_tx, reason"


def _decode(cls, text: str, what: str):
    """A stored message read back through the project's capped JSON loader; a row that does not
    decode (a corrupt or hand-edited book) is one StoreError, never a traceback."""
    data = parse_json(text, f"matcher book: {what}")
    try:
        if cls is dict:
            if not isinstance(data, dict):
                raise TypeError("not a JSON object")
            return data
        return cls.from_json(data)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise StoreError(f"matcher book: {what} is corrupt ({type(exc).__name__}: {str(exc):.80}); "
                         "restore the book from a backup or start a new one") from None


def _order_row(row) -> OrderRow:
    ticket, seq, remaining, status = row
    return OrderRow(_decode(OrderTicket, ticket, "an order ticket"), int(seq), int(remaining), status)


def _trade_row(row) -> TradeRow:
    trade, deadline, state, buy_leg, sell_leg, tx_hash, raw_tx, reason = row
    legs = [_decode(LegProof, x, "a settlement leg") if x else None for x in (buy_leg, sell_leg)]
    return TradeRow(_decode(Trade, trade, "a trade"), int(deadline), state, legs[0], legs[1], tx_hash, raw_tx, reason)
