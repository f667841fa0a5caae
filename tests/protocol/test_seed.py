"""Seed phrase derivations: BIP-39 vectors, an independent HKDF, determinism and separation."""

import hashlib
import hmac

import pytest

from protocol.errors import InvalidValue
from protocol.notes import owner_of
from protocol.seed import HKDF_SALT, WalletKeys, derive_bytes, derive_field_element, new_words, seed_from_words
from zk.field import R

# BIP-39's reference vectors (trezor/python-mnemonic vectors.json, passphrase "TREZOR").
VECTOR_WORDS = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
VECTOR_SEED = bytes.fromhex(
    "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04"
)
VECTOR_24 = ("legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth "
             "useful legal winner thank year wave sausage worth title")
VECTOR_24_SEED = bytes.fromhex(
    "bc09fca1804f7e69da93c2f2028eb238c227f2e9dda30cd63699232578480a4021b146ad717fbb7e451ce9eb835f43620bf5c514db0f8add49f5d121449d3e87"
)


def rfc5869_hkdf_sha256(ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    """HKDF written out from RFC 5869 with the standard library, to check the one we use."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def test_bip39_vectors():
    assert seed_from_words(VECTOR_WORDS, "TREZOR") == VECTOR_SEED
    assert seed_from_words(VECTOR_24, "TREZOR") == VECTOR_24_SEED
    assert seed_from_words("  " + VECTOR_WORDS.replace(" ", "\n  ") + " ", "TREZOR") == VECTOR_SEED  # spacing


@pytest.mark.parametrize("words", [
    VECTOR_WORDS.replace("about", "abandon"),  # checksum
    VECTOR_WORDS.replace("about", "aboot"),  # not a word
    " ".join(VECTOR_WORDS.split()[:11]),  # a word missing
    "",
])
def test_bad_phrases_are_refused(words):
    with pytest.raises(InvalidValue, match="not a valid BIP-39"):
        seed_from_words(words)


def test_new_words_are_24_checked_words():
    words = new_words()
    assert len(words.split()) == 24 and words != new_words()
    WalletKeys.from_words(words)  # the checksum holds


def test_derivation_is_rfc5869_hkdf_with_our_labels():
    keys = WalletKeys.from_words(VECTOR_WORDS, "TREZOR")
    assert derive_bytes(VECTOR_SEED, "viewing-key", 32) == rfc5869_hkdf_sha256(VECTOR_SEED, HKDF_SALT, b"viewing-key", 32)
    wide = rfc5869_hkdf_sha256(VECTOR_SEED, HKDF_SALT, b"spending-key/0", 64)
    assert keys.spending_key == int.from_bytes(wide, "big") % R
    assert keys.owner == owner_of(keys.spending_key)
    wide = rfc5869_hkdf_sha256(VECTOR_SEED, HKDF_SALT, b"note/7/blinding/0", 64)
    assert keys.note_blinding(7) == int.from_bytes(wide, "big") % R


def test_derivation_is_pinned():
    """Any change to a label or the salt would orphan every existing wallet's notes."""
    keys = WalletKeys.from_words(VECTOR_WORDS, "TREZOR")
    assert hex(keys.spending_key) == "0x1d9d840bf5ffea591ba2f17f2a7d584193ac17e59ec02e4390839e9f0f430941"
    assert keys.viewing_key.public.export() == (
        "zkview-pub1:4246399f743c0d192af3408f995d73bbabc13a4d6dc42d8afa2adf77c52f3341"
    )


def test_purposes_and_indices_are_separated():
    keys = WalletKeys.from_words(VECTOR_WORDS)
    values = [keys.spending_key, *(keys.note_blinding(i) for i in range(50)), *(keys.order_salt(i) for i in range(50))]
    assert len(set(values)) == len(values) and all(0 < v < R for v in values)
    assert keys.note_blinding(3) == WalletKeys.from_words(VECTOR_WORDS).note_blinding(3)  # deterministic
    assert WalletKeys.from_words(VECTOR_WORDS, "other").spending_key != keys.spending_key  # the BIP-39 passphrase
    assert derive_field_element(VECTOR_SEED, "x") != derive_field_element(VECTOR_SEED, "y")
    for bad in (-1, 1 << 32, True, "1"):
        with pytest.raises(InvalidValue, match="derivation index"):
            keys.note_blinding(bad)


def test_the_seed_is_not_in_the_repr():
    keys = WalletKeys.from_words(VECTOR_WORDS)
    assert keys.seed.hex() not in repr(keys) and "seed" not in repr(keys)


def test_chain_accounts_are_bip44_as_other_wallets_derive_them():
    """anvil's and hardhat's well-known accounts come from these words at m/44'/60'/0'/0/i."""
    from eth_account import Account

    keys = WalletKeys.from_words("test test test test test test test test test test test junk")
    assert Account.from_key(keys.account_key()).address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    assert Account.from_key(keys.account_key(1)).address == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
