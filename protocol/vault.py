"""Wallet secrets at rest: sealed under a passphrase, in files only their owner can read.

A vault file is JSON: the format, the KDF (scrypt) and its parameters and salt, the AEAD
(ChaCha20-Poly1305) and its nonce, and the ciphertext. Everything but the ciphertext is the
AEAD's associated data, so a lowered KDF cost or a swapped salt fails like a wrong passphrase.
Files are written 0600 and atomically (temporary file, fsync, rename, fsync of the directory).
The passphrase comes from ZKTRADE_WALLET_PASSPHRASE (scripts, tests) or a prompt.

Protected: the secret against anyone who reads the file without the passphrase. Not protected:
a weak passphrase against offline guessing (scrypt makes each guess cost 32 MiB and ~0.4 s),
and anything on a machine whose user or memory is already compromised.
"""

import getpass
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from zk.errors import MalformedInput
from zk.jsonio import load_json

from .errors import ProtocolError

FORMAT = "zktrade-vault"
VERSION = 1
PASSPHRASE_ENV = "ZKTRADE_WALLET_PASSPHRASE"
MAX_SECRET_BYTES = 1 << 16
# A vault names its own KDF cost; reading refuses costs beyond these (a hostile file must not
# make the reader allocate gigabytes), and below the minimum (a file that was weakened).
MIN_LOG_N, MAX_LOG_N, MAX_R, MAX_P = 10, 18, 8, 4  # at most 128·r·2^log_n = 256 MiB


class WrongPassphrase(ProtocolError):
    """The passphrase does not open this vault (or the file was altered)."""


@dataclass(frozen=True)
class ScryptCost:
    """scrypt's parameters: memory and time grow with 2^log_n · r (the default is 32 MiB)."""

    log_n: int = 15
    r: int = 8
    p: int = 1

    def __post_init__(self) -> None:
        ok = all(type(v) is int for v in (self.log_n, self.r, self.p))
        if not ok or not (MIN_LOG_N <= self.log_n <= MAX_LOG_N and 1 <= self.r <= MAX_R and 1 <= self.p <= MAX_P):
            raise MalformedInput(f"vault: scrypt cost log_n={self.log_n!r:.20} r={self.r!r:.20} p={self.p!r:.20} is out of range")


def _key(passphrase: str, salt: bytes, cost: ScryptCost) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=1 << cost.log_n, r=cost.r, p=cost.p)
    return kdf.derive(passphrase.encode("utf-8"))


def _associated_data(header: dict) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def seal(secret: bytes, passphrase: str, cost: ScryptCost = ScryptCost()) -> bytes:
    """The vault file's bytes holding `secret`, encrypted under `passphrase`."""
    if not passphrase:
        raise ProtocolError("an empty passphrase protects nothing: choose one (or create the wallet with --no-passphrase)")
    if len(secret) > MAX_SECRET_BYTES:
        raise ProtocolError(f"a vault holds at most {MAX_SECRET_BYTES} bytes")
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    header = {
        "format": FORMAT,
        "version": VERSION,
        "kdf": {"name": "scrypt", "log_n": cost.log_n, "r": cost.r, "p": cost.p, "salt": salt.hex()},
        "aead": {"name": "chacha20-poly1305", "nonce": nonce.hex()},
    }
    ciphertext = ChaCha20Poly1305(_key(passphrase, salt, cost)).encrypt(nonce, secret, _associated_data(header))
    return (json.dumps({**header, "ciphertext": ciphertext.hex()}, indent=1) + "\n").encode()


def _hex(value, what: str, size: int | None = None) -> bytes:
    try:
        raw = bytes.fromhex(value)
    except (TypeError, ValueError):
        raise MalformedInput(f"vault: {what} is not hex") from None
    if size is not None and len(raw) != size:
        raise MalformedInput(f"vault: {what} has {len(raw)} bytes, expected {size}")
    return raw


def unseal(document, passphrase: str, what: str = "vault") -> bytes:
    """The secret in a parsed vault document; WrongPassphrase if it does not open."""
    try:
        if document["format"] != FORMAT or document["version"] != VERSION:
            raise MalformedInput(f"{what}: not a zktrade vault of version {VERSION}")
        kdf, aead = document["kdf"], document["aead"]
        if kdf["name"] != "scrypt" or aead["name"] != "chacha20-poly1305" or set(document) != {
            "format", "version", "kdf", "aead", "ciphertext"
        }:
            raise MalformedInput(f"{what}: unknown KDF, cipher or field")
        cost = ScryptCost(kdf["log_n"], kdf["r"], kdf["p"])
        salt, nonce = _hex(kdf["salt"], "salt", 16), _hex(aead["nonce"], "nonce", 12)
        ciphertext = _hex(document["ciphertext"], "ciphertext")
    except (KeyError, TypeError):
        raise MalformedInput(f"{what}: a field is missing or of the wrong type") from None
    header = {k: v for k, v in document.items() if k != "ciphertext"}
    try:
        return ChaCha20Poly1305(_key(passphrase, salt, cost)).decrypt(nonce, ciphertext, _associated_data(header))
    except InvalidTag:
        raise WrongPassphrase(f"{what}: wrong passphrase (or the file was altered)") from None


def write_private_file(path: str | Path, data: bytes) -> None:
    """Create or replace `path` with mode 0600, atomically: a crash leaves the old or the new file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    # O_EXCL with mode 0600: the file never exists, even for an instant, with wider permissions.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power loss
    finally:
        os.close(directory)


def write_vault(path: str | Path, secret: bytes, passphrase: str, cost: ScryptCost = ScryptCost()) -> None:
    write_private_file(path, seal(secret, passphrase, cost))


def read_vault(path: str | Path, passphrase: str) -> bytes:
    document = load_json(path, "wallet vault", max_bytes=4 * MAX_SECRET_BYTES, max_depth=2)
    if not isinstance(document, dict):
        raise MalformedInput(f"wallet vault {path}: expected a JSON object")
    return unseal(document, passphrase, f"wallet vault {path}")


def passphrase(confirm: bool = False) -> str:
    """ZKTRADE_WALLET_PASSPHRASE if set, else a prompt (twice when creating a vault)."""
    given = os.environ.get(PASSPHRASE_ENV)
    if given is not None:
        return given
    first = getpass.getpass("wallet passphrase: ")
    if confirm and getpass.getpass("again: ") != first:
        raise ProtocolError("the two passphrases differ")
    return first
