"""The protocol's messages: what traders, the matcher, the relayer and the pool hand each other.

One definition each, imported by every party (the matcher, the trader, the pool client, the
settlement coordinator, the CLI); each party's private state lives with that party. Every message
has one JSON form (`to_json` / `from_json`, big integers as decimal strings), used by the
matcher's database, the wallet and, later, the matcher service.
"""

from dataclasses import dataclass

from circuits.trade import values
from zk.formats.snarkjs_json import proof_from_json, proof_to_json
from zk.groth16 import Proof

from .errors import InvalidValue
from .notes import check_amount
from .params import BUY, PRICE_BITS, PRICE_SCALE, SELL


@dataclass(frozen=True)
class Order:
    """A limit order: `size` base units at a price of `limit_price` / PRICE_SCALE quote per base."""

    order_id: str
    side: int
    base_asset: int
    quote_asset: int
    size: int
    limit_price: int
    salt: int

    def __post_init__(self) -> None:
        if self.side not in (BUY, SELL):
            raise InvalidValue("order side must be buy or sell")
        if self.base_asset == self.quote_asset:
            raise InvalidValue("an order needs two different assets")
        if check_amount(self.size, "order size") == 0:
            raise InvalidValue("order size must be positive")
        if check_amount(self.limit_price, "limit price", PRICE_BITS) == 0:
            raise InvalidValue("limit price must be positive")

    @property
    def commitment(self) -> int:
        """H(side, base_asset, quote_asset, size, limit_price, salt)."""
        return values.order_commitment(self.side, self.base_asset, self.quote_asset, self.size,
                                       self.limit_price, self.salt)

    @property
    def pair(self) -> tuple[int, int]:
        return (self.base_asset, self.quote_asset)

    @property
    def pays_asset(self) -> int:
        return self.quote_asset if self.side == BUY else self.base_asset

    @property
    def receives_asset(self) -> int:
        return self.base_asset if self.side == BUY else self.quote_asset

    def to_json(self) -> dict:
        return {"order_id": self.order_id, "side": self.side, "base_asset": str(self.base_asset),
                "quote_asset": str(self.quote_asset), "size": str(self.size),
                "limit_price": str(self.limit_price), "salt": str(self.salt)}

    @classmethod
    def from_json(cls, d: dict) -> "Order":
        return cls(str(d["order_id"]), int(d["side"]), int(d["base_asset"]), int(d["quote_asset"]),
                   int(d["size"]), int(d["limit_price"]), int(d["salt"]))


def max_payment(order: Order) -> int:
    """The most an order can pay: size for a sell, ceil(size·limit/PRICE_SCALE) for a buy."""
    if order.side == SELL:
        return order.size
    return -(-order.size * order.limit_price // PRICE_SCALE)


@dataclass(frozen=True)
class Fill:
    """What both legs of a settlement bind: the pair, the amounts, a salt and the deadline
    (unix seconds) after which the pool refuses the legs."""

    base_asset: int
    quote_asset: int
    base_amount: int
    quote_amount: int
    trade_salt: int
    deadline: int

    @property
    def commitment(self) -> int:
        """H(base_asset, quote_asset, base_amount, quote_amount, trade_salt, deadline)."""
        return values.trade_commitment(self.base_asset, self.quote_asset, self.base_amount,
                                       self.quote_amount, self.trade_salt, self.deadline)

    def to_json(self) -> dict:
        return {k: str(getattr(self, k)) for k in FILL_FIELDS}

    @classmethod
    def from_json(cls, d: dict) -> "Fill":
        return cls(*(int(d[k]) for k in FILL_FIELDS))


FILL_FIELDS = ("base_asset", "quote_asset", "base_amount", "quote_amount", "trade_salt", "deadline")


@dataclass(frozen=True)
class OrderTicket:
    """What a trader sends to book an order: its terms and salt, the collateral proof, and the
    hash of a secret only the owner knows (it authorizes cancels and marks self-trades)."""

    order: Order
    root: int
    nullifier: int  # the backing note's nullifier: the collateral statement's per-note tag
    proof: Proof
    owner_hash: str

    @property
    def public_vector(self) -> list[int]:
        """The collateral statement's public inputs: root, order_commitment, nullifier."""
        return [self.root, self.order.commitment, self.nullifier]

    def to_json(self) -> dict:
        return {"order": self.order.to_json(), "root": str(self.root), "nullifier": str(self.nullifier),
                "proof": proof_to_json(self.proof), "owner_hash": self.owner_hash}

    @classmethod
    def from_json(cls, d: dict) -> "OrderTicket":
        return cls(Order.from_json(d["order"]), int(d["root"]), int(d["nullifier"]),
                   proof_from_json(d["proof"]), str(d["owner_hash"]))


@dataclass(frozen=True)
class Trade:
    """A fill between a buy and a sell order; both owners prove a leg binding `fill`."""

    buy_order_id: str
    sell_order_id: str
    maker_order_id: str
    fill: Fill
    price: int  # the maker's limit: the price the fill executes at

    @property
    def trade_commitment(self) -> int:
        return self.fill.commitment

    def order_of(self, side: int) -> str:
        return self.buy_order_id if side == BUY else self.sell_order_id

    def to_json(self) -> dict:
        return {"buy": self.buy_order_id, "sell": self.sell_order_id, "maker": self.maker_order_id,
                "fill": self.fill.to_json(), "price": str(self.price)}

    @classmethod
    def from_json(cls, d: dict) -> "Trade":
        return cls(d["buy"], d["sell"], d["maker"], Fill.from_json(d["fill"]), int(d["price"]))


@dataclass(frozen=True)
class LegProof:
    """One party's settlement leg: its proof, public inputs in the statement's order, and the
    encrypted memos of the notes it creates (opaque bytes the pool emits, bound by no proof)."""

    trade_commitment: int
    side: int
    proof: Proof
    public: list[int]
    memo: bytes = b""

    def to_json(self) -> dict:
        return {"trade_commitment": str(self.trade_commitment), "side": self.side,
                "proof": proof_to_json(self.proof), "public": [str(x) for x in self.public],
                "memo": self.memo.hex()}

    @classmethod
    def from_json(cls, d: dict) -> "LegProof":
        return cls(int(d["trade_commitment"]), int(d["side"]), proof_from_json(d["proof"]),
                   [int(x) for x in d["public"]], bytes.fromhex(d.get("memo", "")))


@dataclass(frozen=True)
class WithdrawRequest:
    """A withdrawal anyone may submit: `amount − fee` goes to `recipient`, `fee` to `relayer`,
    both bound by the proof (public inputs: root, nullifier, asset, amount, recipient, relayer,
    fee, change_commitment)."""

    proof: Proof
    public: list[int]
    change_memo: bytes = b""

    @property
    def nullifier(self) -> int:
        return self.public[1]

    @property
    def relayer(self) -> int:
        return self.public[5]

    @property
    def fee(self) -> int:
        return self.public[6]

    def to_json(self) -> dict:
        return {"proof": proof_to_json(self.proof), "public": [str(x) for x in self.public],
                "change_memo": self.change_memo.hex()}

    @classmethod
    def from_json(cls, d: dict) -> "WithdrawRequest":
        return cls(proof_from_json(d["proof"]), [int(x) for x in d["public"]], bytes.fromhex(d.get("change_memo", "")))
