"""The wheel a user installs: `python -m build`, then pip in a fresh venv, then the main job.

Installed with the pip that `python -m venv` brings (Python 3.11's own 23.2, not upgraded),
from the wheel alone: no editable install, the checkout not on sys.path, run from another
directory with a PATH that holds the venv and nothing else (so no node), caches in a fresh
directory. The dependency versions come from constraints.txt, as in CI.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def _tracked_copy(dest: Path) -> Path:
    """The checkout's tracked files (as they are on disk), so no stale build/ or cache leaks in."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        if (ROOT / name).is_file():  # a tracked file deleted in the work tree is not copied
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    return dest


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv bin dir, working directory, environment) of a fresh install of the built wheel."""
    tmp = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "ZKTRADE_NODE_MODULES", "NUMBA_CACHE_DIR")}
    src = _tracked_copy(tmp / "src")
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp / "dist"), str(src)], tmp, env)
    [wheel] = (tmp / "dist").glob("zktrade-*.whl")
    _run([sys.executable, "-m", "venv", str(tmp / "venv")], tmp, env)
    bin_dir = tmp / "venv" / "bin"
    _run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "-c", str(ROOT / "constraints.txt"), str(wheel)],
         tmp, env)
    work = tmp / "work"
    work.mkdir()
    run_env = {**env, "PATH": str(bin_dir), "ZKTRADE_CACHE": str(tmp / "cache")}
    return bin_dir, work, run_env


@pytest.mark.slow
def test_the_installed_package_is_the_wheel_and_has_no_node(installed):
    bin_dir, work, env = installed
    code = ("import json, shutil, sys, protocol, zk; "
            "print(json.dumps([protocol.__file__, zk.__file__, sys.path, shutil.which('node')]))")
    protocol_file, zk_file, path, node = json.loads(_run([str(bin_dir / "python"), "-c", code], work, env).stdout)
    assert "site-packages" in protocol_file and "site-packages" in zk_file
    assert not any(p and Path(p).resolve() == ROOT for p in path)
    assert node is None


@pytest.mark.slow
def test_zktrade_demo_settles_a_trade_from_the_wheel(installed):
    bin_dir, work, env = installed
    here = work / "demo"
    here.mkdir()
    out = _run([str(bin_dir / "zktrade"), "demo"], here, env, timeout=1200).stdout
    assert "demo complete" in out and "settle tx" in out
    assert list(here.iterdir()) == []  # keys and compiled code went to ZKTRADE_CACHE, not the cwd


@pytest.mark.slow
def test_circuit_info_and_setup_prove_verify_from_the_wheel(installed):
    bin_dir, work, env = installed
    zktrade = str(bin_dir / "zktrade")
    info = _run([zktrade, "circuit", "info", "leg"], work, env).stdout
    assert "constraints" in info and "poseidon" in info.lower()
    _run([zktrade, "setup", "cubic", "--out", "keys", "--seed", "1"], work, env)
    (work / "input.json").write_text('{"x": 3}')
    _run([zktrade, "prove", "cubic", "--pk", "keys/proving_key.pk", "--input", "input.json",
          "--proof", "proof.json", "--public", "public.json"], work, env)
    verified = _run([zktrade, "verify", "--vk", "keys/verification_key.json", "--proof", "proof.json",
                     "--public", "public.json"], work, env)
    assert "OK" in verified.stdout
    (work / "public.json").write_text(json.dumps(["36"]))  # x³ + x + 5 = 35 for x = 3: a wrong claim
    bad = subprocess.run([zktrade, "verify", "--vk", "keys/verification_key.json", "--proof", "proof.json",
                          "--public", "public.json"], cwd=work, env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert shutil.which("node", path=env["PATH"]) is None
