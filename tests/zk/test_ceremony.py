"""Trusted-setup ceremonies against snarkjs: phase 2 (.zkey) and phase 1 (.ptau), both directions.

The cross-tool cases need the pinned snarkjs (marked `node`); the circuit is
tests/fixtures/circom/small.circom (17 constraints) and the phase-2 ptau is the session's
power-12 one (tests/support/circom.py has the commands).
"""

import hashlib
import json
import os
import random
import subprocess
from dataclasses import replace

import pytest

from circuits import registry
from zk.backends import get_backend
from zk.ceremony import phase1
from zk.ceremony.blake2b import Blake2b
from zk.ceremony.errors import InvalidCeremony
from zk.ceremony.keypair import Beacon
from zk.ceremony.phase2 import (
    MpcParams,
    h_hash_count,
    apply_beacon,
    coefficients_in_file_order,
    contribute,
    decode_mpc_params,
    encode_mpc_params,
    new_ceremony,
    verify_ceremony,
)
from zk.ceremony.rng import ChaCha, chacha20_block, hash_to_g2
from zk.ceremony.wasm_fq import sub_affine
from zk.circom import prove_from_zkey
from zk.curve import G1_GENERATOR, G1_INFINITY, G2_GENERATOR, g1_mul, g2_in_subgroup, g2_mul
from zk.field import R
from zk.formats.iden3 import G2_SIZE, encode_g1_lem, encode_g2_lem, read_bytes, u32, u64
from zk.formats.ptau import decode_ptau, encode_ptau, read_ptau, write_ptau
from zk.formats.r1cs_bin import read_r1cs
from zk.formats.snarkjs_json import vk_to_json, write_json
from zk.formats.wtns import read_wtns
from zk.formats.zkey import read_zkey, write_zkey
from zk.groth16 import prepare_verifying_key, verify_proof

from ..conftest import ROOT, run_snarkjs
from ..support import circom as circom_artifacts

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


def test_chacha20_block_function_rfc8439_vector():
    """RFC 8439 §2.3.2: key 00..1f, block counter 1, nonce 00000009 0000004a 00000000."""
    key = [int.from_bytes(bytes(range(4 * i, 4 * i + 4)), "little") for i in range(8)]
    state = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574, *key, 1, 0x09000000, 0x4A000000, 0]
    assert chacha20_block(state)[:4] == [0xE4E7F110, 0x15593BD1, 0x1FDD0F50, 0xC47120A3]
    assert chacha20_block(state)[-1] == 0x4E3C50A2


def test_hash_to_g2_lands_in_the_subgroup():
    for label in ("a", "b", "c"):
        assert g2_in_subgroup(hash_to_g2(hashlib.blake2b(label.encode()).digest()))


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


# ---------------------------------------------------------------- phase 1


def test_resumable_blake2b_is_blake2b():
    data = bytes(range(256)) * 3
    for cut in (0, 1, 127, 128, 129, 256, 700):
        for total in (cut, cut + 1, len(data)):
            if total < cut:
                continue
            state = Blake2b().update(data[:cut])
            resumed = Blake2b.from_partial(state.partial()).update(data[cut:total])
            assert resumed.digest() == hashlib.blake2b(data[:total]).digest(), (cut, total)


@pytest.fixture(scope="module")
def own_ceremony():
    """A ptau of power 5 from two zktrade contributions, prepared by zktrade (no snarkjs)."""
    p1, _ = phase1.contribute(phase1.new_ptau(5), rng("p-alice"), "alice")
    p2, _ = phase1.contribute(p1, rng("p-bob"), "bob")
    return phase1.prepare(p2)


def test_phase1_and_phase2_from_our_own_ptau(own_ceremony):
    contributions = phase1.verify_ptau(own_ceremony)
    assert [c.name for c in contributions] == ["alice", "bob"]
    cubic = registry.get("cubic").r1cs
    initial = new_ceremony(cubic, own_ceremony)
    key, _ = contribute(initial, rng("z-alice"), "alice")
    key, _ = apply_beacon(key, BEACON)
    assert [c.name for c in verify_ceremony(key, initial)] == ["alice", ""]
    witness = registry.get("cubic").witness({"x": 3})
    proof = prove_from_zkey(key, witness)
    assert verify_proof(prepare_verifying_key(key.proving_key.vk), proof, witness[1 : 1 + key.n_public])


