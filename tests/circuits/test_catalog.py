"""The registered DSL statements: pinned shapes (golden files), examples, public order, keys per circuit.

After an intended change to a circuit, rewrite the golden files and review the diff:
    ZKTRADE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/circuits/test_catalog.py
"""

import json
import os
import random
from pathlib import Path

import pytest

from circuits import registry
from circuits.catalog import membership
from circuits.dsl import Statement
from circuits.gadgets.merkle import merkle_constraints
from circuits.gadgets.poseidon import poseidon_constraints
from zk.errors import KeyMismatch, Unsatisfied
from zk.field import R

from ..conftest import ROOT, run_snarkjs

GOLDEN_DIR = ROOT / "circuits" / "golden"


GOLDEN_SEED = 20261124  # the toxic waste the pinned verifying-key digests come from
# Every registered statement is pinned: the DSL's examples and the protocol's own (whose keys the
# pool's verifiers are made from). Building a statement is cheap: it compiles on first use.
PINNED = [n for n in registry.names() if isinstance(registry.get(n), Statement)]
EXAMPLES = [n for n in PINNED if registry.get(n).example is not None]


def golden(name: str) -> dict:
    c = registry.get(name)
    cs = c.r1cs
    return {
        "name": name,
        "constraints": cs.n_constraints,
        "wires": cs.n_wires,
        "public_inputs": c.public_names,
        "r1cs_digest": cs.digest(),
        "breakdown": dict(c.breakdown()),
    }


def vk_digest(name: str) -> str:
    """keccak256 of the snarkjs verification_key.json that setup(seed=GOLDEN_SEED) makes."""
    import sha3

    from zk.formats.snarkjs_json import vk_to_json
    from zk.groth16 import setup

    vk = setup(registry.get(name).r1cs, seed=GOLDEN_SEED).vk
    return sha3.keccak_256(json.dumps(vk_to_json(vk), sort_keys=True).encode()).hexdigest()


def golden_file(name: str) -> Path:
    path = GOLDEN_DIR / f"{name}.json"
    if os.environ.get("ZKTRADE_UPDATE_GOLDEN"):
        GOLDEN_DIR.mkdir(exist_ok=True)
        pinned = {**golden(name), "vk_digest": vk_digest(name)}
        path.write_text(json.dumps(pinned, indent=2, ensure_ascii=False) + "\n")
    return path


def test_every_golden_file_pins_a_registered_statement():
    assert sorted(p.stem for p in GOLDEN_DIR.glob("*.json")) == sorted(PINNED)


@pytest.mark.parametrize("name", PINNED)
def test_golden_shape_and_digest(name):
    pinned = json.loads(golden_file(name).read_text())
    pinned.pop("vk_digest")
    assert pinned == golden(name), f"{name} drifted: see this file's docstring"


@pytest.mark.slow
@pytest.mark.parametrize("name", PINNED)
def test_golden_verifying_key(name):
    assert json.loads(golden_file(name).read_text())["vk_digest"] == vk_digest(name), (
        f"{name}: setup from the pinned seed gives another key: see this file's docstring"
    )


def test_documented_costs():
    assert registry.get("poseidon2").r1cs.n_constraints == poseidon_constraints(2) + 1 == 241
    assert registry.get("range64").r1cs.n_constraints == 65 + 240 + 1
    for depth in (4, 20):
        assert registry.get(f"merkle{depth}").r1cs.n_constraints == merkle_constraints(depth)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_satisfies_and_public_order(name):
    c = registry.get(name)
    w = c.witness(c.example_inputs())
    c.r1cs.check(w)
    pub_cls = c.public
    example_pub, _ = c.example()
    assert c.r1cs.public_inputs(w) == c.public_inputs(example_pub)
    assert len(c.public_names) == c.r1cs.n_public == len([f for f in pub_cls.__dataclass_fields__])


def test_wrong_root_names_the_merkle_path():
    c = registry.get("merkle4")
    inputs = c.example_inputs()
    inputs["root"] = (inputs["root"] + 1)
    with pytest.raises(Unsatisfied, match=r"^merkle4/merkle: constraint 968 \(assert_equal\) unsatisfied"):
        c.witness(inputs)
    inputs = c.example_inputs()
    inputs["path_bits"] = [2] + inputs["path_bits"][1:]
    with pytest.raises(Unsatisfied, match=r"^merkle4/merkle/level 0: constraint 0 \(assert_bool\)"):
        c.witness(inputs)


def test_distinct_depths_are_distinct_circuits():
    assert membership(3).r1cs.digest() != registry.get("merkle4").r1cs.digest()


def test_a_key_refuses_another_circuits_witness(monkeypatch):
    from zk.groth16 import create_proof, prepare_verifying_key, setup, verify_proof

    from .harness import gadget_circuit

    monkeypatch.setenv("ZKTRADE_BACKEND", "reference")  # a 2-constraint circuit needs no JIT
    product = gadget_circuit(lambda api, x: api.mul(x[0], x[1]), 2, name="product")
    shifted = gadget_circuit(lambda api, x: api.mul(x[0], x[1] + 1), 2, name="shifted")
    assert product.r1cs.n_wires == shifted.r1cs.n_wires  # same shape, different constraints
    pk = setup(product.r1cs, seed=7)
    w = product.witness({"x": [3, 5], "y": [15]})
    proof = create_proof(pk, product.r1cs, w, 11, 13)
    vk = prepare_verifying_key(pk.vk)
    assert verify_proof(vk, proof, [15]) and not verify_proof(vk, proof, [16])
    with pytest.raises(KeyMismatch, match="run setup for this circuit"):
        create_proof(pk, shifted.r1cs, shifted.witness({"x": [3, 5], "y": [18]}), 11, 13)


@pytest.mark.parametrize("name", EXAMPLES)
def test_changing_any_public_input_breaks_the_witness(name):
    c = registry.get(name)
    for field in c.public_names:
        inputs = c.example_inputs()
        inputs[field] = (inputs[field] + 1) % R
        with pytest.raises(Unsatisfied):
            c.witness(inputs)


@pytest.mark.node
def test_snarkjs_verifies_a_dsl_proof_and_refuses_tampered_publics(tmp_path):
    """Our DSL circuit, keys and prover; snarkjs's verifier (the circom reduction keys are snarkjs's)."""
    from zk.formats.snarkjs_json import proof_to_json, public_to_json, vk_to_json, write_json
    from zk.groth16 import prove, setup

    c = registry.get("merkle4")
    pk = setup(c.r1cs, seed=GOLDEN_SEED)
    w = c.witness(c.example_inputs())
    write_json(tmp_path / "vk.json", vk_to_json(pk.vk))
    write_json(tmp_path / "proof.json", proof_to_json(prove(pk, c.r1cs, w)))
    public = c.r1cs.public_inputs(w)
    for name, values, ok in [("good", public, True), ("bad", [(public[0] + random.randrange(1, R)) % R], False)]:
        write_json(tmp_path / f"{name}.json", public_to_json(values))
        out = run_snarkjs("groth16", "verify", str(tmp_path / "vk.json"), str(tmp_path / f"{name}.json"),
                          str(tmp_path / "proof.json"))
        assert ("OK!" in out.stdout) == ok, out.stdout + out.stderr
