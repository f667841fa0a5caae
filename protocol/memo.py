"""Note memos: what the owner needs to find and spend a note, encrypted to a viewing key.

  memo = ephemeral X25519 public key (32) ‖ ChaCha20-Poly1305(plaintext (80)) with its tag (16)
  key  = HKDF-SHA256(X25519(ephemeral, viewing), salt = ephemeral_pub ‖ viewing_pub, info = MEMO_INFO)
  associated data = MEMO_INFO ‖ the note's commitment (32 bytes): a memo moved to another
  note's event does not decrypt. A deposit's memo is bound to its inner hash instead: the pool
  computes that note's commitment from the amount it received (less than the amount sent for a
  fee-charging token), and recovery takes the amount from the Deposit event.
  plaintext = version u8 ‖ kind u8 ‖ note index u32 ‖ asset (20) ‖ amount (12) ‖ blinding (32)
              ‖ 10 zero bytes; big-endian.
Every memo is MEMO_SIZE bytes whatever it holds, so its length leaks neither amount nor kind.
The nonce is zero: each memo's key comes from a fresh ephemeral key and encrypts once.
A viewing key decrypts (an auditor sees the notes) but cannot spend: spending and nullifiers
need the spending key, which never enters a memo.
"""

import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from zk.field import R

from .errors import InvalidValue
from .notes import Note, deposit_inner
from .params import AMOUNT_BITS

MEMO_INFO = b"zktrade/memo/v1"
VERSION = 1
PLAINTEXT_SIZE = 80
MEMO_SIZE = 32 + PLAINTEXT_SIZE + 16
_LAYOUT = ((1, "version"), (1, "kind"), (4, "index"), (20, "asset"), (12, "amount"), (32, "blinding"))
_PADDING = PLAINTEXT_SIZE - sum(width for width, _ in _LAYOUT)
_NONCE = bytes(12)

# Why a note exists; the wallet shows it, recovery does not depend on it.
DEPOSIT, RECEIVED, CHANGE = 0, 1, 2
KINDS = {DEPOSIT: "deposit", RECEIVED: "received", CHANGE: "change"}


@dataclass(frozen=True)
class NoteMemo:
    kind: int
    index: int  # the note's derivation index (protocol/seed.py): restore resumes after the highest
    asset: int
    amount: int
    blinding: int

    def __post_init__(self) -> None:
        bounds = {"kind": len(KINDS), "index": 1 << 32, "asset": 1 << 160, "amount": 1 << AMOUNT_BITS, "blinding": R}
        for name, bound in bounds.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < bound:
                raise InvalidValue(f"memo {name} must be an integer in [0, {bound}), got {value!r:.40}")

    def encode(self) -> bytes:
        values = {"version": VERSION, **{name: getattr(self, name) for _, name in _LAYOUT[1:]}}
        return b"".join(values[name].to_bytes(width, "big") for width, name in _LAYOUT) + bytes(_PADDING)

    @classmethod
    def decode(cls, plaintext: bytes) -> "NoteMemo | None":
        """The memo, or None for a layout this version does not write (authenticated, so ours)."""
        if len(plaintext) != PLAINTEXT_SIZE or plaintext[PLAINTEXT_SIZE - _PADDING :] != bytes(_PADDING):
            return None
        values, pos = {}, 0
        for width, name in _LAYOUT:
            values[name] = int.from_bytes(plaintext[pos : pos + width], "big")
            pos += width
        if values.pop("version") != VERSION:
            return None
        try:
            return cls(**values)
        except InvalidValue:
            return None

    def note(self, owner: int) -> Note:
        return Note(self.asset, self.amount, owner, self.blinding)


