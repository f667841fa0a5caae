"""One chain client over the embedded py-evm chain and any JSON-RPC node (web3.py).

The embedded chain (web3's EthereumTesterProvider) runs in this process; a node (anvil,
`zktrade devnet up`) is reached by URL. Both expose unlocked dev accounts, so transactions are
sent with eth_sendTransaction from `accounts[i]`. web3 is imported here only, and this module
only when a chain is used: importing web3 costs about a second of CLI start-up.

Gas: on a node, a transaction without `gas=` gets eth_estimateGas's answer (exact on anvil).
On the embedded chain the estimator re-runs the call ~10 times (seconds per pairing) and
rounds up by up to 21k, so transactions get EMBEDDED_GAS unless the caller passes `gas=`.
"""

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from web3 import Web3
from web3.exceptions import ContractLogicError, TimeExhausted, Web3Exception, Web3RPCError

from .compiler import Artifact
from .errors import ChainError

EMBEDDED_GAS = 15_000_000
RECEIPT_TIMEOUT = 120


@dataclass(frozen=True)
class Receipt:
    tx_hash: str
    block_number: int
    gas_used: int
    logs: tuple


def _failures() -> tuple[type[Exception], ...]:
    """What a reverted call raises: web3's error, a node's RPC error, or eth-tester's own."""
    try:
        from eth_tester.exceptions import TransactionFailed
    except ImportError:
        return (ContractLogicError, Web3RPCError)
    return (ContractLogicError, Web3RPCError, TransactionFailed)


def _reason(exc: Exception) -> str:
    """'reverted: <the contract's reason>' out of whichever error the provider raised."""
    message = str(getattr(exc, "message", None) or exc)
    while message.startswith(("execution reverted: ", "reverted: ")):
        message = message.split(": ", 1)[1]
    if message.rstrip() in ("b''", "0x", "execution reverted", ""):
        return "reverted without a reason (out of gas, or a contract that gives none)"
    if message.startswith(("b'", 'b"')):  # eth-tester shows custom-error data as a bytes repr
        return f"reverted with error data 0x{ast.literal_eval(message).hex()}"
    return f"reverted: {message}"


