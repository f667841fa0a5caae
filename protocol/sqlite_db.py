"""One way to open the project's SQLite files (a wallet, the matcher's store) and to write them.

Both hold keys (a wallet's spending and account keys, the relayer's key), so a new file is
created readable by its owner only (0600; SQLite gives its -wal and -shm files the database's
mode). WAL with full sync: a committed transaction survives a crash or a power cut.
"""

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def connect(path: Path, schema: str) -> sqlite3.Connection:
    """Open (or create, 0600) the database at `path` and apply `schema`; raises sqlite3.DatabaseError."""
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.executescript(schema)
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Every statement in the block commits together (durably) or not at all."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
