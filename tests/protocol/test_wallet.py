"""Wallet state is money: atomic transitions, operations that survive a crash, no lost notes."""

import multiprocessing
import os
import sqlite3

import pytest

from protocol.notes import Note
from protocol.wallet import Wallet, WalletError


def test_create_open_and_refuse_to_overwrite(tmp_path):
    path = tmp_path / "alice.wallet"
    w = Wallet.create(path)
    sk, owner = w.spending_key, w.owner
    w.close()
    with pytest.raises(WalletError, match="already exists"):
        Wallet.create(path)
    w = Wallet.open(path)
    assert (w.spending_key, w.owner) == (sk, owner)
    with pytest.raises(WalletError, match="create one with"):
        Wallet.open(tmp_path / "nobody.wallet")
    (tmp_path / "junk.wallet").write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(WalletError, match="not a usable wallet database"):
        Wallet.open(tmp_path / "junk.wallet")


def test_wallet_and_matcher_files_are_readable_by_their_owner_only(tmp_path):
    """Both hold keys (the spending and account keys; the relayer's): created 0600, whatever the umask."""
    from protocol.matcher_store import MatcherStore

    old = os.umask(0o022)
    try:
        w = Wallet.create(tmp_path / "alice.wallet")
        w.set_meta("probe", "x")  # a write, so the WAL files exist too
        MatcherStore(tmp_path / "matcher.sqlite").set_meta("probe", "x")
    finally:
        os.umask(old)
    for f in tmp_path.iterdir():
        if f.name.endswith((".wallet", ".sqlite")):
            assert f.stat().st_mode & 0o777 == 0o600, f


def test_operation_records_its_notes_before_anything_is_sent(tmp_path):
    w = Wallet.create(tmp_path / "w")
    change = Note.fresh(asset=7, amount=5, owner=w.owner)
    op = w.begin_operation("settle", {"fill": 1}, new_notes=[change])
    assert [n.status for n in w.notes()] == ["pending"]
    assert [o.op_id for o in w.pending_operations()] == [op]
    w.advance(op, "submitted", tx_hash="0xabc")
    assert w.operation(op).tx_hash == "0xabc" and w.operation(op).payload == {"fill": 1}
    (note,) = w.notes()
    assert w.mark_live(note.note_id, leaf_index=3, nullifier=99)
    assert not w.mark_live(note.note_id, leaf_index=3, nullifier=99)  # idempotent
    w.advance(op, "done")
    assert w.pending_operations() == []
    assert w.balances() == {7: {"live": 5, "pending": 0}}
    assert w.mark_spent(99, spent_by="withdraw-1")
    assert w.balances() == {}


def test_failed_operation_drops_only_its_pending_notes(tmp_path):
    w = Wallet.create(tmp_path / "w")
    kept = Note.fresh(1, 10, w.owner)
    op1 = w.begin_operation("deposit", {}, new_notes=[kept])
    lost = Note.fresh(1, 20, w.owner)
    op2 = w.begin_operation("deposit", {}, new_notes=[lost])
    w.advance(op2, "failed")
    assert {n.amount: n.status for n in w.notes()} == {10: "pending", 20: "dropped"}
    assert [o.op_id for o in w.pending_operations()] == [op1]


def test_equal_commitments_are_two_notes_and_a_leaf_is_one_note(tmp_path):
    w = Wallet.create(tmp_path / "w")
    note = Note.fresh(1, 10, w.owner)
    w.begin_operation("deposit", {}, new_notes=[note])
    w.begin_operation("deposit", {}, new_notes=[note])  # the same commitment again
    first, second = w.notes()
    assert first.commitment == second.commitment and first.note_id != second.note_id
    assert w.mark_live(first.note_id, leaf_index=0, nullifier=5)
    with pytest.raises(sqlite3.IntegrityError):
        w.mark_live(second.note_id, leaf_index=0, nullifier=5)  # one leaf cannot be two notes
    assert w.mark_live(second.note_id, leaf_index=1, nullifier=6)
    assert w.balances() == {1: {"live": 20, "pending": 0}}


def test_a_wallet_has_its_own_eth_key_and_order_secret(tmp_path):
    a, b = Wallet.create(tmp_path / "a"), Wallet.create(tmp_path / "b")
    assert a.meta("account_key") != b.meta("account_key") and a.order_secret != b.order_secret
    assert len(a.order_secret) == 32


def _crash_inside_transaction(path: str) -> None:
    w = Wallet.open(path)
    with w.transaction() as db:
        w.add_note(db, Note.fresh(1, 1, w.owner), origin="x")
        os._exit(1)  # killed mid-transaction: nothing may persist


def test_a_process_killed_inside_a_transaction_leaves_nothing_half_written(tmp_path):
    path = tmp_path / "w"
    Wallet.create(path).close()
    proc = multiprocessing.get_context("spawn").Process(target=_crash_inside_transaction, args=(str(path),))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 1
    w = Wallet.open(path)
    assert w.notes() == []
    op = w.begin_operation("deposit", {}, new_notes=[Note.fresh(1, 2, w.owner)])
    assert w.operation(op).state == "started"
