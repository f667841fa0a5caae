"""The iden3 binary formats without node: round trips, our setup against the textbook one,
and corrupted or foreign files rejected with a message (never a crash, never a silent key)."""

from dataclasses import replace
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from circuits import registry
from zk.backends import get_backend
from zk.circom.setup import MPC_PARAMS_WITHOUT_TRANSCRIPT, zkey_from_ptau
from zk.curve import G1_GENERATOR, G2_GENERATOR, G2_INFINITY, g2_mul
from zk.domain import Domain
from zk.errors import MalformedInput
from zk.field import Q, R
from zk.formats.iden3 import G1, G2, LemPoints, decode_lem, encode_container, field_bytes, parse_container, to_montgomery, u32, u64
from zk.formats.ptau import Lagrange, Ptau, decode_ptau, encode_ptau
from zk.formats.r1cs_bin import R1csFile, decode_r1cs, encode_r1cs, r1cs_file, read_r1cs, write_r1cs
from zk.formats.wtns import decode_wtns, encode_wtns, read_wtns, write_wtns
from zk.formats.zkey import decode_zkey, encode_zkey, read_zkey, write_zkey, zkey_from_proving_key
from zk.circom.prover import create_proof_from_zkey
from zk.groth16 import ToxicWaste, generate_parameters, prepare_verifying_key, verify_proof
from zk.qap import lagrange_at
from zk.r1cs import R1CS, Constraint, lc

BLS12_381_R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
TAU, ALPHA, BETA = 1234567, 7654321, 1111111


# ---- sample files -------------------------------------------------------------------------


def cubic():
    c = registry.get("cubic")
    return c.r1cs, c.witness(c.example_inputs())


@cache
def synthetic_ptau(power: int = 3) -> Ptau:
    """A prepared ptau from known τ, α, β: every section computed from its definition."""
    backend = get_backend()
    g1 = lambda scalars: tuple(backend.fixed_base_g1(G1_GENERATOR, scalars))  # noqa: E731
    g2 = lambda scalars: tuple(backend.fixed_base_g2(G2_GENERATOR, scalars))  # noqa: E731
    n = 1 << power
    powers = [pow(TAU, i, R) for i in range(2 * n - 1)]

    def lagrange(max_power: int) -> list[int]:
        return [v for k in range(max_power + 1) for v in lagrange_at(Domain(1 << k), TAU)]

    small, big = lagrange(power), lagrange(power + 1)
    return Ptau(
        power=power,
        ceremony_power=power,
        tau_g1=g1(powers),
        tau_g2=g2(powers[:n]),
        alpha_tau_g1=g1([ALPHA * p % R for p in powers[:n]]),
        beta_tau_g1=g1([BETA * p % R for p in powers[:n]]),
        beta_g2=g2_mul(G2_GENERATOR, BETA),
        contributions=u32(0),
        lagrange=Lagrange(
            tau_g1=g1(big),
            tau_g2=g2(small),
            alpha_tau_g1=g1([ALPHA * v % R for v in small]),
            beta_tau_g1=g1([BETA * v % R for v in small]),
        ),
    )


@cache
def cubic_zkey():
    r1cs, _ = cubic()
    return zkey_from_ptau(r1cs, synthetic_ptau(), delta=424242)


def sample_files() -> dict[str, tuple[bytes, object]]:
    r1cs, witness = cubic()
    return {
        "r1cs": (encode_r1cs(r1cs_file(r1cs, n_outputs=1)), decode_r1cs),
        "wtns": (encode_wtns(witness), decode_wtns),
        "zkey": (encode_zkey(cubic_zkey()), decode_zkey),
        "ptau": (encode_ptau(synthetic_ptau()), decode_ptau),
    }


# ---- setup from a ptau equals the textbook setup with the same secrets -----------------------


def test_setup_from_ptau_equals_generate_parameters_with_the_same_secrets():
    r1cs, _ = cubic()
    ours = cubic_zkey().proving_key
    textbook = generate_parameters(r1cs, ToxicWaste(tau=TAU, alpha=ALPHA, beta=BETA, gamma=1, delta=424242))
    assert replace(ours, circuit_digest="") == replace(textbook, circuit_digest="")


def test_setup_refuses_an_unprepared_or_too_small_ptau():
    r1cs, _ = cubic()
    with pytest.raises(MalformedInput, match="prepare phase2"):
        zkey_from_ptau(r1cs, replace(synthetic_ptau(), lagrange=None), delta=5)
    big = registry.get("gates64x32").r1cs  # domain 256 > 2^3
    with pytest.raises(MalformedInput, match="use a .ptau of power >= 8"):
        zkey_from_ptau(big, synthetic_ptau(), delta=5)


