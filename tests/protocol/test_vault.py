"""Secrets at rest: sealed under a passphrase, 0600, atomic, and refusing every altered file."""

import json
import os
import stat

import pytest

from protocol.errors import ProtocolError
from protocol.seed import WalletKeys
from protocol.vault import (
    PASSPHRASE_ENV,
    ScryptCost,
    WrongPassphrase,
    passphrase,
    read_vault,
    seal,
    write_private_file,
    write_vault,
)
from zk.errors import MalformedInput

from .test_seed import VECTOR_WORDS

FAST = ScryptCost(log_n=10, r=8, p=1)  # the minimum a vault may name; real vaults use 2^15


def test_round_trip_and_no_plaintext_on_disk(tmp_path):
    keys = WalletKeys.from_words(VECTOR_WORDS)
    path = tmp_path / "wallet.vault"
    write_vault(path, VECTOR_WORDS.encode(), "correct horse", FAST)
    assert read_vault(path, "correct horse") == VECTOR_WORDS.encode()
    on_disk = path.read_bytes()
    secrets = [VECTOR_WORDS, " ".join(VECTOR_WORDS.split()[:3]), keys.seed.hex(), str(keys.spending_key),
               hex(keys.spending_key)[2:], *(str(keys.note_blinding(i)) for i in range(3))]
    for secret in secrets:
        assert secret.encode() not in on_disk, secret
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["wallet.vault"]  # no temporary file left


def test_wrong_passphrase_is_one_error(tmp_path):
    path = tmp_path / "w.vault"
    write_vault(path, b"secret", "right", FAST)
    with pytest.raises(WrongPassphrase, match="wrong passphrase"):
        read_vault(path, "wrong")
    with pytest.raises(WrongPassphrase):
        read_vault(path, "Right")


def altered(document: dict, path: tuple, value) -> dict:
    out = json.loads(json.dumps(document))
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return out


@pytest.mark.parametrize("path, value, error", [
    (("ciphertext",), None, WrongPassphrase),  # one byte flipped (value computed below)
    (("kdf", "salt"), "00" * 16, WrongPassphrase),
    (("kdf", "log_n"), 11, WrongPassphrase),  # a different cost is associated data
    (("aead", "nonce"), "11" * 12, WrongPassphrase),
    (("kdf", "log_n"), 40, MalformedInput),  # refused before scrypt would allocate 2^40 · 1 KiB
    (("kdf", "r"), 2**32 - 1, MalformedInput),
    (("kdf", "log_n"), 3, MalformedInput),
    (("kdf", "log_n"), "15", MalformedInput),
    (("kdf", "name"), "none", MalformedInput),
    (("kdf", "salt"), "zz", MalformedInput),
    (("aead",), [], MalformedInput),
    (("version",), 2, MalformedInput),
    (("extra",), 1, MalformedInput),
])
def test_altered_vaults_are_refused(tmp_path, path, value, error):
    document = json.loads(seal(b"secret", "pw", FAST))
    if path == ("ciphertext",):
        c = bytearray.fromhex(document["ciphertext"])
        c[0] ^= 1
        value = c.hex()
    bad = tmp_path / "bad.vault"
    bad.write_text(json.dumps(altered(document, path, value)))
    with pytest.raises(error):
        read_vault(bad, "pw")


@pytest.mark.parametrize("content", [b"", b"[]", b"{" * 100, b'{"format": 1}', b"\xff"])
def test_hostile_vault_files_are_user_errors(tmp_path, content):
    bad = tmp_path / "bad.vault"
    bad.write_bytes(content)
    with pytest.raises(MalformedInput):
        read_vault(bad, "pw")


def test_private_files_are_0600_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        path = tmp_path / "f"
        path.write_bytes(b"old")
        os.chmod(path, 0o644)
        write_private_file(path, b"new")
    finally:
        os.umask(old)
    assert path.read_bytes() == b"new" and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_passphrase_from_the_environment_or_a_prompt(monkeypatch):
    monkeypatch.setenv(PASSPHRASE_ENV, "from env")
    assert passphrase(confirm=True) == "from env"
    monkeypatch.delenv(PASSPHRASE_ENV)
    answers = iter(["typed", "typed", "typed", "typo"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert passphrase(confirm=True) == "typed"
    with pytest.raises(ProtocolError, match="differ"):
        passphrase(confirm=True)
    with pytest.raises(ProtocolError, match="empty passphrase"):
        seal(b"x", "", FAST)
