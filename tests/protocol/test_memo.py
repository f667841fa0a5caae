"""Note memos: round trips, fixed size, wrong keys, tampering, a viewing key exported alone."""

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import given, settings, strategies as st

from protocol.errors import InvalidValue
from protocol.memo import (
    CHANGE,
    DEPOSIT,
    MEMO_SIZE,
    NoteMemo,
    ViewingKey,
    ViewingPublicKey,
    decrypt_memo,
    encrypt_memo,
    encrypt_memo_with,
    recover_deposit,
    recover_note,
)
from protocol.notes import Note, deposit_inner
from protocol.seed import WalletKeys
from zk.field import R

from .test_seed import VECTOR_WORDS

ALICE = WalletKeys.from_words(VECTOR_WORDS, "alice")
BOB = WalletKeys.from_words(VECTOR_WORDS, "bob")

memos = st.builds(
    NoteMemo,
    kind=st.sampled_from([0, 1, 2]),
    index=st.integers(0, 2**32 - 1),
    asset=st.integers(0, 2**160 - 1),
    amount=st.integers(0, 2**96 - 1),
    blinding=st.integers(0, R - 1),
)


@settings(max_examples=60, deadline=None)
@given(memos, st.integers(0, R - 1))
def test_round_trip_at_a_fixed_size(memo, commitment):
    data = encrypt_memo(ALICE.viewing_key.public, memo, commitment)
    assert len(data) == MEMO_SIZE == 128  # whatever the amount or kind
    assert decrypt_memo(ALICE.viewing_key, data, commitment) == memo
    assert decrypt_memo(BOB.viewing_key, data, commitment) is None
    assert decrypt_memo(ALICE.viewing_key, data, (commitment + 1) % R) is None  # bound to its note


def note_and_memo(keys: WalletKeys, index: int = 4, amount: int = 10**21):
    memo = NoteMemo(CHANGE, index, 0xC0FFEE, amount, keys.note_blinding(index))
    note = memo.note(keys.owner)
    return note, memo, encrypt_memo(keys.viewing_key.public, memo, note.commitment)


def test_every_tampered_byte_is_refused():
    note, _, data = note_and_memo(ALICE)
    for i in range(len(data)):
        for bit in (0x01, 0x80):
            tampered = data[:i] + bytes([data[i] ^ bit]) + data[i + 1 :]
            assert decrypt_memo(ALICE.viewing_key, tampered, note.commitment) is None, i
    for junk in (b"", data[:-1], data + b"\0", bytes(MEMO_SIZE)):
        assert decrypt_memo(ALICE.viewing_key, junk, note.commitment) is None


def test_recover_checks_the_commitment():
    note, memo, data = note_and_memo(ALICE)
    assert recover_note(ALICE.viewing_key, ALICE.owner, data, note.commitment) == (memo, note)
    # A memo honestly encrypted for this commitment but describing another note is not believed.
    liar = NoteMemo(CHANGE, 4, 0xC0FFEE, 10**22, ALICE.note_blinding(4))
    lie = encrypt_memo(ALICE.viewing_key.public, liar, note.commitment)
    assert decrypt_memo(ALICE.viewing_key, lie, note.commitment) == liar
    assert recover_note(ALICE.viewing_key, ALICE.owner, lie, note.commitment) is None


def test_an_exported_viewing_key_decrypts_alone():
    """The auditor's copy: the exported text only, no seed, no spending key."""
    note, memo, data = note_and_memo(ALICE)
    exported = ALICE.viewing_key.export()
    auditor = ViewingKey.from_export(exported)
    assert decrypt_memo(auditor, data, note.commitment) == memo
    assert str(ALICE.spending_key) not in exported and hex(ALICE.spending_key)[2:] not in exported
    public = ViewingPublicKey.from_export(ALICE.viewing_key.public.export())
    assert decrypt_memo(ALICE.viewing_key, encrypt_memo(public, memo, note.commitment), note.commitment) == memo
    assert exported not in repr(ALICE.viewing_key)
    for bad in ("", "zkview1:00", exported.upper(), exported.replace("zkview1:", "zkview-pub1:")):
        with pytest.raises(InvalidValue):
            ViewingKey.from_export(bad)


def test_deterministic_core_and_fresh_ephemeral_keys():
    note, memo, _ = note_and_memo(ALICE)
    eph = X25519PrivateKey.from_private_bytes(bytes(range(32)))
    one = encrypt_memo_with(eph, ALICE.viewing_key.public, memo, note.commitment)
    assert one == encrypt_memo_with(eph, ALICE.viewing_key.public, memo, note.commitment)
    assert encrypt_memo(ALICE.viewing_key.public, memo, note.commitment) != encrypt_memo(
        ALICE.viewing_key.public, memo, note.commitment
    )


@pytest.mark.parametrize("field, value", [("amount", 2**96), ("asset", 2**160), ("index", -1),
                                          ("blinding", R), ("kind", 3), ("amount", True)])
def test_out_of_range_memos_are_refused(field, value):
    fields = dict(kind=DEPOSIT, index=0, asset=1, amount=1, blinding=1)
    with pytest.raises(InvalidValue, match=f"memo {field}"):
        NoteMemo(**{**fields, field: value})


def test_a_deposit_memo_is_bound_to_the_inner_hash():
    """A fee-charging token: the pool received less than was sent, so the note's commitment is
    only known from the event; the memo names the blinding and recovery takes the event's amount."""
    blinding = ALICE.note_blinding(0)
    inner = deposit_inner(ALICE.owner, blinding)
    sent = NoteMemo(DEPOSIT, 0, 0xC0FFEE, 1000, blinding)
    data = encrypt_memo(ALICE.viewing_key.public, sent, inner)
    received = Note(0xC0FFEE, 990, ALICE.owner, blinding)
    memo, note = recover_deposit(ALICE.viewing_key, ALICE.owner, data, inner, 0xC0FFEE, 990, received.commitment)
    assert note == received and memo.index == 0
    assert recover_deposit(ALICE.viewing_key, ALICE.owner, data, inner, 0xC0FFEE, 991, received.commitment) is None
    assert recover_deposit(BOB.viewing_key, BOB.owner, data, inner, 0xC0FFEE, 990, received.commitment) is None
    change = encrypt_memo(ALICE.viewing_key.public, NoteMemo(CHANGE, 0, 0xC0FFEE, 990, blinding), inner)
    assert recover_deposit(ALICE.viewing_key, ALICE.owner, change, inner, 0xC0FFEE, 990, received.commitment) is None