def test_setup_refuses_a_ptau_whose_lagrange_basis_is_wrong():
    ptau = synthetic_ptau()
    lg = ptau.lagrange
    swapped = replace(lg, tau_g1=lg.tau_g1[:7] + (lg.tau_g1[8],) + lg.tau_g1[8:])  # one point duplicated
    with pytest.raises(MalformedInput, match="does not sum to the generator"):
        zkey_from_ptau(cubic()[0], replace(ptau, lagrange=swapped), delta=5)


# ---- round trips ------------------------------------------------------------------------------

coefficient = st.integers(min_value=1, max_value=R - 1)


@st.composite
def r1cs_files(draw) -> R1csFile:
    n_wires = draw(st.integers(min_value=2, max_value=8))
    n_public = draw(st.integers(min_value=0, max_value=n_wires - 1))
    wire = st.integers(min_value=0, max_value=n_wires - 1)
    combination = st.lists(st.tuples(wire, coefficient), max_size=4).map(lc)
    constraints = draw(st.lists(st.builds(Constraint, combination, combination, combination), max_size=6))
    r1cs = R1CS(n_wires=n_wires, n_public=n_public, constraints=tuple(constraints))
    n_outputs = draw(st.integers(min_value=0, max_value=n_public))
    return r1cs_file(r1cs, n_outputs, draw(st.integers(min_value=0, max_value=r1cs.n_private)))


@given(r1cs_files())
@settings(max_examples=60, deadline=None)
def test_r1cs_round_trip(f):
    assert decode_r1cs(encode_r1cs(f)) == f


@given(st.lists(st.integers(min_value=0, max_value=R - 1), max_size=20).map(lambda w: [1, *w]))
@settings(max_examples=60, deadline=None)
def test_wtns_round_trip(witness):
    assert decode_wtns(encode_wtns(witness)) == witness


def test_files_round_trip_through_disk(tmp_path):
    r1cs, witness = cubic()
    write_r1cs(tmp_path / "c.r1cs", r1cs, n_outputs=1)
    f = read_r1cs(tmp_path / "c.r1cs")
    assert f.r1cs == r1cs and (f.n_outputs, f.n_pub_inputs, f.n_labels) == (1, 0, r1cs.n_wires)
    assert f.wire_labels == tuple(range(r1cs.n_wires))
    write_wtns(tmp_path / "c.wtns", witness)
    assert read_wtns(tmp_path / "c.wtns") == witness
    write_zkey(tmp_path / "c.zkey", cubic_zkey())
    assert read_zkey(tmp_path / "c.zkey") == cubic_zkey()


def test_zkey_and_ptau_round_trip_byte_for_byte():
    for name, (data, decode) in sample_files().items():
        if name in ("zkey", "ptau"):
            encode = encode_zkey if name == "zkey" else encode_ptau
            assert encode(decode(data)) == data


def test_our_keys_as_zkey_keep_the_proving_key():
    r1cs, _ = cubic()
    pk = generate_parameters(r1cs, ToxicWaste(tau=3, alpha=5, beta=7, gamma=11, delta=13))
    z = decode_zkey(encode_zkey(zkey_from_proving_key(pk, r1cs, MPC_PARAMS_WITHOUT_TRANSCRIPT)))
    assert replace(z.proving_key, circuit_digest="") == replace(pk, circuit_digest="")
    with pytest.raises(MalformedInput, match="circom reduction"):
        zkey_from_proving_key(generate_parameters(r1cs, ToxicWaste(3, 5, 7, 11, 13), "libsnark"), r1cs, bytes(68))


def test_the_g2_generator_the_formats_use_has_order_r():
    assert g2_mul(G2_GENERATOR, R) == G2_INFINITY and g2_mul(G2_GENERATOR, R - 1) != G2_INFINITY


# ---- point sections read as arrays -----------------------------------------------------------

ZKEY_POINT_SECTIONS = {5: ("A", G1), 6: ("B1", G1), 7: ("B2", G2), 8: ("C", G1), 9: ("H", G1)}


def test_zkey_point_sections_are_arrays_equal_to_the_point_by_point_reading():
    raw = encode_zkey(cubic_zkey())
    z = decode_zkey(raw)
    pk = z.proving_key
    f = parse_container(raw, b"zkey", (1,), "zkey")
    arrays = {5: pk.a_query, 6: pk.b_g1_query, 7: pk.b_g2_query, 8: pk.l_query, 9: pk.h_query}
    for kind, (label, group) in ZKEY_POINT_SECTIONS.items():
        points = arrays[kind]
        assert isinstance(points, LemPoints)
        assert points.montgomery_limbs().tobytes() == f.section(kind, "zkey")  # the file's bytes, as they are
        assert list(points) == decode_lem(group, f.section(kind, "zkey"), label)  # the readable reader's points
        assert points[-1] == list(points)[-1] and list(points[1:3]) == list(points)[1:3]
    assert z.coefficients == cubic_zkey().coefficients and list(z.coefficients) == list(cubic_zkey().coefficients)


