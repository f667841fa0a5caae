"""The CLI fed hostile files, as a user runs it: one line on stderr and exit 1, never a crash."""

import json
import subprocess
import sys

import pytest

from ..protocol.test_cli_proofs import zktrade

DEEP = 80_000  # 160 KB; with py_ecc's recursion limit the json module overflowed the C stack here


def assert_refused(result: subprocess.CompletedProcess, *fragments: str) -> None:
    """Exit 1 (not a signal, not a traceback) and exactly one line on stderr."""
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr[-2000:]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def cubic(tmp_path_factory):
    """Keys, a valid proof and public inputs for the `cubic` circuit."""
    d = tmp_path_factory.mktemp("hostile-cli")
    assert zktrade("setup", "cubic", "--out", "keys", "--seed", "3", cwd=d).returncode == 0
    (d / "input.json").write_text(json.dumps({"x": 3}))
    r = zktrade("prove", "cubic", "--pk", "keys/proving_key.pk", "--input", "input.json",
                "--proof", "proof.json", "--public", "public.json", cwd=d)
    assert r.returncode == 0, r.stderr
    (d / "deep.json").write_text("[" * DEEP + "]" * DEEP)
    return d


def test_entry_points_restore_the_recursion_limit():
    """py_ecc sets 100,000 at import; every entry point goes through zk and gets the default back."""
    code = "import sys, protocol.cli, py_ecc; print(sys.getrecursionlimit())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) == sys.getrecursionlimit() < 100_000


@pytest.mark.parametrize("which", ["--vk", "--proof", "--public"])
def test_verify_refuses_a_deep_file(cubic, which):
    files = {"--vk": "keys/verification_key.json", "--proof": "proof.json", "--public": "public.json"}
    files[which] = "deep.json"
    r = zktrade("verify", *(arg for pair in files.items() for arg in pair), cwd=cubic)
    assert_refused(r, "deep.json", f"{DEEP} levels deep")


def test_prove_refuses_a_deep_input(cubic):
    r = zktrade("prove", "cubic", "--pk", "keys/proving_key.pk", "--input", "deep.json",
                "--proof", "p.json", "--public", "q.json", cwd=cubic)
    assert_refused(r, "circuit input", f"{DEEP} levels deep")
