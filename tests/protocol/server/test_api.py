"""The matcher service over HTTP on loopback, with real collateral proofs: booking, matching and
owner-only status and cancel; hostile input (each case a 4xx with a JSON reason, the server stays
up); a junk flood that does not starve an honest order; a restart that keeps every acknowledged
order, cancel and leg."""

import json
import socket
import threading
from dataclasses import replace

import httpx
import pytest

from protocol.client import MatcherRefused
from protocol.params import BUY, SELL
from zk.field import R

from protocol.server.service import Limits
from protocol.server.verify import find_invalid

from .harness import LiveServer, World, collateral_keys, order, secret_of


@pytest.fixture(scope="module")
def keys():
    return collateral_keys()


@pytest.fixture()
def world(keys):
    return World(keys)


def test_an_order_is_booked_matched_and_seen_only_by_its_owner(world, tmp_path):
    with LiveServer(world, tmp_path / "m.sqlite") as srv:
        c = srv.client()
        carol = order("carol", "carol-1", SELL, 10, 1.45)
        assert c.submit(world.ticket("carol", carol)) == []
        trades = c.submit(world.ticket("alice", order("alice", "alice-1", BUY, 10, 1.5)))
        assert [(t.sell_order_id, t.fill.base_amount, t.fill.quote_amount) for t in trades] == [("carol-1", 10, 15)]
        view = c.status("carol-1", secret_of("carol"))
        assert view["status"] == "filled (1 fill(s) settling)"
        assert [t["trade"]["fill"]["trade_salt"] for t in view["trades"]] == [str(trades[0].fill.trade_salt)]
        for call in (lambda: c.status("carol-1", secret_of("erin")), lambda: c.cancel("carol-1", secret_of("erin"))):
            with pytest.raises(MatcherRefused) as refused:
                call()
            assert refused.value.status == 404 and "no order carol-1 of yours" in str(refused.value)
        assert c.health()["status"] == "ok"
        metrics = httpx.get(f"{srv.url}/metrics").text
        assert "zktrade_orders_booked_total 2" in metrics and 'zktrade_proofs_verified_total{result="valid"} 2' in metrics
        assert httpx.get(f"{srv.url}/docs").status_code == 200
        assert "/v1/orders" in httpx.get(f"{srv.url}/openapi.json").json()["paths"]


