"""The proof-system CLI end to end, as a user runs it: exit codes and one-line errors."""

import json

import pytest

from ...support.tools import assert_one_line_error, zktrade


@pytest.fixture(scope="module")
def keys_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    r = zktrade("setup", "cubic", "--out", "keys", "--seed", "1", cwd=d)
    assert r.returncode == 0, r.stderr
    assert "DEV-ONLY KEYS" in r.stderr
    return d


def test_setup_prove_verify_export(keys_dir):
    d = keys_dir
    (d / "input.json").write_text(json.dumps({"x": 3}))
    r = zktrade("prove", "cubic", "--pk", "keys/proving_key.pk", "--input", "input.json",
                "--proof", "proof.json", "--public", "public.json", cwd=d)
    assert r.returncode == 0, r.stderr
    assert json.loads((d / "public.json").read_text()) == ["35"]
    r = zktrade("verify", "--vk", "keys/verification_key.json", "--proof", "proof.json", "--public", "public.json", cwd=d)
    assert r.returncode == 0 and "OK" in r.stdout, r.stdout + r.stderr
    r = zktrade("export", "calldata", "--proof", "proof.json", "--public", "public.json", cwd=d)
    assert r.returncode == 0 and r.stdout.startswith('["0x'), r.stdout + r.stderr
    r = zktrade("export", "calldata", "--abi", "--proof", "proof.json", "--public", "public.json", cwd=d)
    assert r.returncode == 0 and len(r.stdout.strip()) == 2 + 2 * (4 + 32 * 9)

    (d / "wrong.json").write_text(json.dumps(["36"]))
    r = zktrade("verify", "--vk", "keys/verification_key.json", "--proof", "proof.json", "--public", "wrong.json", cwd=d)
    assert_one_line_error(r, "error: INVALID")
    assert r.returncode == 1


def test_user_errors_are_one_line(keys_dir):
    d = keys_dir
    assert_one_line_error(zktrade("circuit", "info", "nope", cwd=d), "no circuit named 'nope'", "cubic")
    (d / "bad_input.json").write_text(json.dumps({"z": 3}))
    assert_one_line_error(
        zktrade("prove", "cubic", "--pk", "keys/proving_key.pk", "--input", "bad_input.json", cwd=d),
        "takes inputs ['x']",
    )
    (d / "big.json").write_text(json.dumps({"x": str(2**300)}))
    assert_one_line_error(
        zktrade("prove", "cubic", "--pk", "keys/proving_key.pk", "--input", "big.json", cwd=d),
        "not a canonical field element",
    )
    assert_one_line_error(
        zktrade("verify", "--vk", "missing.json", "--proof", "p.json", "--public", "q.json", cwd=d),
        "does not exist",
    )
    (d / "gates_in.json").write_text(json.dumps({"s": 1}))
    zktrade("setup", "gates64x32", "--out", "gk", "--seed", "2", cwd=d)
    assert_one_line_error(
        zktrade("prove", "cubic", "--pk", "gk/proving_key.pk", "--input", "input.json", cwd=d),
        "run setup for this circuit",
    )


def test_circuit_list_and_info(keys_dir):
    r = zktrade("circuit", "list", cwd=keys_dir)
    assert r.returncode == 0 and "cubic" in r.stdout and "gates300" in r.stdout
    r = zktrade("circuit", "info", "cubic", cwd=keys_dir)
    assert r.returncode == 0, r.stderr
    for text in ("constraints", "3", "public inputs   y", "cubic", "R1CS digest"):
        assert text in r.stdout


def test_verify_run_in_process_leaves_the_process_backend_as_it_was(keys_dir, monkeypatch):
    """`zktrade verify` prefers the pure-Python pairing for its one proof; run in-process (as
    the tests and library callers do) it must not leave every later proof on that slow path."""
    from click.testing import CliRunner

    from protocol.cli import cli
    from zk.backends import get_backend

    d = keys_dir
    (d / "in-process.json").write_text(json.dumps({"x": 2}))
    r = zktrade("prove", "cubic", "--pk", "keys/proving_key.pk", "--input", "in-process.json",
                "--proof", "ip-proof.json", "--public", "ip-public.json", cwd=d)
    assert r.returncode == 0, r.stderr
    monkeypatch.delenv("ZKTRADE_BACKEND", raising=False)
    monkeypatch.chdir(d)
    before = get_backend().name
    result = CliRunner().invoke(cli, ["verify", "--vk", "keys/verification_key.json",
                                       "--proof", "ip-proof.json", "--public", "ip-public.json"])
    assert result.exit_code == 0, result.output
    assert get_backend().name == before == "fast"
