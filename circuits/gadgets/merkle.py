"""Merkle membership in a binary Poseidon(2) tree (tornado's MerkleTreeChecker, cheaper swap).

Level i hashes (node, sibling) in the order given by path bit i: bit = 1 means the node is the
right child, so the leaf index is Σ 2^i·path_bits[i] (protocol/tree.py uses the same convention).
"""

from collections.abc import Sequence

from ..dsl import Api, Value
from .mux import conditional_swap, conditional_swap_gadget
from .poseidon import poseidon_constraints, poseidon_hash, poseidon_hash_gadget


def merkle_root(leaf: int, siblings: Sequence[int], path_bits: Sequence[int]) -> int:
    """The root reached from leaf along siblings, turning by path_bits (bit i = 1: node is right)."""
    if len(siblings) != len(path_bits):
        raise ValueError(f"merkle_root: {len(siblings)} siblings but {len(path_bits)} path bits")
    node = leaf
    for sibling, bit in zip(siblings, path_bits):
        if bit not in (0, 1):
            raise ValueError(f"merkle_root: path bits must be 0 or 1, got {bit}")
        node = poseidon_hash(list(conditional_swap(bit, node, sibling)))
    return node


def merkle_root_gadget(api: Api, leaf: Value, siblings: Sequence[Value], path_bits: Sequence[Value]) -> Value:
    """merkle_root in the circuit; forces every path bit boolean (a non-boolean bit would let the
    swap output arbitrary values). Cost per level: 1 (boolean) + 1 (swap) + 240 (Poseidon(2))."""
    if len(siblings) != len(path_bits):
        raise ValueError(f"merkle_root_gadget: {len(siblings)} siblings but {len(path_bits)} path bits")
    node = leaf
    with api.scope("merkle"):
        for i, (sibling, bit) in enumerate(zip(siblings, path_bits)):
            with api.scope(f"level {i}"):
                api.assert_bool(bit)
                node = poseidon_hash_gadget(api, list(conditional_swap_gadget(api, bit, node, sibling)))
    return node


def merkle_membership_gadget(api: Api, root: Value, leaf: Value, siblings: Sequence[Value],
                             path_bits: Sequence[Value]) -> None:
    """Proves leaf is in the tree of this root at index Σ 2^i·path_bits[i]: depth·242 + 1 constraints."""
    computed = merkle_root_gadget(api, leaf, siblings, path_bits)
    with api.scope("merkle"):
        api.assert_equal(computed, root)


def merkle_constraints(depth: int) -> int:
    """The documented cost of merkle_membership_gadget for a tree of this depth."""
    return depth * (2 + poseidon_constraints(2)) + 1
