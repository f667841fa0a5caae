"""The wallet: one SQLite file per wallet holding keys, notes, orders and pending operations.

Wallet state is money. Every change is one SQLite transaction; a multi-step operation
(deposit, settle, withdraw) is a row in `operations` whose `state` advances step by step, and
every note an operation will create is stored as `pending` *before* the transaction that
creates it is sent. Every transaction the wallet sends is signed by its local key and recorded
(raw and hash, `record_tx`) before it is broadcast. After a crash, `pending_operations()` lists
what to finish, and syncing the tree turns pending notes live once their commitments appear on
chain: no note is lost. A note is a leaf: two leaves with equal commitments are two notes
(each its own row, leaf index and nullifier).
"""

import json
import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from zk.field import R

from . import sqlite_db
from .errors import ProtocolError

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS keys (
    id INTEGER PRIMARY KEY, sk TEXT NOT NULL UNIQUE, owner TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT, commitment TEXT NOT NULL, asset TEXT NOT NULL,
    amount TEXT NOT NULL, owner TEXT NOT NULL, blinding TEXT NOT NULL, leaf_index INTEGER UNIQUE, nullifier TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'live', 'spent', 'dropped')),
    origin TEXT NOT NULL, spent_by TEXT, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY, side INTEGER NOT NULL, base_asset TEXT NOT NULL,
    quote_asset TEXT NOT NULL, size TEXT NOT NULL, limit_price TEXT NOT NULL, salt TEXT NOT NULL,
    commitment TEXT NOT NULL, note TEXT, remaining TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'filled', 'cancelled')), updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS txs (
    op_id TEXT NOT NULL, name TEXT NOT NULL, raw TEXT NOT NULL, tx_hash TEXT NOT NULL,
    nonce INTEGER NOT NULL, PRIMARY KEY (op_id, name));
CREATE TABLE IF NOT EXISTS operations (
    op_id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL, payload TEXT NOT NULL,
    tx_hash TEXT, created REAL NOT NULL, updated REAL NOT NULL);
