"""Groth16 completeness, soundness negatives, zero knowledge, batch verification."""

import gc
import random
from dataclasses import replace

import pytest

from zk.backends import get_backend, reference
from zk.curve import G1_GENERATOR, G2_GENERATOR, g1_add, g1_mul, g2_add, g2_mul
from zk.errors import KeyMismatch, MalformedInput, Unsatisfied
from zk.field import R
from zk.groth16 import (
    assemble_proof,
    batch_verify,
    create_proof,
    generate_parameters,
    prepare_proving_key,
    prepare_verifying_key,
    prove,
    sample_toxic_waste,
    verify_proof,
)
from zk.groth16 import prover
from zk.qap import get_reduction
from zk.r1cs import R1CS, Constraint, lc

from .backend_choice import each_backend  # noqa: F401 (fixture)
from ..support.keys import keys


@pytest.mark.parametrize(
    "name, reduction",
    [
        ("cubic", "circom"),
        ("cubic", "libsnark"),
        ("gates300x0", "circom"),  # zero public inputs
        ("gates64x32", "circom"),  # many public inputs
        ("gates64x32", "libsnark"),
    ],
)
def test_completeness(name, reduction):
    c, pk, pvk = keys(name, reduction)
    w = c.witness(c.example_inputs())
    proof = prove(pk, c.r1cs, w)
    assert verify_proof(pvk, proof, c.r1cs.public_inputs(w))


def random_r1cs(rng: random.Random, n_public: int, n_private: int, n_constraints: int):
    """A random satisfiable system: each constraint's C pins a fresh private wire to A·B."""
    n_wires = 1 + n_public + n_private + n_constraints
    witness = [1] + [rng.randrange(R) for _ in range(n_public + n_private)]
    constraints = []
    for j in range(n_constraints):
        pool = range(len(witness))
        a = lc({rng.choice(pool): rng.randrange(1, R) for _ in range(3)})
        b = lc({rng.choice(pool): rng.randrange(1, R) for _ in range(2)})
        target = len(witness)
        from zk.r1cs import evaluate

        witness.append(evaluate(a, witness) * evaluate(b, witness) % R)
        constraints.append(Constraint(a, b, lc({target: 1})))
    # Make every public input take part in a constraint.
    for i in range(1, n_public + 1):
        constraints.append(Constraint(lc({i: 1}), lc({0: 1}), lc({i: 1})))
    return R1CS(n_wires, n_public, tuple(constraints)), witness


@pytest.mark.parametrize("seed, n_public", [(1, 0), (2, 1), (3, 5)])
def test_completeness_on_random_systems(seed, n_public):
    rng = random.Random(seed)
    cs, w = random_r1cs(rng, n_public, 3, 20)
    cs.check(w)
    pk = generate_parameters(cs, sample_toxic_waste(seed))
    assert verify_proof(prepare_verifying_key(pk.vk), prove(pk, cs, w), cs.public_inputs(w))


@pytest.fixture(scope="module")
def cubic_proof():
    c, pk, pvk = keys("gates300")
    w = c.witness(c.example_inputs())
    return pvk, prove(pk, c.r1cs, w), c.r1cs.public_inputs(w)


def on_this_backend(fixture):
    """The fixture's proof and inputs, with the key prepared for the backend under test."""
    pvk, proof, public = fixture
    return prepare_verifying_key(pvk.vk), proof, public


def test_valid_proof_is_accepted(cubic_proof, each_backend):
    pvk, proof, public = on_this_backend(cubic_proof)
    assert (pvk.g2.lines is None) == (each_backend == "reference")
    assert verify_proof(pvk, proof, public)


@pytest.mark.parametrize("element", ["a", "b", "c"])
def test_each_tampered_proof_element_is_rejected(cubic_proof, element, each_backend):
    pvk, proof, public = on_this_backend(cubic_proof)
    moved = {
        "a": g1_add(proof.a, G1_GENERATOR),
        "b": g2_add(proof.b, G2_GENERATOR),
        "c": g1_add(proof.c, G1_GENERATOR),
    }[element]
    assert not verify_proof(pvk, replace(proof, **{element: moved}), public)


