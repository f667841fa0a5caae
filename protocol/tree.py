"""The off-chain mirror of the pool's incremental Merkle tree (depth 20, Poseidon(2)).

Leaves are appended in the order the contract's events report them. The mirror keeps every
node it has computed, so a membership path costs no hashing once the tree is built. It also
keeps its last ROOT_HISTORY roots, one per leaf, for local use only: the contract accepts a root
by age (the current one, or one superseded at most `rootMaxAge` seconds ago; one root per
transaction, a settlement appends four leaves under one), so the chain's `isKnownRoot` is the
authority on which roots a proof may use (protocol/pool.py asks it).
"""

from dataclasses import dataclass, field
from functools import cache

from circuits.gadgets.merkle import merkle_root
from circuits.gadgets.poseidon import poseidon_hash

from .errors import InvalidValue
from .params import ROOT_HISTORY, TREE_DEPTH, ZERO_LEAF


@cache
def zero_hashes(depth: int = TREE_DEPTH) -> tuple[int, ...]:
    """zeros[0] = ZERO_LEAF, zeros[i+1] = Poseidon(zeros[i], zeros[i]); zeros[depth] is the empty root."""
    zeros = [ZERO_LEAF]
    for _ in range(depth):
        zeros.append(poseidon_hash([zeros[-1], zeros[-1]]))
    return tuple(zeros)


@dataclass(frozen=True)
class MerklePath:
    leaf_index: int
    siblings: tuple[int, ...]
    path_bits: tuple[int, ...]  # bit i = 1 if the node at level i is a right child
    root: int


@dataclass
class MerkleTree:
    depth: int = TREE_DEPTH
    leaves: list[int] = field(default_factory=list)
    _nodes: dict[tuple[int, int], int] = field(default_factory=dict, repr=False)
    roots: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.roots:
            self.roots.append(zero_hashes(self.depth)[self.depth])

    def _node(self, level: int, index: int) -> int:
        if level == 0:
            return self.leaves[index] if index < len(self.leaves) else zero_hashes(self.depth)[0]
        if (index << level) >= len(self.leaves):
            return zero_hashes(self.depth)[level]
        key = (level, index)
        if key not in self._nodes:
            self._nodes[key] = poseidon_hash([self._node(level - 1, 2 * index), self._node(level - 1, 2 * index + 1)])
        return self._nodes[key]

    def append(self, leaf: int) -> int:
        """Add a leaf; returns its index. The new root joins the history."""
        if len(self.leaves) >= 1 << self.depth:
            raise InvalidValue("the tree is full")
        index = len(self.leaves)
        self.leaves.append(leaf)
        for level in range(1, self.depth + 1):
            self._nodes.pop((level, index >> level), None)
        self.roots.append(self.root)
        del self.roots[:-ROOT_HISTORY]
        return index

    @property
    def root(self) -> int:
        return self._node(self.depth, 0)

    def is_known_root(self, root: int) -> bool:
        return root in self.roots

    def path(self, leaf_index: int) -> MerklePath:
        if not 0 <= leaf_index < len(self.leaves):
            raise InvalidValue(f"leaf {leaf_index} is not in the tree ({len(self.leaves)} leaves)")
        siblings, bits = [], []
        index = leaf_index
        for level in range(self.depth):
            siblings.append(self._node(level, index ^ 1))
            bits.append(index & 1)
            index >>= 1
        return MerklePath(leaf_index, tuple(siblings), tuple(bits), self.root)

    def index_of(self, leaf: int) -> int:
        return self.leaves.index(leaf)


def root_from_path(leaf: int, path: MerklePath) -> int:
    """The root a leaf and its path lead to: the membership gadget's native twin."""
    return merkle_root(leaf, path.siblings, path.path_bits)
