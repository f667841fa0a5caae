"""Trusted-setup ceremonies against snarkjs: phase 2 (.zkey) and phase 1 (.ptau), both directions.

The cross-tool cases need the pinned snarkjs (marked `node`); the circuit is
tests/fixtures/circom/small.circom (17 constraints) and the phase-2 ptau is the session's
power-12 one (circom_artifacts.py has the commands).
"""

import json
import random
from dataclasses import replace

import pytest

from zk.backends import get_backend
from zk.ceremony.errors import InvalidCeremony
from zk.ceremony.keypair import Beacon
from zk.ceremony.phase2 import (
    MpcParams,
    apply_beacon,
    coefficients_in_file_order,
    contribute,
    decode_mpc_params,
    encode_mpc_params,
    new_ceremony,
    verify_ceremony,
)
from zk.ceremony.rng import ChaCha
from zk.circom import prove_from_zkey
from zk.curve import G1_GENERATOR, G1_INFINITY, G2_GENERATOR, g1_mul, g2_mul
from zk.field import R
from zk.formats.iden3 import read_bytes
from zk.formats.ptau import read_ptau
from zk.formats.r1cs_bin import read_r1cs
from zk.formats.snarkjs_json import vk_to_json, write_json
from zk.formats.wtns import read_wtns
from zk.formats.zkey import read_zkey, write_zkey
from zk.groth16 import prepare_verifying_key, verify_proof

from ..conftest import run_snarkjs
from . import circom_artifacts

BEACON = Beacon(bytes.fromhex("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"), 10)


def rng(label: str) -> ChaCha:
    """A fixed stream per test party: contributions are deterministic in their stream."""
    return ChaCha.from_hash(label.encode().ljust(32, b"."))


def check(result) -> str:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


# ---------------------------------------------------------------- kernels


@pytest.mark.parametrize("backend", ["fast", "reference"])
def test_batch_mul_multiplies_each_base_by_its_scalar(backend):
    rnd = random.Random(7)
    bases = [g1_mul(G1_GENERATOR, rnd.randrange(1, R)) for _ in range(6)] + [G1_INFINITY]
    scalars = [rnd.randrange(R) for _ in bases[:-4]] + [0, 1, R - 1, 5]
    expected = [g1_mul(p, k) for p, k in zip(bases, scalars)]
    assert get_backend(backend).batch_mul_g1(bases, scalars) == expected
    g2_bases = [g2_mul(G2_GENERATOR, 3), g2_mul(G2_GENERATOR, 11)]
    assert get_backend(backend).batch_mul_g2(g2_bases, [R - 2, 9]) == [g2_mul(g2_bases[0], R - 2), g2_mul(g2_bases[1], 9)]


# ---------------------------------------------------------------- phase 2


@pytest.fixture(scope="module")
def small():
    return circom_artifacts.circuit("small")


@pytest.fixture(scope="module")
def ptau12():
    return read_ptau(circom_artifacts.ptau())


@pytest.fixture(scope="module")
def initial(small, ptau12):
    r1cs = read_r1cs(small.r1cs).r1cs
    return new_ceremony(r1cs, ptau12, coefficients_in_file_order(read_bytes(small.r1cs, "r1cs"), r1cs.n_public))


@pytest.mark.node
def test_new_ceremony_is_snarkjs_groth16_setup(small, initial):
    theirs = read_zkey(small.zkey_initial)
    assert initial.mpc_params == theirs.mpc_params  # the same circuit hash, no contribution
    assert initial.coefficients == theirs.coefficients
    assert initial.proving_key == theirs.proving_key


@pytest.fixture(scope="module")
def three_party(tmp_path_factory, small, initial):
    """zktrade (alice) → snarkjs (bob) → zktrade (carol) → zktrade beacon."""
    d = tmp_path_factory.mktemp("phase2")
    write_zkey(d / "c0.zkey", initial)
    c1, _ = contribute(initial, rng("alice"), "alice")
    write_zkey(d / "c1.zkey", c1)
    check(run_snarkjs("zkey", "contribute", str(d / "c1.zkey"), str(d / "c2.zkey"), "--name=bob", "-e=bob's entropy"))
    c3, _ = contribute(read_zkey(d / "c2.zkey"), rng("carol"), "carol")
    write_zkey(d / "c3.zkey", c3)
    final, _ = apply_beacon(c3, BEACON, "beacon")
    write_zkey(d / "final.zkey", final)
    return d


@pytest.mark.node
def test_three_party_ceremony_verified_by_both_tools(three_party, small, initial):
    final = read_zkey(three_party / "final.zkey")
    contributions = verify_ceremony(final, initial)
    assert [c.name for c in contributions] == ["alice", "bob", "carol", "beacon"]
    assert contributions[-1].beacon == BEACON
    out = check(run_snarkjs("zkey", "verify", str(small.r1cs), str(circom_artifacts.ptau()), str(three_party / "final.zkey")))
    assert "ZKey Ok!" in out
    # the contribution hashes snarkjs prints are ours
    for c in contributions:
        assert c.hash()[:4].hex() in out


@pytest.mark.node
def test_snarkjs_beacon_on_our_chain_verifies(three_party, initial):
    beacon_hex = "ff" * 32
    check(run_snarkjs("zkey", "beacon", str(three_party / "c3.zkey"), str(three_party / "sbeacon.zkey"), beacon_hex, "10", "-n=theirs"))
    contributions = verify_ceremony(read_zkey(three_party / "sbeacon.zkey"), initial)
    assert contributions[-1].beacon == Beacon(bytes.fromhex(beacon_hex), 10)
    ours, _ = apply_beacon(read_zkey(three_party / "c3.zkey"), Beacon(bytes.fromhex(beacon_hex), 10), "theirs")
    assert ours.proving_key == read_zkey(three_party / "sbeacon.zkey").proving_key  # same beacon, same key


