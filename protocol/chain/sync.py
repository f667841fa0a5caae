"""Rebuilding the pool's state from its events: the wallet's view of the chain."""

from ..tree import MerkleTree
from .client import Chain
from .errors import ChainError


def rebuild_tree(chain: Chain, pool, from_block: int = 0) -> MerkleTree:
    """The Merkle tree from LeafAppended events since `from_block` (the deployment block)."""
    tree = MerkleTree()
    for event in chain.events(pool, "LeafAppended", from_block=from_block):
        if event["leafIndex"] != len(tree.leaves):
            raise ChainError(
                f"leaf {event['leafIndex']} arrived after {len(tree.leaves)} leaves: sync from the "
                "pool's deployment block (the deployment file records it)"
            )
        tree.append(event["commitment"])
    on_chain = chain.call(pool.functions.lastRoot())
    if tree.root != on_chain:
        raise ChainError(f"rebuilt root {tree.root:#x} differs from the pool's {on_chain:#x}: events are missing")
    return tree
