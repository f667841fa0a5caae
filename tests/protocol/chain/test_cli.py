"""`zktrade devnet|deploy|export solidity|vyper` as a user runs them."""

import json

import pytest

from ...support.tools import require_anvil, zktrade

pytest.importorskip("web3")


def test_export_solidity_and_vyper_compile(tmp_path):
    from protocol.chain.compiler import compile_contract, compile_vyper

    assert zktrade("setup", "cubic", "--out", "keys", "--seed", "1", cwd=tmp_path).returncode == 0
    r = zktrade("export", "solidity", "--vk", "keys/verification_key.json", "--pair", "--out", "V.sol", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    abi = compile_contract("Groth16Verifier", {"V.sol": (tmp_path / "V.sol").read_text()}).abi
    assert {f["name"] for f in abi} == {"verifyProof", "verifyProofPair"}
    r = zktrade("export", "vyper", "--vk", "keys/verification_key.json", "--pair", cwd=tmp_path)
    assert r.returncode == 0 and "def verifyProof" in r.stdout
    assert {f["name"] for f in compile_vyper(r.stdout, "V").abi} == {"verifyProof", "verifyProofPair"}
    r = zktrade("export", "solidity", "--vk", "missing.json", cwd=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr


@pytest.mark.node
def test_devnet_up_deploy_status_down(tmp_path):
    require_anvil()
    for name in ("free_publics8", "free_publics7"):
        assert zktrade("setup", name, "--out", name, "--seed", "1", cwd=tmp_path).returncode == 0
    r = zktrade("deploy", "--leg-vk", "free_publics8/verification_key.json",
                "--withdraw-vk", "free_publics8/verification_key.json", cwd=tmp_path)
    assert r.returncode == 1 and "devnet up" in r.stderr
    try:
        r = zktrade("devnet", "up", cwd=tmp_path)
        assert r.returncode == 0 and "http://127.0.0.1:" in r.stdout, r.stderr
        assert zktrade("devnet", "status", cwd=tmp_path).returncode == 0
        r = zktrade("deploy", "--leg-vk", "free_publics8/verification_key.json",
                    "--withdraw-vk", "free_publics8/verification_key.json", cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        deployment = json.loads((tmp_path / "deployment.json").read_text())
        assert set(deployment["tokens"]) == {"BASE", "QUOTE"} and deployment["pool"].startswith("0x")
        r = zktrade("deploy", "--leg-vk", "free_publics7/verification_key.json",
                    "--withdraw-vk", "free_publics8/verification_key.json", cwd=tmp_path)
        assert r.returncode == 1 and "8 public inputs" in r.stderr and "Traceback" not in r.stderr
    finally:
        assert zktrade("devnet", "down", cwd=tmp_path).returncode == 0
    r = zktrade("devnet", "status", cwd=tmp_path)
    assert r.returncode == 1 and "no devnet" in r.stderr
