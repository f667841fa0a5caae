"""The wallet: one SQLite file per wallet holding its sealed seed, notes, orders and pending operations.

Every secret comes from the wallet's BIP-39 words (protocol/seed.py): the spending key, the
chain account, the viewing key, each note's blinding and each order's salt (by derivation
index). The words live in the file only sealed under the passphrase (protocol/vault.py: scrypt
and ChaCha20-Poly1305), as the `vault` row of `meta`; notes and orders keep derivation indices,
never blindings, salts or keys. So the file holds no plaintext secret, and losing it loses
nothing: `zktrade wallet restore` rebuilds it from the words and the chain's memos
(protocol/recovery.py). A wallet made with `--no-passphrase` (devnets) seals its words under a
fixed, public passphrase: anyone who can read that file can spend its notes.

Wallet state is money. Every change is one SQLite transaction; a multi-step operation
(deposit, settle, withdraw) is a row in `operations` whose `state` advances step by step, and
every note an operation will create is stored as `pending` *before* the transaction that
creates it is sent. Derivation indices are taken from a counter in the same file before use,
so a crash can waste an index but never reuse one. Every transaction the wallet sends is signed
by its local key and recorded (raw and hash, `record_tx`) before it is broadcast. After a
crash, `pending_operations()` lists what to finish, and syncing the tree turns pending notes
live once their commitments appear on chain: no note is lost. A note is a leaf: two leaves
with equal commitments are two notes (each its own row, leaf index and nullifier).
"""

import json
import os
import secrets
import sqlite3
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from zk.errors import MalformedInput
from zk.jsonio import parse_json

from . import sqlite_db, vault
from .errors import ProtocolError
from .seed import WalletKeys, new_words

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT, commitment TEXT NOT NULL, asset TEXT NOT NULL,
    amount TEXT NOT NULL, owner TEXT NOT NULL, key_index INTEGER NOT NULL, leaf_index INTEGER UNIQUE, nullifier TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'live', 'spent', 'dropped')),
    origin TEXT NOT NULL, spent_by TEXT, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY, side INTEGER NOT NULL, base_asset TEXT NOT NULL,
    quote_asset TEXT NOT NULL, size TEXT NOT NULL, limit_price TEXT NOT NULL, salt_index INTEGER NOT NULL,
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
VERSION = "3"
# --no-passphrase (devnets): the vault is sealed under this public passphrase at the lowest
# scrypt cost, so opening needs no prompt. It protects nothing; creation says so.
NO_PASSPHRASE = "zktrade/no-passphrase"
NO_PASSPHRASE_COST = vault.ScryptCost(log_n=vault.MIN_LOG_N)
NOTE_COUNTER, ORDER_COUNTER = "note_counter", "order_counter"


class WalletError(ProtocolError):
    """A wallet operation that cannot proceed (the message says what to do)."""


@dataclass(frozen=True)
class NoteRecord:
    note_id: int
    commitment: int
    asset: int
    amount: int
    owner: int
    blinding: int  # derived from the seed by key_index, never stored
    key_index: int
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


def _seal_words(words: str, passphrase: str | None, cost: vault.ScryptCost) -> str:
    secret = json.dumps({"words": words, "bip39_passphrase": ""}).encode()
    if passphrase is None:
        return vault.seal(secret, NO_PASSPHRASE, NO_PASSPHRASE_COST).decode()
    return vault.seal(secret, passphrase, cost).decode()


def _unseal_words(sealed: str, passphrase: str, what: str) -> tuple[str, str]:
    document = parse_json(sealed, what, max_bytes=4 * vault.MAX_SECRET_BYTES, max_depth=2)
    if not isinstance(document, dict):
        raise MalformedInput(f"{what}: expected a JSON object")
    secret = parse_json(vault.unseal(document, passphrase, what), f"{what} (contents)", max_depth=1)
    if not isinstance(secret, dict) or not isinstance(secret.get("words"), str) \
            or not isinstance(secret.get("bip39_passphrase"), str):
        raise MalformedInput(f"{what}: the sealed secret is not a seed phrase")
    return secret["words"], secret["bip39_passphrase"]


