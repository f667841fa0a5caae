"""The trading CLI as users run it: separate processes against anvil (the embedded chain dies with
its process). A wallet process killed between the steps of an operation (ZKTRADE_CRASH_AT names
the point) loses nothing: the next command finishes it. Bad input gets one line, no traceback."""

import json
import os
import subprocess
import sys

import pytest

from protocol.chain import devnet

from ...support.tools import require_anvil

pytestmark = [pytest.mark.node, pytest.mark.slow]

CAROL = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
CRASHED = 97


@pytest.fixture(scope="module")
def cli(tmp_path_factory, protocol_keys):
    require_anvil()
    work = tmp_path_factory.mktemp("crash")
    node = devnet.up(work / "devnet")

    def run(*args: str, crash_at: str | None = None, expect: int = 0, as_json: bool = False):
        env = {**os.environ, "ZKTRADE_CRASH_AT": crash_at or ""}
        common = [] if args[:2] == ("wallet", "create") else ["--rpc", node.url, "--keys", str(protocol_keys)]
        done = subprocess.run([sys.executable, "-m", "protocol.cli", *args, *common, *(["--json"] if as_json else [])],
                              cwd=work, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == expect, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        if as_json:
            return json.loads(done.stdout)
        return " ".join((done.stdout + done.stderr).split())  # rich wraps long lines

    run("deploy")
    run("wallet", "create", "alice.wallet", "--no-passphrase")
    run("wallet", "create", "bob.wallet", "--no-passphrase")
    run("faucet", "--token", "QUOTE", "--amount", "1000", "--wallet", "alice.wallet")
    run("faucet", "--token", "BASE", "--amount", "10", "--wallet", "bob.wallet")
    yield run, work
    devnet.down(work / "devnet")


def test_crashes_at_every_step_lose_nothing(cli):
    run, work = cli
    # Killed after recording the signed deposit, before broadcasting it: the next command sends it.
    run("deposit", "--wallet", "alice.wallet", "--token", "QUOTE", "--amount", "600", crash_at="deposit-recorded", expect=CRASHED)
    out = run("balance", "--wallet", "alice.wallet")
    assert "sent as recorded" in out and out.startswith("600 QUOTE")
    # Killed after broadcasting, before the receipt: the next command finds it, sends nothing twice.
    run("deposit", "--wallet", "alice.wallet", "--token", "QUOTE", "--amount", "400", crash_at="deposit-sent", expect=CRASHED)
    out = run("wallet", "show", "--wallet", "alice.wallet")
    assert out.count("live") == 2 and "pending" not in out  # the sync found it landed
    run("deposit", "--wallet", "bob.wallet", "--token", "BASE", "--amount", "10")

    run("order", "place", "--wallet", "alice.wallet", "--side", "buy", "--base", "BASE", "--quote", "QUOTE",
        "--size", "4", "--price", "150")
    assert "matched" in run("order", "place", "--wallet", "bob.wallet", "--side", "sell", "--base", "BASE",
                            "--quote", "QUOTE", "--size", "4", "--price", "140")
    # Killed right after proving a leg: the leg and its new notes are in the wallet; the next
    # settle hands in the same leg (the same commitments), so the notes kept are the chain's.
    run("settle", "--wallet", "alice.wallet", crash_at="leg-proven", expect=CRASHED)
    assert run("wallet", "show", "--wallet", "alice.wallet").count("pending") == 2
    run("settle", "--wallet", "alice.wallet")
    assert "settled trade" in run("settle", "--wallet", "bob.wallet")
    alice = run("balance", "--wallet", "alice.wallet")
    assert "400 QUOTE" in alice and "4 BASE" in alice and "pending" not in alice  # 600 paid at her price
    # Killed after proving a withdrawal, before sending it: resume signs and sends it once.
    run("withdraw", "--wallet", "bob.wallet", "--token", "QUOTE", "--amount", "100", "--to", CAROL,
        crash_at="withdraw-proven", expect=CRASHED)
    assert "withdrawal signed and sent" in run("wallet", "resume", "--wallet", "bob.wallet")
    # Relayed to a fresh address: the relayer gets the fee.
    assert "(relayed, fee 1 QUOTE)" in run("withdraw", "--wallet", "bob.wallet", "--token", "QUOTE", "--amount", "50",
                                          "--to", CAROL, "--relayer", "--fee", "1")
    bob = run("balance", "--wallet", "bob.wallet")
    assert "450 QUOTE" in bob and "6 BASE" in bob
    trades = run("match")
    assert trades.count("settled") == 1 and "awaiting" not in trades
    # The same figures for scripts, as JSON.
    [trade] = run("match", as_json=True)["trades"]
    assert trade["state"] == "settled" and trade["base_amount"] == str(4 * 10**18) and trade["legs"] == ["buy", "sell"]
    balances = {b["symbol"]: b for b in run("balance", "--wallet", "bob.wallet", as_json=True)["balances"]}
    assert balances["QUOTE"]["live"] == str(450 * 10 ** balances["QUOTE"]["decimals"]) and balances["QUOTE"]["pending"] == "0"
    [order] = run("order", "list", "--wallet", "alice.wallet", as_json=True)["orders"]
    assert order["side"] == "buy" and order["size"] == str(4 * 10**18) and order["wallet_status"] == "filled"


def test_bad_input_gets_one_line_and_changes_nothing(cli):
    run, work = cli
    cases = [
        (("deposit", "--wallet", "alice.wallet", "--token", "NOPE", "--amount", "1"), "unknown token 'NOPE'"),
        (("deposit", "--wallet", "alice.wallet", "--token", "QUOTE", "--amount", "lots"), "is not a number"),
        (("deposit", "--wallet", "alice.wallet", "--token", "QUOTE", "--amount", "-3"), "must be positive"),
        (("deposit", "--wallet", "nobody.wallet", "--token", "QUOTE", "--amount", "1"), "create one with"),
        (("order", "place", "--wallet", "bob.wallet", "--side", "sell", "--base", "BASE", "--quote", "QUOTE",
          "--size", "1", "--price", "0.0000000001"), "more precision"),
        (("order", "place", "--wallet", "bob.wallet", "--side", "sell", "--base", "BASE", "--quote", "QUOTE",
          "--size", "1000", "--price", "1"), "no single free live note"),
        (("withdraw", "--wallet", "bob.wallet", "--token", "BASE", "--amount", "10000", "--to", CAROL), "no single live note"),
        (("withdraw", "--wallet", "bob.wallet", "--token", "BASE", "--amount", "1", "--to", CAROL, "--fee", "1"),
         "--fee pays a relayer"),
        (("order", "cancel", "--wallet", "bob.wallet", "o-missing"), "has no order o-missing"),
        (("faucet", "--token", "BASE", "--amount", "1"), "exactly one recipient"),
    ]
    before = run("wallet", "show", "--wallet", "bob.wallet")
    for args, message in cases:
        out = run(*args, expect=1)
        assert message in out and "Traceback" not in out, (args, out)
    assert run("wallet", "show", "--wallet", "bob.wallet") == before
