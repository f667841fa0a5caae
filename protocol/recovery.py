"""Finding a wallet's notes on chain from its memos: restore from the words, and the auditor's view.

docs/wallet.md §2 "Recovery from the words" is the procedure: replay the pool's events from its
deployment block, rebuild the tree, try every new leaf's memo with the viewing key (a deposit's
memo is bound to its inner hash, every other one to the leaf's commitment), and believe a note
only if it hashes to the leaf's commitment. With the spending key, a found note is spent iff
its nullifier is in a Settled or Withdrawn event. A viewing key alone (an auditor) sees the
notes, their kinds and amounts, but not which are spent.
"""

from dataclasses import dataclass

from .memo import KINDS, MEMO_SIZE, NoteMemo, ViewingKey, recover_deposit, recover_note
from .notes import Note, nullifier_of
from .wallet import NOTE_COUNTER, WalletError


@dataclass(frozen=True)
class FoundNote:
    leaf_index: int
    commitment: int
    memo: NoteMemo
    note: Note
    block_number: int

    @property
    def kind(self) -> str:
        return KINDS[self.memo.kind]


def _leg_memos(memo: bytes) -> list[bytes]:
    """A leg's memo: its received note's MEMO_SIZE bytes, then its change note's."""
    return [memo[i * MEMO_SIZE:(i + 1) * MEMO_SIZE] for i in range(2)]


def scan(pool, viewing_key: ViewingKey, owner: int) -> list[FoundNote]:
    """Every note of `owner` whose memo `viewing_key` opens, in leaf order."""
    tree = pool.tree()
    found: list[FoundNote] = []
    for d in pool.deposits():
        hit = recover_deposit(viewing_key, owner, d.memo, d.inner_hash, d.asset, d.amount, d.commitment)
        if hit is not None:
            found.append(FoundNote(d.leaf_index, d.commitment, hit[0], hit[1], d.block_number))
    for s in pool.settlements():
        memos = _leg_memos(s.buy_memo) + _leg_memos(s.sell_memo)
        for offset, memo in enumerate(memos):
            leaf = s.first_leaf_index + offset
            hit = recover_note(viewing_key, owner, memo, tree.leaves[leaf])
            if hit is not None:
                found.append(FoundNote(leaf, tree.leaves[leaf], hit[0], hit[1], s.block_number))
    for w in pool.withdrawals():
        hit = recover_note(viewing_key, owner, w.change_memo, w.change_commitment)
        if hit is not None:
            found.append(FoundNote(w.leaf_index, w.change_commitment, hit[0], hit[1], w.block_number))
    return sorted(found, key=lambda f: f.leaf_index)


def restore(wallet, pool) -> list[FoundNote]:
    """Fill an empty wallet (made from the words) with its notes from the chain: live or spent,
    at their leaves, with their nullifiers; the note counter resumes after the highest index.
    One SQLite transaction: a crash leaves the wallet empty, and restoring again is safe."""
    if wallet.notes():
        raise WalletError(f"wallet {wallet.path} already has notes: restore into a new file")
    sk = wallet.spending_key
    found = scan(pool, wallet.viewing_key, wallet.owner)
    spent = pool.spent_nullifiers()
    with wallet.transaction() as db:
        for f in found:
            nullifier = nullifier_of(f.commitment, f.leaf_index, sk)
            wallet.add_note(db, f.memo.index, f.note, origin=f"restore-{f.kind}",
                            status="spent" if nullifier in spent else "live",
                            leaf_index=f.leaf_index, nullifier=nullifier)
        if found:
            wallet.resume_counter(NOTE_COUNTER, max(f.memo.index for f in found), db)
    return found
