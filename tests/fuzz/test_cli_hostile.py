"""The CLI fed hostile files, as a user runs it: one line on stderr and exit 1, never a crash."""

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ..support.tools import zktrade
from .test_readers import iden3_fields

DEEP = 80_000  # 160 KB; with py_ecc's recursion limit the json module overflowed the C stack here


def assert_refused(result: subprocess.CompletedProcess, *fragments: str) -> None:
    """Exit 1 (not a signal, not a traceback) and one error line, the last on stderr (progress
    lines of the steps that succeeded may precede it)."""
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.lower().startswith("error:")]  # ours, or click's "Error:"
    assert len(errors) == 1 and lines[-1] == errors[0], result.stderr[-2000:]
    for fragment in fragments:
        assert fragment in errors[0], errors[0]


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
    def limit_after(imports: str) -> int:
        code = f"import sys{imports}; print(sys.getrecursionlimit())"
        return int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)

    # (This process's own limit may be py-evm's 12,288: the chain tests import it.)
    assert limit_after(", protocol.cli, py_ecc") == limit_after("") < 100_000


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


def flip_digit(valid: bytes) -> bytes:
    """One digit changed (3 <-> 2, 8 <-> 9, ...) in a point's coordinate (in δ₂ of a vk: its
    vk_alphabeta_12 is redundant, recomputed rather than read) or in the first number."""
    start = max(valid.find(b'"vk_delta_2"'), valid.find(b'"pi_c"'), 0)
    at = next(i for i in range(start, len(valid)) if valid[i : i + 1].isdigit())
    return valid[:at] + bytes([valid[at] ^ 1]) + valid[at + 1 :]