@pytest.mark.parametrize("backend", ["fast", "reference"])
def test_the_ceremony_on_files_read_as_arrays_equals_it_on_points(own_ceremony, backend, monkeypatch, tmp_path):
    """A ptau and a .zkey read from files hold their sections as arrays (LemPoints); new,
    contribute and verify give byte for byte what they give on in-memory point tuples."""
    monkeypatch.setenv("ZKTRADE_BACKEND", backend)
    cubic = registry.get("cubic").r1cs
    read_back = decode_ptau(encode_ptau(own_ceremony))
    assert type(read_back.lagrange.tau_g1).__name__ == "LemPoints"
    on_points, on_arrays = new_ceremony(cubic, own_ceremony), new_ceremony(cubic, read_back)
    assert write_both(tmp_path, "new", on_points, on_arrays)
    from_points, _ = contribute(on_points, rng("z-arrays"), "alice")
    write_zkey(tmp_path / "c0.zkey", on_arrays)
    from_arrays, _ = contribute(read_zkey(tmp_path / "c0.zkey"), rng("z-arrays"), "alice")
    assert type(from_arrays.proving_key.h_query).__name__ == ("LemPoints" if backend == "fast" else "tuple")
    assert write_both(tmp_path, "contributed", from_points, from_arrays)
    write_zkey(tmp_path / "c1.zkey", from_arrays)
    assert [c.name for c in verify_ceremony(read_zkey(tmp_path / "c1.zkey"), on_arrays)] == ["alice"]


def write_both(tmp_path, name, a, b) -> bool:
    write_zkey(tmp_path / f"{name}_a.zkey", a)
    write_zkey(tmp_path / f"{name}_b.zkey", b)
    return (tmp_path / f"{name}_a.zkey").read_bytes() == (tmp_path / f"{name}_b.zkey").read_bytes()


def test_phase1_refuses_a_file_without_contribution():
    with pytest.raises(InvalidCeremony, match="no contribution"):
        phase1.verify_ptau(phase1.new_ptau(3))


def _with_ptau_contributions(ptau, edit):
    contributions = list(phase1.decode_contributions(ptau.contributions))
    edit(contributions)
    return replace(ptau, contributions=phase1.encode_contributions(contributions))


def test_phase1_tampering_names_the_contribution(own_ceremony):
    def wrong_pok(cs):
        cs[1] = replace(cs[1], key=replace(cs[1].key, alpha=replace(cs[1].key.alpha, g2_spx=g2_mul(cs[1].key.alpha.g2_spx, 2))))

    with pytest.raises(InvalidCeremony, match="contribution #2: the proof of knowledge of its α fails"):
        phase1.verify_ptau(_with_ptau_contributions(own_ceremony, wrong_pok))

    def broken_chain(cs):
        cs[0] = replace(cs[0], beta_g1=g1_mul(cs[0].beta_g1, 5))

    with pytest.raises(InvalidCeremony, match="contribution #1: its β·G1 does not follow"):
        phase1.verify_ptau(_with_ptau_contributions(own_ceremony, broken_chain))

    def swapped(cs):
        cs[0], cs[1] = cs[1], cs[0]

    with pytest.raises(InvalidCeremony, match="contribution #1"):
        phase1.verify_ptau(_with_ptau_contributions(own_ceremony, swapped))

    tau_g1 = list(own_ceremony.tau_g1)
    tau_g1[7] = g1_mul(tau_g1[7], 2)
    with pytest.raises(InvalidCeremony, match="τⁱ·G1 section"):
        phase1.verify_ptau(replace(own_ceremony, tau_g1=tuple(tau_g1)))
    lagrange = own_ceremony.lagrange
    bad = replace(lagrange, tau_g2=(lagrange.tau_g2[0], g2_mul(lagrange.tau_g2[1], 3), *lagrange.tau_g2[2:]))
    with pytest.raises(InvalidCeremony, match="Lagrange basis of τ·G2 for domain size 2"):
        phase1.verify_ptau(replace(own_ceremony, lagrange=bad))


