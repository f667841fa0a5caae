"""Serialization round trips, malformed files, and the snarkjs cross-checks."""

import json
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from zk.curve import G1_GENERATOR, G1_INFINITY, G2_GENERATOR, G2_INFINITY, g1_mul, g2_mul
from zk.errors import MalformedInput
from zk.field import Q, R
from zk.formats.calldata import encode_verify_call, solidity_calldata
from zk.formats.native import MAGIC, decode_proving_key, encode_proving_key, read_proving_key
from zk.formats.snarkjs_json import (
    g1_from_json,
    g1_to_json,
    g2_from_json,
    g2_to_json,
    load_proof,
    load_public,
    load_vk,
    proof_from_json,
    proof_to_json,
    public_from_json,
    public_to_json,
    vk_from_json,
    vk_to_json,
    write_json,
)
from zk.groth16 import Proof, prove

from ..support.keys import keys
from .points import g2_point_outside_subgroup

scalars = st.integers(min_value=0, max_value=R - 1)


@settings(max_examples=15, deadline=None)
@given(scalars)
def test_g1_json_round_trip(k):
    p = g1_mul(G1_GENERATOR, k)
    assert g1_from_json(g1_to_json(p), "p") == p


@settings(max_examples=5, deadline=None)
@given(scalars)
def test_g2_json_round_trip(k):
    p = g2_mul(G2_GENERATOR, k)
    assert g2_from_json(g2_to_json(p), "p") == p


def test_infinity_round_trips():
    assert g1_to_json(G1_INFINITY) == ["0", "1", "0"]
    assert g1_from_json(["0", "1", "0"], "p") == G1_INFINITY
    assert g2_from_json(g2_to_json(G2_INFINITY), "p") == G2_INFINITY


@settings(max_examples=25, deadline=None)
@given(st.lists(scalars, max_size=40))
def test_public_json_round_trip(values):
    assert public_from_json(public_to_json(values)) == values


@pytest.fixture(scope="module")
def material():
    c, pk, pvk = keys("gates64x32")
    w = c.witness(c.example_inputs())
    return pk, prove(pk, c.r1cs, w), c.r1cs.public_inputs(w)


def test_vk_and_proof_json_round_trip(material):
    pk, proof, public = material
    assert vk_from_json(json.loads(json.dumps(vk_to_json(pk.vk)))) == pk.vk
    assert proof_from_json(json.loads(json.dumps(proof_to_json(proof)))) == proof


def test_native_proving_key_round_trip(material):
    pk = material[0]
    assert decode_proving_key(encode_proving_key(pk)) == pk


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_corrupted_native_key_is_rejected_or_harmless(material, data):
    """Truncation is always refused; a flipped byte is refused unless it lands where any value
    is acceptable (it cannot: every coordinate is curve-checked, so the point leaves the curve)."""
    pk = material[0]
    blob = encode_proving_key(pk)
    cut = data.draw(st.integers(0, len(blob) - 1))
    with pytest.raises(MalformedInput):
        decode_proving_key(blob[:cut])
    pos = data.draw(st.integers(0, len(blob) - 1))
    flipped = bytearray(blob)
    flipped[pos] ^= data.draw(st.integers(1, 255))
    try:
        decoded = decode_proving_key(bytes(flipped))
    except MalformedInput:
        return
    # A flip that still decodes can only have changed a value the prover checks (the digest
    # text or the reduction name): the key is then a different key, refused for this circuit.
    assert decoded != pk


def with_header(blob: bytes, **changes) -> bytes:
    """The same key file with header fields replaced (None deletes one), the body untouched."""
    start = len(MAGIC) + 6
    head_len = int.from_bytes(blob[start - 4 : start], "big")
    header = {**json.loads(blob[start : start + head_len]), **changes}
    head = json.dumps({k: v for k, v in header.items() if v is not None}).encode()
    return blob[: start - 4] + len(head).to_bytes(4, "big") + head + blob[start + head_len :]


def test_native_header_is_checked_field_by_field(material):
    """A header that keeps the file's total length but lies about its split is refused."""
    pk = material[0]
    blob = encode_proving_key(pk)
    n_h, n_l, n_pub = len(pk.h_query), len(pk.l_query), pk.n_public
    refusals = {
        "n_h = ": [dict(n_h=n_h + 1, n_l=n_l - 1), dict(n_h=n_h - 1, n_l=n_l + 1)],
        "expected an integer ≥ 0": [dict(n_h=-1, n_l=n_l + n_h + 1), dict(n_l=-5), dict(n_h="7"),
                                    dict(n_l=float(n_l)), dict(n_public=True)],
        "n_l = ": [dict(n_wires=pk.n_wires + 1)],
        f"expected an integer ≥ {n_pub + 1}": [dict(n_wires=n_pub), dict(domain_size=n_pub)],
        "not a power of two": [dict(domain_size=pk.domain_size + 2), dict(domain_size=1 << 29)],
        "not 64 hex digits": [dict(circuit_digest="00"), dict(circuit_digest=pk.circuit_digest.upper())],
        "unknown QAP reduction": [dict(reduction=7), dict(reduction="groth")],
        "levels deep": [dict(reduction=["circom"])],
        "fields": [dict(n_h=None), dict(extra=1)],
        # Counts all consistent, but the G1 block then reaches into the G2 points.
        "is not on G1": [dict(n_public=n_pub + 1, n_l=n_l - 1)],
    }
    for reason, cases in refusals.items():
        for changes in cases:
            with pytest.raises(MalformedInput, match=reason):
                decode_proving_key(with_header(blob, **changes))
    huge = bytearray(blob)
    huge[len(MAGIC) + 2 : len(MAGIC) + 6] = (2**32 - 1).to_bytes(4, "big")
    with pytest.raises(MalformedInput, match="corrupt header"):
        decode_proving_key(bytes(huge))


