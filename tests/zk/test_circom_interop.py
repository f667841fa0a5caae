"""zktrade against the real circom2 + snarkjs: their keys and witnesses, our proofs, and back.

The circuit is tests/fixtures/circom/merkle.circom: a depth-10 Poseidon Merkle membership
proof with Num2Bits range checks (2,724 constraints, one output and one public input). The
artefacts are built once per session (see tests/support/circom.py for the commands).
"""

import json

import pytest

from circuits import registry
from zk.circom import prove_from_zkey
from zk.circom.setup import zkey_from_ptau
from zk.circom.witness import WitnessError, calculate_witness, flatten_inputs, rounded_by_javascript
from zk.formats.ptau import decode_ptau, encode_ptau, read_ptau
from zk.formats.r1cs_bin import decode_r1cs, encode_r1cs, read_r1cs, write_r1cs
from zk.formats.snarkjs_json import (
    load_proof,
    load_public,
    load_vk,
    proof_to_json,
    public_to_json,
    read_json,
    vk_to_json,
    write_json,
)
from zk.formats.wtns import read_wtns, write_wtns
from zk.formats.zkey import decode_zkey, encode_zkey, read_zkey, write_zkey, zkey_from_proving_key
from zk.groth16 import setup, verify
from zk.field import R

from ..conftest import run_snarkjs
from ..support import circom as circom_artifacts

pytestmark = pytest.mark.node


@pytest.fixture(scope="module")
def merkle():
    return circom_artifacts.circuit("merkle")


@pytest.fixture(scope="module")
def small():
    return circom_artifacts.circuit("small")


@pytest.fixture(scope="module")
def merkle_zkey(merkle):
    return read_zkey(merkle.zkey)


def read_vk_json(path) -> dict:
    return read_json(path, "verification key")


def snarkjs_verifies(vk_path, public_path, proof_path) -> bool:
    result = run_snarkjs("groth16", "verify", str(vk_path), str(public_path), str(proof_path))
    assert ("OK!" in result.stdout) == (result.returncode == 0), result.stdout + result.stderr
    return result.returncode == 0




def test_the_fixture_is_the_circuit_the_issue_asks_for(merkle):
    f = read_r1cs(merkle.r1cs)
    assert f.r1cs.n_constraints >= 2000 and f.n_outputs == 1 and f.n_pub_inputs == 1
    assert f.r1cs.n_public == 2


def test_r1cs_and_wtns_from_circom_satisfy_our_checker(merkle):
    f = read_r1cs(merkle.r1cs)
    witness = read_wtns(merkle.wtns)
    f.r1cs.check(witness)
    assert witness[1:3] == load_public(merkle.public)
    broken = list(witness)
    broken[5] = (broken[5] + 1) % R
    assert not f.r1cs.is_satisfied(broken)


def test_wasm_witness_in_process_equals_snarkjs_wtns(merkle):
    assert calculate_witness(merkle.wasm, merkle.input) == read_wtns(merkle.wtns)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(circom_artifacts.WITNESS_INPUTS))
def test_bulk_witness_equals_snarkjs_wtns_calculate_on_circomlib_circuits(name):
    """MiMCSponge, Sha256, Pedersen and a nested-array input with no public signal."""
    case = circom_artifacts.witness_case(name)
    assert calculate_witness(case.wasm, case.input) == read_wtns(case.wtns)


def test_input_flattening_is_linear_and_in_order():
    deep: list = [1]
    for _ in range(50_000):  # quadratic flattening took minutes here; the stack is never recursed
        deep = [deep, 2]
    flat = flatten_inputs({"d": deep, "s": {"t": [{"u": 1}, {"u": [[2, 3], [4]]}]}, "x": "0x10"})
    assert flat == {"d": [1] + [2] * 50_000, "s.t[0].u": [1], "s.t[1].u": [2, 3, 4], "x": [16]}
    assert rounded_by_javascript({"a": 1 << 53, "b": [str(1 << 60), -(1 << 54)], "c": (1 << 53) - 1}) == ["a", "b[1]"]


def test_wasm_witness_refuses_inputs_outside_the_range_checks(merkle):
    with pytest.raises(WitnessError, match="assert or constraint failed"):
        calculate_witness(merkle.wasm, {**merkle.input, "index": str(1 << 10)})
    with pytest.raises(WitnessError, match="no input signal 'nope'"):
        calculate_witness(merkle.wasm, {**merkle.input, "nope": 1})
    missing = dict(merkle.input)
    del missing["secret"]
    with pytest.raises(WitnessError, match="only 12 of the circuit's 13 input values"):
        calculate_witness(merkle.wasm, missing)


def test_we_prove_from_their_zkey_and_wtns_snarkjs_verifies(merkle, merkle_zkey, tmp_path):
    witness = read_wtns(merkle.wtns)
    proof = prove_from_zkey(merkle_zkey, witness)
    write_json(tmp_path / "proof.json", proof_to_json(proof))
    write_json(tmp_path / "public.json", public_to_json(witness[1:3]))
    assert snarkjs_verifies(merkle.vk, tmp_path / "public.json", tmp_path / "proof.json")
    # and snarkjs rejects it for another public input (the test can fail)
    write_json(tmp_path / "other.json", public_to_json([witness[1], witness[2] + 1]))
    assert not snarkjs_verifies(merkle.vk, tmp_path / "other.json", tmp_path / "proof.json")