@pytest.mark.node
def test_ptau_new_is_snarkjs_powersoftau_new(tmp_path):
    check(run_snarkjs("powersoftau", "new", "bn128", "4", str(tmp_path / "theirs.ptau")))
    write_ptau(tmp_path / "ours.ptau", phase1.new_ptau(4))
    assert (tmp_path / "ours.ptau").read_bytes() == (tmp_path / "theirs.ptau").read_bytes()


@pytest.fixture(scope="module")
def ptau_three_party(tmp_path_factory):
    """zktrade (alice) → snarkjs (bob) → zktrade beacon → zktrade prepare, power 6."""
    d = tmp_path_factory.mktemp("phase1")
    p1, _ = phase1.contribute(phase1.new_ptau(6), rng("pt-alice"), "alice")
    write_ptau(d / "p1.ptau", p1)
    check(run_snarkjs("powersoftau", "contribute", str(d / "p1.ptau"), str(d / "p2.ptau"), "--name=bob", "-e=bob's entropy"))
    p3, _ = phase1.apply_beacon(read_ptau(d / "p2.ptau"), BEACON, "beacon")
    write_ptau(d / "p3.ptau", p3)
    write_ptau(d / "final.ptau", phase1.prepare(p3))
    return d


@pytest.mark.node
def test_three_party_ptau_verified_by_both_tools(ptau_three_party):
    final = read_ptau(ptau_three_party / "final.ptau")
    contributions = phase1.verify_ptau(final)
    assert [c.name for c in contributions] == ["alice", "bob", "beacon"]
    out = check(run_snarkjs("powersoftau", "verify", str(ptau_three_party / "final.ptau")))
    assert "Powers of Tau Ok!" in out
    for c in contributions:  # snarkjs prints each response hash: ours recomputes the same
        assert c.response_hash()[:4].hex() in out


@pytest.mark.node
def test_our_prepare_and_beacon_equal_snarkjs(ptau_three_party):
    d = ptau_three_party
    check(run_snarkjs("powersoftau", "prepare", "phase2", str(d / "p3.ptau"), str(d / "theirs_final.ptau")))
    assert read_ptau(d / "theirs_final.ptau").lagrange == read_ptau(d / "final.ptau").lagrange
    beacon_hex = BEACON.hash.hex()
    check(run_snarkjs("powersoftau", "beacon", str(d / "p2.ptau"), str(d / "theirs_beacon.ptau"), beacon_hex, "10", "-n=beacon"))
    theirs = read_ptau(d / "theirs_beacon.ptau")
    ours = read_ptau(d / "p3.ptau")
    assert replace(theirs, contributions=b"") == replace(ours, contributions=b"")  # the same points
    # the same records, but for the bytes past the end of the saved Blake2b buffer (stale in
    # snarkjs's, zero in ours): the resumed response hashes agree
    theirs_c, ours_c = (phase1.decode_contributions(p.contributions) for p in (theirs, ours))
    assert [c.response_hash() for c in theirs_c] == [c.response_hash() for c in ours_c]
    assert [replace(c, partial_hash=b"") for c in theirs_c] == [replace(c, partial_hash=b"") for c in ours_c]


@pytest.mark.node
def test_snarkjs_refuses_our_tampered_ptau(ptau_three_party, tmp_path):
    final = read_ptau(ptau_three_party / "final.ptau")

    def edit(cs):
        cs[0] = replace(cs[0], key=replace(cs[0].key, tau=replace(cs[0].key.tau, g2_spx=g2_mul(cs[0].key.tau.g2_spx, 2))))

    with pytest.raises(InvalidCeremony, match="contribution #1: the proof of knowledge of its τ"):
        phase1.verify_ptau(_with_ptau_contributions(final, edit))
    write_ptau(tmp_path / "bad.ptau", _with_ptau_contributions(final, edit))
    result = run_snarkjs("powersoftau", "verify", str(tmp_path / "bad.ptau"))
    assert "Powers of Tau Ok!" not in result.stdout + result.stderr


