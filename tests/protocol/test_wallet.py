"""Wallet state is money: atomic transitions, operations that survive a crash, no lost notes; every
secret from the sealed words, and only derivation indices in the file."""

import multiprocessing
import os
import sqlite3

import pytest

from protocol.notes import Note
from protocol.seed import WalletKeys, new_words
from protocol.vault import ScryptCost, WrongPassphrase
from protocol.wallet import Wallet, WalletError
from zk.errors import MalformedInput

FAST = ScryptCost(log_n=10)  # the tests' vault cost; the default (2^15) is measured in test_vault


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
    change = w.fresh_note(asset=7, amount=5)
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
    kept = w.fresh_note(1, 10)
    op1 = w.begin_operation("deposit", {}, new_notes=[kept])
    lost = w.fresh_note(1, 20)
    op2 = w.begin_operation("deposit", {}, new_notes=[lost])
    w.advance(op2, "failed")
    assert {n.amount: n.status for n in w.notes()} == {10: "pending", 20: "dropped"}
    assert [o.op_id for o in w.pending_operations()] == [op1]


def test_equal_commitments_are_two_notes_and_a_leaf_is_one_note(tmp_path):
    w = Wallet.create(tmp_path / "w")
    note = w.fresh_note(1, 10)
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
    assert a.account_key != b.account_key and a.order_secret != b.order_secret
    assert len(a.order_secret) == 32


def _crash_inside_transaction(path: str) -> None:
    w = Wallet.open(path)
    with w.transaction() as db:
        w.add_note(db, *w.fresh_note(1, 1), origin="x")
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
    op = w.begin_operation("deposit", {}, new_notes=[w.fresh_note(1, 2)])
    assert w.operation(op).state == "started"


def test_the_same_words_make_the_same_wallet(tmp_path):
    words = new_words()
    a = Wallet.create(tmp_path / "a", words=words)
    b = Wallet.create(tmp_path / "b", words=words)
    keys = WalletKeys.from_words(words)
    assert a.spending_key == b.spending_key == keys.spending_key
    assert a.account_key == b.account_key == "0x" + keys.account_key(0).hex()
    assert a.fresh_note(5, 1)[1] == b.fresh_note(5, 1)[1]  # the same blinding at the same index
    assert a.order_secret == keys.order_secret


def test_a_passphrase_wallet_opens_with_it_only(tmp_path, monkeypatch):
    path = tmp_path / "alice.wallet"
    w = Wallet.create(path, passphrase="correct horse", cost=FAST)
    sk = w.spending_key
    assert w.protected
    w.close()
    assert Wallet.open(path, passphrase="correct horse").spending_key == sk
    with pytest.raises(WrongPassphrase, match="wrong passphrase"):
        Wallet.open(path, passphrase="wrong horse")
    monkeypatch.setenv("ZKTRADE_WALLET_PASSPHRASE", "correct horse")
    assert Wallet.open(path).spending_key == sk
    monkeypatch.setenv("ZKTRADE_WALLET_PASSPHRASE", "")
    with pytest.raises(WrongPassphrase):
        Wallet.open(path)


def test_a_bad_phrase_is_refused_before_any_file_exists(tmp_path):
    from protocol.errors import InvalidValue

    words = new_words().split()
    words[3], words[4] = words[4], words[3]
    with pytest.raises(InvalidValue, match="checksum"):
        Wallet.create(tmp_path / "w", words=" ".join(words))
    assert list(tmp_path.iterdir()) == []


def test_a_note_not_derived_by_the_wallet_is_refused(tmp_path):
    """Storing a foreign blinding would need it in the file: notes are made by fresh_note only."""
    w = Wallet.create(tmp_path / "w")
    index, note = w.fresh_note(1, 10)
    with pytest.raises(WalletError, match="not this wallet's note"):
        w.begin_operation("deposit", {}, new_notes=[(index, Note.fresh(1, 10, w.owner))])
    with pytest.raises(WalletError, match="not this wallet's note"):
        w.begin_operation("deposit", {}, new_notes=[(index + 1, note)])
    assert w.notes() == [] and w.pending_operations() == []


def test_derivation_indices_are_never_handed_out_twice(tmp_path):
    path = tmp_path / "w"
    w = Wallet.create(path)
    assert [w.fresh_note(1, 1)[0] for _ in range(3)] == [0, 1, 2]
    assert w.allocate("note_counter", 2) == [3, 4]
    assert w.fresh_order_salt()[0] == 0
    w.close()
    w = Wallet.open(path)
    assert w.fresh_note(1, 1)[0] == 5 and w.fresh_order_salt()[0] == 1


