"""The external tools tests run, found in one place: a test that needs one skips, saying how to get it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE_BIN = ROOT / "node_modules" / ".bin"


def node_tool(name: str) -> Path:
    """Path of a pinned npm tool; skips the test with the reason if the tools are absent."""
    path = NODE_BIN / name
    if shutil.which("node") is None:
        pytest.skip("node is not installed: `make test` installs the pinned npm tools (needs Node.js)")
    if not path.exists():
        pytest.skip(f"{path} is missing: run `make test` (it runs `npm ci` from package-lock.json)")
    return path


def run_snarkjs(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run the pinned snarkjs; returns the completed process (exit code not checked)."""
    return subprocess.run(
        ["node", str(node_tool("snarkjs")), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NODE_OPTIONS": "--max-old-space-size=4096"},
    )


def require_anvil() -> Path:
    """The anvil binary the devnet would start; skips the test with devnet's reason if there is none."""
    from protocol.chain import devnet

    try:
        return devnet.anvil_binary()
    except devnet.DevnetError as exc:
        pytest.skip(str(exc))


def zktrade(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run the `zktrade` command as a user does, in its own process (wide columns: no wrapped lines)."""
    return subprocess.run([sys.executable, "-m", "protocol.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200", **(env or {})}, timeout=timeout)


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    """A command failed the way a user should see it fail: non-zero exit, no traceback, the fragments said."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