def _raw_post(port: int, head_length: int, body: bytes) -> tuple[int, dict]:
    """POST with a declared Content-Length, sending only the start of the body; the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(f"POST /v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {head_length}\r\n\r\n".encode() + body)
        data = b""
        while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, payload = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(payload)


def test_hostile_inputs_are_each_refused_with_a_reason_and_the_server_stays_up(world, tmp_path):
    with LiveServer(world, tmp_path / "m.sqlite") as srv:
        c = srv.client()
        good = world.ticket("carol", order("carol", "carol-1", SELL, 10, 1.45))
        c.submit(good)
        wire = good.to_json()
        other = world.ticket("dave", order("dave", "dave-1", SELL, 10, 1.45)).to_json()

        def variant(**changes) -> bytes:
            d = json.loads(json.dumps(other))
            for path, value in changes.items():
                target = d
                *parents, last = path.split("__")
                for p in parents:
                    target = target[p]
                target[last] = value
            return json.dumps(d).encode()

        cases = {
            "malformed JSON": (b'{"order": {"side": ', 400, "not valid JSON"),
            "100,000-deep JSON": (b"[" * 100_000 + b"]" * 100_000, 413, "limit"),
            "30,000-deep JSON under the size cap": (b"[" * 30_000 + b"]" * 30_000, 400, "nested"),
            "a side as text": (variant(order__side="buy"), 422, "order.side"),
            "a size as a JSON number": (variant(order__size=10), 422, "order.size"),
            "an order that is a list": (variant(order=[1, 2]), 422, "expected a JSON object"),
            "a root >= r": (variant(root=str(R)), 422, "canonical field element"),
            "a nullifier >= r": (variant(nullifier=str(R + 1)), 422, "canonical field element"),
            "a size >= 2^96": (variant(order__size=str(1 << 96)), 422, "2^96"),
            "a proof point off the curve": (variant(proof__pi_a=["1", "3", "1"]), 422, "proof"),
            "an unknown field": (variant(extra="1"), 422, "unknown field"),
            "a proof for another order": (variant(order__size="9"), 422, "does not verify"),
            "a replayed ticket": (json.dumps(wire).encode(), 409, "already taken"),
        }
        for name, (body, status, reason) in cases.items():
            r = httpx.post(f"{srv.url}/v1/orders", content=body, headers={"content-type": "application/json"}, timeout=60)
            assert (r.status_code, reason in r.json()["error"]) == (status, True), (name, r.text[:300])
        status, answer = _raw_post(srv.port, 50 << 20, b"[" * (1 << 20))  # declares 50 MB, sends 1 MB
        assert status == 413 and "limit" in answer["error"]
        for path, method, auth in (("/v1/orders/carol-1", "GET", "Bearer " + secret_of("erin").hex()),
                                   ("/v1/orders/carol-1/cancel", "POST", "Bearer " + secret_of("erin").hex()),
                                   ("/v1/orders/carol-1", "GET", None), ("/v1/orders/carol-1", "GET", "Bearer zz")):
            r = httpx.request(method, f"{srv.url}{path}", headers={"authorization": auth} if auth else {})
            assert r.status_code in (401, 404) and r.json()["error"], (path, auth, r.text)
        r = httpx.post(f"{srv.url}/v1/legs", json={"trade_commitment": "5", "side": 0, "proof": wire["proof"],
                                                   "public": ["1"] * 8})
        assert r.status_code == 422 and "no fill" in r.json()["error"]
        assert c.health()["status"] == "ok"
        assert c.status("carol-1", secret_of("carol"))["status"] == "open (10 resting)"
        assert 'zktrade_requests_refused_total{reason="bad_proof"} 1' in httpx.get(f"{srv.url}/metrics").text


def test_a_junk_flood_does_not_starve_an_honest_order(world, tmp_path):
    base = world.ticket("carol", order("carol", "carol-1", SELL, 10, 1.45))
    junk = [replace(base, order=replace(base.order, order_id=f"junk-{i}", salt=i)) for i in range(24)]
    honest = world.ticket("dave", order("dave", "dave-1", SELL, 10, 1.46))
    # Bounded: 4 junk tickets may wait per client; the rest are turned away at once.
    with LiveServer(world, tmp_path / "m.sqlite", Limits(verify_workers=1, tick=0.2, queue_per_client=4)) as srv:
        answers: list[int] = []

        def flood() -> None:
            with httpx.Client(base_url=srv.url, headers={"x-zktrade-client": "junk"}, timeout=300) as h:
                threads = [threading.Thread(target=lambda t=t: answers.append(h.post("/v1/orders", json=t.to_json()).status_code))
                           for t in junk]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()

        flooder = threading.Thread(target=flood)
        flooder.start()
        assert srv.client("honest").submit(honest) == []
        flooder.join()
        assert len(answers) == len(junk) and set(answers) <= {422, 429} and 422 in answers and 429 in answers
        assert srv.client("honest").status("dave-1", secret_of("dave"))["status"] == "open (10 resting)"
        assert srv.client().health()["status"] == "ok"


def test_a_restart_keeps_every_acknowledged_order_cancel_and_leg(world, tmp_path):
    db = tmp_path / "m.sqlite"
    carol, dave = order("carol", "carol-1", SELL, 10, 1.45), order("dave", "dave-1", SELL, 10, 1.46)
    alice = order("alice", "alice-1", BUY, 10, 1.5)
    with LiveServer(world, db) as srv:
        c = srv.client()
        c.submit(world.ticket("carol", carol))
        c.submit(world.ticket("dave", dave))
        (trade,) = c.submit(world.ticket("alice", alice))
        c.cancel("dave-1", secret_of("dave"))
        leg = world.leg(trade, SELL, "carol", carol, world.ticket("carol", carol).proof)
        assert c.submit_leg(leg)["legs"] == {"buy": False, "sell": True}
        before = {o: c.status(o, secret_of(w)) for o, w in (("carol-1", "carol"), ("dave-1", "dave"), ("alice-1", "alice"))}
    with LiveServer(world, db) as srv:
        c = srv.client()
        after = {o: c.status(o, secret_of(w)) for o, w in (("carol-1", "carol"), ("dave-1", "dave"), ("alice-1", "alice"))}
        assert after == before and after["dave-1"]["status"] == "cancelled"
        with pytest.raises(MatcherRefused, match="already taken"):
            c.submit(world.ticket("carol", carol))
        assert c.submit_leg(leg)["legs"] == {"buy": False, "sell": True}  # the same leg again: already in
        world.time = trade.fill.deadline + 1  # alice never proves her leg: the fill expires
        for _ in range(100):
            if c.status("carol-1", secret_of("carol"))["trades"][0]["state"] == "expired":
                break
            threading.Event().wait(0.1)
        assert c.status("carol-1", secret_of("carol"))["status"] == "open (10 resting)"


def test_a_failed_batch_is_bisected_to_exactly_the_bad_proofs(world, keys):
    good = [world.ticket(w, order(w, f"{w}-1", SELL, 10, 1.45)) for w in ("carol", "dave")]
    items = [(good[0].proof, good[0].public_vector), (good[0].proof, good[1].public_vector),
             (good[1].proof, good[1].public_vector), (good[1].proof, good[0].public_vector)]
    assert find_invalid(keys.verifying_key, items) == [1, 3]
    assert find_invalid(keys.verifying_key, items[::2]) == []


def test_the_event_stream_tells_an_owner_of_its_fill(world, tmp_path):
    with LiveServer(world, tmp_path / "m.sqlite") as srv:
        c = srv.client()
        c.submit(world.ticket("carol", order("carol", "carol-1", SELL, 10, 1.45)))
        events = c.events(["carol-1"], secret_of("carol"))
        got: list[dict] = []
        reader = threading.Thread(target=lambda: got.append(next(events)), daemon=True)
        reader.start()
        (trade,) = c.submit(world.ticket("alice", order("alice", "alice-1", BUY, 10, 1.5)))
        reader.join(timeout=60)
        assert got and got[0]["order_id"] == "carol-1" and got[0]["state"] == "awaiting_legs"
        assert got[0]["trade"]["fill"]["trade_salt"] == str(trade.fill.trade_salt)
        with pytest.raises(MatcherRefused) as refused:
            next(c.events(["carol-1"], secret_of("erin")))
        assert refused.value.status == 404


def test_a_chunked_50_mb_body_and_hostile_legs_are_refused_with_a_reason(world, tmp_path):
    with LiveServer(world, tmp_path / "m.sqlite") as srv:
        c = srv.client()
        carol = order("carol", "carol-1", SELL, 10, 1.45)
        alice = order("alice", "alice-1", BUY, 10, 1.5)
        c.submit(world.ticket("carol", carol))
        (trade,) = c.submit(world.ticket("alice", alice))

        def chunks():  # 50 MB with no Content-Length: the cap applies while reading
            for _ in range(50 * 16):
                yield b"[" * (64 << 10)

        r = httpx.post(f"{srv.url}/v1/orders", content=chunks(), headers={"content-type": "application/json"}, timeout=60)
        assert r.status_code == 413 and "limit" in r.json()["error"]
        good = world.leg(trade, SELL, "carol", carol, world.ticket("carol", carol).proof)
        wire = good.to_json()
        cases = {
            "a side as text": ({**wire, "side": "sell"}, 422, "side"),
            "a public input as a number": ({**wire, "public": [1] * 8}, 422, "public[0]"),
            "seven public inputs": ({**wire, "public": wire["public"][:7]}, 422, "8 decimal strings"),
            "a public input >= r": ({**wire, "public": [str(R)] + wire["public"][1:]}, 422, "canonical field element"),
            "a memo that is not hex": ({**wire, "memo": "zz"}, 422, "not hex"),
            "the leg of another order": (world.leg(trade, SELL, "carol", alice, good.proof).to_json(), 422, "does not bind"),
            "the buyer's side on the seller's leg": ({**wire, "side": BUY}, 422, "does not bind"),
        }
        for name, (body, status, reason) in cases.items():
            r = httpx.post(f"{srv.url}/v1/legs", json=body, timeout=60)
            assert (r.status_code, reason in r.json()["error"]) == (status, True), (name, r.text[:300])
        assert c.submit_leg(good)["legs"] == {"buy": False, "sell": True}
        assert c.submit_leg(good)["legs"] == {"buy": False, "sell": True}  # the same leg again: taken once
        other = world.leg(trade, SELL, "dave", carol, good.proof)  # another note's nullifier for the same side
        with pytest.raises(MatcherRefused) as refused:
            c.submit_leg(other)
        assert refused.value.status == 409 and "already in" in str(refused.value)
        assert c.health()["status"] == "ok"