def test_each_public_input_changed_is_rejected(cubic_proof, each_backend):
    pvk, proof, public = on_this_backend(cubic_proof)
    assert len(public) == 4
    for i in range(len(public)):
        changed = list(public)
        changed[i] = (changed[i] + 1) % R
        assert not verify_proof(pvk, proof, changed), f"public input {i} changed was accepted"


def test_swapped_elements_are_rejected(cubic_proof, each_backend):
    pvk, proof, public = on_this_backend(cubic_proof)
    assert not verify_proof(pvk, replace(proof, a=proof.c, c=proof.a), public)


def test_public_input_shape_and_range(cubic_proof):
    pvk, proof, public = cubic_proof
    with pytest.raises(MalformedInput, match="expects 4 public inputs, got 3"):
        verify_proof(pvk, proof, public[:3])
    with pytest.raises(MalformedInput, match="not a field element"):
        verify_proof(pvk, proof, [public[0] + R, *public[1:]])
    with pytest.raises(MalformedInput, match="not a field element"):
        verify_proof(pvk, proof, [-1, *public[1:]])


def test_points_off_curve_and_outside_subgroup_are_rejected(cubic_proof, each_backend):
    from .points import g2_point_outside_subgroup

    pvk, proof, public = on_this_backend(cubic_proof)
    with pytest.raises(MalformedInput, match="A is not on the BN254 G1 curve"):
        verify_proof(pvk, replace(proof, a=(1, 3)), public)
    with pytest.raises(MalformedInput, match="B is not in the BN254 G2 subgroup"):
        verify_proof(pvk, replace(proof, b=g2_point_outside_subgroup()), public)


def test_unsatisfied_witness_is_refused_with_the_constraint_named():
    c, pk, _ = keys("cubic")
    w = c.witness({"x": 3})
    w[1] = 36  # claim y = 36
    with pytest.raises(Unsatisfied, match=r"cubic/sum: constraint 2 unsatisfied: a·b = 35 .* c = 36"):
        prove(pk, c.r1cs, w)


def test_key_for_another_circuit_is_refused():
    c, _, _ = keys("cubic")
    _, other_pk, _ = keys("gates300")
    with pytest.raises(KeyMismatch, match="run setup for this circuit"):
        prove(other_pk, c.r1cs, c.witness({"x": 3}))


def test_proofs_are_randomised(cubic_proof):
    c, pk, pvk = keys("gates300")
    w = c.witness(c.example_inputs())
    p1, p2 = prove(pk, c.r1cs, w), prove(pk, c.r1cs, w)
    assert p1.a != p2.a and p1.b != p2.b and p1.c != p2.c
    # create_proof is deterministic in (r, s): the randomness comes from prove alone.
    assert create_proof(pk, c.r1cs, w, 5, 6) == create_proof(pk, c.r1cs, w, 5, 6)


def test_setup_never_uses_equal_gamma_and_delta():
    toxic = sample_toxic_waste(seed=1)
    assert toxic.gamma != toxic.delta
    c = keys("cubic")[0]
    with pytest.raises(ValueError, match="γ = δ"):
        generate_parameters(c.r1cs, replace(toxic, delta=toxic.gamma))


def test_seeded_setup_is_reproducible_and_unseeded_is_fresh():
    assert sample_toxic_waste(seed=9) == sample_toxic_waste(seed=9)
    assert sample_toxic_waste() != sample_toxic_waste()


