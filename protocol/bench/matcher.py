"""`zktrade bench matcher`: the matching engine alone, and order placement over HTTP with real
collateral proofs verified.

(a) engine: `orders` random limit orders on one pair (prices around one mid, so about half
    cross and trade), placed into `protocol.engine.Book` in-process; throughput of the whole
    run and p50/p99 of one placement.
(b) HTTP: the matcher service (`protocol.server`, its batch verifier in worker processes and
    its SQLite store) on 127.0.0.1 in this process, over an in-memory pool view (a tree of one
    note per order, nothing spent, the wall clock). The collateral proofs are made before the
    timed part (one note each, since one note backs one live order). `clients` client threads
    send the tickets: at a fixed offered rate (open loop: ticket i is due at start + i/rate,
    latency counted from when it was due), then as fast as they can (closed loop). The rate
    limits are raised for the run: one host sends everything. Timing starts once the service's
    verification workers are warm (/health); the proofs are kept in the cache directory
    (`bench/matcher/`) for the next run, since the seeded keys and the notes do not change.
    To say where the time goes it also times, in-process and on one core, `batch_verify` of
    the service's batch size and one booking in the matcher (SQLite commit included).

Bounded: every run is `orders` requests, loopback only, and stops by itself.
"""

import json
import random
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from zk.cache import cache_dir

from ..engine import Book, Resting
from ..params import BUY, PRICE_SCALE, SELL

PAIR = (0xBA5E, 0x0C07E)
MID = 150 * PRICE_SCALE


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


@dataclass(frozen=True)
class Run:
    """One timed run: how many requests, how long, and each one's latency in seconds."""

    label: str
    count: int
    seconds: float
    latencies: list[float] = field(repr=False)
    refused: int = 0

    @property
    def throughput(self) -> float:
        return self.count / self.seconds

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 99)


def random_orders(n: int, seed: int = 1) -> list[tuple]:
    """n orders' terms on one pair: sides at random, limits within ±2% of one mid, sizes 1..1000."""
    rng = random.Random(seed)
    return [(f"o{i}", rng.choice((BUY, SELL)), PAIR, MID + rng.randint(-3, 3) * MID // 150,
             rng.randint(1, 1000), f"owner{i % 97}") for i in range(n)]


def bench_engine(orders: int, seed: int = 1) -> Run:
    """Place `orders` random orders into an empty book (each one's Resting built in the timed
    part, as the matcher builds it); the run's throughput and each placement's latency."""
    book = Book()
    batch = random_orders(orders, seed)
    latencies = []
    clock = time.perf_counter
    start = clock()
    for order_id, side, pair, limit, size, owner in batch:
        t0 = clock()
        book.place(Resting(order_id, side, pair, limit, size, 0, owner))
        latencies.append(clock() - t0)
    return Run("engine, in-process", orders, clock() - start, latencies)


# --- (b) over HTTP ---------------------------------------------------------------------------


@dataclass
class Market:
    """Collateral keys, one note per order in a tree, and a ticket (with its proof) per order."""

    keys: object
    tree: object
    tickets: list