def _with_point(raw: bytes, kind: int, index: int, coords: list[bytes]) -> bytes:
    """The file with point `index` of section `kind` replaced by these raw coordinates."""
    f = parse_container(raw, b"zkey", (1,), "zkey")
    size = 32 * len(coords)
    sections = [(k, body[: index * size] + b"".join(coords) + body[(index + 1) * size :] if k == kind else body)
                for k, body in f.sections]
    return encode_container(b"zkey", 1, sections)


@pytest.mark.parametrize("kind", sorted(ZKEY_POINT_SECTIONS))
def test_a_bad_point_in_an_array_section_is_named_as_the_point_reader_names_it(kind):
    label, group = ZKEY_POINT_SECTIONS[kind]
    raw = encode_zkey(cubic_zkey())
    off_curve = [field_bytes(to_montgomery(1, Q))] * group.coords  # x = y = 1 is on neither curve
    with pytest.raises(MalformedInput, match=rf"^zkey: {label}: point 1 is not on the {group.curve}$"):
        decode_zkey(_with_point(raw, kind, 1, off_curve))
    not_canonical = [field_bytes(Q)] + [field_bytes(0)] * (group.coords - 1)
    with pytest.raises(MalformedInput, match=rf"^zkey: {label}: coordinate {Q} is not below BN254's base field q$"):
        decode_zkey(_with_point(raw, kind, 2, not_canonical))


def test_bad_coefficients_are_named_by_index():
    raw = encode_zkey(cubic_zkey())
    f = parse_container(raw, b"zkey", (1,), "zkey")

    def with_entry(k: int, entry: bytes) -> bytes:
        sections = [(t, body[: 4 + 44 * k] + entry + body[4 + 44 * (k + 1) :] if t == 4 else body) for t, body in f.sections]
        return encode_container(b"zkey", 1, sections)

    with pytest.raises(MalformedInput, match=r"coefficient 3 \(matrix 2, row 0, wire 1\) is outside"):
        decode_zkey(with_entry(3, u32(2) + u32(0) + u32(1) + field_bytes(1)))
    with pytest.raises(MalformedInput, match=rf"coefficients: coefficient 2 = {R} is not below BN254's scalar field r"):
        decode_zkey(with_entry(2, u32(0) + u32(0) + u32(1) + field_bytes(R)))


def test_both_backends_prove_the_same_from_a_zkey_read_as_arrays(monkeypatch):
    """The fast path (rows and H on the coefficient arrays, bases from the file's limbs) against
    the readable one (Python rows, py_ecc MSMs over converted points), same blinding."""
    _, witness = cubic()
    z = decode_zkey(encode_zkey(cubic_zkey()))
    fast = create_proof_from_zkey(z, witness, 1234, 5678)
    monkeypatch.setenv("ZKTRADE_BACKEND", "reference")
    assert create_proof_from_zkey(z, witness, 1234, 5678) == fast
    assert create_proof_from_zkey(cubic_zkey(), witness, 1234, 5678) == fast
    assert verify_proof(prepare_verifying_key(z.proving_key.vk), fast, witness[1 : 1 + z.n_public])


# ---- corruption: truncated, extended, flipped, foreign ----------------------------------------

FILES = sample_files()
NAMES = sorted(FILES)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_truncated_or_extended_files_are_rejected(name, data):
    raw, decode = FILES[name]
    cut = data.draw(st.integers(min_value=0, max_value=len(raw) - 1), label="cut")
    with pytest.raises(MalformedInput):
        decode(raw[:cut])
    extra = data.draw(st.binary(min_size=1, max_size=40), label="extra")
    with pytest.raises(MalformedInput):
        decode(raw + extra)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
@settings(max_examples=40, deadline=None)
def test_flipped_bytes_are_rejected_or_change_the_content(name, data):
    """Any flip either raises MalformedInput or decodes to different content (never a crash,
    never the original key read silently from a damaged file)."""
    raw, decode = FILES[name]
    original = decode(raw)
    pos = data.draw(st.integers(min_value=0, max_value=len(raw) - 1), label="pos")
    bit = data.draw(st.integers(min_value=0, max_value=7), label="bit")
    damaged = bytearray(raw)
    damaged[pos] ^= 1 << bit
    try:
        decoded = decode(bytes(damaged))
    except MalformedInput as exc:
        assert str(exc)
        return
    assert decoded != original


