"""A wallet's every secret from one BIP-39 seed phrase (derivations in docs/wallet.md).

words → BIP-39 seed (PBKDF2, the `mnemonic` package) → HKDF-SHA256 with a label per purpose:
the spending key, the X25519 viewing key, and each note's blinding and each order's salt by
index; the chain account's key by BIP-44. Losing the wallet file then loses nothing the chain does not hold: the words and the
memos on chain (protocol/memo.py) rebuild it.
"""

from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from mnemonic import Mnemonic

from zk.field import R

from .errors import InvalidValue
from .memo import ViewingKey
from .notes import owner_of

HKDF_SALT = b"zktrade/wallet/v1"
WORD_COUNT = 24  # 256 bits of entropy
_ENGLISH = Mnemonic("english")


def new_words() -> str:
    """A fresh 24-word English BIP-39 phrase from the OS CSPRNG."""
    return _ENGLISH.generate(strength=32 * WORD_COUNT // 3)


def seed_from_words(words: str, passphrase: str = "") -> bytes:
    """The 64-byte BIP-39 seed; a phrase with an unknown word or a bad checksum is refused."""
    normalized = " ".join(words.split())
    if not _ENGLISH.check(normalized):
        n = len(normalized.split())
        raise InvalidValue(
            f"not a valid BIP-39 English seed phrase ({n} words; a word is misspelt, missing or out "
            "of order, so the checksum fails)"
        )
    return Mnemonic.to_seed(normalized, passphrase)


def derive_bytes(seed: bytes, label: str, length: int) -> bytes:
    """HKDF-SHA256(ikm = seed, salt = HKDF_SALT, info = label): one independent key per label."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=HKDF_SALT, info=label.encode()).derive(seed)


def derive_field_element(seed: bytes, label: str) -> int:
    """A uniform nonzero element of Fr: 64 bytes reduced mod r (bias < 2^-250), retried on zero."""
    counter = 0
    while True:
        value = int.from_bytes(derive_bytes(seed, f"{label}/{counter}", 64), "big") % R
        if value:
            return value
        counter += 1


def _index(index: int) -> int:
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 1 << 32:
        raise InvalidValue(f"derivation index must be an integer in [0, 2^32), got {index!r}")
    return index


@dataclass(frozen=True)
class WalletKeys:
    """Everything a wallet derives from its seed. Holds the spending key: never export it."""

    seed: bytes = field(repr=False)

    @classmethod
    def from_words(cls, words: str, passphrase: str = "") -> "WalletKeys":
        return cls(seed_from_words(words, passphrase))

    @property
    def spending_key(self) -> int:
        return derive_field_element(self.seed, "spending-key")

    @property
    def owner(self) -> int:
        """The owner tag Poseidon(sk) that the wallet's notes carry."""
        return owner_of(self.spending_key)

    @property
    def viewing_key(self) -> ViewingKey:
        """Decrypts the wallet's memos; can be exported alone (it cannot spend)."""
        return ViewingKey(X25519PrivateKey.from_private_bytes(derive_bytes(self.seed, "viewing-key", 32)))

    def note_blinding(self, index: int) -> int:
        """The blinding of the wallet's `index`-th note (deposit, change or received)."""
        return derive_field_element(self.seed, f"note/{_index(index)}/blinding")

    def order_salt(self, index: int) -> int:
        """The salt of the wallet's `index`-th order commitment."""
        return derive_field_element(self.seed, f"order/{_index(index)}/salt")

    @property
    def order_secret(self) -> bytes:
        """The secret behind every order ticket's owner hash (it authorizes cancels)."""
        return derive_bytes(self.seed, "order-secret", 32)

    def account_key(self, index: int = 0) -> bytes:
        """The secp256k1 key of the wallet's `index`-th chain account, at BIP-44's
        m/44'/60'/0'/0/index as every Ethereum wallet derives it (the same words open it there)."""
        from eth_account.hdaccount import key_from_seed  # the chain extra; only chain users need it

        return key_from_seed(self.seed, f"m/44'/60'/0'/0/{_index(index)}")
