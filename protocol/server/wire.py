"""Request bodies on the wire: capped, parsed by zk/jsonio.py, and checked field by field.

Every integer the protocol hashes or proves travels as a canonical decimal (or 0x-hex) string
below r, refused (never reduced) otherwise; the message classes' own checks (amounts < 2^96,
a side that is buy or sell) run after. Every problem is a `BadRequest` naming the field.
"""

import re

from zk.errors import MalformedInput
from zk.field import canonical_fr
from zk.formats.snarkjs_json import proof_from_json
from zk.jsonio import parse_json

from ..errors import InvalidValue, ProtocolError
from ..messages import LegProof, Order, OrderTicket, WithdrawRequest
from ..params import BUY, SELL

MAX_BODY = 64 << 10  # a ticket or a leg is ~2 KB of JSON; a leg memo of 2 x 128 bytes fits many times
MAX_DEPTH = 8  # our deepest body (a leg's proof.pi_b) nests 4 levels
MAX_MEMO = 4096  # bytes of opaque memo per leg or withdrawal
ORDER_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
HEX64 = re.compile(r"[0-9a-f]{64}")


class BadRequest(ProtocolError):
    """A request body the service refuses before it reaches the matcher (HTTP 400/413/422)."""

    def __init__(self, reason: str, status: int = 422):
        super().__init__(reason)
        self.status = status


def parse_body(body: bytes) -> object:
    """The JSON document of a request body, refused if too large or too deep before parsing."""
    try:
        return parse_json(body, "request body", max_bytes=MAX_BODY, max_depth=MAX_DEPTH)
    except MalformedInput as exc:
        status = 413 if len(body) > MAX_BODY else 400
        raise BadRequest(str(exc), status) from None


def _object(obj, what: str, keys: set[str], optional: set[str] = frozenset()) -> dict:
    if not isinstance(obj, dict):
        raise BadRequest(f"{what}: expected a JSON object, got {type(obj).__name__}")
    missing = keys - obj.keys()
    extra = obj.keys() - keys - optional
    if missing:
        raise BadRequest(f"{what}: missing field(s) {', '.join(sorted(missing))}")
    if extra:
        raise BadRequest(f"{what}: unknown field(s) {', '.join(sorted(extra))[:200]}")
    return obj


def field_element(value, what: str) -> int:
    """A canonical field element sent as a string (a JSON number loses precision in most clients)."""
    if not isinstance(value, str):
        raise BadRequest(f"{what}: expected a decimal string, got {type(value).__name__}")
    try:
        return canonical_fr(value, what)
    except MalformedInput as exc:
        raise BadRequest(str(exc)) from None


def _side(value, what: str) -> int:
    if isinstance(value, bool) or value not in (BUY, SELL):
        raise BadRequest(f"{what}: expected {BUY} (buy) or {SELL} (sell)")
    return value


def _text(value, what: str, pattern: re.Pattern) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise BadRequest(f"{what}: expected a string matching {pattern.pattern}")
    return value


def _memo(value, what: str) -> bytes:
    if not isinstance(value, str) or len(value) > 2 * MAX_MEMO:
        raise BadRequest(f"{what}: expected hex of at most {MAX_MEMO} bytes")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise BadRequest(f"{what}: not hex") from None


def _proof(obj, what: str):
    try:
        return proof_from_json(obj, what)
    except (MalformedInput, TypeError, ValueError, AttributeError) as exc:
        raise BadRequest(f"{what}: {exc}"[:300]) from None


def order_from_wire(obj) -> Order:
    d = _object(obj, "order", {"order_id", "side", "base_asset", "quote_asset", "size", "limit_price", "salt"})
    try:
        return Order(_text(d["order_id"], "order.order_id", ORDER_ID), _side(d["side"], "order.side"),
                     *(field_element(d[k], f"order.{k}") for k in ("base_asset", "quote_asset", "size", "limit_price", "salt")))
    except InvalidValue as exc:
        raise BadRequest(f"order: {exc}") from None


def ticket_from_wire(obj) -> OrderTicket:
    """An order ticket: terms, root, nullifier, collateral proof, owner hash."""
    d = _object(obj, "ticket", {"order", "root", "nullifier", "proof", "owner_hash"})
    return OrderTicket(order_from_wire(d["order"]), field_element(d["root"], "root"),
                       field_element(d["nullifier"], "nullifier"), _proof(d["proof"], "proof"),
                       _text(d["owner_hash"], "owner_hash", HEX64))


def _public(value, what: str, n: int) -> list[int]:
    if not isinstance(value, list) or len(value) != n:
        raise BadRequest(f"{what}: expected a list of {n} decimal strings")
    return [field_element(x, f"{what}[{i}]") for i, x in enumerate(value)]


def leg_from_wire(obj) -> LegProof:
    """One party's leg: 8 public inputs in the leg statement's order, its proof and memo."""
    d = _object(obj, "leg", {"trade_commitment", "side", "proof", "public"}, {"memo"})
    return LegProof(field_element(d["trade_commitment"], "trade_commitment"), _side(d["side"], "side"),
                    _proof(d["proof"], "proof"), _public(d["public"], "public", 8), _memo(d.get("memo", ""), "memo"))


def withdraw_from_wire(obj) -> WithdrawRequest:
    """A withdrawal for the relayer: 8 public inputs, the proof and the change memo."""
    d = _object(obj, "withdrawal", {"proof", "public"}, {"change_memo"})
    return WithdrawRequest(_proof(d["proof"], "proof"), _public(d["public"], "public", 8),
                           _memo(d.get("change_memo", ""), "change_memo"))


def secret_from_header(value: str | None) -> bytes:
    """The owner's order secret from `Authorization: Bearer <hex>`."""
    if value is None or not value.startswith("Bearer "):
        raise BadRequest("send the order secret as `Authorization: Bearer <hex>`", 401)
    try:
        secret = bytes.fromhex(value[len("Bearer "):].strip())
    except ValueError:
        raise BadRequest("the order secret is not hex", 401) from None
    if not 16 <= len(secret) <= 64:
        raise BadRequest("the order secret must be 16 to 64 bytes", 401)
    return secret

