"""The pool as traders, the matcher and relayers see it: deposit, settle, withdraw, queries, events.

A thin layer over protocol/chain (the contracts and the web3 client): it turns the protocol's
values (notes' inner hashes, leg proofs, withdraw public inputs, memos) into contract calls, and
the pool's events back into records a wallet rebuilds its state from. The chain's events are
the ground truth. Every transaction is also available unsent (`*_call`: a web3 contract
function) for a caller that signs and records a transaction before it broadcasts it.

`sender` is any account `Chain.transact` sends from. Settlements and withdrawals check no
sender, so the matcher's account (or any relayer) sends them, never a trader's.
"""

from dataclasses import dataclass

from zk.formats.calldata import proof_words
from zk.groth16 import Proof

from .chain.client import Chain, Receipt
from .chain.deploy import Deployment, pool_artifact
from .chain.sync import rebuild_tree
from .errors import InvalidValue
from .messages import LegProof
from .params import TREE_DEPTH
from .tree import MerkleTree


def _address(value: int) -> str:
    from web3 import Web3

    return Web3.to_checksum_address(f"0x{value:040x}")


def _proof_struct(proof: Proof) -> tuple:
    a, b, c = proof_words(proof)
    return (a, b, c)


@dataclass(frozen=True)
class DepositEvent:
    leaf_index: int
    commitment: int
    asset: int
    amount: int  # what the pool received (net of any transfer fee)
    inner_hash: int
    depositor: str
    memo: bytes
    block_number: int


@dataclass(frozen=True)
class SettledEvent:
    """A settlement; its new leaves are first_leaf_index + 0..3: buy received, buy change, sell
    received, sell change."""

    trade_commitment: int
    buy_nullifier: int
    sell_nullifier: int
    buy_order_commitment: int
    sell_order_commitment: int
    first_leaf_index: int
    buy_memo: bytes
    sell_memo: bytes
    block_number: int


@dataclass(frozen=True)
class WithdrawnEvent:
    nullifier: int
    asset: int
    recipient: str
    amount: int  # amount − fee went to recipient, fee to relayer
    relayer: str
    fee: int
    change_commitment: int
    leaf_index: int
    change_memo: bytes
    block_number: int


def _deposit_event(e: dict) -> DepositEvent:
    return DepositEvent(int(e["leafIndex"]), int(e["commitment"]), int(e["asset"], 16), int(e["amount"]),
                        int(e["innerHash"]), e["depositor"], bytes(e["memo"]), e["blockNumber"])


def _settled_event(e: dict) -> SettledEvent:
    return SettledEvent(int(e["tradeCommitment"]), int(e["buyNullifier"]), int(e["sellNullifier"]),
                        int(e["buyOrderCommitment"]), int(e["sellOrderCommitment"]), int(e["firstLeafIndex"]),
                        bytes(e["buyMemo"]), bytes(e["sellMemo"]), e["blockNumber"])


def _withdrawn_event(e: dict) -> WithdrawnEvent:
    return WithdrawnEvent(int(e["nullifier"]), int(e["asset"], 16), e["recipient"], int(e["amount"]), e["relayer"],
                          int(e["fee"]), int(e["changeCommitment"]), int(e["leafIndex"]), bytes(e["changeMemo"]),
                          e["blockNumber"])