@pytest.mark.parametrize("name", ["zkey", "ptau"])
@given(data=st.data())
@settings(max_examples=30, deadline=None)
def test_every_flip_inside_a_point_is_rejected(name, data):
    """Points are checked on their curve: a damaged coordinate is never accepted."""
    raw, decode = FILES[name]
    f = parse_container(raw, name.encode(), (1,), name)
    point_sections = {"zkey": (3, 5, 6, 7, 8, 9), "ptau": (2, 3, 4, 5, 6, 12, 13, 14, 15)}[name]
    offsets, pos = [], 12
    for kind, body in f.sections:
        if kind in point_sections:
            offsets += range(pos + 12, pos + 12 + len(body))
        pos += 12 + len(body)
    where = data.draw(st.sampled_from(offsets), label="offset")
    damaged = bytearray(raw)
    damaged[where] ^= 1 << data.draw(st.integers(min_value=0, max_value=7), label="bit")
    with pytest.raises(MalformedInput):
        decode(bytes(damaged))


def test_wrong_magic_and_version_are_named():
    raw, _ = FILES["wtns"]
    with pytest.raises(MalformedInput, match=r"not a .r1cs file"):
        decode_r1cs(raw)
    with pytest.raises(MalformedInput, match="format version 9"):
        decode_wtns(raw[:4] + u32(9) + raw[8:])


def test_a_file_for_another_curve_is_refused():
    header = u32(32) + field_bytes(BLS12_381_R) + u32(2)
    foreign = encode_container(b"wtns", 2, [(1, header), (2, field_bytes(1) * 2)])
    with pytest.raises(MalformedInput, match="another curve"):
        decode_wtns(foreign)
    bls_sized = encode_container(b"wtns", 2, [(1, u32(48) + bytes(48) + u32(1)), (2, bytes(48))])
    with pytest.raises(MalformedInput, match="48 bytes; BN254 uses 32"):
        decode_wtns(bls_sized)


def test_values_at_or_above_the_prime_are_refused_not_reduced():
    with pytest.raises(MalformedInput):
        encode_wtns([1, R])
    header = u32(32) + field_bytes(R) + u32(2)
    with pytest.raises(MalformedInput, match="not below BN254's scalar field"):
        decode_wtns(encode_container(b"wtns", 2, [(1, header), (2, field_bytes(1) + field_bytes(R))]))


def _r1cs_with(header_fields: bytes, constraints: bytes, labels: bytes, extra=()) -> bytes:
    return encode_container(b"r1cs", 1, [(1, u32(32) + field_bytes(R) + header_fields), (2, constraints), (3, labels), *extra])


def test_r1cs_structure_errors_are_precise():
    one_constraint = u32(1) + u32(7) + field_bytes(1) + u32(0) + u32(0)  # A uses wire 7 of 2
    header = u32(2) + u32(0) + u32(1) + u32(0) + u64(2) + u32(1)
    with pytest.raises(MalformedInput, match="constraint 0 A uses wire 7, but there are 2 wires"):
        decode_r1cs(_r1cs_with(header, one_constraint, u64(0) + u64(1)))
    with pytest.raises(MalformedInput, match="custom gates"):
        decode_r1cs(_r1cs_with(header, b"", b"", extra=[(4, b""), (5, b"")]))
    too_many_inputs = u32(2) + u32(1) + u32(1) + u32(0) + u64(2) + u32(0)
    with pytest.raises(MalformedInput, match="cannot hold"):
        decode_r1cs(_r1cs_with(too_many_inputs, b"", u64(0) + u64(1)))


def test_a_plonk_zkey_is_refused_by_name():
    raw, _ = FILES["zkey"]
    f = parse_container(raw, b"zkey", (1,), "zkey")
    sections = [(k, u32(2) if k == 1 else body) for k, body in f.sections]
    with pytest.raises(MalformedInput, match="PLONK key"):
        decode_zkey(encode_container(b"zkey", 1, sections))


def test_zkey_with_a_base_field_header_for_another_curve_is_refused():
    raw, _ = FILES["zkey"]
    f = parse_container(raw, b"zkey", (1,), "zkey")
    sections = [(k, body[:4] + field_bytes(Q + 2) + body[36:] if k == 2 else body) for k, body in f.sections]
    with pytest.raises(MalformedInput, match="another curve"):
        decode_zkey(encode_container(b"zkey", 1, sections))
