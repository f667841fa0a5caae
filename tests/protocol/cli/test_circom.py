"""`zktrade circom` end to end, as a user runs it, on circom2/snarkjs artefacts."""

import json
import shutil

import pytest

from zk.field import R

from ...conftest import run_snarkjs
from ...support import circom as circom_artifacts
from ...support.tools import assert_one_line_error, zktrade

pytestmark = pytest.mark.node


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A directory with the merkle circuit's files under short names."""
    merkle = circom_artifacts.circuit("merkle")
    d = tmp_path_factory.mktemp("circom-cli")
    for src, dst in ((merkle.r1cs, "c.r1cs"), (merkle.wasm, "c.wasm"), (merkle.wtns, "c.wtns"),
                     (merkle.zkey, "c.zkey"), (merkle.vk, "vk.json"), (merkle.proof, "their_proof.json"),
                     (merkle.public, "their_public.json")):
        shutil.copy(src, d / dst)
    (d / "input.json").write_text(json.dumps(merkle.input))
    return d


def test_help_has_examples(work):
    for command in ("info", "witness", "prove", "verify", "setup", "export"):
        r = zktrade("circom", command, "--help", cwd=work)
        assert r.returncode == 0 and "Example" in r.stdout, r.stdout


def test_info_r1cs(work):
    r = zktrade("circom", "info", "c.r1cs", cwd=work)
    assert r.returncode == 0, r.stderr
    assert "2,724" in r.stdout and "public outputs" in r.stdout and "4,096" in r.stdout


def test_info_refuses_a_foreign_file(work):
    (work / "junk.bin").write_bytes(b"not an iden3 file at all")
    assert_one_line_error(zktrade("circom", "info", "junk.bin", cwd=work), "not an iden3")


def test_prove_from_wtns_snarkjs_verifies(work):
    r = zktrade("circom", "prove", "--zkey", "c.zkey", "--wtns", "c.wtns", "--proof", "p.json", "--public", "pub.json", cwd=work)
    assert r.returncode == 0, r.stderr
    result = run_snarkjs("groth16", "verify", str(work / "vk.json"), str(work / "pub.json"), str(work / "p.json"))
    assert result.returncode == 0 and "OK!" in result.stdout, result.stdout


def test_prove_from_wasm_in_process_snarkjs_verifies(work):
    r = zktrade("circom", "prove", "--zkey", "c.zkey", "--wasm", "c.wasm", "--input", "input.json",
                "--r1cs", "c.r1cs", "--save-wtns", "w.wtns", "--proof", "pw.json", "--public", "pubw.json", cwd=work)
    assert r.returncode == 0, r.stderr
    assert (work / "w.wtns").read_bytes() == (work / "c.wtns").read_bytes()
    result = run_snarkjs("groth16", "verify", str(work / "vk.json"), str(work / "pubw.json"), str(work / "pw.json"))
    assert result.returncode == 0, result.stdout


def test_prove_refuses_inputs_the_circuit_rejects(work):
    bad = json.loads((work / "input.json").read_text())
    bad["index"] = str(1 << 10)  # outside the depth-10 range check
    (work / "bad.json").write_text(json.dumps(bad))
    r = zktrade("circom", "prove", "--zkey", "c.zkey", "--wasm", "c.wasm", "--input", "bad.json", cwd=work)
    assert_one_line_error(r, "assert or constraint failed")


def test_verify_snarkjs_proof_and_reject_tampered_inputs(work):
    ok = zktrade("circom", "verify", "--vk", "vk.json", "--proof", "their_proof.json", "--public", "their_public.json", cwd=work)
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stderr
    ok = zktrade("circom", "verify", "--zkey", "c.zkey", "--proof", "their_proof.json", "--public", "their_public.json", cwd=work)
    assert ok.returncode == 0, ok.stderr
    public = json.loads((work / "their_public.json").read_text())
    (work / "tampered.json").write_text(json.dumps([public[0], str(int(public[1]) + 1)]))
    bad = zktrade("circom", "verify", "--vk", "vk.json", "--proof", "their_proof.json", "--public", "tampered.json", cwd=work)
    assert_one_line_error(bad, "error: INVALID")  # the one-line form of every other error
    assert bad.returncode == 1 and "Error:" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    (work / "huge.json").write_text(json.dumps([public[0], str(R)]))
    bad = zktrade("circom", "verify", "--vk", "vk.json", "--proof", "their_proof.json", "--public", "huge.json", cwd=work)
    assert_one_line_error(bad, "not a canonical field element")