class PoolClient:
    """One deployed pool on one chain."""

    depth = TREE_DEPTH

    def __init__(self, chain: Chain, deployment: Deployment):
        self.chain = chain
        self.deployment = deployment
        self.contract = chain.contract(deployment.pool, pool_artifact())
        self._tokens: dict[str, object] = {}

    @property
    def address(self) -> str:
        return self.contract.address

    def token(self, address: str):
        """The ERC-20 at `address` (the devnet's test tokens have mint())."""
        key = address.lower()
        if key not in self._tokens:
            self._tokens[key] = self.chain.contract(_address(int(address, 16)), pool_artifact("TestToken"))
        return self._tokens[key]

    def token_address(self, symbol_or_address: str) -> str:
        """A token by its symbol in the deployment, or an address as given."""
        if symbol_or_address in self.deployment.tokens:
            return self.deployment.tokens[symbol_or_address]
        if symbol_or_address.startswith("0x") and len(symbol_or_address) == 42:
            return _address(int(symbol_or_address, 16))
        known = ", ".join(self.deployment.tokens) or "none"
        raise InvalidValue(f"unknown token {symbol_or_address!r}: use a symbol of the deployment ({known}) or an address")

    def symbol_of(self, asset: int) -> str:
        for symbol, address in self.deployment.tokens.items():
            if int(address, 16) == asset:
                return symbol
        return f"0x{asset:040x}"

    # --- transactions, unsent --------------------------------------------------------------

    def approve_call(self, token: str, amount: int):
        """ERC-20 approve(pool, amount): what a deposit needs first."""
        return self.token(token).functions.approve(self.address, amount)

    def deposit_call(self, token: str, amount: int, inner: int, memo: bytes = b""):
        """deposit(asset, amount, innerHash, memo): the pool computes the commitment."""
        return self.contract.functions.deposit(self.token(token).address, amount, inner, memo)

    def settle_call(self, buy: LegProof, sell: LegProof):
        """settle(buyLeg, sellLeg), each leg (proof, its 8 public inputs, its memo)."""
        return self.contract.functions.settle(
            (_proof_struct(buy.proof), buy.public, buy.memo), (_proof_struct(sell.proof), sell.public, sell.memo))

    def withdraw_call(self, proof: Proof, public: list[int], change_memo: bytes = b""):
        """withdraw(proof, [root, nullifier, asset, amount, recipient, relayer, fee, change], changeMemo)."""
        root, nullifier, asset, amount, recipient, relayer, fee, change = public
        withdrawal = (root, nullifier, _address(asset), amount, _address(recipient), _address(relayer), fee, change)
        return self.contract.functions.withdraw(_proof_struct(proof), withdrawal, change_memo)

    # --- transactions ----------------------------------------------------------------------

    def deposit(self, sender: str, token: str, amount: int, inner: int, memo: bytes = b"") -> Receipt:
        """Approve and deposit `amount` of `token` from `sender`."""
        self.chain.transact(self.approve_call(token, amount), sender=sender)
        return self.chain.transact(self.deposit_call(token, amount, inner, memo), sender=sender)

    def settle(self, sender: str, buy: LegProof, sell: LegProof) -> Receipt:
        """Submit a settlement (the buy leg and the sell leg of one trade) from the relayer `sender`."""
        return self.chain.transact(self.settle_call(buy, sell), sender=sender)

    def withdraw(self, sender: str, proof: Proof, public: list[int], change_memo: bytes = b"") -> Receipt:
        """Submit a withdrawal from `sender`: the owner, or a relayer the proof pays its fee."""
        return self.chain.transact(self.withdraw_call(proof, public, change_memo), sender=sender)

    def deposited_amount(self, receipt: Receipt) -> int:
        """The amount a deposit transaction's note holds: what the pool actually received."""
        events = self.chain.events(self.contract, "Deposited", receipt=receipt)
        if len(events) != 1:
            raise InvalidValue(f"transaction {receipt.tx_hash} is not one deposit into this pool")
        return int(events[0]["amount"])

    def receipt(self, tx_hash: str) -> Receipt | None:
        """The receipt of a mined transaction, or None if the chain does not know it."""
        return self.chain.receipt(tx_hash)

    # --- queries ---------------------------------------------------------------------------

    def trade_settled(self, trade_commitment: int) -> bool:
        return bool(self.chain.call(self.contract.functions.tradeSettled(trade_commitment)))

    def nullifier_spent(self, nullifier: int) -> bool:
        return bool(self.chain.call(self.contract.functions.nullifierSpent(nullifier)))

    def is_known_root(self, root: int) -> bool:
        """The current root, or one superseded at most root_max_age() seconds ago."""
        return bool(self.chain.call(self.contract.functions.isKnownRoot(root)))

    def root_max_age(self) -> int:
        return int(self.chain.call(self.contract.functions.rootMaxAge()))

    def current_root(self) -> int:
        return int(self.chain.call(self.contract.functions.lastRoot()))

    def token_balance(self, token: str, owner: str) -> int:
        return int(self.chain.call(self.token(token).functions.balanceOf(owner)))

    # --- events ----------------------------------------------------------------------------

    def tree(self) -> MerkleTree:
        """The pool's Merkle tree rebuilt from its events (checked against the on-chain root)."""
        return rebuild_tree(self.chain, self.contract, from_block=self.deployment.block)

    def deposits(self, from_block: int | None = None) -> list[DepositEvent]:
        return [_deposit_event(e) for e in self._events("Deposited", from_block)]

    def settlements(self, from_block: int | None = None) -> list[SettledEvent]:
        return [_settled_event(e) for e in self._events("Settled", from_block)]

    def withdrawals(self, from_block: int | None = None) -> list[WithdrawnEvent]:
        return [_withdrawn_event(e) for e in self._events("Withdrawn", from_block)]

    def _events(self, name: str, from_block: int | None) -> list[dict]:
        start = self.deployment.block if from_block is None else from_block
        return self.chain.events(self.contract, name, from_block=start)

    def spent_nullifiers(self) -> set[int]:
        spent = {n for s in self.settlements() for n in (s.buy_nullifier, s.sell_nullifier)}
        return spent | {w.nullifier for w in self.withdrawals()}
