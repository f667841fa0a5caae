"""A matcher service on loopback for tests: real collateral proofs (depth-4 tree, keys made once
per module), an in-memory pool view with a settable clock, uvicorn in a thread on a free port."""

import socket
import threading
import time
from dataclasses import dataclass, field

import uvicorn

from circuits.trade import collateral_statement
from protocol.client import MatcherClient
from protocol.keys import CircuitKeys
from protocol.matcher import LEG_DEADLINE, LEG_NULLIFIER, LEG_ORDER, LEG_SIDE, LEG_TRADE, Matcher, PoolView, owner_hash
from protocol.matcher_store import MatcherStore
from protocol.messages import LegProof, Order, OrderTicket, Trade
from protocol.notes import Note, nullifier_of, owner_of
from protocol.params import PRICE_SCALE
from protocol.server.app import create_app
from protocol.server.service import Core, Limits, MatcherService
from protocol.server.verify import PreverifiedKeys
from protocol.statements import collateral_inputs
from protocol.tree import MerkleTree
from zk.groth16 import prepare_verifying_key, setup

DEPTH = 4
WINDOW = 100
BASE, QUOTE = 0xBA5E, 0x0C07E
SPENDING_KEYS = {"alice": 1111, "bob": 2222, "carol": 3333, "dave": 4444, "erin": 5555}
NOTES = (("alice", QUOTE, 10_000), ("bob", BASE, 100), ("carol", BASE, 100), ("dave", BASE, 100), ("erin", QUOTE, 10_000))
PROOFS: dict = {}  # (owner, order, root) -> proof: every world builds the same tree


def collateral_keys() -> CircuitKeys:
    statement = collateral_statement(DEPTH)
    pk = setup(statement.r1cs, seed=4)
    return CircuitKeys(statement, pk, prepare_verifying_key(pk.vk))


def secret_of(who: str) -> bytes:
    return (who * 8).encode()[:32]


def order(who: str, order_id: str, side: int, size: int, price: float) -> Order:
    return Order(order_id, side, BASE, QUOTE, size, int(price * PRICE_SCALE), salt=int.from_bytes(order_id.encode(), "big"))


@dataclass
class World:
    """The chain as the matcher sees it: one note per trader in a tree, spent nullifiers, a clock."""

    keys: CircuitKeys
    tree: MerkleTree = field(default_factory=lambda: MerkleTree(depth=DEPTH))
    spent: set = field(default_factory=set)
    time: int = 1_000_000
    notes: dict = field(default_factory=dict)

    def __post_init__(self):
        for who, asset, amount in NOTES:
            note = Note(asset, amount, owner_of(SPENDING_KEYS[who]), len(self.notes) + 1)
            self.notes[who] = (note, self.tree.append(note.commitment))

    def view(self) -> PoolView:
        return PoolView(self.tree.is_known_root, lambda n: n in self.spent, lambda: self.time)

    def ticket(self, who: str, o: Order) -> OrderTicket:
        note, index = self.notes[who]
        public, private = collateral_inputs(SPENDING_KEYS[who], note, self.tree.path(index), o)
        key = (who, o, public.root)
        if key not in PROOFS:
            PROOFS[key] = self.keys.prove(public, private)
        return OrderTicket(o, public.root, public.nullifier, PROOFS[key], owner_hash(secret_of(who)))

    def leg(self, trade: Trade, side: int, who: str, o: Order, proof) -> LegProof:
        """A leg as the matcher checks it without leg keys: its public inputs bind the fill."""
        note, index = self.notes[who]
        public = [0] * 8
        public[0] = self.tree.root
        public[LEG_NULLIFIER] = nullifier_of(note.commitment, index, SPENDING_KEYS[who])
        public[LEG_TRADE], public[LEG_ORDER] = trade.trade_commitment, o.commitment
        public[LEG_SIDE], public[LEG_DEADLINE] = side, trade.fill.deadline
        return LegProof(trade.trade_commitment, side, proof, public)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`zktrade matcher serve`'s app over the world's pool view, on 127.0.0.1 in a thread."""

    def __init__(self, world: World, db_path, limits: Limits = Limits(verify_workers=1, tick=0.2)):
        self.world, self.db_path, self.limits = world, db_path, limits
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def _core(self) -> Core:
        store = MatcherStore(self.db_path)
        prekeys = PreverifiedKeys(self.world.keys)
        return Core(Matcher(store, prekeys, self.world.view(), leg_window=WINDOW), prekeys, close=store.close)

    def __enter__(self) -> "LiveServer":
        self.service = MatcherService(self._core, self.limits)
        config = uvicorn.Config(create_app(self.service), host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the matcher service did not start")
            time.sleep(0.05)
        return self

    def client(self, label: str = "") -> MatcherClient:
        return MatcherClient(self.url, client=label)

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


