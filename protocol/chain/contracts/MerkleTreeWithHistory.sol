// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleZeros} from "./MerkleZeros.sol";

interface IPoseidon2 {
    function poseidon(uint256[2] calldata inputs) external pure returns (uint256);
}

/// Append-only Merkle tree of depth 20 over Poseidon(2), keeping the last 30 roots.
/// Mirrors protocol/tree.py: leaves are appended left to right, empty leaves are ZERO_LEAF
/// (MerkleZeros.at(0)), node = Poseidon(left, right). Leaves may be appended in batches:
/// a batch costs about one hash per level plus one per pair of new leaves, and adds one root.
abstract contract MerkleTreeWithHistory {
    uint256 public constant FIELD_SIZE =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 public constant DEPTH = 20;
    uint256 public constant ROOT_HISTORY = 30;

    IPoseidon2 public immutable poseidon;
    /// filledSubtrees[level]: the newest node with an even index at that level (a left child).
    uint256[DEPTH] public filledSubtrees;
    uint256[ROOT_HISTORY] public roots;
    uint256 public currentRootIndex;
    uint256 public nextIndex;

    /// One per appended leaf, in order: a wallet rebuilds the tree from these alone.
    event LeafAppended(uint256 indexed leafIndex, uint256 commitment);

    constructor(IPoseidon2 poseidon_) {
        poseidon = poseidon_;
        roots[0] = MerkleZeros.at(DEPTH);
    }

    function hashPair(uint256 left, uint256 right) public view returns (uint256) {
        return poseidon.poseidon([left, right]);
    }

    /// True if `root` is one of the last ROOT_HISTORY roots (0 never is).
    function isKnownRoot(uint256 root) public view returns (bool) {
        if (root == 0) return false;
        uint256 i = currentRootIndex;
        for (uint256 k; k < ROOT_HISTORY; ++k) {
            if (roots[i] == root) return true;
            i = i == 0 ? ROOT_HISTORY - 1 : i - 1;
        }
        return false;
    }

    function lastRoot() external view returns (uint256) {
        return roots[currentRootIndex];
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
        uint256 next = (currentRootIndex + 1) % ROOT_HISTORY;
        currentRootIndex = next;
        roots[next] = nodes[0];
    }
}
