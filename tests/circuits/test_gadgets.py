"""Gadgets against their native twins: truth tables, boundary values, costs, wrong hints."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circuits.gadgets.bits import from_bits, range_check, range_check_gadget, to_bits, to_bits_gadget
from circuits.gadgets.comparators import (
    MAX_COMPARE_BITS,
    assert_less_or_equal_gadget,
    less_or_equal,
    less_or_equal_gadget,
    less_than,
    less_than_gadget,
)
from circuits.gadgets.merkle import merkle_constraints, merkle_membership_gadget, merkle_root, merkle_root_gadget
from circuits.gadgets.mux import conditional_swap, conditional_swap_gadget, mux, mux_gadget
from protocol.tree import MerkleTree, root_from_path
from zk.errors import Unsatisfied
from zk.field import R

from .harness import accepts, gadget_circuit, gadget_cost, solve

fr = st.integers(0, R - 1)
WIDTHS = [1, 8, 64, MAX_COMPARE_BITS]


def boundary(n: int) -> list[int]:
    return [0, 1, (1 << n) - 1, 1 << n, R - 1]


def bump(path, name, out):
    return [(v + 1) % R for v in out]


# -- bits and range checks ---------------------------------------------------------------------


@pytest.mark.parametrize("n", WIDTHS)
def test_range_check_boundaries_and_cost(n):
    c = gadget_circuit(lambda api, x: range_check_gadget(api, x[0], n) or x[0], 1)
    assert gadget_cost(lambda api, x: range_check_gadget(api, x[0], n) or x[0], 1) == n + 1
    for v in boundary(n):
        assert accepts(c, [v], [v]) == range_check(v, n), v
    assert not accepts(c, [(1 << n) - 1], [(1 << n) - 1], hint_hook=bump)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 253).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, (1 << n) - 1))))
def test_to_bits_matches_native(case):
    n, v = case
    c = gadget_circuit(lambda api, x: to_bits_gadget(api, x[0], n), 1, n)
    assert accepts(c, [v], to_bits(v, n))
    assert from_bits(to_bits(v, n)) == v
    back = gadget_circuit(lambda api, x: api.from_bits(x), n)
    assert accepts(back, to_bits(v, n), [v])


# -- comparators -------------------------------------------------------------------------------


def comparator_circuits(n):
    return {
        less_than: gadget_circuit(lambda api, x: less_than_gadget(api, x[0], x[1], n), 2),
        less_or_equal: gadget_circuit(lambda api, x: less_or_equal_gadget(api, x[0], x[1], n), 2),
    }


@pytest.mark.parametrize("n", WIDTHS)
def test_comparators_truth_table_on_boundaries(n):
    top = (1 << n) - 1
    values = sorted({0, 1, top // 2, top - 1, top})
    for native, c in comparator_circuits(n).items():
        assert c.r1cs.n_constraints - 1 == n + 2
        for a in values:
            for b in values:
                assert accepts(c, [a, b], [int(native(a, b, n))]), (native.__name__, a, b)
                assert not accepts(c, [a, b], [1 - int(native(a, b, n))])
                assert not accepts(c, [a, b], [int(native(a, b, n))], hint_hook=bump)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 64).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, (1 << n) - 1), st.integers(0, (1 << n) - 1))))
def test_comparators_match_native(case):
    n, a, b = case
    for native, c in comparator_circuits(n).items():
        assert accepts(c, [a, b], [int(native(a, b, n))])


def test_comparators_need_range_checked_inputs():
    # Outside [0, 2^n) the native twin refuses; the gadget alone gives a meaningless bit or no
    # witness, which is why callers range-check first (the composed check below rejects them).
    n = 8
    with pytest.raises(ValueError, match="must be in"):
        less_than(1 << n, 0, n)

    def checked(api, x):
        range_check_gadget(api, x[0], n)
        range_check_gadget(api, x[1], n)
        return less_than_gadget(api, x[0], x[1], n)

    c = gadget_circuit(checked, 2)
    for bad in (1 << n, R - 1):
        assert not accepts(c, [bad, 0], [0]) and not accepts(c, [bad, 0], [1])
        assert not accepts(c, [0, bad], [0]) and not accepts(c, [0, bad], [1])


@pytest.mark.parametrize("n", WIDTHS)
def test_assert_less_or_equal(n):
    c = gadget_circuit(lambda api, x: assert_less_or_equal_gadget(api, x[0], x[1], n) or x[0], 2)
    assert c.r1cs.n_constraints - 1 == n + 1
    top = (1 << n) - 1
    for a, b in [(0, 0), (0, top), (top, top), (top - 1, top) if n > 1 else (0, 1)]:
        assert accepts(c, [a, b], [a])
    for a, b in [(1, 0), (top, 0), (top, top - 1) if n > 1 else (1, 0)]:
        assert not accepts(c, [a, b], [a])
    assert not accepts(c, [0, top], [0], hint_hook=bump)


# -- mux and swap ------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 3])
def test_mux_truth_table(k):
    rng = random.Random(k)
    options = [rng.randrange(R) for _ in range(1 << k)]
    c = gadget_circuit(lambda api, x: mux_gadget(api, x[:k], x[k:]), k + (1 << k))
    assert c.r1cs.n_constraints - 1 == (1 << k) - 1
    for index in range(1 << k):
        bits = to_bits(index, k)
        assert accepts(c, bits + options, [mux(bits, options)]) and mux(bits, options) == options[index]
        assert not accepts(c, bits + options, [options[index ^ 1]])
    # selecting among constants: equal neighbours cost nothing
    assert gadget_cost(lambda api, x: mux_gadget(api, x[:2], [5, 5, 7, 7]), 2) == 1


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 1), fr, fr)
def test_conditional_swap(bit, a, b):
    c = gadget_circuit(lambda api, x: conditional_swap_gadget(api, x[0], x[1], x[2]), 3, 2)
    assert c.r1cs.n_constraints - 2 == 1
    assert accepts(c, [bit, a, b], list(conditional_swap(bit, a, b)))


# -- Merkle membership -------------------------------------------------------------------------


def tree_with_leaves(depth: int, n: int, seed: int) -> MerkleTree:
    rng = random.Random(seed)
    tree = MerkleTree(depth=depth)
    for _ in range(n):
        tree.append(rng.randrange(R))
    return tree


@pytest.mark.parametrize("depth", [1, 4])
def test_merkle_membership(depth):
    tree = tree_with_leaves(depth, min(5, 1 << depth), seed=depth)

    def membership(api, x):
        root, leaf, rest = x[0], x[1], x[2:]
        merkle_membership_gadget(api, root, leaf, rest[:depth], rest[depth:])
        return leaf

    c = gadget_circuit(membership, 2 + 2 * depth)
    assert c.r1cs.n_constraints - 1 == merkle_constraints(depth) == 242 * depth + 1
    for index in range(len(tree.leaves)):
        path = tree.path(index)
        leaf = tree.leaves[index]
        assert merkle_root(leaf, path.siblings, path.path_bits) == root_from_path(leaf, path) == tree.root
        x = [tree.root, leaf, *path.siblings, *path.path_bits]
        assert accepts(c, x, [leaf])
        assert not accepts(c, [tree.root, (leaf + 1) % R, *path.siblings, *path.path_bits], [(leaf + 1) % R])
        flipped = [1 - b for b in path.path_bits]
        assert not accepts(c, [tree.root, leaf, *path.siblings, *flipped], [leaf])


def test_merkle_path_bits_must_be_boolean():
    # With bit = 2 the swap would give (2·s − n, 2·n − s): the booleanity check refuses it.
    def root_of(api, x):
        return merkle_root_gadget(api, x[0], [x[1]], [x[2]])

    c = gadget_circuit(root_of, 3)
    leaf, sibling = 11, 22
    from circuits.gadgets.poseidon import poseidon_hash

    forged = poseidon_hash([(2 * sibling - leaf) % R, (2 * leaf - sibling) % R])
    with pytest.raises(Unsatisfied, match=r"merkle/level 0: constraint \d+ \(assert_bool\)"):
        solve(c, [leaf, sibling, 2], [forged])