class Chain:
    """A connected chain: deploy, call, transact (and wait), estimate gas, read events."""

    def __init__(self, w3: Web3, embedded: bool, url: str | None = None):
        self.w3 = w3
        self.embedded = embedded
        self.url = url

    @classmethod
    def embedded_chain(cls) -> "Chain":
        """A fresh in-process chain (py-evm, Prague rules) with funded, unlocked accounts; its
        BN254 precompiles run on zk's curve code (precompiles.py), fast when zk's is; its
        transaction and log lookups are indexed (embedded.py), not a walk back from the head."""
        from eth_tester import EthereumTester
        from web3 import EthereumTesterProvider

        from .embedded import IndexedPyEVMBackend
        from .precompiles import prague_vm

        backend = IndexedPyEVMBackend(vm_configuration=((0, prague_vm()),))
        return cls(Web3(EthereumTesterProvider(EthereumTester(backend))), embedded=True)

    @classmethod
    def connect(cls, url: str, timeout: float = 10) -> "Chain":
        """A JSON-RPC node at `url`; fails with a clear message when nothing answers there."""
        w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": timeout}))
        try:
            w3.eth.chain_id
        except (OSError, Web3Exception) as exc:
            raise ChainError(
                f"no Ethereum node answers at {url} ({type(exc).__name__}); start one with "
                "`zktrade devnet up` or check the --rpc URL"
            ) from None
        return cls(w3, embedded=False, url=url)

    @classmethod
    def from_rpc(cls, url: str | None) -> "Chain":
        return cls.connect(url) if url else cls.embedded_chain()

    @property
    def accounts(self) -> list[str]:
        return list(self.w3.eth.accounts)

    @property
    def block_number(self) -> int:
        return self.w3.eth.block_number

    def contract(self, address: str, artifact: Artifact):
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=list(artifact.abi))

    def deploy(self, artifact: Artifact, *args, sender: str | None = None, gas: int | None = None):
        """Deploy and return the contract object at its new address."""
        factory = self.w3.eth.contract(abi=list(artifact.abi), bytecode=artifact.bytecode)
        receipt = self._send(factory.constructor(*args), sender, gas, f"deploy {artifact.name}")
        address = self.w3.eth.get_transaction_receipt(receipt.tx_hash)["contractAddress"]
        return self.contract(address, artifact)

    def call(self, fn, sender: str | None = None, gas: int | None = None):
        """Run a function without a transaction (eth_call); raises ChainError if it reverts."""
        tx = {"from": sender or self.accounts[0]}
        if gas is not None or self.embedded:
            tx["gas"] = gas or EMBEDDED_GAS
        try:
            return fn.call(tx)
        except _failures() as exc:
            raise ChainError(f"call {fn.fn_name} {_reason(exc)}") from None

    def estimate_gas(self, fn, sender: str | None = None, value: int = 0) -> int:
        """eth_estimateGas; slow on the embedded chain (see the module docstring)."""
        try:
            return fn.estimate_gas({"from": sender or self.accounts[0], "value": value})
        except _failures() as exc:
            raise ChainError(f"estimate {fn.fn_name} {_reason(exc)}") from None

    def transact(self, fn, sender: str | None = None, gas: int | None = None, value: int = 0) -> Receipt:
        """Send a transaction calling `fn`, wait for it; raises ChainError if it reverts."""
        return self._send(fn, sender, gas, fn.fn_name, value)

    def _send(self, fn, sender: str | None, gas: int | None, what: str, value: int = 0) -> Receipt:
        tx = {"from": sender or self.accounts[0], "value": value}
        if gas is not None or self.embedded:
            tx["gas"] = gas or EMBEDDED_GAS
        try:
            tx_hash = fn.transact(tx)
            receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT)
        except _failures() as exc:
            raise ChainError(f"{what} {_reason(exc)}") from None
        except TimeExhausted:
            raise ChainError(f"{what}: no receipt after {RECEIPT_TIMEOUT} s (is the node mining?)") from None
        if receipt["status"] != 1:
            raise ChainError(f"{what} {self._replay_reason(tx, fn, receipt)}")
        return Receipt(tx_hash.to_0x_hex(), receipt["blockNumber"], receipt["gasUsed"], tuple(receipt["logs"]))

    def _replay_reason(self, tx: dict, fn, receipt) -> str:
        """Why a mined transaction failed: replay it as a call on the block before."""
        try:
            fn.call(tx, block_identifier=receipt["blockNumber"] - 1)
        except _failures() as exc:
            return _reason(exc)
        return f"failed: out of gas or no reason given ({receipt['gasUsed']} gas used of {tx.get('gas')})"

    def receipt(self, tx_hash: str) -> Receipt | None:
        """The receipt of a transaction that landed successfully, or None (unknown, or reverted)."""
        from web3.exceptions import TransactionNotFound

        try:
            r = self.w3.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound:
            return None
        if r["status"] != 1:
            return None
        return Receipt(tx_hash, r["blockNumber"], r["gasUsed"], tuple(r["logs"]))

    def events(self, contract, name: str, receipt: Receipt | None = None, from_block: int = 0,
               to_block: int | str = "latest") -> list[dict]:
        """Decoded `name` events: of one receipt, or of a block range (sync from a block)."""
        event = getattr(contract.events, name)()
        if receipt is not None:
            from web3.logs import DISCARD

            logs = [log for log in receipt.logs if log["address"] == contract.address]
            decoded = event.process_receipt({"logs": logs}, errors=DISCARD)
        else:
            decoded = event.get_logs(from_block=from_block, to_block=to_block)
        return [{**d["args"], "blockNumber": d["blockNumber"], "logIndex": d["logIndex"]} for d in decoded]

    def events_in(self, contract, names: Sequence[str], from_block: int = 0) -> list[tuple[str, dict]]:
        """Several event kinds from a block onwards, in chain order (for rebuilding state)."""
        items = [(name, e) for name in names for e in self.events(contract, name, from_block=from_block)]
        return sorted(items, key=lambda item: (item[1]["blockNumber"], item[1]["logIndex"]))