def test_snarkjs_proves_we_verify(merkle, merkle_zkey):
    proof, public = load_proof(merkle.proof), load_public(merkle.public)
    assert verify(merkle_zkey.proving_key.vk, proof, public)
    assert not verify(merkle_zkey.proving_key.vk, proof, [public[0], public[1] + 1])


def test_verifying_keys_agree(merkle, merkle_zkey, tmp_path):
    assert load_vk(merkle.vk) == merkle_zkey.proving_key.vk
    write_json(tmp_path / "vk.json", vk_to_json(merkle_zkey.proving_key.vk))
    assert read_vk_json(tmp_path / "vk.json") == read_vk_json(merkle.vk)


def test_real_files_round_trip(merkle):
    f = read_r1cs(merkle.r1cs)
    assert decode_r1cs(encode_r1cs(f)) == f
    z = read_zkey(merkle.zkey)
    assert decode_zkey(encode_zkey(z)) == z
    data = circom_artifacts.ptau().read_bytes()
    assert encode_ptau(decode_ptau(data)) == data  # byte for byte


def test_our_setup_equals_snarkjs_groth16_setup(small):
    """With δ = 1 our key is exactly `snarkjs groth16 setup`'s, point for point."""
    theirs = read_zkey(small.zkey_initial)
    ours = zkey_from_ptau(read_r1cs(small.r1cs).r1cs, read_ptau(circom_artifacts.ptau()), delta=1)
    assert ours.coefficients == theirs.coefficients
    assert ours.proving_key == theirs.proving_key


def test_snarkjs_proves_with_our_setup_zkey(small, tmp_path):
    zkey = zkey_from_ptau(read_r1cs(small.r1cs).r1cs, read_ptau(circom_artifacts.ptau()), delta=987654321)
    write_zkey(tmp_path / "ours.zkey", zkey)
    write_json(tmp_path / "vk.json", vk_to_json(zkey.proving_key.vk))
    proof_path, public_path = tmp_path / "proof.json", tmp_path / "public.json"
    result = run_snarkjs("groth16", "prove", str(tmp_path / "ours.zkey"), str(small.wtns), str(proof_path), str(public_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert snarkjs_verifies(tmp_path / "vk.json", public_path, proof_path)
    assert verify(zkey.proving_key.vk, load_proof(proof_path), load_public(public_path))
    exported = tmp_path / "exported.json"
    assert run_snarkjs("zkey", "export", "verificationkey", str(tmp_path / "ours.zkey"), str(exported)).returncode == 0
    assert load_vk(exported) == zkey.proving_key.vk
    assert read_vk_json(exported) == read_vk_json(tmp_path / "vk.json")
    # others can contribute after us with snarkjs, and we read and prove with the result
    more = tmp_path / "more.zkey"
    result = run_snarkjs("zkey", "contribute", str(tmp_path / "ours.zkey"), str(more), "-e=another party")
    assert result.returncode == 0, result.stdout + result.stderr
    contributed = read_zkey(more)
    assert contributed.proving_key.vk.delta_g2 != zkey.proving_key.vk.delta_g2
    witness = read_wtns(small.wtns)
    assert verify(contributed.proving_key.vk, prove_from_zkey(contributed, witness), witness[1:3])


def test_snarkjs_reads_our_r1cs_and_wtns_and_keys(tmp_path):
    """Our own circuit as .r1cs + .wtns: snarkjs checks the witness, sets up, proves, verifies."""
    c = registry.get("gates64x32")
    witness = c.witness(c.example_inputs())
    write_r1cs(tmp_path / "c.r1cs", c.r1cs, n_outputs=c.r1cs.n_public)
    write_wtns(tmp_path / "c.wtns", witness)
    info = run_snarkjs("r1cs", "info", str(tmp_path / "c.r1cs"))
    assert info.returncode == 0 and f"# of Constraints: {c.r1cs.n_constraints}" in info.stdout, info.stdout
    check = run_snarkjs("wtns", "check", str(tmp_path / "c.r1cs"), str(tmp_path / "c.wtns"))
    assert check.returncode == 0 and "WITNESS IS CORRECT" in check.stdout, check.stdout + check.stderr
    # our own key written as .zkey: snarkjs proves with it, the proof verifies under our vk
    pk = setup(c.r1cs, seed=3)
    write_zkey(tmp_path / "c.zkey", zkey_from_proving_key(pk, c.r1cs, bytes(68)))
    write_json(tmp_path / "vk.json", vk_to_json(pk.vk))
    p, pub = tmp_path / "proof.json", tmp_path / "public.json"
    result = run_snarkjs("groth16", "prove", str(tmp_path / "c.zkey"), str(tmp_path / "c.wtns"), str(p), str(pub))
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(pub.read_text()) == [str(x) for x in c.r1cs.public_inputs(witness)]
    assert verify(pk.vk, load_proof(p), load_public(pub))
