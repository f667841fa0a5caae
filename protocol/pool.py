"""The pool as a trader and a settler see it: deposit, settle, withdraw, and state from events.

A thin layer over protocol/chain (the contracts and the web3 client): it turns the protocol's
values (notes' inner hashes, leg proofs, withdraw public inputs) into contract calls, and the
pool's events back into leaves and spent nullifiers. The chain's events are the ground truth
the wallet syncs from (protocol/trader.py).
"""

from zk.formats.calldata import proof_words
from zk.groth16 import Proof

from .chain.client import Chain, Receipt
from .chain.deploy import Deployment, pool_artifact
from .chain.sync import rebuild_tree
from .errors import InvalidValue
from .params import TREE_DEPTH
from .messages import LegProof
from .tree import MerkleTree


def _address(value: int) -> str:
    from web3 import Web3

    return Web3.to_checksum_address(f"0x{value:040x}")


def _proof_struct(proof: Proof) -> tuple:
    a, b, c = proof_words(proof)
    return (a, b, c)


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

    # --- transactions --------------------------------------------------------------------

    def deposit(self, account: str, token: str, amount: int, inner: int) -> Receipt:
        """Approve and deposit `amount` of `token`; the pool computes the commitment."""
        erc20 = self.token(token)
        self.chain.transact(erc20.functions.approve(self.address, amount), sender=account)
        return self.chain.transact(self.contract.functions.deposit(erc20.address, amount, inner), sender=account)

    def deposited_amount(self, receipt: Receipt) -> int:
        """The amount a deposit transaction's note holds: what the pool actually received."""
        events = self.chain.events(self.contract, "Deposited", receipt=receipt)
        if len(events) != 1:
            raise InvalidValue(f"transaction {receipt.tx_hash} is not one deposit into this pool")
        return int(events[0]["amount"])

    def receipt(self, tx_hash: str) -> Receipt | None:
        """The receipt of a mined transaction, or None if the chain does not know it."""
        return self.chain.receipt(tx_hash)

    def settle(self, account: str, buy: LegProof, sell: LegProof) -> Receipt:
        """Submit a settlement: the buy leg and the sell leg of one trade."""
        return self.chain.transact(
            self.contract.functions.settle((_proof_struct(buy.proof), buy.public), (_proof_struct(sell.proof), sell.public)),
            sender=account,
        )

    def withdraw(self, account: str, proof: Proof, public: list[int]) -> Receipt:
        """Submit a withdrawal with public inputs [root, nullifier, asset, amount, recipient, change]."""
        root, nullifier, asset, amount, recipient, change = public
        fn = self.contract.functions.withdraw(_proof_struct(proof), root, nullifier, _address(asset), amount,
                                              _address(recipient), change)
        return self.chain.transact(fn, sender=account)

    # --- state ---------------------------------------------------------------------------

    def tree(self) -> MerkleTree:
        """The pool's Merkle tree rebuilt from its events (checked against the on-chain root)."""
        return rebuild_tree(self.chain, self.contract, from_block=self.deployment.block)

    def is_known_root(self, root: int) -> bool:
        return bool(self.chain.call(self.contract.functions.isKnownRoot(root)))

    def spent_nullifiers(self) -> set[int]:
        spent = set()
        for name, e in self.chain.events_in(self.contract, ["Settled", "Withdrawn"], from_block=self.deployment.block):
            if name == "Settled":
                spent.update((int(e["buyNullifier"]), int(e["sellNullifier"])))
            else:
                spent.add(int(e["nullifier"]))
        return spent

    def token_balance(self, token: str, owner: str) -> int:
        return int(self.chain.call(self.token(token).functions.balanceOf(owner)))
