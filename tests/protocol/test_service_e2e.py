"""End to end through the matcher service on anvil, every party its own process: the matcher
(`zktrade matcher serve`), a buyer's agent and a sellers' agent (`zktrade trader run`, one process
for three sellers' wallets: the issue's two agents, three sellers), orders placed with
`zktrade order place --matcher URL`. The buyer sweeps the three sellers in one order; the agents
prove and send every leg (the buyer's three legs one after another, each spending the change of
the one before) and the matcher settles all three fills on chain; balances are exact."""

import pytest

from .server.market import UNIT, open_market, sweep_wallets

pytestmark = [pytest.mark.node, pytest.mark.slow]

SELLERS = ("s1", "s2", "s3")
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
    market.stop_server()
    assert "is `zktrade matcher serve` running" in market.run("order", "list", "--wallet", "buyer.wallet", *m, expect=1)
