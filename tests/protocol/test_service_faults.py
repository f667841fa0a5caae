"""The matcher service killed (SIGKILL) in the middle of a bounded load run, then restarted on
the same database: every acknowledged order, cancel and leg is there, nothing is booked twice,
and trading carries on. First against the harness's world (real collateral proofs, an
in-memory chain view) under a load of placements and cancels; then on anvil in the middle of a
sweep that two `zktrade trader run` agents are settling, which they finish after the restart."""

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from protocol.client import MatcherClient, MatcherRefused, MatcherUnavailable
from protocol.params import BUY, SELL

from .server.harness import World, collateral_keys, free_port, order, secret_of
from .server.market import UNIT, open_market, sweep_wallets

SERVE_WORLD = Path(__file__).parent / "server" / "serve_world.py"
CYCLES = 10  # place + cancel per load thread
LOAD = {"bob": (SELL, 3.0), "dave": (SELL, 3.5), "erin": (BUY, 0.5)}  # never cross each other or the trade below


class WorldServer:
    """serve_world.py in its own process on a free port."""

    def __init__(self, db: Path):
        self.db, self.port = db, free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> "WorldServer":
        self.process = subprocess.Popen([sys.executable, str(SERVE_WORLD), str(self.db), str(self.port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{self.url}/health", timeout=5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            assert self.process.poll() is None and time.monotonic() < deadline, self.process.stderr.read().decode()[-2000:]
            time.sleep(0.2)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


def test_sigkill_under_load_loses_no_acknowledged_order_cancel_or_leg(tmp_path):
    world = World(collateral_keys())
    carol, alice = order("carol", "carol-1", SELL, 10, 1.45), order("alice", "alice-1", BUY, 10, 1.5)
    tickets = {who: [world.ticket(who, order(who, f"{who}-{k}", side, 10, price + k / 100)) for k in range(CYCLES)]
               for who, (side, price) in LOAD.items()}
    db = tmp_path / "m.sqlite"
    srv = WorldServer(db).start()
    c = MatcherClient(srv.url, client="setup")
    c.submit(world.ticket("carol", carol))
    (trade,) = c.submit(world.ticket("alice", alice))
    carol_leg = world.leg(trade, SELL, "carol", carol, world.ticket("carol", carol).proof)
    alice_leg = world.leg(trade, BUY, "alice", alice, world.ticket("alice", alice).proof)

    acked_orders: set[str] = set()
    acked_cancels: set[str] = set()
    acked_legs: list = []
    lock = threading.Lock()

    def load(who: str) -> None:
        client = MatcherClient(srv.url, client=who, timeout=30)
        try:
            for k, ticket in enumerate(tickets[who]):
                client.submit(ticket)
                with lock:
                    acked_orders.add(ticket.order.order_id)
                if who == "bob" and k == 2:
                    client.submit_leg(carol_leg)
                    with lock:
                        acked_legs.append(carol_leg)
                client.cancel(ticket.order.order_id, secret_of(who))
                with lock:
                    acked_cancels.add(ticket.order.order_id)
        except (MatcherUnavailable, MatcherRefused):
            return  # the server went away mid-request: that request is unacknowledged
        finally:
            client.close()

    threads = [threading.Thread(target=load, args=(who,)) for who in LOAD]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 300
    while len(acked_cancels) < len(LOAD) * CYCLES // 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    srv.kill()
    for t in threads:
        t.join(timeout=120)
    assert 0 < len(acked_cancels) < len(LOAD) * CYCLES, "the kill did not land in the middle of the run"
    assert acked_legs == [carol_leg]

    srv = WorldServer(db).start()
    try:
        c = MatcherClient(srv.url, client="after")
        sent = {t.order.order_id: (who, t) for who, ts in tickets.items() for t in ts}
        for order_id in acked_orders:
            who, ticket = sent[order_id]
            status = c.status(order_id, secret_of(who))["status"]
            assert status == "cancelled" if order_id in acked_cancels else status in ("open (10 resting)", "cancelled")
            with pytest.raises(MatcherRefused, match="already taken"):
                c.submit(ticket)
        with sqlite3.connect(db) as conn:
            ids = [r[0] for r in conn.execute("SELECT order_id FROM orders")]
            doubled = conn.execute("SELECT nullifier FROM orders WHERE status = 'live' GROUP BY nullifier HAVING COUNT(*) > 1").fetchall()
            trades = conn.execute("SELECT COUNT(*) FROM trades").fetchone()[0]
        assert len(ids) == len(set(ids)) and set(ids) <= set(sent) | {"carol-1", "alice-1"} and not doubled
        assert acked_orders <= set(ids) and trades == 1
        # Trading carries on: the leg acknowledged before the kill is in, the other one comes now.
        view = c.status("carol-1", secret_of("carol"))
        assert view["trades"][0]["legs"] == {"buy": False, "sell": True}
        assert c.submit_leg(alice_leg)["legs"] == {"buy": True, "sell": True}
        # And new orders book: bob cancels what of his is still open, and his note backs a new one.
        for order_id in ids:
            if order_id.startswith("bob-") and c.status(order_id, secret_of("bob"))["status"].startswith("open"):
                c.cancel(order_id, secret_of("bob"))
        assert c.submit(world.ticket("bob", order("bob", "bob-after", SELL, 10, 4.0))) == []
        assert c.status("bob-after", secret_of("bob"))["status"] == "open (10 resting)"
    finally:
        srv.kill()


@pytest.mark.node
@pytest.mark.slow
def test_agents_finish_a_sweep_after_the_matcher_is_killed_and_restarted(tmp_path, protocol_keys):
    market, _ = open_market(tmp_path, protocol_keys)
    try:
        sweep_wallets(market, ("s1", "s2", "s3"))
        market.serve()
        m = ["--matcher", market.url]
        for s, price in (("s1", 140), ("s2", 145), ("s3", 148)):
            market.run("order", "place", "--wallet", f"{s}.wallet", *m, "--side", "sell", "--base", "BASE",
                       "--quote", "QUOTE", "--size", "2", "--price", str(price))
        market.run("order", "place", "--wallet", "buyer.wallet", *m, "--side", "buy", "--base", "BASE",
                   "--quote", "QUOTE", "--size", "6", "--price", "150")
        market.agent("buyer.wallet")
        market.agent("s1.wallet", "s2.wallet", "s3.wallet")
        # Kill the matcher once the first fill has settled (two are still to come).
        deadline = time.monotonic() + 900
        while True:
            with sqlite3.connect(tmp_path / "matcher.sqlite") as conn:
                settled = conn.execute("SELECT COUNT(*) FROM trades WHERE state = 'settled'").fetchone()[0]
            if settled >= 1:
                break
            assert time.monotonic() < deadline, "no fill settled"
            time.sleep(0.5)
        market.kill_server()
        time.sleep(3)  # the agents see the service gone and retry
        market.serve()
        market.wait_agents()

        assert market.balances("buyer.wallet") == {"QUOTE": ((1000 - 866) * UNIT, 0), "BASE": (6 * UNIT, 0)}
        for s, price in (("s1", 140), ("s2", 145), ("s3", 148)):
            assert market.balances(f"{s}.wallet") == {"BASE": (8 * UNIT, 0), "QUOTE": (2 * price * UNIT, 0)}
        with sqlite3.connect(tmp_path / "matcher.sqlite") as conn:
            rows = conn.execute("SELECT state FROM trades").fetchall()
            booked = conn.execute("SELECT COUNT(*), COUNT(DISTINCT order_id) FROM orders").fetchone()
        assert [r[0] for r in rows] == ["settled"] * 3 and booked == (4, 4)
        # Settled once each on chain: three Settled events, one per trade commitment.
        from protocol.chain.client import Chain
        from protocol.chain.deploy import Deployment
        from protocol.pool import PoolClient

        pool = PoolClient(Chain.connect(market.rpc), Deployment.load(tmp_path / "deployment.json"))
        events = pool.settlements()
        assert len(events) == 3 and len({e.trade_commitment for e in events}) == 3
    finally:
        market.close()
        from protocol.chain import devnet

        devnet.down(tmp_path / "devnet")
