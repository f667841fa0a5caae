"""Where zktrade writes its caches (zk/cache.py); tests/packaging/test_wheel.py checks the package data."""

import json
import os
import subprocess
import sys
from pathlib import Path

from zk.cache import cache_dir


def test_cache_dir_is_the_per_user_one_unless_overridden(monkeypatch, tmp_path):
    monkeypatch.delenv("ZKTRADE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))  # what platformdirs reads on Linux
    assert cache_dir("solc") == tmp_path / "xdg" / "zktrade" / "solc"
    monkeypatch.setenv("ZKTRADE_CACHE", str(tmp_path / "mine"))
    assert cache_dir("keys") == tmp_path / "mine" / "keys"


def _numba_cache_dir(env: dict[str, str], cwd: Path) -> str:
    """numba's cache directory in a fresh process that has imported the fast kernels."""
    code = "import numba, zk.backends._fast_kernels; print(numba.config.CACHE_DIR)"
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_numba_caches_kernels_in_the_zktrade_cache_or_where_numba_is_told(tmp_path):
    src = str(Path(__file__).resolve().parents[2])
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env.update(ZKTRADE_CACHE=str(tmp_path / "z"), PYTHONPATH=src)
    assert _numba_cache_dir(env, tmp_path) == str(tmp_path / "z" / "numba")
    assert _numba_cache_dir({**env, "NUMBA_CACHE_DIR": str(tmp_path / "n")}, tmp_path) == str(tmp_path / "n")


def test_compiled_contracts_are_cached_under_the_cache_dir(monkeypatch, tmp_path):
    from protocol.chain.compiler import compile_vyper

    monkeypatch.setenv("ZKTRADE_CACHE", str(tmp_path))
    source = "@external\n@pure\ndef f() -> uint256:\n    return 7\n"
    artifact = compile_vyper(source, "F")
    [entry] = (tmp_path / "vyper").glob("*.json")
    assert json.loads(entry.read_text())["abi"] == list(artifact.abi)