def test_batch_verification_accepts_valid_and_rejects_any_bad(each_backend):
    c, pk, _ = keys("gates64x32")
    pvk = prepare_verifying_key(pk.vk)
    items = []
    for s in (3, 4, 5):
        w = c.witness({"s": s})
        items.append((prove(pk, c.r1cs, w), c.r1cs.public_inputs(w)))
    assert batch_verify(pvk, items)
    for i in range(len(items)):
        proof, public = items[i]
        bad_proof = [*items]
        bad_proof[i] = (replace(proof, c=g1_mul(proof.c, 2)), public)
        assert not batch_verify(pvk, bad_proof), f"batch accepted a tampered proof at {i}"
        bad_input = [*items]
        bad_input[i] = (proof, [(public[0] + 1) % R, *public[1:]])
        assert not batch_verify(pvk, bad_input), f"batch accepted a changed input at {i}"
    # Two wrong proofs that cancel in a naive (unrandomised) sum must still fail.
    (p0, x0), (p1, x1) = items[0], items[1]
    shift = g1_mul(G1_GENERATOR, 12345)
    from zk.curve import g1_neg

    cancel = [(replace(p0, c=g1_add(p0.c, shift)), x0), (replace(p1, c=g1_add(p1.c, g1_neg(shift))), x1)]
    assert not batch_verify(pvk, cancel)


def test_batch_verification_refuses_malformed_points(each_backend):
    """Every proof's points are checked before the pairing: B outside the subgroup or off the
    twist, A off the curve, at any position of a batch large enough to split over threads."""
    from zk.field import Q

    from .points import g2_point_outside_subgroup

    c, pk, _ = keys("cubic")
    pvk = prepare_verifying_key(pk.vk)
    w = c.witness({"x": 3})
    proof, public = prove(pk, c.r1cs, w), c.r1cs.public_inputs(w)
    items = [(proof, public)] * 9
    assert batch_verify(pvk, items)
    off_twist = (proof.b[0], ((proof.b[1][0] + 1) % Q, proof.b[1][1]))
    for position in (0, 8):
        for b in (g2_point_outside_subgroup(), off_twist):
            bad = [*items]
            bad[position] = (replace(proof, b=b), public)
            with pytest.raises(MalformedInput, match="B is not in the BN254 G2 subgroup"):
                batch_verify(pvk, bad)
        bad = [*items]
        bad[position] = (replace(proof, a=(1, 3)), public)
        with pytest.raises(MalformedInput, match="A is not on the BN254 G1 curve"):
            batch_verify(pvk, bad)


def test_g2_negation_via_scalar():
    """g2_neg(P) = (r - 1)·P, it cancels P, and it is an involution fixing the point at infinity."""
    from zk.curve import G2_INFINITY, g2_neg

    for p in (G2_GENERATOR, g2_mul(G2_GENERATOR, random.Random(5).randrange(2, R))):
        assert g2_neg(p) == g2_mul(p, R - 1) != p
        assert g2_add(p, g2_neg(p)) == G2_INFINITY
        assert g2_neg(g2_neg(p)) == p
    assert g2_neg(G2_INFINITY) == G2_INFINITY


def test_a_prepared_key_proves_as_the_plain_key_does():
    c, pk, pvk = keys("cubic")
    w = c.witness(c.example_inputs())
    prepared = prepare_proving_key(pk)
    h = get_reduction(pk.reduction).witness_h(c.r1cs, w)
    assert assemble_proof(prepared, w, h, 5, 6) == create_proof(pk, c.r1cs, w, 5, 6)
    assert prepared.backend == get_backend().name


def test_a_key_prepared_for_another_backend_is_refused(monkeypatch):
    c, pk, _ = keys("cubic")
    prepared = prepare_proving_key(pk, reference)
    monkeypatch.setenv("ZKTRADE_BACKEND", "fast")
    with pytest.raises(KeyMismatch, match="prepared for the reference backend"):
        assemble_proof(prepared, c.witness(c.example_inputs()), [0] * pk.domain_size, 1, 1)


def test_the_prepared_form_of_a_plain_key_goes_with_the_key():
    cs, w = random_r1cs(random.Random(9), 1, 2, 4)
    pk = generate_parameters(cs, sample_toxic_waste(9))
    prove(pk, cs, w)
    assert any(key[0] == id(pk) for key in prover._prepared_keys)
    before = len(prover._prepared_keys)
    del pk
    gc.collect()
    assert len(prover._prepared_keys) == before - 1
