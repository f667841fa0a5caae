// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleZeros} from "./MerkleZeros.sol";

interface IPoseidon2 {
    function poseidon(uint256[2] calldata inputs) external pure returns (uint256);
}

/// Append-only Merkle tree of depth 20 over Poseidon(2), accepting roots by age.
/// Mirrors protocol/tree.py: leaves are appended left to right, empty leaves are ZERO_LEAF
/// (MerkleZeros.at(0)), node = Poseidon(left, right). Leaves may be appended in batches:
/// a batch costs about one hash per level plus one per pair of new leaves, and adds one root.
/// A proof may use the current root or any root superseded at most `rootMaxAge` seconds ago.
/// A fixed ring of recent roots could be flushed by anyone sending enough cheap deposits; an
/// age cannot be shortened by sending transactions.
abstract contract MerkleTreeWithHistory {
    uint256 public constant FIELD_SIZE =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 public constant DEPTH = 20;

    IPoseidon2 public immutable poseidon;
    /// How long (seconds) a root stays usable after a newer one replaced it.
    uint256 public immutable rootMaxAge;
    /// filledSubtrees[level]: the newest node with an even index at that level (a left child).
    uint256[DEPTH] public filledSubtrees;
    uint256 public currentRoot;
    /// The block time at which a past root stopped being the current root (0: never was a root,
    /// or is the current one). Roots of an append-only tree never repeat.
    mapping(uint256 => uint256) public rootSupersededAt;
    uint256 public nextIndex;

    /// One per appended leaf, in order: a wallet rebuilds the tree from these alone.
    event LeafAppended(uint256 indexed leafIndex, uint256 commitment);

    constructor(IPoseidon2 poseidon_, uint256 rootMaxAge_) {
        poseidon = poseidon_;
        rootMaxAge = rootMaxAge_;
        currentRoot = MerkleZeros.at(DEPTH);
    }

    function hashPair(uint256 left, uint256 right) public view returns (uint256) {
        return poseidon.poseidon([left, right]);
    }

    /// True if `root` is the current root or was replaced at most rootMaxAge seconds ago (0 never is).
    function isKnownRoot(uint256 root) public view returns (bool) {
        if (root == 0) return false;
        if (root == currentRoot) return true;
        uint256 supersededAt = rootSupersededAt[root];
        return supersededAt != 0 && block.timestamp - supersededAt <= rootMaxAge;
    }

    function lastRoot() external view returns (uint256) {
        return currentRoot;
    }

    /// Append `leaves` (field elements) at nextIndex...; returns the index of the first.
    function _insert(uint256[] memory leaves) internal returns (uint256 first) {
        uint256 start = nextIndex;
        uint256 count = leaves.length;
        // Verify the batch fits and every leaf is a field element
        require(count > 0 && start + count <= 2 ** DEPTH, "MerkleTree: full");
        for (uint256 i; i < count; ++i) {
            require(leaves[i] < FIELD_SIZE, "MerkleTree: leaf >= r");
            emit LeafAppended(start + i, leaves[i]);
        }
        first = start;
        nextIndex = start + count;
        // Level by level, the new nodes occupy [start, start + count); `nodes` is rewritten in
        // place with their parents (parent k reads children at >= 2k - 1, written later).
        uint256[] memory nodes = leaves;
        for (uint256 level; level < DEPTH; ++level) {
            uint256 leftOfFirst = start & 1 == 1 ? filledSubtrees[level] : 0;
            uint256 end = start + count;
            uint256 lastLeft = (end - 1) & ~uint256(1);
            if (lastLeft >= start) filledSubtrees[level] = nodes[lastLeft - start];
            uint256 parentStart = start >> 1;
            uint256 parentCount = ((end - 1) >> 1) - parentStart + 1;
            for (uint256 k; k < parentCount; ++k) {
                uint256 li = (parentStart + k) << 1;
                uint256 left = li < start ? leftOfFirst : nodes[li - start];
                uint256 right = li + 1 < end ? nodes[li + 1 - start] : MerkleZeros.at(level);
                nodes[k] = hashPair(left, right);
            }
            start = parentStart;
            count = parentCount;
        }
        rootSupersededAt[currentRoot] = block.timestamp;
        currentRoot = nodes[0];
    }
}
