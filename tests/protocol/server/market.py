"""A market on anvil run as separate processes, as people on separate machines would run it:
`zktrade matcher serve` in one process, `zktrade trader run` agents in others, every other step
a `zktrade` command. Used by the service's end-to-end and fault tests."""

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from protocol.chain import devnet

from ...support.tools import require_anvil
from .harness import free_port


@dataclass
class Market:
    work: Path
    rpc: str
    keys: Path
    port: int = field(default_factory=free_port)
    server: subprocess.Popen | None = None
    agents: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {**os.environ, "COLUMNS": "200", "ZKTRADE_CRASH_AT": "", "ZKTRADE_WALLET_PASSPHRASE": "service tests"}

    def run(self, *args: str, expect: int = 0, as_json: bool = False, timeout: int = 600):
        """One `zktrade` command against the node (and the keys); its output, or its JSON."""
        common = [] if args[:2] == ("wallet", "create") else ["--rpc", self.rpc, "--keys", str(self.keys)]
        done = subprocess.run([sys.executable, "-m", "protocol.cli", *args, *common, *(["--json"] if as_json else [])],
                              cwd=self.work, env=self.env(), capture_output=True, text=True, timeout=timeout)
        assert done.returncode == expect, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        return json.loads(done.stdout) if as_json else " ".join((done.stdout + done.stderr).split())

    def serve(self) -> None:
        """`zktrade matcher serve` on the market's port and database; returns once /health answers."""
        log = open(self.work / "matcher.log", "a")
        self.server = subprocess.Popen(
            [sys.executable, "-m", "protocol.cli", "matcher", "serve", "--port", str(self.port), "--db", "matcher.sqlite",
             "--rpc", self.rpc, "--keys", str(self.keys)], cwd=self.work, env=self.env(), stdout=log, stderr=log)
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(f"{self.url}/health", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the matcher did not start:\n{(self.work / 'matcher.log').read_text()[-3000:]}")
            time.sleep(0.3)

    def kill_server(self) -> None:
        """SIGKILL: no shutdown code runs."""
        self.server.send_signal(signal.SIGKILL)
        self.server.wait(timeout=60)

    def stop_server(self) -> None:
        """SIGTERM: uvicorn shuts down gracefully, then re-raises the signal (so -SIGTERM is a clean exit)."""
        self.server.send_signal(signal.SIGTERM)
        code = self.server.wait(timeout=60)
        log = (self.work / "matcher.log").read_text()
        assert code in (0, -signal.SIGTERM) and "Traceback" not in log, f"exit {code}\n{log[-3000:]}"

    def agent(self, *wallets: str, until_idle: float = 6, max_runtime: float = 900) -> subprocess.Popen:
        """`zktrade trader run` for these wallets, in its own process (output in agent-<first>.log)."""
        log = open(self.work / f"agent-{wallets[0]}.log", "a")
        args = [a for w in wallets for a in ("--wallet", w)]
        process = subprocess.Popen(
            [sys.executable, "-m", "protocol.cli", "trader", "run", *args, "--matcher", self.url, "--rpc", self.rpc,
             "--keys", str(self.keys), "--poll", "1", "--until-idle", str(until_idle), "--max-runtime", str(max_runtime)],
            cwd=self.work, env=self.env(), stdout=log, stderr=subprocess.STDOUT)
        self.agents.append((process, wallets))
        return process

    def wait_agents(self, timeout: float = 1200) -> None:
        deadline = time.monotonic() + timeout
        for process, wallets in self.agents:
            code = process.wait(timeout=max(1, deadline - time.monotonic()))
            log = (self.work / f"agent-{wallets[0]}.log").read_text()
            assert code == 0 and "agent stopped: idle" in log, f"agent {wallets}: exit {code}\n{log[-4000:]}"
        self.agents = []

    def balances(self, wallet: str) -> dict[str, tuple[int, int]]:
        """symbol -> (live, pending) in base units."""
        out = self.run("balance", "--wallet", wallet, as_json=True)
        return {b["symbol"]: (int(b["live"]), int(b["pending"])) for b in out["balances"]}

    def close(self) -> None:
        for process, _ in self.agents:
            if process.poll() is None:
                process.kill()
        if self.server is not None and self.server.poll() is None:
            self.server.kill()
            self.server.wait(timeout=60)


UNIT = 10**18  # the test tokens have 18 decimals


def open_market(work: Path, keys: Path) -> tuple[Market, object]:
    """A devnet with the pool deployed; the caller must `devnet.down(work / "devnet")`."""
    require_anvil()
    node = devnet.up(work / "devnet")
    market = Market(work, node.url, keys)
    market.run("deploy")
    return market, node


def sweep_wallets(market: Market, sellers: tuple[str, ...]) -> None:
    """A buyer with 1000 QUOTE shielded, and sellers with 10 BASE each."""
    market.run("wallet", "create", "buyer.wallet")
    market.run("faucet", "--token", "QUOTE", "--amount", "1000", "--wallet", "buyer.wallet")
    market.run("deposit", "--wallet", "buyer.wallet", "--token", "QUOTE", "--amount", "1000")
    for s in sellers:
        market.run("wallet", "create", f"{s}.wallet")
        market.run("faucet", "--token", "BASE", "--amount", "10", "--wallet", f"{s}.wallet")
        market.run("deposit", "--wallet", f"{s}.wallet", "--token", "BASE", "--amount", "10")