# ---------------------------------------------------------------- a domain of 2^power

# ffjavascript's own g1m_subAffine, batchToAffine and batchLEMtoU on one pair of raw points,
# as snarkjs's hashHPointsThread runs them.
SUB_AFFINE_JS = """
import { buildBn128 } from "ffjavascript";
const curve = await buildBn128(true);
for (const line of process.argv[1].split(",")) {
  const [a, b] = line.split(":").map(h => Uint8Array.from(Buffer.from(h, "hex")));
  const res = await curve.tm.queueAction([
    {cmd: "ALLOCSET", var: 0, buff: a}, {cmd: "ALLOCSET", var: 1, buff: b}, {cmd: "ALLOC", var: 2, len: 96},
    {cmd: "CALL", fnName: "g1m_subAffine", params: [{var: 0}, {var: 1}, {var: 2}]},
    {cmd: "CALL", fnName: "g1m_batchToAffine", params: [{var: 2}, {val: 1}, {var: 2}]},
    {cmd: "CALL", fnName: "g1m_batchLEMtoU", params: [{var: 2}, {val: 1}, {var: 2}]},
    {cmd: "GET", out: 0, var: 2, len: 64}]);
  console.log(Buffer.from(res[0]).toString("hex"));
}
await curve.terminate();
"""


