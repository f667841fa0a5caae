"""End to end through the matcher service on anvil, every party its own process: the matcher
(`zktrade matcher serve`), a buyer's agent and a sellers' agent (`zktrade trader run`, one process
for three sellers' wallets: the issue's two agents, three sellers), orders placed with
`zktrade order place --matcher URL`. The buyer sweeps the three sellers in one order; the agents
prove and send every leg (the buyer's three legs one after another, each spending the change of
the one before) and the matcher settles all three fills on chain; balances are exact."""

import signal
import time

import pytest

from .server.market import UNIT, open_market, sweep_wallets

pytestmark = [pytest.mark.node, pytest.mark.slow]

SELLERS = ("s1", "s2", "s3")
CAROL = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"  # a fresh address for the relayed withdrawal
ASKS = {"s1": 140, "s2": 145, "s3": 148}  # 2 BASE each; the buyer pays each maker's price


@pytest.fixture()
def market(tmp_path, protocol_keys):
    market, _ = open_market(tmp_path, protocol_keys)
    yield market
    market.close()
    from protocol.chain import devnet

    devnet.down(tmp_path / "devnet")


def test_a_sweep_of_three_sellers_settles_through_the_service_with_exact_balances(market):
    sweep_wallets(market, SELLERS)
    market.serve()
    m = ["--matcher", market.url]
    for s, price in ASKS.items():
        out = market.run("order", "place", "--wallet", f"{s}.wallet", *m, "--side", "sell", "--base", "BASE",
                         "--quote", "QUOTE", "--size", "2", "--price", str(price))
        assert "booked" in out and "matched" not in out
    out = market.run("order", "place", "--wallet", "buyer.wallet", *m, "--side", "buy", "--base", "BASE",
                     "--quote", "QUOTE", "--size", "6", "--price", "150")
    assert out.count("matched") == 3
    market.agent("buyer.wallet")
    market.agent(*(f"{s}.wallet" for s in SELLERS))
    market.wait_agents()

    paid = sum(2 * p for p in ASKS.values())
    assert market.balances("buyer.wallet") == {"QUOTE": ((1000 - paid) * UNIT, 0), "BASE": (6 * UNIT, 0)}
    for s, price in ASKS.items():
        assert market.balances(f"{s}.wallet") == {"BASE": (8 * UNIT, 0), "QUOTE": (2 * price * UNIT, 0)}
    trades = market.run("match", "--wallet", "buyer.wallet", *m, as_json=True)["trades"]
    assert [t["state"] for t in trades] == ["settled"] * 3
    assert sorted(int(t["quote_amount"]) for t in trades) == sorted(2 * p * UNIT for p in ASKS.values())
    listed = market.run("order", "list", "--wallet", "buyer.wallet", *m, as_json=True)["orders"]
    assert [(o["wallet_status"], o["matcher_status"]) for o in listed] == [("filled", "filled")]
    # The service is dark: without a wallet, `match` against it says so in one line.
    assert "pass --wallet" in market.run("match", *m, expect=1)

    # The other commands with a URL: a cancel, a trade settled with `settle --wallet`, a relayed withdrawal.
    out = market.run("order", "place", "--wallet", "s3.wallet", *m, "--side", "sell", "--base", "BASE",
                     "--quote", "QUOTE", "--size", "1", "--price", "500")
    order_id = out.split("order ")[1].split()[0]
    assert f"cancelled {order_id}" in market.run("order", "cancel", "--wallet", "s3.wallet", order_id, *m)
    [listed] = [o for o in market.run("order", "list", "--wallet", "s3.wallet", *m, as_json=True)["orders"]
                if o["order_id"] == order_id]
    assert (listed["wallet_status"], listed["matcher_status"]) == ("cancelled", "cancelled")
    market.run("order", "place", "--wallet", "s2.wallet", *m, "--side", "sell", "--base", "BASE", "--quote", "QUOTE",
               "--size", "1", "--price", "100")
    assert "matched" in market.run("order", "place", "--wallet", "buyer.wallet", *m, "--side", "buy", "--base", "BASE",
                                   "--quote", "QUOTE", "--size", "1", "--price", "100")
    assert "proved the sell leg" in market.run("settle", "--wallet", "s2.wallet", *m)
    assert "settled trade" in market.run("settle", "--wallet", "buyer.wallet", *m)
    assert "(relayed, fee 1 QUOTE)" in market.run("withdraw", "--wallet", "s1.wallet", *m, "--token", "QUOTE",
                                                 "--amount", "100", "--to", CAROL, "--relayer", "--fee", "1")
    assert market.balances("buyer.wallet") == {"QUOTE": ((1000 - paid - 100) * UNIT, 0), "BASE": (7 * UNIT, 0)}
    assert market.balances("s2.wallet") == {"BASE": (7 * UNIT, 0), "QUOTE": ((2 * 145 + 100) * UNIT, 0)}
    assert market.balances("s1.wallet") == {"BASE": (8 * UNIT, 0), "QUOTE": ((2 * 140 - 100) * UNIT, 0)}

    # An agent asked to stop (SIGTERM) stops between two steps, with a clean exit.
    agent = market.agent("s1.wallet", until_idle=3600)
    log = market.work / "agent-s1.wallet.log"
    deadline = time.monotonic() + 300
    while "agent for s1.wallet on" not in log.read_text():  # printed once its signal handlers are set
        assert agent.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.5)
    agent.send_signal(signal.SIGTERM)
    assert agent.wait(timeout=120) == 0 and "agent stopped: stopped by a signal" in log.read_text()
    market.agents = []
    market.stop_server()
    assert "is `zktrade matcher serve` running" in market.run("trader", "run", "--wallet", "s1.wallet", *m, expect=1)
    assert "is `zktrade matcher serve` running" in market.run("order", "list", "--wallet", "buyer.wallet", *m, expect=1)
