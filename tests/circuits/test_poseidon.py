"""Native Poseidon against circomlibjs: checked-in vectors always, live circomlibjs when present."""

import json
import random
import subprocess
from pathlib import Path

import pytest

from circuits.gadgets.poseidon import (
    MAX_INPUTS,
    _CONSTANTS_FILE,
    _fast_hash,
    _fast_schedule,
    constants_from_circomlibjs,
    params,
    poseidon_hash,
    poseidon_permutation,
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


# -- the gadget ----------------------------------------------------------------------------------

from circuits.gadgets.poseidon import poseidon_constraints, poseidon_hash_gadget  # noqa: E402

from .harness import accepts, gadget_circuit  # noqa: E402

# circomlib's Poseidon(n) compiled by circom 2 at --O2 (non-linear constraints; see the live test).
CIRCOMLIB_O2_CONSTRAINTS = {1: 213, 2: 240, 3: 261, 4: 297, 5: 321, 6: 354}


def poseidon_circuit(n: int):
    return gadget_circuit(lambda api, x: poseidon_hash_gadget(api, x), n, name=f"poseidon{n}")


@pytest.mark.parametrize("n", range(1, MAX_INPUTS + 1))
def test_gadget_cost_is_documented_and_at_most_circomlibs(n):
    cost = poseidon_circuit(n).r1cs.n_constraints - 1
    assert cost == poseidon_constraints(n) <= CIRCOMLIB_O2_CONSTRAINTS[n]
    assert poseidon_constraints(2) == 240


def test_gadget_on_checked_in_vectors():
    for case in json.loads((VECTORS / "poseidon_circomlibjs.json").read_text()):
        inputs = [int(x) for x in case["inputs"]]
        c = poseidon_circuit(len(inputs))
        assert accepts(c, inputs, [int(case["hash"])])
        assert not accepts(c, inputs, [(int(case["hash"]) + 1) % R])


@pytest.mark.parametrize("n", range(1, MAX_INPUTS + 1))
def test_gadget_equals_native_on_random_and_boundary_inputs(n):
    rng = random.Random(n)
    c = poseidon_circuit(n)
    for inputs in ([0] * n, [R - 1] * n, [rng.randrange(R) for _ in range(n)], [rng.randrange(R) for _ in range(n)]):
        assert accepts(c, inputs, [poseidon_hash(inputs)])


def test_gadget_folds_constant_inputs():
    def half_constant(api, x):
        return poseidon_hash_gadget(api, [x[0], 7])

    c = gadget_circuit(half_constant, 1)
    assert c.r1cs.n_constraints - 1 < poseidon_constraints(2)  # the first round's S-box of 7 folds too
    assert accepts(c, [5], [poseidon_hash([5, 7])])


@pytest.mark.node
@pytest.mark.slow
def test_live_circom_counts_circomlib_poseidon(tmp_path):
    """Compile circomlib's Poseidon(n) with circom 2 at --O2 and read its constraint count."""
    circom = node_tool("circom2")
    lib = ROOT / "node_modules" / "circomlib" / "circuits"
    for name in ("poseidon.circom", "poseidon_constants.circom"):
        (tmp_path / name).write_text((lib / name).read_text())
    for n in (1, 2, 6):
        (tmp_path / "main.circom").write_text(
            'pragma circom 2.0.0;\ninclude "poseidon.circom";\n'
            f"component main = Poseidon({n});\n"
        )
        out = subprocess.run(["node", str(circom), "main.circom", "--O2", "--r1cs"], capture_output=True, text=True,
                             cwd=tmp_path, timeout=300)
        counts = dict(line.split(": ") for line in out.stdout.splitlines() if "constraints: " in line)
        assert int(counts["non-linear constraints"]) == CIRCOMLIB_O2_CONSTRAINTS[n], out.stdout + out.stderr
        assert int(counts["linear constraints"]) == 0


@pytest.mark.node
def test_live_circomlibjs_equals_gadget_on_random_inputs():
    node_tool("snarkjs")
    rng = random.Random(7)
    cases = [[rng.randrange(R) for _ in range(n)] for n in range(1, MAX_INPUTS + 1)]
    out = subprocess.run(
        ["node", str(VECTORS / "poseidon_vectors.mjs"), json.dumps([[str(x) for x in c] for c in cases])],
        capture_output=True, text=True, check=True, cwd=ROOT, timeout=120,
    )
    for case, result in zip(cases, json.loads(out.stdout), strict=True):
        assert accepts(poseidon_circuit(len(case)), case, [int(result["hash"])])


@pytest.mark.parametrize("n", range(1, MAX_INPUTS + 1))
def test_fast_path_equals_reference_permutation(n):
    rng = random.Random(100 + n)
    for inputs in ([0] * n, [R - 1] * n, *([rng.randrange(R) for _ in range(n)] for _ in range(5))):
        assert poseidon_hash(inputs) == poseidon_permutation([0, *inputs], params(n))[0]
    # any first state element, not just the capacity's 0, goes through the same permutation
    state = [rng.randrange(R) for _ in range(n + 1)]
    assert _fast_hash(list(state), _fast_schedule(n)) == poseidon_permutation(state, params(n))[0]