def _public_bytes(key: X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _parse_export(text: str, prefix: str, what: str) -> bytes:
    match = re.fullmatch(prefix + r"([0-9a-f]{64})", text.strip())
    if not match:
        raise InvalidValue(f"not a {what}: expected {prefix} followed by 64 lowercase hex digits")
    return bytes.fromhex(match.group(1))


@dataclass(frozen=True)
class ViewingPublicKey:
    """Where memos are encrypted to (safe to publish)."""

    key: X25519PublicKey

    PREFIX = "zkview-pub1:"

    @property
    def raw(self) -> bytes:
        return _public_bytes(self.key)

    def export(self) -> str:
        return self.PREFIX + self.raw.hex()

    @classmethod
    def from_export(cls, text: str) -> "ViewingPublicKey":
        return cls(X25519PublicKey.from_public_bytes(_parse_export(text, cls.PREFIX, "viewing public key")))


@dataclass(frozen=True)
class ViewingKey:
    """Decrypts memos: give it to an auditor to show one's notes; it cannot spend them."""

    key: X25519PrivateKey

    PREFIX = "zkview1:"

    @property
    def public(self) -> ViewingPublicKey:
        return ViewingPublicKey(self.key.public_key())

    def export(self) -> str:
        return self.PREFIX + self.key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()

    @classmethod
    def from_export(cls, text: str) -> "ViewingKey":
        return cls(X25519PrivateKey.from_private_bytes(_parse_export(text, cls.PREFIX, "viewing key")))

    def __repr__(self) -> str:  # never print the secret in a log or traceback
        return f"ViewingKey(public={self.public.export()})"


def _cipher(shared: bytes, ephemeral_pub: bytes, viewing_pub: bytes) -> ChaCha20Poly1305:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral_pub + viewing_pub, info=MEMO_INFO).derive(shared)
    return ChaCha20Poly1305(key)


def _associated_data(commitment: int) -> bytes:
    if not 0 <= commitment < R:
        raise InvalidValue(f"note commitment {commitment} is not an element of Fr")
    return MEMO_INFO + commitment.to_bytes(32, "big")


def encrypt_memo_with(ephemeral: X25519PrivateKey, to: ViewingPublicKey, memo: NoteMemo, commitment: int) -> bytes:
    """The memo encrypted with this ephemeral key (deterministic; callers use encrypt_memo)."""
    ephemeral_pub = _public_bytes(ephemeral.public_key())
    cipher = _cipher(ephemeral.exchange(to.key), ephemeral_pub, to.raw)
    return ephemeral_pub + cipher.encrypt(_NONCE, memo.encode(), _associated_data(commitment))


def encrypt_memo(to: ViewingPublicKey, memo: NoteMemo, commitment: int) -> bytes:
    """The memo for the note `commitment`, encrypted to `to` under a fresh ephemeral key."""
    return encrypt_memo_with(X25519PrivateKey.generate(), to, memo, commitment)


def decrypt_memo(key: ViewingKey, data: bytes, commitment: int) -> NoteMemo | None:
    """The memo if it was made for this key and this note, else None (another wallet's memo,
    a tampered one, or junk: a chain scan meets all three and must not stop at any)."""
    if len(data) != MEMO_SIZE or not 0 <= commitment < R:
        return None
    ephemeral_pub = data[:32]
    try:
        shared = key.key.exchange(X25519PublicKey.from_public_bytes(ephemeral_pub))
        plaintext = _cipher(shared, ephemeral_pub, key.public.raw).decrypt(_NONCE, data[32:], _associated_data(commitment))
    except (InvalidTag, ValueError):  # ValueError: a low-order point gives an all-zero secret
        return None
    return NoteMemo.decode(plaintext)


def recover_note(key: ViewingKey, owner: int, data: bytes, commitment: int) -> tuple[NoteMemo, Note] | None:
    """The note an event's memo describes, if the memo is ours and the note hashes to the
    event's commitment (so a wrong memo can never make the wallet believe in a note)."""
    memo = decrypt_memo(key, data, commitment)
    if memo is None:
        return None
    note = memo.note(owner)
    return (memo, note) if note.commitment == commitment else None


def recover_deposit(key: ViewingKey, owner: int, data: bytes, inner_hash: int, asset: int, amount: int,
                    commitment: int) -> tuple[NoteMemo, Note] | None:
    """The note a Deposit event created, from its memo (bound to the inner hash) and the asset,
    amount and commitment the event states; None unless everything agrees."""
    memo = decrypt_memo(key, data, inner_hash)
    if memo is None or memo.kind != DEPOSIT or deposit_inner(owner, memo.blinding) != inner_hash:
        return None
    note = Note(asset, amount, owner, memo.blinding)
    return (memo, note) if note.commitment == commitment else None
