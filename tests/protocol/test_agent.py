"""The trader agent's loop and decisions, over a real wallet file and a stand-in for the service
(the whole agent against a live service and anvil: test_service_e2e.py, test_service_faults.py):
it exits when idle or at --max-runtime, stops on request between steps, retries when the
service is away, and re-books the rest of a dropped order once (also after a crash mid-way)."""

import json
import threading

import pytest

from protocol.agent import REBOOK, TraderAgent
from protocol.client import MatcherUnavailable
from protocol.messages import Fill, Order, Trade
from protocol.params import BUY, SELL
from protocol.trader import Trader
from protocol.wallet import Wallet

from ..support.tools import assert_one_line_error, zktrade

BASE, QUOTE = 0xBA5E, 0x0C07E


class Crash(Exception):
    """A stand-in for the process dying in the middle of a step."""


class StandInVenue:
    """What the agent asks of RemoteVenue, answered from fixed views; records what it is told."""

    url = "http://127.0.0.1:9"  # nothing listens: the event listener keeps retrying, harmlessly

    def __init__(self, statuses=None, fills=(), unavailable: int = 0, crash_on_place: bool = False):
        self._statuses = statuses or {}
        self._fills = list(fills)
        self.unavailable = unavailable
        self.crash_on_place = crash_on_place
        self.placed: list[tuple] = []
        self.passes = 0

    def hand_in(self, trader):
        self.passes += 1
        if self.unavailable:
            self.unavailable -= 1
            raise MatcherUnavailable("cannot reach the matcher", sent=False)
        return [], self._fills

    def watched_orders(self, trader):
        return [o["order_id"] for o in trader.wallet.orders() if o["status"] == "open"]

    def statuses(self, trader, order_ids=None):
        return dict(self._statuses)

    def place(self, trader, side, base, quote, size, limit_price):
        if self.crash_on_place:
            self.crash_on_place = False
            raise Crash()
        self.placed.append((side, int(base, 16), int(quote, 16), size, limit_price))
        return type("Ticket", (), {"order": type("O", (), {"order_id": "o-new"})})(), []


def trader_with_order(tmp_path, remaining: int = 10) -> Trader:
    wallet = Wallet.create(tmp_path / "t.wallet")
    salt_index, salt = wallet.fresh_order_salt()
    order = Order("o-1", SELL, BASE, QUOTE, 10, 150 * 10**9, salt=salt)
    wallet.add_order(order, note_id=1, salt_index=salt_index)
    wallet.update_order("o-1", remaining=remaining)
    trader = Trader.__new__(Trader)  # the wallet side of a trader; nothing here touches a chain
    trader.wallet = wallet
    return trader


def test_the_loop_exits_when_idle_and_retries_while_the_service_is_away(tmp_path):
    venue = StandInVenue(unavailable=2)
    lines: list[str] = []
    agent = TraderAgent(venue, [trader_with_order(tmp_path)], lines.append, poll=0.1)
    reason = agent.run(until_idle=0.3, max_runtime=60)
    assert reason.startswith("idle for 0.3 s") and venue.passes >= 4
    assert sum("will retry: cannot reach the matcher" in line for line in lines) == 1  # once per outage


def test_the_loop_stops_at_max_runtime_and_on_request(tmp_path):
    fill = Fill(BASE, QUOTE, 4, 600, 1, 10**6)
    busy = {"status": "open (6 resting, 1 fill(s) settling)", "trades": []}
    venue = StandInVenue(statuses={"o-1": busy}, fills=[_view(Trade("b", "o-1", "o-1", fill, 150), "submitted")])
    agent = TraderAgent(venue, [trader_with_order(tmp_path)], lambda line: None, poll=0.05)
    assert agent.run(until_idle=0.1, max_runtime=0.5) == "ran for --max-runtime 0.5 s"  # busy: never idle
    agent = TraderAgent(venue, [trader_with_order(tmp_path / "2")], lambda line: None, poll=0.05)
    threading.Timer(0.3, agent.stop).start()
    assert agent.run(until_idle=None, max_runtime=60) == "stopped by a signal"


def _view(trade: Trade, state: str, legs=()):
    from protocol.venue import FillView

    return FillView(trade, trade.fill.deadline, state, tuple(legs), None, None)


def test_a_dropped_order_is_rebooked_once_for_its_rest_and_not_while_a_leg_is_due(tmp_path):
    dropped = {"o-1": {"status": "dropped", "trades": []}}
    trader = trader_with_order(tmp_path, remaining=6)
    fill = Fill(BASE, QUOTE, 4, 600, 1, 10**6)
    waiting = StandInVenue(statuses=dropped, fills=[_view(Trade("b", "o-1", "b", fill, 150), "awaiting_legs", ["buy"])])
    agent = TraderAgent(waiting, [trader], lambda line: None)
    assert agent.rebook(trader, waiting._fills) == [] and waiting.placed == []  # its sell leg is still due

    venue = StandInVenue(statuses=dropped)
    lines: list[str] = []
    agent = TraderAgent(venue, [trader], lines.append)
    assert agent.rebook(trader, []) == ["o-1"]
    assert venue.placed == [(SELL, BASE, QUOTE, 6, 150 * 10**9)]
    assert trader.order("o-1")[1]["status"] == "cancelled" and json.loads(trader.wallet.meta(REBOOK)) == []
    assert "re-booked the rest of o-1 (6 base units) as o-new" in lines[0]
    assert agent.rebook(trader, []) == [] and len(venue.placed) == 1  # once


def test_a_crash_in_the_middle_of_a_rebooking_rebooks_on_restart(tmp_path):
    trader = trader_with_order(tmp_path, remaining=6)
    venue = StandInVenue(statuses={"o-1": {"status": "dropped", "trades": []}}, crash_on_place=True)
    with pytest.raises(Crash):
        TraderAgent(venue, [trader], lambda line: None).rebook(trader, [])
    assert trader.order("o-1")[1]["status"] == "cancelled" and json.loads(trader.wallet.meta(REBOOK)) == ["o-1"]
    restarted = TraderAgent(venue, [trader], lambda line: None)
    assert restarted.rebook(trader, []) == ["o-1"] and venue.placed == [(SELL, BASE, QUOTE, 6, 150 * 10**9)]


def test_trader_run_refuses_a_matcher_that_is_not_a_url(tmp_path):
    result = zktrade("trader", "run", "--wallet", "w.wallet", "--matcher", "matcher.sqlite", cwd=tmp_path)
    assert_one_line_error(result, "the agent needs the matcher service's URL")
    result = zktrade("trader", "run", "--wallet", "w.wallet", cwd=tmp_path, env={"ZKTRADE_MATCHER_URL": ""})
    assert_one_line_error(result, "--matcher")
