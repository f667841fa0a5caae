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


@pytest.fixture(scope="module")
def proof_files(tmp_path_factory):
    """A valid verification_key.json, proof.json and public.json of the cubic circuit."""
    from zk.formats.snarkjs_json import proof_to_json, public_to_json, vk_to_json
    from zk.groth16 import prove

    from ...support.keys import keys

    c, pk, _ = keys("cubic")
    w = c.witness({"x": 3})
    d = tmp_path_factory.mktemp("startup")
    (d / "vk.json").write_text(json.dumps(vk_to_json(pk.vk)))
    (d / "proof.json").write_text(json.dumps(proof_to_json(prove(pk, c.r1cs, w))))
    (d / "public.json").write_text(json.dumps(public_to_json(c.r1cs.public_inputs(w))))
    return d


# What one verification needs no part of: the JIT, arrays, rich's console, py_ecc's curve and
# pairing (their import runs py_ecc's self-checks), the chain.
VERIFY_NEEDS_NONE_OF = (*HEAVY, "numpy", "rich", "py_ecc.optimized_bn128", "zk.backends.fast")


def test_verify_of_one_proof_imports_only_what_it_runs(proof_files, monkeypatch):
    monkeypatch.delenv("ZKTRADE_BACKEND", raising=False)
    d = proof_files
    args = ["verify", "--vk", str(d / "vk.json"), "--proof", str(d / "proof.json"), "--public", str(d / "public.json")]
    loaded = modules_after(*args)
    assert "zk.backends.pairing_python" in loaded  # it did verify, on the pure-Python pairing
    assert not {m for m in loaded for heavy in VERIFY_NEEDS_NONE_OF if m == heavy or m.startswith(heavy + ".")}


def test_verify_honours_an_explicit_backend(proof_files, monkeypatch):
    """ZKTRADE_BACKEND still decides: the command's preference applies only when it is unset."""
    monkeypatch.setenv("ZKTRADE_BACKEND", "reference")
    d = proof_files
    loaded = modules_after("verify", "--vk", str(d / "vk.json"), "--proof", str(d / "proof.json"),
                           "--public", str(d / "public.json"))
    assert "zk.backends.reference" in loaded and "zk.backends.pairing_python" not in loaded
    assert "py_ecc.optimized_bn128.optimized_pairing" in loaded


def test_help_still_lists_every_command():
    out = subprocess.run([sys.executable, "-m", "protocol.cli", "--help"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    for name in ("verify", "prove", "circom", "bench", "ceremony", "ptau", "devnet", "deposit", "settle"):
        assert f"  {name} " in out
