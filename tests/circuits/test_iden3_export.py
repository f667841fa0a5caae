"""Export to circom's .r1cs/.wtns: read back by our parser, and accepted by snarkjs (depth-20 Merkle)."""

import json
import random

import pytest

from circuits import registry
from circuits.gadgets.merkle import merkle_root
from circuits.iden3_export import export_circom
from zk.field import R
from zk.formats.r1cs_bin import read_r1cs
from zk.formats.wtns import read_wtns, write_wtns

from ..support.tools import run_snarkjs, zktrade


def membership_input(depth: int, seed: int) -> dict:
    rng = random.Random(seed)
    leaf = rng.randrange(R)
    siblings = [rng.randrange(R) for _ in range(depth)]
    bits = [rng.randrange(2) for _ in range(depth)]
    return {"root": str(merkle_root(leaf, siblings, bits)), "leaf": str(leaf),
            "siblings": [str(s) for s in siblings], "path_bits": bits}


@pytest.mark.node
def test_snarkjs_accepts_a_fixture_export(tmp_path):
    r = zktrade("circuit", "export", "cubic", "--r1cs", "c.r1cs", "--wtns", "c.wtns", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    check = run_snarkjs("wtns", "check", str(tmp_path / "c.r1cs"), str(tmp_path / "c.wtns"))
    assert "WITNESS IS CORRECT" in check.stdout, check.stdout + check.stderr


def test_export_reads_back(tmp_path):
    c = registry.get("merkle4")
    w = export_circom(c, membership_input(4, 1), tmp_path / "m.r1cs", tmp_path / "m.wtns")
    f = read_r1cs(tmp_path / "m.r1cs")
    assert f.r1cs == c.r1cs
    assert (f.n_outputs, f.n_pub_inputs, f.n_prv_inputs) == (0, 1, 1 + 4 + 4)
    assert read_wtns(tmp_path / "m.wtns") == w
    f.r1cs.check(w)


def test_cli_export_errors_are_one_line(tmp_path):
    bad = membership_input(4, 2)
    bad["root"] = "1"
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    r = zktrade("circuit", "export", "merkle4", "--input", "bad.json", "--wtns", "m.wtns", cwd=tmp_path)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "merkle4/merkle: constraint 968 (assert_equal) unsatisfied" in r.stderr, r.stderr
    assert not (tmp_path / "m.wtns").exists()
    r = zktrade("circuit", "export", "merkle4", cwd=tmp_path)
    assert r.returncode != 0 and "give --r1cs and/or --wtns" in r.stderr


@pytest.mark.node
def test_snarkjs_accepts_merkle20_export(tmp_path):
    (tmp_path / "in.json").write_text(json.dumps(membership_input(20, 3)))
    r = zktrade("circuit", "export", "merkle20", "--input", "in.json", "--r1cs", "m.r1cs", "--wtns", "m.wtns",
                cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    info = run_snarkjs("r1cs", "info", str(tmp_path / "m.r1cs"))
    cs = registry.get("merkle20").r1cs
    for line in (f"# of Wires: {cs.n_wires}", f"# of Constraints: {cs.n_constraints}",
                 "# of Private Inputs: 41", "# of Public Inputs: 1", "# of Outputs: 0"):
        assert line in info.stdout, info.stdout + info.stderr
    check = run_snarkjs("wtns", "check", str(tmp_path / "m.r1cs"), str(tmp_path / "m.wtns"))
    assert "WITNESS IS CORRECT" in check.stdout, check.stdout + check.stderr

    # Tampering with one internal wire (a Poseidon S-box value) must be caught by snarkjs too.
    w = read_wtns(tmp_path / "m.wtns")
    w[1000] = (w[1000] + 1) % R
    write_wtns(tmp_path / "bad.wtns", w)
    check = run_snarkjs("wtns", "check", str(tmp_path / "m.r1cs"), str(tmp_path / "bad.wtns"))
    assert "WITNESS IS NOT CORRECT" in check.stdout + check.stderr
