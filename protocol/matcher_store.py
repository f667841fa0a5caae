"""The matcher's state in one JSON file, so CLI processes on a real devnet share one order book.

Each command takes an exclusive lock on `<file>.lock`, loads the state, acts, and writes it back
atomically (temporary file + rename): a crash leaves either the old or the new state, never a
half-written one. The service version (`zktrade matcher serve`, a later issue) keeps the same
state behind HTTP.
"""

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path

from zk.formats.snarkjs_json import proof_from_json, proof_to_json

from .errors import InvalidValue
from .matcher import Matcher, OrderTicket, Trade
from .matching import BookOrder
from .notes import Fill, Order

VERSION = 1


def _order_to_json(o: Order) -> dict:
    return {"order_id": o.order_id, "side": o.side, "base_asset": str(o.base_asset), "quote_asset": str(o.quote_asset),
            "size": str(o.size), "limit_price": str(o.limit_price), "salt": str(o.salt)}


def _order_from_json(d: dict) -> Order:
    return Order(d["order_id"], int(d["side"]), int(d["base_asset"]), int(d["quote_asset"]), int(d["size"]),
                 int(d["limit_price"]), int(d["salt"]))


def _book_order_to_json(b: BookOrder) -> dict:
    return {"order_id": b.order_id, "side": b.side, "base_asset": str(b.base_asset), "quote_asset": str(b.quote_asset),
            "size": str(b.size), "limit_price": str(b.limit_price), "remaining": str(b.remaining), "seq": b.seq,
            "owner": b.owner}


def _book_order_from_json(d: dict) -> BookOrder:
    return BookOrder(d["order_id"], int(d["side"]), int(d["base_asset"]), int(d["quote_asset"]), int(d["size"]),
                     int(d["limit_price"]), int(d["remaining"]), int(d["seq"]), d["owner"])


def _fill_to_json(f: Fill) -> dict:
    return {k: str(getattr(f, k)) for k in ("base_asset", "quote_asset", "base_amount", "quote_amount", "trade_salt")}


def _fill_from_json(d: dict) -> Fill:
    return Fill(*(int(d[k]) for k in ("base_asset", "quote_asset", "base_amount", "quote_amount", "trade_salt")))


def state_to_json(m: Matcher, legs: dict[str, dict], settled: list[str]) -> dict:
    return {
        "version": VERSION,
        "seq": m.book._seq,
        "book": [_book_order_to_json(b) for b in m.book.orders.values()],
        "suspended": [_book_order_to_json(b) for b in m.suspended.values()],
        "tickets": [{"order": _order_to_json(t.order), "trader": t.trader, "root": str(t.root),
                     "note_tag": str(t.note_tag), "proof": proof_to_json(t.proof)} for t in m.tickets.values()],
        "trades": [{"buy": t.buy_order_id, "sell": t.sell_order_id, "maker": t.maker_order_id,
                    "fill": _fill_to_json(t.fill), "price": str(t.price)} for t in m.trades],
        "legs": legs,
        "settled": settled,
    }


def load_into(m: Matcher, data: dict) -> tuple[dict[str, dict], list[str]]:
    """Fill a fresh Matcher from saved state; returns (legs by trade commitment, settled trades)."""
    if data.get("version") != VERSION:
        raise InvalidValue(f"order-book file version {data.get('version')}, this zktrade reads {VERSION}")
    m.book._seq = int(data["seq"])
    m.book.orders = {d["order_id"]: _book_order_from_json(d) for d in data["book"]}
    m.suspended = {d["order_id"]: _book_order_from_json(d) for d in data["suspended"]}
    m.tickets = {
        t["order"]["order_id"]: OrderTicket(_order_from_json(t["order"]), t["trader"], int(t["root"]),
                                            int(t["note_tag"]), proof_from_json(t["proof"]))
        for t in data["tickets"]
    }
    m.trades = [Trade(t["buy"], t["sell"], t["maker"], _fill_from_json(t["fill"]), int(t["price"])) for t in data["trades"]]
    return dict(data["legs"]), list(data["settled"])


class MatcherStore:
    """A matcher whose state lives in `path`; use `with store.session(matcher) as state:`."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    @contextlib.contextmanager
    def session(self, matcher: Matcher) -> Iterator[dict]:
        """Lock, load into `matcher`, yield {'legs': ..., 'settled': ...}, save on success."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            legs, settled = ({}, [])
            if self.path.exists():
                legs, settled = load_into(matcher, json.loads(self.path.read_text()))
            state = {"legs": legs, "settled": settled}
            yield state
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text(json.dumps(state_to_json(matcher, state["legs"], state["settled"]), indent=1))
            os.replace(tmp, self.path)