@pytest.mark.node
def test_the_point_past_the_section_is_hashed_as_ffjavascript_does():
    """At domain = 2^power ≥ 2^15 snarkjs hashes (the 64 bytes after τ·G1) − τ^(2n−1)·G1 in its wasm
    arithmetic; below 2^15 it stays inside the section. Powers 10..20, and random non-points."""
    rnd = random.Random(15)
    g2 = encode_g2_lem([G2_GENERATOR])
    pairs = []
    for power in range(10, 21):
        n = 1 << power
        assert (n + h_hash_count(n) > 2 * n - 1) == (power >= 15)  # τ·G1 has 2n − 1 points
        after = (u32(3) + u64(n * G2_SIZE) + g2)[:64]  # the next section's header, then τ⁰·G2
        pairs.append((after, encode_g1_lem([g1_mul(G1_GENERATOR, rnd.randrange(1, R))])))
    small = phase1.new_ptau(4)  # what an in-memory ptau assumes is what its file holds
    assert decode_ptau(encode_ptau(small)).after_tau_g1 == small.bytes_after_tau_g1() == (u32(3) + u64(16 * G2_SIZE) + g2)[:64]
    pairs += [(rnd.randbytes(64), encode_g1_lem([g1_mul(G1_GENERATOR, rnd.randrange(1, R))])) for _ in range(4)]
    arg = ",".join(f"{a.hex()}:{b.hex()}" for a, b in pairs)
    out = subprocess.run(["node", "--input-type=module", "-e", SUB_AFFINE_JS, arg], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [sub_affine(a, b).hex() for a, b in pairs]


@pytest.fixture(scope="module")
def full_domain():
    return circom_artifacts.full_domain()


@pytest.mark.slow
@pytest.mark.node
@pytest.mark.skipif(not os.environ.get("ZKTRADE_LONG_CEREMONY"),
                    reason="builds a prepared power-15 ptau with snarkjs (tens of minutes on 2 cores): "
                           "set ZKTRADE_LONG_CEREMONY=1 to run it")
def test_a_domain_equal_to_the_ptau_power_in_both_tools(full_domain, tmp_path):
    """Domain 2^15 on a power-15 ptau: zktrade's new (the very file snarkjs's setup writes),
    contribute and verify are accepted by `snarkjs zkey verify`, and snarkjs's own setup and
    contribution by `zktrade ceremony verify`."""
    from ..support.tools import zktrade

    def ok(*args):
        r = zktrade(*args, cwd=tmp_path)
        assert r.returncode == 0, r.stdout + r.stderr
        return r.stdout

    r1cs, pot = str(full_domain.r1cs), str(circom_artifacts.ptau(circom_artifacts.FULL_DOMAIN_POWER))
    assert read_r1cs(full_domain.r1cs).r1cs.n_constraints + 2 > 1 << 14  # so the domain is 2^15
    ok("ceremony", "new", r1cs, "--ptau", pot, "--out", "c0.zkey")
    assert (tmp_path / "c0.zkey").read_bytes() == full_domain.zkey_initial.read_bytes()
    ok("ceremony", "contribute", "c0.zkey", "c1.zkey", "--name", "alice")
    assert "OK: 1 contribution(s)" in ok("ceremony", "verify", "c1.zkey", "--circuit", r1cs, "--ptau", pot)
    assert "ZKey Ok!" in check(run_snarkjs("zkey", "verify", r1cs, pot, str(tmp_path / "c1.zkey"), timeout=900))
    assert "OK: 1 contribution(s)" in ok("ceremony", "verify", str(full_domain.zkey), "--circuit", r1cs, "--ptau", pot)


# ---------------------------------------------------------------- the CLI, as a user runs it


@pytest.mark.slow
@pytest.mark.node
def test_cli_ceremony_for_a_zktrade_circuit_end_to_end(tmp_path):
    from ..support.tools import assert_one_line_error, zktrade

    def ok(*args):
        r = zktrade(*args, cwd=tmp_path)
        assert r.returncode == 0, r.stdout + r.stderr
        return r.stdout

    for group, commands in (("ptau", ("new", "contribute", "beacon", "prepare", "verify")),
                            ("ceremony", ("new", "contribute", "beacon", "verify"))):
        for command in commands:
            assert "Example" in ok(group, command, "--help")
    ok("ptau", "new", "4", "p0.ptau")
    assert_one_line_error(zktrade("ptau", "verify", "p0.ptau", cwd=tmp_path), "no contribution")
    ok("ptau", "contribute", "p0.ptau", "p1.ptau", "--name", "alice", "--entropy", "dice 3 1 4")
    ok("ptau", "prepare", "p1.ptau", "pot.ptau")
    assert "OK" in ok("ptau", "verify", "pot.ptau")
    ok("ceremony", "new", "cubic", "--ptau", "pot.ptau", "--out", "c0.zkey")
    assert_one_line_error(zktrade("ceremony", "verify", "c0.zkey", "--circuit", "cubic", "--ptau", "pot.ptau", cwd=tmp_path),
                          "no contribution", "forge")
    ok("ceremony", "contribute", "c0.zkey", "c1.zkey", "--name", "alice")
    ok("ceremony", "beacon", "c1.zkey", "final.zkey", "--hash", "ab" * 32)
    out = ok("ceremony", "verify", "final.zkey", "--circuit", "cubic", "--ptau", "pot.ptau", "--install", "keys")
    assert "alice" in out and "OK: 2 contribution(s)" in out
    (tmp_path / "input.json").write_text('{"x": 3}')
    (pk,) = (tmp_path / "keys").glob("cubic-*.pk")  # the trading system's key store proves with it
    ok("prove", "cubic", "--pk", str(pk), "--input", "input.json")
    assert "OK" in ok("verify", "--vk", str(pk.with_suffix(".vk.json")), "--proof", "proof.json", "--public", "public.json")
    ok("ceremony", "export", "vk", "final.zkey", "--out", "vk.json")
    assert json.loads((tmp_path / "vk.json").read_text())["protocol"] == "groth16"
    ok("circom", "export", "cubic", "--r1cs", "cubic.r1cs")  # snarkjs checks the same files
    check(run_snarkjs("zkey", "verify", str(tmp_path / "cubic.r1cs"), str(tmp_path / "pot.ptau"), str(tmp_path / "final.zkey")))
    check(run_snarkjs("powersoftau", "verify", str(tmp_path / "pot.ptau")))