def hostile_json(valid: bytes) -> dict[str, bytes]:
    """A fixed set of damaged JSON documents derived from a valid one."""
    return {
        "truncated.json": valid[: len(valid) // 2],
        "digit_flipped.json": flip_digit(valid),
        "empty.json": b"",
        "nan.json": b"[NaN]",
        "duplicate.json": b'{"a": 1, "a": 1}',
        "huge_number.json": b"[" + b"9" * 5000 + b"]",
        "wrong_shape.json": b'{"pi_a": 0, "vk_alpha_1": -1}' if valid.startswith(b"{") else b'{"0": "1"}',
        "latin1.json": b'["' + bytes([0xE9]) + b'"]',
        "deep_inside.json": valid[:1] + b"[" * DEEP + b"]" * DEEP + b"," + valid[1:],
    }


def hostile_binary(valid: bytes, iden3: bool) -> dict[str, bytes]:
    """A fixed set of damaged binary files: cut, flipped, and counts set to 0, 2^32-1, -1."""
    files = {
        "truncated": valid[: len(valid) // 2],
        "flipped": valid[: len(valid) * 3 // 4] + bytes([valid[len(valid) * 3 // 4] ^ 1]) + valid[len(valid) * 3 // 4 + 1 :],
        "empty": b"",
        "garbage": bytes(range(256)) * 4,
    }
    if iden3:
        u32s, u64s = iden3_fields(valid)
        for name, offset, value, width in [
            ("sections_max", u32s[0], 2**32 - 1, 4), ("sections_zero", u32s[0], 0, 4),
            ("size_max", u64s[0], 2**64 - 1, 8), ("size_negative", u64s[0], 2**63, 8),
            ("size_zero", u64s[0], 0, 8), ("second_size_max", u64s[1], 2**32 - 1, 8),
        ]:
            files[name] = valid[:offset] + value.to_bytes(width, "little") + valid[offset + width :]
    else:  # the native key's big-endian header length
        for name, value in [("header_max", 2**32 - 1), ("header_zero", 0), ("header_negative", 2**31)]:
            files[name] = valid[:12] + value.to_bytes(4, "big") + valid[16:]
    return files


def write_all(d: Path, files: dict[str, bytes], suffix: str) -> list[str]:
    for name, data in files.items():
        (d / (name + suffix)).write_bytes(data)
    return [name + suffix for name in files]


def refuse_all(d: Path, jobs: list[tuple[tuple[str, ...], str]], what: str) -> None:
    """Run every (arguments, expected fragment) job as a subprocess; each must be refused."""
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda job: zktrade(*job[0], cwd=d), jobs))
    for (args, fragment), result in zip(jobs, results):
        assert_refused(result, *filter(None, [fragment])), args
    print(f"\n{what}: {len(jobs)} hostile files, each refused with one line and exit 1")


@pytest.mark.slow
def test_verify_and_prove_refuse_hostile_files(cubic):
    d = cubic
    valid = {"--vk": "keys/verification_key.json", "--proof": "proof.json", "--public": "public.json"}
    jobs = []
    for role in valid:
        for bad in write_all(d, hostile_json((d / valid[role]).read_bytes()), suffix=role.strip("-")):
            args = {**valid, role: bad}
            # Another public value is well-formed: the pairing check is what refuses it.
            expected = "INVALID" if role == "--public" and bad.startswith("digit_flipped") else bad
            jobs.append((("verify", *(a for pair in args.items() for a in pair)), expected))
    inputs = hostile_json(json.dumps({"x": "3"}).encode())
    del inputs["digit_flipped.json"]  # x = 2 is another valid input
    prove = ("prove", "cubic", "--proof", "p.json", "--public", "q.json")
    jobs += [((*prove, "--pk", "keys/proving_key.pk", "--input", bad), "") for bad in write_all(d, inputs, "input")]
    keys = hostile_binary((d / "keys/proving_key.pk").read_bytes(), iden3=False)
    jobs += [((*prove, "--pk", bad, "--input", "input.json"), "") for bad in write_all(d, keys, ".pk")]
    refuse_all(d, jobs, "verify and prove")


@pytest.fixture(scope="module")
def ceremony(cubic):
    """A phase-1 and phase-2 ceremony for `cubic`, run through the CLI as a user would."""
    d = cubic
    for args in (("ptau", "new", "4", "p0.ptau"), ("ptau", "contribute", "p0.ptau", "p1.ptau", "--entropy", "a"),
                 ("ptau", "prepare", "p1.ptau", "p.ptau"), ("ceremony", "new", "cubic", "--ptau", "p.ptau", "--out", "c0.zkey"),
                 ("ceremony", "contribute", "c0.zkey", "c1.zkey", "--entropy", "b"),
                 ("circuit", "export", "cubic", "--r1cs", "cubic.r1cs", "--input", "input.json", "--wtns", "cubic.wtns")):
        r = zktrade(*args, cwd=d)
        assert r.returncode == 0, (args, r.stderr)
    r = zktrade("ceremony", "verify", "c1.zkey", "--circuit", "cubic.r1cs", "--ptau", "p.ptau", cwd=d)
    assert r.returncode == 0, r.stderr
    return d


@pytest.mark.slow
def test_circom_and_ceremony_commands_refuse_hostile_files(ceremony):
    d = ceremony
    hostile = {}
    for source in ("cubic.r1cs", "cubic.wtns", "c1.zkey", "p.ptau"):
        files = hostile_binary((d / source).read_bytes(), iden3=True)
        if source.endswith((".r1cs", ".wtns")):
            del files["flipped"]  # no points there: a flipped coefficient is another valid file
        hostile[source] = write_all(d, files, "." + source.split(".")[1])
    proofs = write_all(d, hostile_json((d / "proof.json").read_bytes()), "cproof")
    verify = ("ceremony", "verify")
    jobs = [(("circom", "info", bad), "") for files in hostile.values() for bad in files]
    jobs += [((*verify, bad, "--circuit", "cubic.r1cs", "--ptau", "p.ptau"), "") for bad in hostile["c1.zkey"]]
    jobs += [((*verify, "c1.zkey", "--circuit", "cubic.r1cs", "--ptau", bad), "") for bad in hostile["p.ptau"]]
    jobs += [((*verify, "c1.zkey", "--circuit", bad, "--ptau", "p.ptau"), "") for bad in hostile["cubic.r1cs"]]
    jobs += [(("circom", "verify", "--zkey", bad, "--proof", "proof.json", "--public", "public.json"), "")
             for bad in hostile["c1.zkey"]]
    jobs += [(("circom", "verify", "--zkey", "c1.zkey", "--proof", bad, "--public", "public.json"), bad) for bad in proofs]
    refuse_all(d, jobs, "circom info/verify and ceremony verify")