@pytest.mark.node
def test_the_final_key_proves_and_snarkjs_accepts_its_vk(three_party, small):
    final = read_zkey(three_party / "final.zkey")
    witness = read_wtns(small.wtns)
    proof = prove_from_zkey(final, witness)
    public = witness[1 : 1 + final.n_public]
    assert verify_proof(prepare_verifying_key(final.proving_key.vk), proof, public)
    write_json(three_party / "vk.json", vk_to_json(final.proving_key.vk))
    check(run_snarkjs("zkey", "export", "verificationkey", str(three_party / "final.zkey"), str(three_party / "vk_snarkjs.json")))
    assert json.loads((three_party / "vk.json").read_text()) == json.loads((three_party / "vk_snarkjs.json").read_text())


def _with_contributions(zkey, edit):
    params = decode_mpc_params(zkey.mpc_params)
    contributions = list(params.contributions)
    edit(contributions)
    return replace(zkey, mpc_params=encode_mpc_params(MpcParams(params.cs_hash, tuple(contributions))))


@pytest.fixture(scope="module")
def final_key(three_party):
    return read_zkey(three_party / "final.zkey")


@pytest.mark.node
def test_a_key_without_contribution_is_refused_with_the_reason(initial):
    with pytest.raises(InvalidCeremony, match="no contribution.*forge"):
        verify_ceremony(initial, initial)


@pytest.mark.node
def test_wrong_proof_of_knowledge_names_the_contribution(final_key, initial):
    def edit(cs):
        cs[1] = replace(cs[1], key=replace(cs[1].key, g2_spx=g2_mul(cs[1].key.g2_spx, 2)))

    with pytest.raises(InvalidCeremony, match="contribution #2: the proof of knowledge fails") as err:
        verify_ceremony(_with_contributions(final_key, edit), initial)
    assert err.value.contribution == 2


@pytest.mark.node
def test_broken_chain_names_the_contribution(final_key, initial):
    def edit(cs):
        cs[2] = replace(cs[2], delta_after=g1_mul(cs[2].delta_after, 3))

    with pytest.raises(InvalidCeremony, match="contribution #3: .*broken chain"):
        verify_ceremony(_with_contributions(final_key, edit), initial)


@pytest.mark.node
def test_swapped_deltas_name_the_contribution(final_key, initial):
    def edit(cs):
        cs[0], cs[1] = replace(cs[0], delta_after=cs[1].delta_after), replace(cs[1], delta_after=cs[0].delta_after)

    with pytest.raises(InvalidCeremony, match="contribution #1: .*broken chain"):
        verify_ceremony(_with_contributions(final_key, edit), initial)


@pytest.mark.node
def test_a_key_whose_delta_is_not_the_transcripts_is_refused(final_key, three_party, initial):
    other = read_zkey(three_party / "c3.zkey").proving_key
    forged = replace(final_key, proving_key=replace(final_key.proving_key, delta_g1=other.delta_g1, vk=replace(final_key.proving_key.vk, delta_g2=other.vk.delta_g2)))
    with pytest.raises(InvalidCeremony, match="δ₁ is not the δ of the last contribution \\(#4\\)"):
        verify_ceremony(forged, initial)


@pytest.mark.node
def test_tampered_beacon_and_transcript_name_the_contribution(final_key, initial):
    def beacon(cs):
        cs[3] = replace(cs[3], beacon=Beacon(b"\x00" * 32, 10))

    with pytest.raises(InvalidCeremony, match="contribution #4: .*beacon"):
        verify_ceremony(_with_contributions(final_key, beacon), initial)

    def rename_history(cs):
        cs[0] = replace(cs[0], transcript=bytes(64))

    with pytest.raises(InvalidCeremony, match="contribution #1: its transcript"):
        verify_ceremony(_with_contributions(final_key, rename_history), initial)


@pytest.mark.node
def test_tampered_points_and_foreign_circuits_are_refused(final_key, initial, ptau12):
    pk = final_key.proving_key
    tampered_l = replace(final_key, proving_key=replace(pk, l_query=(g1_mul(pk.l_query[0], 2), *pk.l_query[1:])))
    with pytest.raises(InvalidCeremony, match="L and H"):
        verify_ceremony(tampered_l, initial)
    tampered_a = replace(final_key, proving_key=replace(pk, a_query=(pk.a_query[1], pk.a_query[0], *pk.a_query[2:])))
    with pytest.raises(InvalidCeremony, match="A points"):
        verify_ceremony(tampered_a, initial)
    from circuits import registry

    foreign = new_ceremony(registry.get("cubic").r1cs, ptau12)
    with pytest.raises(InvalidCeremony, match="another .r1cs or .ptau"):
        verify_ceremony(final_key, foreign)


@pytest.mark.node
def test_snarkjs_refuses_what_we_refuse(final_key, three_party, small):
    def edit(cs):
        cs[1] = replace(cs[1], delta_after=g1_mul(cs[1].delta_after, 3))

    write_zkey(three_party / "broken.zkey", _with_contributions(final_key, edit))
    result = run_snarkjs("zkey", "verify", str(small.r1cs), str(circom_artifacts.ptau()), str(three_party / "broken.zkey"))
    assert "ZKey Ok!" not in result.stdout and "INVALID(1)" in result.stdout + result.stderr