class Wallet:
    """A wallet file. Open with `Wallet.create(path)`, `Wallet.open(path)`; the seed is unlocked
    in memory for as long as the object lives."""

    def __init__(self, path: Path, conn: sqlite3.Connection, keys: WalletKeys | None = None):
        self.path = path
        self._conn = conn
        self._keys = keys
        self._blindings: dict[int, int] = {}

    @classmethod
    def create(cls, path: str | Path, name: str = "", passphrase: str | None = None, words: str | None = None,
               cost: vault.ScryptCost = vault.ScryptCost()) -> "Wallet":
        """A new wallet for `words` (fresh 24 words if None) sealed under `passphrase`.

        passphrase=None is the devnet convenience of `--no-passphrase`: the words are sealed
        under a public passphrase, so the file protects nothing (still mode 0600)."""
        path = Path(path)
        if path.exists():
            raise WalletError(f"wallet {path} already exists: open it instead of creating it")
        words = new_words() if words is None else " ".join(words.split())
        keys = WalletKeys.from_words(words)  # refuses a phrase with a bad checksum before any file exists
        sealed = _seal_words(words, passphrase, cost)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Made whole under a temporary name, then renamed: a crash leaves no half-made wallet.
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            draft = cls._connect(tmp)
            with draft.transaction() as db:
                db.executemany("INSERT INTO meta VALUES (?, ?)", [
                    ("name", name or path.stem), ("version", VERSION), ("vault", sealed),
                    ("protection", "none" if passphrase is None else "passphrase"),
                    (NOTE_COUNTER, "0"), (ORDER_COUNTER, "0")])
            draft.close()  # the last connection checkpoints the WAL into the file and removes it
            if path.exists():
                raise WalletError(f"wallet {path} already exists: open it instead of creating it")
            os.replace(tmp, path)
        finally:
            for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
                leftover.unlink(missing_ok=True)
        wallet = cls._connect(path)
        wallet._keys = keys
        return wallet

    @classmethod
    def open(cls, path: str | Path, passphrase: str | None = None) -> "Wallet":
        """Open and unlock a wallet: a protected one with `passphrase`, else
        ZKTRADE_WALLET_PASSPHRASE, else a prompt. A wrong one raises WrongPassphrase."""
        path = Path(path)
        if not path.exists():
            raise WalletError(f"no wallet at {path}: create one with `zktrade wallet create`")
        wallet = cls._connect(path)
        try:
            try:
                version = wallet.meta("version")
            except sqlite3.DatabaseError as exc:
                raise WalletError(f"{path} is not a usable wallet database: {exc}") from None
            if version != VERSION:
                raise WalletError(f"{path} is not a zktrade wallet of version {VERSION} "
                                  "(make a new one with `zktrade wallet create`, or restore one from its words)")
            sealed, protection = wallet.meta("vault"), wallet.meta("protection")
            if sealed is None or protection not in ("none", "passphrase"):
                raise WalletError(f"{path} has no sealed seed: restore it with `zktrade wallet restore`")
            if protection == "none":
                passphrase = NO_PASSPHRASE
            elif passphrase is None:
                passphrase = vault.passphrase()
            words, bip39 = _unseal_words(sealed, passphrase, f"wallet {path}")
            wallet._keys = WalletKeys.from_words(words, bip39)
        except BaseException:
            wallet.close()
            raise
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

    @property
    def keys(self) -> WalletKeys:
        if self._keys is None:
            raise WalletError(f"wallet {self.path} is locked")
        return self._keys

    @property
    def protected(self) -> bool:
        """Whether the words are sealed under a passphrase (False: made with --no-passphrase)."""
        return self.meta("protection") == "passphrase"

    @cached_property
    def spending_key(self) -> int:
        return self.keys.spending_key

    @cached_property
    def owner(self) -> int:
        return self.keys.owner

    @cached_property
    def account_key(self) -> str:
        """The chain account's private key (BIP-44 index 0), 0x-hex: it deposits and pays gas."""
        return "0x" + bytes(self.keys.account_key(0)).hex()

    @property
    def address(self) -> str:
        """The chain account's address."""
        from .chain.signer import LocalAccount

        return LocalAccount.address_of(self.account_key)

    @property
    def viewing_key(self):
        return self.keys.viewing_key

    def note_blinding(self, index: int) -> int:
        if index not in self._blindings:
            self._blindings[index] = self.keys.note_blinding(index)
        return self._blindings[index]

    def allocate(self, counter: str, n: int = 1) -> list[int]:
        """The next `n` derivation indices of `counter`, taken durably before they are used."""
        with self.transaction() as db:
            first = int(db.execute("SELECT value FROM meta WHERE key = ?", (counter,)).fetchone()[0])
            db.execute("UPDATE meta SET value = ? WHERE key = ?", (str(first + n), counter))
        return list(range(first, first + n))

    def fresh_note(self, asset: int, amount: int):
        """A new note of this wallet: (its derivation index, the note)."""
        from .notes import Note

        (index,) = self.allocate(NOTE_COUNTER)
        return index, Note(asset, amount, self.owner, self.note_blinding(index))

    def resume_counter(self, counter: str, after: int, db: sqlite3.Connection) -> None:
        """Make the next index of `counter` greater than `after`, inside the caller's transaction
        (restore: no index found on chain is used again)."""
        current = int(db.execute("SELECT value FROM meta WHERE key = ?", (counter,)).fetchone()[0])
        db.execute("UPDATE meta SET value = ? WHERE key = ?", (str(max(current, after + 1)), counter))

    # --- notes ---------------------------------------------------------------------------

    def add_note(self, db: sqlite3.Connection, index: int, note, origin: str, status: str = "pending",
                 leaf_index: int | None = None, nullifier: int | None = None) -> int:
        """Record the wallet's note of derivation index `index` (inside the caller's
        transaction); returns its id. Only the index is stored: the blinding is re-derived."""
        if note.owner != self.owner or note.blinding != self.note_blinding(index):
            raise WalletError(f"note {note.commitment:#x} is not this wallet's note {index}: "
                              "make notes with Wallet.fresh_note")
        cur = db.execute(
            "INSERT INTO notes (commitment, asset, amount, owner, key_index, leaf_index, nullifier, status, origin, updated)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (str(note.commitment), str(note.asset), str(note.amount), str(note.owner), index, leaf_index,
             None if nullifier is None else str(nullifier), status, origin, time.time()),
        )
        return cur.lastrowid

    def notes(self, status: str | None = None, origin: str | None = None) -> list[NoteRecord]:
        where = [c for c, v in (("status = ?", status), ("origin = ?", origin)) if v is not None]
        args = [v for v in (status, origin) if v is not None]
        query = ("SELECT id, commitment, asset, amount, owner, key_index, leaf_index, nullifier, status, origin FROM notes"
                 + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id")
        return [
            NoteRecord(i, int(c), int(a), int(m), int(o), self.note_blinding(k), k, li, int(n) if n else None, s, org)
            for i, c, a, m, o, k, li, n, s, org in self._conn.execute(query, args).fetchall()
        ]

    def note(self, note_id: int) -> NoteRecord:
        for n in self.notes():
            if n.note_id == note_id:
                return n
        raise WalletError(f"the wallet has no note {note_id}")

    def replace_pending_note(self, old_id: int, new, origin: str) -> int:
        """The chain made another note than the one recorded (a deposit of a fee-charging token
        yields a note of the net amount, same blinding): drop the old pending note, record the new one."""
        old = self.note(old_id)
        with self.transaction() as db:
            db.execute("UPDATE notes SET status = 'dropped', updated = ? WHERE id = ? AND status = 'pending'",
                       (time.time(), old_id))
            return self.add_note(db, old.key_index, new, origin=origin)

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
        return self.keys.order_secret

    def fresh_order_salt(self) -> tuple[int, int]:
        """(derivation index, salt) for a new order commitment."""
        (index,) = self.allocate(ORDER_COUNTER)
        return index, self.keys.order_salt(index)

    def add_order(self, order, note_id: int, salt_index: int) -> None:
        if order.salt != self.keys.order_salt(salt_index):
            raise WalletError(f"order {order.order_id}'s salt is not this wallet's salt {salt_index}")
        with self.transaction() as db:
            db.execute(
                "INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)",
                (order.order_id, order.side, str(order.base_asset), str(order.quote_asset), str(order.size),
                 str(order.limit_price), salt_index, str(order.commitment),
                 str(note_id), str(order.size), time.time()),
            )

    def orders(self, status: str | None = None) -> list[dict]:
        """Orders as dicts of their columns, with the salt re-derived from its index."""
        cols = ["order_id", "side", "base_asset", "quote_asset", "size", "limit_price", "salt_index", "commitment", "note", "remaining", "status"]
        query = f"SELECT {', '.join(cols)} FROM orders" + (" WHERE status = ?" if status else "") + " ORDER BY updated"
        rows = self._conn.execute(query, (status,) if status else ()).fetchall()
        out = [dict(zip(cols, row)) for row in rows]
        for o in out:
            o["salt"] = str(self.keys.order_salt(o["salt_index"]))
        return out

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
        """Record an operation and the notes it will create ((index, note) pairs), in one transaction."""
        op_id = f"{kind}-{secrets.token_hex(6)}"
        now = time.time()
        with self.transaction() as db:
            db.execute("INSERT INTO operations VALUES (?, ?, ?, ?, NULL, ?, ?)", (op_id, kind, state, json.dumps(payload), now, now))
            for index, note in new_notes:
                self.add_note(db, index, note, origin=op_id)
        return op_id

    def advance(self, op_id: str, state: str, tx_hash: str | None = None, **payload_updates) -> None:
        with self.transaction() as db:
            row = db.execute("SELECT payload FROM operations WHERE op_id = ?", (op_id,)).fetchone()
            if row is None:
                raise WalletError(f"no operation {op_id}")
            payload = {**_payload(row[0], op_id), **payload_updates}
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
        return Operation(row[0], row[1], row[2], _payload(row[3], op_id), row[4])

    def pending_operations(self) -> list[Operation]:
        rows = self._conn.execute(
            "SELECT op_id FROM operations WHERE state NOT IN (?, ?) ORDER BY created", DONE_STATES
        ).fetchall()
        return [self.operation(r[0]) for r in rows]


def _payload(text: str, op_id: str) -> dict:
    """An operation's stored payload, read with the project's capped JSON loader."""
    payload = parse_json(text, f"wallet operation {op_id}")
    if not isinstance(payload, dict):
        raise MalformedInput(f"wallet operation {op_id}: its payload is not a JSON object (the file was altered)")
    return payload