def prepare_market(orders: int, depth: int, progress: Callable[[str], None]) -> Market:
    """Keys from a seeded dev setup, and `orders` tickets with their proofs (not timed)."""
    from circuits.trade import collateral_statement
    from zk.groth16 import prepare_verifying_key, setup

    from ..keys import CircuitKeys
    from ..matcher import owner_hash
    from ..messages import Order, OrderTicket
    from ..notes import Note, owner_of
    from ..statements import collateral_inputs
    from ..tree import MerkleTree

    statement = collateral_statement(depth)
    progress(f"dev setup of the collateral statement (depth {depth}, {statement.r1cs.n_constraints:,} constraints)")
    pk = setup(statement.r1cs, seed=7)
    keys = CircuitKeys(statement, pk, prepare_verifying_key(pk.vk))
    rng = random.Random(2)
    tree = MerkleTree(depth=depth)
    specs = []
    for i in range(orders):
        sk = 1000 + i
        side = BUY if i % 2 else SELL
        size = rng.randint(1, 100)
        limit = MID + rng.randint(-3, 3) * MID // 150
        order = Order(f"b-{i}", side, *PAIR, size, limit, salt=i + 1)
        note = Note(PAIR[1] if side == BUY else PAIR[0], 10**12, owner_of(sk), i + 1)
        specs.append((sk, note, tree.append(note.commitment), order))
    # The keys and the notes are the same in every run (seeded), so proofs made once are kept.
    cached = cache_dir("bench", "matcher") / f"tickets-depth{depth}-{orders}.json"
    tickets = []
    if cached.exists():
        tickets = [OrderTicket.from_json(t) for t in json.loads(cached.read_text())]
        if len(tickets) != orders or not keys.verify(tickets[0].proof, tickets[0].public_vector):
            tickets = []
        else:
            progress(f"{orders} collateral proofs from {cached}")
    proved = not tickets
    started = time.perf_counter()
    for n, (sk, note, index, order) in enumerate(specs if proved else []):
        public, private = collateral_inputs(sk, note, tree.path(index), order)
        secret = sk.to_bytes(32, "big")
        tickets.append(OrderTicket(order, public.root, public.nullifier, keys.prove(public, private), owner_hash(secret)))
        if n % 50 == 49:
            progress(f"proved {n + 1}/{orders} collateral proofs ({time.perf_counter() - started:.0f} s)")
    if proved:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_text(json.dumps([t.to_json() for t in tickets]))
        tmp.replace(cached)
    return Market(keys, tree, tickets)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    """The service over the market's pool view, uvicorn in a thread on a free loopback port."""

    def __init__(self, market: Market, db: Path, workers: int):
        from ..server.service import Limits

        self.market, self.db = market, db
        many = 1e9  # one host sends every ticket: the bench measures throughput, not the limits
        self.limits = Limits(client_rate=many, client_burst=many, host_rate=many, host_burst=many,
                             verify_workers=workers, queue_per_client=1 << 20, tick=0.5)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def _core(self):
        from ..matcher import Matcher, PoolView
        from ..matcher_store import MatcherStore
        from ..server.service import Core
        from ..server.verify import PreverifiedKeys

        store = MatcherStore(self.db)
        prekeys = PreverifiedKeys(self.market.keys)
        view = PoolView(self.market.tree.is_known_root, lambda n: False, lambda: int(time.time()))
        return Core(Matcher(store, prekeys, view), prekeys, close=store.close)

    def __enter__(self):
        import uvicorn

        from ..server.app import create_app
        from ..server.service import MatcherService

        self.service = MatcherService(self._core, self.limits)
        self.server = uvicorn.Server(uvicorn.Config(create_app(self.service), host="127.0.0.1", port=self.port,
                                                    log_level="error"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        import httpx

        deadline = time.monotonic() + 300
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the matcher service did not start")
            time.sleep(0.05)
        # Time a warm service: its verification workers started, their kernels loaded.
        while httpx.get(f"{self.url}/health", timeout=60).json()["verifiers_ready"] < self.limits.verify_workers:
            if time.monotonic() > deadline:
                raise RuntimeError("the matcher's verification workers did not start")
            time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=60)


def _send(url: str, tickets: list, clients: int, rate: float | None, label: str) -> Run:
    """Post every ticket from `clients` threads: ticket i due at i/rate (open loop), or at once."""
    import httpx

    latencies: list[float] = []
    refused = [0]
    lock = threading.Lock()
    bodies = [t.to_json() for t in tickets]
    start = time.perf_counter() + 0.2

    def client(k: int) -> None:
        with httpx.Client(base_url=url, timeout=120, headers={"x-zktrade-client": f"bench-{k}"}) as h:
            h.get("/health")  # connect before the clock starts
            for i in range(k, len(bodies), clients):
                due = start + (i / rate if rate else 0)
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                sent = due if rate else time.perf_counter()
                r = h.post("/v1/orders", json=bodies[i])
                took = time.perf_counter() - sent
                with lock:
                    latencies.append(took)
                    if r.status_code != 201:
                        refused[0] += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Run(label, len(bodies), time.perf_counter() - start, latencies, refused[0])


@dataclass(frozen=True)
class Parts:
    """Where the time of one placement goes, measured in-process on one core (seconds)."""

    batch_size: int
    verify_per_proof: float  # batch_verify of batch_size proofs, divided by batch_size
    single_verify: float
    book_one: float  # Matcher.submit of a pre-verified ticket: checks, engine, SQLite commit


def measure_parts(market: Market, batch_size: int, repeats: int = 3) -> Parts:
    from zk.groth16 import batch_verify, verify_proof

    from ..matcher import Matcher, PoolView
    from ..matcher_store import MatcherStore
    from ..server.verify import PreverifiedKeys

    items = [(t.proof, t.public_vector) for t in market.tickets[:batch_size]]
    pvk = market.keys.verifying_key

    def median(fn) -> float:
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    per_proof = median(lambda: batch_verify(pvk, items)) / len(items)
    single = median(lambda: verify_proof(pvk, *items[0]))
    with tempfile.TemporaryDirectory() as tmp:
        store = MatcherStore(Path(tmp) / "parts.sqlite")
        prekeys = PreverifiedKeys(market.keys)
        view = PoolView(market.tree.is_known_root, lambda n: False, lambda: int(time.time()))
        matcher = Matcher(store, prekeys, view)
        tickets = market.tickets[: min(len(market.tickets), 64)]
        t0 = time.perf_counter()
        for t in tickets:
            prekeys.accept(t.proof, t.public_vector)
            matcher.submit(t)
        book_one = (time.perf_counter() - t0) / len(tickets)
        store.close()
    return Parts(len(items), per_proof, single, book_one)


def bench_http(market: Market, clients: int, rate: float, workers: int,
               progress: Callable[[str], None]) -> list[Run]:
    """The tickets placed twice over HTTP, each time into a fresh matcher: at `rate`, then at max rate."""
    runs = []
    for offered, label in ((rate, f"HTTP, offered {rate:g} orders/s"), (None, "HTTP, max rate")):
        with tempfile.TemporaryDirectory() as tmp, _Server(market, Path(tmp) / "bench.sqlite", workers) as srv:
            progress(f"{label}: {len(market.tickets)} orders from {clients} clients")
            runs.append(_send(srv.url, market.tickets, clients, offered, label))
    return runs


def table(runs: list[Run], parts: Parts | None, machine: str, load: str) -> str:
    """The results as a markdown table, with the parts of a placement and the bottleneck."""
    lines = ["| run | orders | throughput (orders/s) | p50 (ms) | p99 (ms) | refused |", "|---|---|---|---|---|---|"]
    for r in runs:
        lines.append(f"| {r.label} | {r.count:,} | {r.throughput:,.0f} | {r.p50 * 1e3:.3f} | {r.p99 * 1e3:.3f} | {r.refused} |")
    lines.append("")
    if parts is not None:
        workers_rate = 1 / parts.verify_per_proof
        lines.append(
            f"Parts of one placement, in-process on one core: batch_verify of {parts.batch_size} proofs "
            f"{parts.verify_per_proof * 1e3:.1f} ms per proof (one proof alone {parts.single_verify * 1e3:.1f} ms), "
            f"booking in the matcher (checks, engine, SQLite commit) {parts.book_one * 1e3:.2f} ms. "
            f"Verification caps one worker at ~{workers_rate:.0f} orders/s and the matcher's thread at "
            f"~{1 / parts.book_one:.0f} orders/s: the bottleneck is "
            + ("collateral verification." if parts.verify_per_proof > parts.book_one else "the matcher's thread (SQLite)."))
    lines.append(f"Machine: {machine}; load before the run: {load}.")
    return "\n".join(lines) + "\n"


def bench_matcher(engine_orders: int, http_orders: int, clients: int, rate: float, depth: int, workers: int,
                  machine: str, progress: Callable[[str], None]) -> str:
    """Both benches; the markdown table."""
    load = _load()
    runs = [bench_engine(engine_orders)]
    parts = None
    if http_orders:
        market = prepare_market(http_orders, depth, progress)
        parts = measure_parts(market, batch_size=16)
        runs += bench_http(market, clients, rate, workers, progress)
    return table(runs, parts, machine, load)


def _load() -> str:
    try:
        return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"
