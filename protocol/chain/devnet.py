"""A local anvil node from the pinned npm package: start on a free port, health-check, stop.

State lives in one JSON file (pid, port, URL) under the devnet directory, so `down` and
`status` find the node a previous `up` started. No web3 here: the health check is one
JSON-RPC request over urllib, so the CLI stays quick to start.
"""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from zk.errors import MalformedInput
from zk.jsonio import load_json, parse_json

from .compiler import node_modules
from .errors import ChainError

DEFAULT_DIR = Path(".zktrade-devnet")
STATE_FILE = "devnet.json"
MAX_ANSWER = 16 << 20  # bytes of one JSON-RPC answer read (a block with its transactions fits)
LOG_FILE = "anvil.log"
HARDFORK = "prague"  # what the embedded chain runs
START_TIMEOUT = 15.0


class DevnetError(ChainError):
    """anvil is missing, would not start, or is not the process the state file names."""


@dataclass(frozen=True)
class Devnet:
    pid: int
    port: int
    url: str
    log: str


def anvil_binary() -> Path:
    """ZKTRADE_ANVIL, else the binary inside the pinned @foundry-rs/anvil package."""
    if os.environ.get("ZKTRADE_ANVIL"):
        return Path(os.environ["ZKTRADE_ANVIL"])
    candidates = sorted((node_modules() / "@foundry-rs").glob("anvil-*/bin/anvil"))
    if not candidates:
        raise DevnetError(
            f"anvil is not installed under {node_modules() / '@foundry-rs'}: run `npm ci` in the project "
            "(or `make test`), or set ZKTRADE_ANVIL to an anvil binary"
        )
    return candidates[0]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rpc(url: str, method: str, params: list | None = None, timeout: float = 2.0):
    """One JSON-RPC call; raises OSError (connection) or DevnetError (an error answer)."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        answer = parse_json(response.read(MAX_ANSWER + 1), f"{method} answer from {url}", max_bytes=MAX_ANSWER)
    if not isinstance(answer, dict) or ("error" not in answer and "result" not in answer):
        raise DevnetError(f"{method} at {url}: not a JSON-RPC answer")
    if "error" in answer:
        raise DevnetError(f"{method} at {url}: {answer['error']}")
    return answer["result"]


def is_healthy(url: str) -> bool:
    try:
        return int(rpc(url, "eth_chainId"), 16) > 0
    except (OSError, ValueError, DevnetError, MalformedInput):
        return False


def _state_path(directory: Path) -> Path:
    return Path(directory) / STATE_FILE


def _is_anvil(pid: int) -> bool:
    """The pid is alive and is an anvil (a recycled pid must never be signalled)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True  # no /proc (macOS): trust the state file
    return b"anvil" in cmdline


def status(directory: Path = DEFAULT_DIR) -> Devnet | None:
    """The running devnet recorded in `directory`, or None (a stale state file is removed)."""
    path = _state_path(directory)
    if not path.is_file():
        return None
    try:
        devnet = Devnet(**load_json(path, "devnet state file", max_bytes=1 << 16, max_depth=2))
        # Verify every field's type and range before a pid is signalled or a URL is dialled
        if not (type(devnet.pid) is int and 0 < devnet.pid <= 1 << 22 and type(devnet.port) is int
                and 0 < devnet.port < 1 << 16 and isinstance(devnet.url, str) and isinstance(devnet.log, str)):
            raise TypeError("a field has the wrong type or range")
    except (TypeError, MalformedInput) as exc:
        raise DevnetError(f"{path} is not a devnet state file ({exc}): remove it, then `zktrade devnet up`") from None
    if not _is_anvil(devnet.pid):
        path.unlink()
        return None
    return devnet


def up(directory: Path = DEFAULT_DIR, port: int | None = None) -> Devnet:
    """Start anvil on 127.0.0.1 (a free port unless given) and wait until it answers."""
    running = status(directory)
    if running is not None:
        return running
    binary = anvil_binary()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = directory / LOG_FILE
    command = [str(binary), "--host", "127.0.0.1", "--port", str(port), "--hardfork", HARDFORK]
    try:
        with open(log_path, "wb") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       start_new_session=True)
    except OSError as exc:
        raise DevnetError(f"cannot run {binary}: {exc}; run `npm ci` or set ZKTRADE_ANVIL") from None
    deadline = time.monotonic() + START_TIMEOUT
    while not is_healthy(url):
        if process.poll() is not None or time.monotonic() > deadline:
            if process.poll() is None:
                process.terminate()
                process.wait(5)
            tail = log_path.read_text(errors="replace")[-800:].strip()
            raise DevnetError(f"anvil did not start on {url} (exit code {process.returncode}); its log says: {tail or '(empty)'}")
        time.sleep(0.05)
    devnet = Devnet(pid=process.pid, port=port, url=url, log=str(log_path))
    _state_path(directory).write_text(json.dumps(asdict(devnet)) + "\n")
    return devnet


def down(directory: Path = DEFAULT_DIR, timeout: float = 5.0) -> Devnet | None:
    """Stop the recorded anvil (SIGTERM, then SIGKILL after `timeout`); None if none was running."""
    devnet = status(directory)
    if devnet is None:
        return None
    os.kill(devnet.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _is_anvil(devnet.pid) and time.monotonic() < deadline:
        _reap(devnet.pid)
        time.sleep(0.05)
    if _is_anvil(devnet.pid):
        os.kill(devnet.pid, signal.SIGKILL)
        _reap(devnet.pid)
    _state_path(directory).unlink(missing_ok=True)
    return devnet


def _reap(pid: int) -> None:
    """Collect the exit status if anvil is our child (otherwise it is not ours to wait for)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