def test_malformed_files_are_named(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(MalformedInput, match="not valid JSON"):
        load_vk(bad)
    with pytest.raises(MalformedInput, match="does not exist"):
        load_proof(tmp_path / "missing.json")
    bad.write_text(json.dumps(["1", str(R)]))
    with pytest.raises(MalformedInput, match=r"public inputs .*\[1\].*not a canonical field element"):
        load_public(bad)
    with pytest.raises(MalformedInput, match="does not exist"):
        read_proving_key(tmp_path / "nope.pk")
    (tmp_path / "x.pk").write_bytes(b"garbage")
    with pytest.raises(MalformedInput, match="bad magic"):
        read_proving_key(tmp_path / "x.pk")


def test_json_points_are_validated(material):
    _, proof, _ = material
    obj = proof_to_json(proof)
    off_curve = json.loads(json.dumps(obj))
    off_curve["pi_a"][1] = str((int(obj["pi_a"][1]) + 1) % Q)
    with pytest.raises(MalformedInput, match="pi_a: point .* is not on the BN254 G1 curve"):
        proof_from_json(off_curve)
    too_big = json.loads(json.dumps(obj))
    too_big["pi_c"][0] = str(Q + 1)
    with pytest.raises(MalformedInput, match="not a canonical Fq element"):
        proof_from_json(too_big)
    outside = json.loads(json.dumps(obj))
    outside["pi_b"] = g2_to_json(g2_point_outside_subgroup())
    with pytest.raises(MalformedInput, match="not in the order-r subgroup"):
        proof_from_json(outside)
    with pytest.raises(MalformedInput, match="missing field 'pi_b'"):
        proof_from_json({k: v for k, v in obj.items() if k != "pi_b"})
    with pytest.raises(MalformedInput, match="only groth16"):
        proof_from_json({**obj, "protocol": "plonk"})


def test_calldata_swaps_g2_coordinates(material):
    _, proof, public = material
    text = solidity_calldata(proof, public)
    (x0, x1), (y0, y1) = proof.b
    assert f'[["0x{x1:064x}","0x{x0:064x}"],["0x{y1:064x}","0x{y0:064x}"]]' in text
    data = encode_verify_call(proof, public)
    assert len(data) == 4 + 32 * (8 + len(public))


@pytest.mark.node
@pytest.mark.parametrize("name", ["cubic", "gates300x0", "gates64x32"])
def test_snarkjs_verifies_our_files(tmp_path, snarkjs, name):
    c, pk, _ = keys(name)
    w = c.witness(c.example_inputs())
    proof, public = prove(pk, c.r1cs, w), c.r1cs.public_inputs(w)
    write_json(tmp_path / "vk.json", vk_to_json(pk.vk))
    write_json(tmp_path / "proof.json", proof_to_json(proof))
    write_json(tmp_path / "public.json", public_to_json(public))
    ok = snarkjs("groth16", "verify", str(tmp_path / "vk.json"), str(tmp_path / "public.json"), str(tmp_path / "proof.json"))
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stdout + ok.stderr
    if public:
        write_json(tmp_path / "public.json", public_to_json([(public[0] + 1) % R, *public[1:]]))
        bad = snarkjs("groth16", "verify", str(tmp_path / "vk.json"), str(tmp_path / "public.json"), str(tmp_path / "proof.json"))
        assert "OK" not in bad.stdout, "snarkjs accepted a changed public input"
    # Our calldata equals snarkjs's rendering of the same proof.
    write_json(tmp_path / "public.json", public_to_json(public))
    call = snarkjs("zkey", "export", "soliditycalldata", str(tmp_path / "public.json"), str(tmp_path / "proof.json"))
    assert call.returncode == 0, call.stderr
    assert "".join(call.stdout.split()) == solidity_calldata(proof, public)


@settings(max_examples=30, deadline=None)
@given(scalars, st.integers(0, Q - 1), st.integers(0, Q - 1))
def test_twist_check_agrees_with_py_ecc(k, c0, c1):
    """zk.curve's plain-int twist check (used by every key reader) equals py_ecc's."""
    from py_ecc.optimized_bn128 import b2, is_on_curve

    from zk.curve import _to_py_ecc as _g2_to, g2_is_on_curve

    on = g2_mul(G2_GENERATOR, k)
    off = ((c0, c1), on[1])
    for p in (on, off):
        expected = p == G2_INFINITY or is_on_curve(_g2_to(p), b2)
        assert g2_is_on_curve(p) == expected
