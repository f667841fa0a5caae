"""The trading CLI as users run it: separate processes against anvil (the embedded chain dies with
its process). A wallet process killed between the steps of an operation (ZKTRADE_CRASH_AT names
the point) loses nothing: the next command finishes it. Bad input gets one line, no traceback."""

import json
import os
import subprocess
import sys

import pytest

from protocol.chain import devnet

pytestmark = [pytest.mark.node, pytest.mark.slow]

ALICE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
BOB = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
CAROL = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
CRASHED = 97


@pytest.fixture(scope="module")
def cli(tmp_path_factory, protocol_keys):
    try:
        devnet.anvil_binary()
    except devnet.DevnetError as exc:
        pytest.skip(str(exc))
    work = tmp_path_factory.mktemp("crash")
    node = devnet.up(work / "devnet")

    def run(*args: str, crash_at: str | None = None, expect: int = 0) -> str:
        env = {**os.environ, "ZKTRADE_CRASH_AT": crash_at or ""}
        common = [] if args[:2] == ("wallet", "create") else ["--rpc", node.url, "--keys", str(protocol_keys)]
        done = subprocess.run([sys.executable, "-m", "protocol.cli", *args, *common], cwd=work, env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == expect, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done.stdout + done.stderr

    run("deploy")
    run("wallet", "create", "alice.wallet", "--account", ALICE)
    run("wallet", "create", "bob.wallet", "--account", BOB)
    run("faucet", "--token", "QUOTE", "--amount", "1000", "--to", ALICE)
    run("faucet", "--token", "BASE", "--amount", "10", "--to", BOB)
    yield run, work
    devnet.down(work / "devnet")


def test_crashes_at_every_step_lose_nothing(cli):
    run, work = cli
    # Killed after recording the deposit, before sending it: the next command sends it.
    run("deposit", "--wallet", "alice.wallet", "--token", "QUOTE", "--amount", "600", crash_at="deposit-recorded", expect=CRASHED)
    assert "1000 QUOTE" not in run("balance", "--wallet", "alice.wallet")  # balance resumed: 600 live now
    assert run("balance", "--wallet", "alice.wallet").strip().startswith("600 QUOTE")
    # Killed after sending, before recording success: the next command sees it landed, sends nothing twice.
    run("deposit", "--wallet", "alice.wallet", "--token", "QUOTE", "--amount", "400", crash_at="deposit-sent", expect=CRASHED)
    out = run("wallet", "show", "--wallet", "alice.wallet")
    assert out.count("live") == 2 and "pending" not in out
    run("deposit", "--wallet", "bob.wallet", "--token", "BASE", "--amount", "10")

    run("order", "place", "--wallet", "alice.wallet", "--side", "buy", "--base", "BASE", "--quote", "QUOTE",
        "--size", "4", "--price", "150")
    assert "matched" in run("order", "place", "--wallet", "bob.wallet", "--side", "sell", "--base", "BASE",
                            "--quote", "QUOTE", "--size", "4", "--price", "140")
    # Killed right after proving a leg: the leg and its new notes are in the wallet; the next
    # settle reuses them (the same commitments), so the notes the chain will hold are the ones kept.
    run("settle", "--wallet", "alice.wallet", crash_at="leg-proven", expect=CRASHED)
    pending = run("wallet", "show", "--wallet", "alice.wallet")
    assert pending.count("pending") == 2
    run("settle", "--wallet", "alice.wallet")
    assert "settled trade" in run("settle", "--wallet", "bob.wallet")
    alice = run("balance", "--wallet", "alice.wallet")
    assert "400 QUOTE" in alice and "4 BASE" in alice and "pending" not in alice  # 1000 − 600 paid
    # Killed after proving a withdrawal, before sending it: resume sends it exactly once.
    run("withdraw", "--wallet", "bob.wallet", "--token", "QUOTE", "--amount", "100", "--to", CAROL,
        crash_at="withdraw-proven", expect=CRASHED)
    assert "withdrawal sent again" in run("wallet", "resume", "--wallet", "bob.wallet")
    bob = run("balance", "--wallet", "bob.wallet")
    assert "500 QUOTE" in bob and "6 BASE" in bob
    book = json.loads((work / ".zktrade" / "book.json").read_text())
    assert len(book["settled"]) == 1


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
          "--size", "1000", "--price", "1"), "no single live note"),
        (("withdraw", "--wallet", "bob.wallet", "--token", "BASE", "--amount", "10000", "--to", CAROL), "no single live note"),
        (("order", "cancel", "--wallet", "bob.wallet", "o-missing"), "has no order o-missing"),
    ]
    before = run("wallet", "show", "--wallet", "bob.wallet")
    for args, message in cases:
        out = run(*args, expect=1)
        assert message in out and "Traceback" not in out, (args, out)
    assert run("wallet", "show", "--wallet", "bob.wallet") == before