def test_witness_command_equals_snarkjs_and_keeps_big_unquoted_integers_exact(work):
    r = zktrade("circom", "witness", "--wasm", "c.wasm", "--input", "input.json", "--wtns", "w2.wtns", cwd=work)
    assert r.returncode == 0 and "note" not in r.stderr, r.stderr
    assert (work / "w2.wtns").read_bytes() == (work / "c.wtns").read_bytes()
    text = (work / "input.json").read_text()
    secret = json.loads(text)["secret"]  # 12345678901234567890 > 2^53: JSON.parse would round it
    (work / "unquoted.json").write_text(text.replace(f'"{secret}"', secret))
    r = zktrade("circom", "witness", "--wasm", "c.wasm", "--input", "unquoted.json", "--wtns", "w3.wtns", cwd=work)
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("above 2^53") == 1 and "input secret is" in r.stderr and "snarkjs rounds it" in r.stderr
    assert (work / "w3.wtns").read_bytes() == (work / "c.wtns").read_bytes()  # the exact value was used


def test_info_on_a_wtns_does_not_guess_which_wires_are_public(work):
    info = zktrade("circom", "info", "c.wtns", cwd=work)
    assert info.returncode == 0 and "wire 1" in info.stdout and "public" not in info.stdout, info.stdout


def test_truncated_zkey_is_one_line_error(work):
    (work / "short.zkey").write_bytes((work / "c.zkey").read_bytes()[:5000])
    r = zktrade("circom", "prove", "--zkey", "short.zkey", "--wtns", "c.wtns", cwd=work)
    assert_one_line_error(r, "truncated")


def test_witness_of_another_circuit_is_refused(work):
    small = circom_artifacts.circuit("small")
    shutil.copy(small.wtns, work / "small.wtns")
    r = zktrade("circom", "prove", "--zkey", "c.zkey", "--wtns", "small.wtns", cwd=work)
    assert_one_line_error(r, "was the witness computed for this circuit?")


def test_setup_then_snarkjs_proves(work):
    small = circom_artifacts.circuit("small")
    shutil.copy(circom_artifacts.ptau(), work / "pot.ptau")
    r = zktrade("circom", "setup", str(small.r1cs), "--ptau", "pot.ptau", "--zkey", "s.zkey", "--vk", "svk.json", cwd=work)
    assert r.returncode == 0, r.stderr
    assert "DEV-ONLY" in r.stderr
    result = run_snarkjs("groth16", "prove", str(work / "s.zkey"), str(small.wtns), str(work / "sp.json"), str(work / "spub.json"))
    assert result.returncode == 0, result.stdout + result.stderr
    ok = zktrade("circom", "verify", "--vk", "svk.json", "--proof", "sp.json", "--public", "spub.json", cwd=work)
    assert ok.returncode == 0, ok.stderr
    theirs = run_snarkjs("groth16", "verify", str(work / "svk.json"), str(work / "spub.json"), str(work / "sp.json"))
    assert theirs.returncode == 0, theirs.stdout


def test_setup_refuses_a_truncated_ptau(work):
    merkle = circom_artifacts.circuit("merkle")
    (work / "cut.ptau").write_bytes(circom_artifacts.ptau().read_bytes()[:100_000])
    r = zktrade("circom", "setup", str(merkle.r1cs), "--ptau", "cut.ptau", "--zkey", "x.zkey", cwd=work)
    assert_one_line_error(r, "truncated")
    assert not (work / "x.zkey").exists()


def test_export_our_circuit_snarkjs_checks_the_witness(work):
    (work / "cubic_in.json").write_text(json.dumps({"x": 3}))
    r = zktrade("circom", "export", "cubic", "--r1cs", "cubic.r1cs", "--input", "cubic_in.json", "--wtns", "cubic.wtns", cwd=work)
    assert r.returncode == 0, r.stderr
    check = run_snarkjs("wtns", "check", str(work / "cubic.r1cs"), str(work / "cubic.wtns"))
    assert check.returncode == 0 and "WITNESS IS CORRECT" in check.stdout, check.stdout + check.stderr
    info = zktrade("circom", "info", "cubic.r1cs", cwd=work)
    assert info.returncode == 0 and "public inputs" in info.stdout
