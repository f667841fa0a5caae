"""Native Poseidon against circomlibjs: checked-in vectors always, live circomlibjs when present."""

import json
import random
import subprocess
from pathlib import Path

import pytest

from circuits.gadgets.poseidon import (
    MAX_INPUTS,
    _CONSTANTS_FILE,
    constants_from_circomlibjs,
    poseidon_hash,
)
from zk.field import R

from ..conftest import ROOT, node_tool

VECTORS = Path(__file__).with_name("vectors")


def test_checked_in_circomlibjs_vectors():
    cases = json.loads((VECTORS / "poseidon_circomlibjs.json").read_text())
    assert {len(c["inputs"]) for c in cases} == set(range(1, MAX_INPUTS + 1))
    for case in cases:
        assert poseidon_hash([int(x) for x in case["inputs"]]) == int(case["hash"]), case["inputs"]


def test_inputs_are_canonical_and_counted():
    for bad in ([], [0] * (MAX_INPUTS + 1)):
        with pytest.raises(ValueError, match="inputs"):
            poseidon_hash(bad)
    with pytest.raises(ValueError, match="not a field element"):
        poseidon_hash([R])
    with pytest.raises(ValueError, match="not a field element"):
        poseidon_hash([-1])


def test_constants_file_is_circomlibjs_own():
    source = ROOT / "node_modules" / "circomlibjs" / "src" / "poseidon_constants.json"
    if not source.exists():
        pytest.skip("node_modules is absent: `make test` installs circomlibjs")
    expected = constants_from_circomlibjs(json.loads(source.read_text()))
    assert json.loads(_CONSTANTS_FILE.read_text()) == expected


@pytest.mark.node
def test_live_circomlibjs_on_random_inputs():
    node_tool("snarkjs")  # skips when the npm tools are absent
    rng = random.Random(2026)
    cases = [[rng.randrange(R) for _ in range(n)] for n in range(1, MAX_INPUTS + 1) for _ in range(4)]
    out = subprocess.run(
        ["node", str(VECTORS / "poseidon_vectors.mjs"), json.dumps([[str(x) for x in c] for c in cases])],
        capture_output=True, text=True, check=True, cwd=ROOT, timeout=120,
    )
    for case, result in zip(cases, json.loads(out.stdout), strict=True):
        assert poseidon_hash(case) == int(result["hash"])