def test_an_altered_vault_or_payload_is_one_clear_error(tmp_path):
    path = tmp_path / "w"
    Wallet.create(path, passphrase="pw", cost=FAST).close()
    db = sqlite3.connect(path)
    sealed = db.execute("SELECT value FROM meta WHERE key = 'vault'").fetchone()[0]
    db.execute("UPDATE meta SET value = ? WHERE key = 'vault'", ("[" * 100_000 + "]" * 100_000,))
    db.commit()
    with pytest.raises(MalformedInput, match="nested"):
        Wallet.open(path, passphrase="pw")
    db.execute("UPDATE meta SET value = ? WHERE key = 'vault'", (sealed.replace('"log_n": 10', '"log_n": 11'),))
    db.commit()
    with pytest.raises(WrongPassphrase):  # a changed header fails like a wrong passphrase
        Wallet.open(path, passphrase="pw")
    db.execute("UPDATE meta SET value = ? WHERE key = 'vault'", (sealed,))
    db.commit()
    w = Wallet.open(path, passphrase="pw")
    op = w.begin_operation("deposit", {"a": 1})
    db.execute("UPDATE operations SET payload = '{\"a\": 1, \"a\": 2}'")
    db.commit()
    with pytest.raises(MalformedInput, match="duplicate key"):
        w.operation(op)


def test_a_wallet_of_the_old_layout_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "old.wallet"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO meta VALUES ('version', '2')")
    db.commit()
    with pytest.raises(WalletError, match="restore one from its words"):
        Wallet.open(path)


# --- the CLI, as a user runs it (subprocesses) ------------------------------------------------


def _words_shown(stderr: str) -> str:
    """The seed phrase `wallet create` shows: the one line of 24 BIP-39 words."""
    from mnemonic import Mnemonic

    english = Mnemonic("english")
    lines = [line.strip() for line in stderr.splitlines() if len(line.split()) == 24 and english.check(line.strip())]
    assert len(lines) == 1, stderr
    return lines[0]


def test_cli_create_shows_the_words_once_and_opens_with_its_passphrase_only(tmp_path):
    from ..support.tools import assert_one_line_error, zktrade

    right, wrong = {"ZKTRADE_WALLET_PASSPHRASE": "pw one"}, {"ZKTRADE_WALLET_PASSPHRASE": "pw two"}
    created = zktrade("wallet", "create", "a.wallet", cwd=tmp_path, env=right)
    assert created.returncode == 0, created.stderr
    assert "Write these words down" in created.stderr and "created a.wallet" in created.stdout
    words = _words_shown(created.stderr)
    assert words not in created.stdout
    assert (tmp_path / "a.wallet").stat().st_mode & 0o777 == 0o600
    keys = WalletKeys.from_words(words)
    shown = zktrade("wallet", "export-viewing-key", "--wallet", "a.wallet", cwd=tmp_path, env=right)
    assert shown.returncode == 0, shown.stderr
    assert keys.viewing_key.export() in shown.stdout and f"{keys.owner:#066x}" in shown.stdout
    refused = zktrade("wallet", "export-viewing-key", "--wallet", "a.wallet", cwd=tmp_path, env=wrong)
    assert_one_line_error(refused, "wrong passphrase")
    assert refused.returncode == 1 and len(refused.stderr.strip().splitlines()) == 1
    again = zktrade("wallet", "create", "a.wallet", cwd=tmp_path, env=right)
    assert_one_line_error(again, "already exists")


def test_cli_no_passphrase_is_explicit_and_said_on_creation(tmp_path):
    from ..support.tools import zktrade

    created = zktrade("wallet", "create", "dev.wallet", "--no-passphrase", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert "anyone who can read this file can spend its notes" in " ".join(created.stderr.split())
    assert "(no passphrase)" in created.stdout
    assert (tmp_path / "dev.wallet").stat().st_mode & 0o777 == 0o600
    keys = WalletKeys.from_words(_words_shown(created.stderr))
    # No passphrase is asked for (whatever the environment says).
    shown = zktrade("wallet", "export-viewing-key", "--wallet", "dev.wallet", cwd=tmp_path,
                    env={"ZKTRADE_WALLET_PASSPHRASE": "ignored"})
    assert shown.returncode == 0 and keys.viewing_key.export() in shown.stdout


@pytest.mark.parametrize("args, fragment", [
    (("wallet", "restore", "r.wallet", "--words", "abandon " * 23 + "zoo"), "not a valid BIP-39"),
    (("wallet", "restore", "r.wallet", "--words", "not words at all"), "not a valid BIP-39"),
    (("wallet", "audit", "--viewing-key", "zkview1:1234", "--owner", "0x1"), "not a viewing key"),
    (("wallet", "audit", "--viewing-key", "zkview1:" + "ab" * 32, "--owner", "nope"), "--owner must be"),
    (("wallet", "export-viewing-key", "--wallet", "nobody.wallet"), "create one with"),
    (("wallet", "export-viewing-key", "--wallet", "junk.wallet"), "not a usable wallet database"),
])
def test_cli_wallet_commands_refuse_bad_input_in_one_line(tmp_path, args, fragment):
    from ..support.tools import assert_one_line_error, zktrade

    (tmp_path / "junk.wallet").write_bytes(b"\x00garbage" * 512)
    result = zktrade(*args, cwd=tmp_path, env={"ZKTRADE_WALLET_PASSPHRASE": "x"})
    assert_one_line_error(result, fragment)
    assert result.returncode == 1
    assert not (tmp_path / "r.wallet").exists()
