"""Local-key accounts: transactions signed here, so they can be recorded before broadcast.

A party that must never send a transaction twice (a wallet's deposit, the relayer's settle)
signs it, stores the raw transaction and its hash durably, and only then broadcasts it. After a
crash it asks the chain about that hash: mined (done, or reverted), or unknown, in which case
the same raw transaction is broadcast again: one nonce, so it can land at most once, whatever
the token does. Keys are eth_account keys held by the wallet or the matcher; on a devnet the
faucet (`fund`) gives them ETH for gas.
"""

import os
from dataclasses import dataclass

from eth_account import Account
from web3.exceptions import TransactionNotFound

from .client import EMBEDDED_GAS, RECEIPT_TIMEOUT, Chain, Receipt, _failures, _reason
from .errors import ChainError


def crash_point(name: str) -> None:
    """Fault injection for the crash tests: ZKTRADE_CRASH_AT=name kills the process right here."""
    if os.environ.get("ZKTRADE_CRASH_AT") == name:
        os._exit(97)


@dataclass(frozen=True)
class SignedTx:
    """A signed transaction: what is recorded before it is broadcast."""

    raw: str  # 0x-hex
    tx_hash: str
    nonce: int

    def to_json(self) -> dict:
        return {"raw": self.raw, "tx_hash": self.tx_hash, "nonce": self.nonce}

    @classmethod
    def from_json(cls, d: dict) -> "SignedTx":
        return cls(d["raw"], d["tx_hash"], int(d["nonce"]))


def new_private_key() -> str:
    """A fresh secp256k1 key, 0x-hex."""
    return "0x" + bytes(Account.create().key).hex()


def fund(chain: Chain, address: str, wei: int) -> Receipt:
    """Devnet faucet: ETH for gas from the node's first unlocked account."""
    w3 = chain.w3
    tx_hash = w3.eth.send_transaction({"from": chain.accounts[0], "to": address, "value": wei})
    w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT)
    return Receipt(tx_hash.to_0x_hex(), w3.eth.block_number, 21_000, ())


def faucet(chain: Chain, token, recipient: str, amount: int, gas: bool = False) -> None:
    """Devnet faucet: mint `amount` of a test token to `recipient`, and ETH for gas if asked."""
    if gas and chain.w3.eth.get_balance(recipient) < GAS_WEI // 10:
        fund(chain, recipient, GAS_WEI)
    chain.transact(token.functions.mint(recipient, amount), sender=chain.accounts[0])


GAS_WEI = 10**19  # what the faucet gives an account for gas


class LocalAccount:
    """An account whose key this process holds."""

    @staticmethod
    def address_of(private_key: str) -> str:
        return Account.from_key(private_key).address

    def __init__(self, chain: Chain, private_key: str):
        self.chain = chain
        self._account = Account.from_key(private_key)

    @property
    def address(self) -> str:
        return self._account.address

    def next_nonce(self) -> int:
        return self.chain.w3.eth.get_transaction_count(self.address, "pending")

    def sign(self, fn, nonce: int | None = None, gas: int | None = None) -> SignedTx:
        """Sign a call of contract function `fn` (not sent). On a node the gas is estimated,
        which fails here, with the contract's reason, if the call would revert."""
        if gas is None:
            gas = EMBEDDED_GAS if self.chain.embedded else self.chain.estimate_gas(fn, sender=self.address)
        tx = fn.build_transaction({
            "from": self.address, "gas": gas, "chainId": self.chain.w3.eth.chain_id,
            "nonce": self.next_nonce() if nonce is None else nonce,
        })
        signed = self._account.sign_transaction(tx)
        return SignedTx("0x" + bytes(signed.raw_transaction).hex(), "0x" + bytes(signed.hash).hex(), tx["nonce"])

    def broadcast(self, signed: SignedTx, what: str) -> None:
        """Hand the recorded transaction to the chain (again, if it was lost: same nonce, same hash)."""
        try:
            self.chain.w3.eth.send_raw_transaction(signed.raw)
        except _failures() as exc:
            # The embedded chain runs a transaction as it receives it and raises if it reverts.
            raise ChainError(f"{what} {_reason(exc)}") from None
        except ValueError as exc:
            if "already known" not in str(exc) and "nonce too low" not in str(exc):
                raise ChainError(f"{what}: the node refused the transaction: {exc}") from None

    def status(self, signed: SignedTx) -> str:
        """'mined' (succeeded), 'reverted', or 'unknown' (the chain has not seen it)."""
        try:
            receipt = self.chain.w3.eth.get_transaction_receipt(signed.tx_hash)
        except TransactionNotFound:
            return "unknown"
        return "mined" if receipt["status"] == 1 else "reverted"

    def wait(self, signed: SignedTx, fn, what: str) -> Receipt:
        """The receipt of a broadcast transaction; ChainError with the contract's reason if it reverted."""
        try:
            r = self.chain.w3.eth.wait_for_transaction_receipt(signed.tx_hash, timeout=RECEIPT_TIMEOUT)
        except Exception as exc:  # web3's TimeExhausted, or the node went away
            raise ChainError(f"{what}: no receipt for {signed.tx_hash} ({type(exc).__name__})") from None
        if r["status"] != 1:
            tx = {"from": self.address, "gas": r["gasUsed"] + 100_000}
            raise ChainError(f"{what} {self.chain._replay_reason(tx, fn, r)}")
        return Receipt(signed.tx_hash, r["blockNumber"], r["gasUsed"], tuple(r["logs"]))


def chain_time(chain: Chain) -> int:
    """The latest block's timestamp: the clock the pool checks deadlines against."""
    return int(chain.w3.eth.get_block("latest")["timestamp"])