"""

DONE_STATES = ("done", "failed")
VERSION = "2"


class WalletError(ProtocolError):
    """A wallet operation that cannot proceed (the message says what to do)."""


@dataclass(frozen=True)
class NoteRecord:
    note_id: int
    commitment: int
    asset: int
    amount: int
    owner: int
    blinding: int
    leaf_index: int | None
    nullifier: int | None
    status: str
    origin: str


@dataclass(frozen=True)
class Operation:
    op_id: str
    kind: str
    state: str
    payload: dict
    tx_hash: str | None


class Wallet:
    """A wallet file. Open with `Wallet.create(path)` or `Wallet.open(path)`."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self._conn = conn

    @classmethod
    def create(cls, path: str | Path, name: str = "", account_key: str | None = None) -> "Wallet":
        """A new wallet with a fresh spending key, a fresh Ethereum key (for its deposits and
        direct withdrawals; the devnet faucet funds it) and a fresh secret for its orders."""
        from .chain.signer import new_private_key

        path = Path(path)
        if path.exists():
            raise WalletError(f"wallet {path} already exists: open it instead of creating it")
        path.parent.mkdir(parents=True, exist_ok=True)
        wallet = cls._connect(path)
        with wallet.transaction() as db:
            db.execute("INSERT INTO meta VALUES ('name', ?)", (name or path.stem,))
            db.execute("INSERT INTO meta VALUES ('version', ?)", (VERSION,))
            db.execute("INSERT INTO meta VALUES ('account_key', ?)", (account_key or new_private_key(),))
            db.execute("INSERT INTO meta VALUES ('order_secret', ?)", (secrets.token_hex(32),))
        wallet.new_key()
        return wallet

    @classmethod
    def open(cls, path: str | Path) -> "Wallet":
        path = Path(path)
        if not path.exists():
            raise WalletError(f"no wallet at {path}: create one with `zktrade wallet create`")
        wallet = cls._connect(path)
        if wallet.meta("version") != VERSION:
            raise WalletError(f"{path} is not a zktrade wallet of version {VERSION} (make a new one with `zktrade wallet create`)")
        return wallet

    @classmethod
    def _connect(cls, path: Path) -> "Wallet":
        try:
            conn = sqlite_db.connect(path, SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise WalletError(f"{path} is not a usable wallet database: {exc}") from None
        return cls(path, conn)

    def close(self) -> None:
        self._conn.close()

    def transaction(self):
        """All statements in the block commit together (durably) or not at all."""
        return sqlite_db.transaction(self._conn)

    # --- meta and keys -------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def new_key(self) -> int:
        from .notes import owner_of

        sk = 1 + secrets.randbelow(R - 1)
        with self.transaction() as db:
            db.execute("INSERT INTO keys (sk, owner, created) VALUES (?, ?, ?)", (str(sk), str(owner_of(sk)), time.time()))
        return sk

    @property
    def spending_key(self) -> int:
        row = self._conn.execute("SELECT sk FROM keys ORDER BY id LIMIT 1").fetchone()
        if row is None:
            raise WalletError(f"wallet {self.path} has no key")
        return int(row[0])

    @property
    def owner(self) -> int:
        from .notes import owner_of

        return owner_of(self.spending_key)

    # --- notes ---------------------------------------------------------------------------

    def add_note(self, db: sqlite3.Connection, note, origin: str, status: str = "pending") -> int:
        """Record a note (inside the caller's transaction); returns its id."""
        cur = db.execute(
            "INSERT INTO notes (commitment, asset, amount, owner, blinding, status, origin, updated)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (str(note.commitment), str(note.asset), str(note.amount), str(note.owner), str(note.blinding), status, origin, time.time()),
        )
        return cur.lastrowid

    def notes(self, status: str | None = None, origin: str | None = None) -> list[NoteRecord]:
        where = [c for c, v in (("status = ?", status), ("origin = ?", origin)) if v is not None]
        args = [v for v in (status, origin) if v is not None]
        query = ("SELECT id, commitment, asset, amount, owner, blinding, leaf_index, nullifier, status, origin FROM notes"
                 + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id")
        return [
            NoteRecord(i, int(c), int(a), int(m), int(o), int(b), li, int(n) if n else None, s, org)
            for i, c, a, m, o, b, li, n, s, org in self._conn.execute(query, args).fetchall()
        ]

    def note(self, note_id: int) -> NoteRecord:
        for n in self.notes():
            if n.note_id == note_id:
                return n
        raise WalletError(f"the wallet has no note {note_id}")

    def replace_pending_note(self, old_id: int, new, origin: str) -> int:
        """The chain made another note than the one recorded (a deposit of a fee-charging token
        yields a note of the net amount): drop the old pending note, record the new one."""
        with self.transaction() as db:
            db.execute("UPDATE notes SET status = 'dropped', updated = ? WHERE id = ? AND status = 'pending'",
                       (time.time(), old_id))
            return self.add_note(db, new, origin=origin)

    def mark_live(self, note_id: int, leaf_index: int, nullifier: int) -> bool:
        """A pending note appeared on chain at leaf_index; returns True if this changed it."""
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE notes SET status = 'live', leaf_index = ?, nullifier = ?, updated = ?"
                " WHERE id = ? AND status = 'pending'",
                (leaf_index, str(nullifier), time.time(), note_id),
            )
            return cur.rowcount > 0

    def mark_spent(self, nullifier: int, spent_by: str) -> bool:
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE notes SET status = 'spent', spent_by = ?, updated = ? WHERE nullifier = ? AND status != 'spent'",
                (spent_by, time.time(), str(nullifier)),
            )
            return cur.rowcount > 0

    def balances(self) -> dict[int, dict[str, int]]:
        """Per asset: live and pending totals."""
        out: dict[int, dict[str, int]] = {}
        for n in self.notes():
            if n.status in ("live", "pending"):
                entry = out.setdefault(n.asset, {"live": 0, "pending": 0})
                entry[n.status] += n.amount
        return out

    # --- orders --------------------------------------------------------------------------

    @property
    def order_secret(self) -> bytes:
        """The secret behind every order ticket's owner hash: it authorizes cancels."""
        return bytes.fromhex(self.meta("order_secret"))

    def add_order(self, order, note_id: int) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)",
                (order.order_id, order.side, str(order.base_asset), str(order.quote_asset), str(order.size),
                 str(order.limit_price), str(order.salt), str(order.commitment),
                 str(note_id), str(order.size), time.time()),
            )

    def orders(self, status: str | None = None) -> list[dict]:
        cols = ["order_id", "side", "base_asset", "quote_asset", "size", "limit_price", "salt", "commitment", "note", "remaining", "status"]
        query = f"SELECT {', '.join(cols)} FROM orders" + (" WHERE status = ?" if status else "") + " ORDER BY updated"
        rows = self._conn.execute(query, (status,) if status else ()).fetchall()
        return [dict(zip(cols, row)) for row in rows]

    def update_order(self, order_id: str, **fields) -> None:
        if not fields:
            return
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self.transaction() as db:
            cur = db.execute(f"UPDATE orders SET {sets}, updated = ? WHERE order_id = ?",
                             (*(str(v) if not isinstance(v, str) else v for v in fields.values()), time.time(), order_id))
            if cur.rowcount == 0:
                raise WalletError(f"the wallet has no order {order_id}")

    # --- operations ----------------------------------------------------------------------

    def begin_operation(self, kind: str, payload: dict, new_notes=(), state: str = "started") -> str:
        """Record an operation and the notes it will create, in one transaction."""
        op_id = f"{kind}-{secrets.token_hex(6)}"
        now = time.time()
        with self.transaction() as db:
            db.execute("INSERT INTO operations VALUES (?, ?, ?, ?, NULL, ?, ?)", (op_id, kind, state, json.dumps(payload), now, now))
            for note in new_notes:
                self.add_note(db, note, origin=op_id)
        return op_id

    def advance(self, op_id: str, state: str, tx_hash: str | None = None, **payload_updates) -> None:
        with self.transaction() as db:
            row = db.execute("SELECT payload FROM operations WHERE op_id = ?", (op_id,)).fetchone()
            if row is None:
                raise WalletError(f"no operation {op_id}")
            payload = {**json.loads(row[0]), **payload_updates}
            db.execute(
                "UPDATE operations SET state = ?, payload = ?, tx_hash = COALESCE(?, tx_hash), updated = ? WHERE op_id = ?",
                (state, json.dumps(payload), tx_hash, time.time(), op_id),
            )
            if state == "failed":
                db.execute("UPDATE notes SET status = 'dropped', updated = ? WHERE origin = ? AND status = 'pending'", (time.time(), op_id))

    def record_tx(self, op_id: str, name: str, signed) -> None:
        """Store a signed transaction of an operation before it is broadcast."""
        with self.transaction() as db:
            db.execute("INSERT INTO txs VALUES (?, ?, ?, ?, ?)", (op_id, name, signed.raw, signed.tx_hash, signed.nonce))
            db.execute("UPDATE operations SET tx_hash = ?, updated = ? WHERE op_id = ?", (signed.tx_hash, time.time(), op_id))

    def txs(self, op_id: str) -> dict[str, dict]:
        """The signed transactions recorded for an operation, by name."""
        rows = self._conn.execute("SELECT name, raw, tx_hash, nonce FROM txs WHERE op_id = ?", (op_id,)).fetchall()
        return {name: {"raw": raw, "tx_hash": h, "nonce": nonce} for name, raw, h, nonce in rows}

    def operation(self, op_id: str) -> Operation:
        row = self._conn.execute("SELECT op_id, kind, state, payload, tx_hash FROM operations WHERE op_id = ?", (op_id,)).fetchone()
        if row is None:
            raise WalletError(f"no operation {op_id}")
        return Operation(row[0], row[1], row[2], json.loads(row[3]), row[4])

    def pending_operations(self) -> list[Operation]:
        rows = self._conn.execute(
            "SELECT op_id FROM operations WHERE state NOT IN (?, ?) ORDER BY created", DONE_STATES
        ).fetchall()
        return [self.operation(r[0]) for r in rows]
