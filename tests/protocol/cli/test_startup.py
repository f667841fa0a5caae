"""Start-up of the `zktrade` command: a command imports only what it runs."""

import json
import subprocess
import sys

import pytest

from ...conftest import ROOT

HEAVY = ("numba", "web3", "wasmtime", "zk.ceremony", "protocol.chain")


def modules_after(*args: str) -> set[str]:
    """The modules a fresh interpreter holds after running `zktrade ARGS` (help output aside)."""
    code = (
        "import json, sys\n"
        "from protocol.cli import cli\n"
        f"cli.main({list(args)!r}, standalone_mode=False)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.splitlines()[-1]))


@pytest.mark.parametrize("command", [["verify", "--help"], ["prove", "--help"], ["circuit", "--help"]])
def test_proof_commands_leave_the_heavy_modules_alone(command):
    loaded = modules_after(*command)
    assert not {m for m in loaded for heavy in HEAVY if m == heavy or m.startswith(heavy + ".")}


def test_help_still_lists_every_command():
    out = subprocess.run([sys.executable, "-m", "protocol.cli", "--help"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    for name in ("verify", "prove", "circom", "bench", "ceremony", "ptau", "devnet", "deposit", "settle"):
        assert f"  {name} " in out
