"""The embedded chain's backend: eth-tester's py-evm backend with its lookups indexed.

eth-tester finds a transaction by walking back from the head block (`_get_transaction_by_hash`:
"TODO: the chain should be able to look these up directly by hash"), so one receipt costs
O(blocks) decodes and `eth_getLogs` over the chain, which asks for every receipt, costs
O(blocks²). A wallet syncing from the pool's events after a few hundred settlements then spends
minutes per sync. This backend keeps what a mined block cannot change any more: where each
transaction landed, and each mined block's serialized form and receipts, keyed by block hash
and checked against the canonical chain on every use (a block that left the canonical chain,
e.g. after a snapshot revert, is simply looked up again). Results are eth-tester's own: the
same serializers on the same py-evm objects.
"""

from eth_tester import PyEVMBackend
from eth_tester.backends.pyevm.serializers import serialize_block, serialize_transaction, serialize_transaction_receipt
from eth_tester.exceptions import BlockNotFound, TransactionNotFound
from eth_utils import encode_hex


class IndexedPyEVMBackend(PyEVMBackend):
    """PyEVMBackend with O(1) transaction lookups and cached mined blocks and receipts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._forget()

    def _forget(self) -> None:
        self._where: dict[bytes, tuple[int, bytes, int]] = {}  # tx hash -> (number, block hash, index)
        self._indexed = 0  # blocks below this number are in _where
        self._tip = b""  # the hash of block _indexed - 1 when it was indexed
        self._blocks: dict[tuple[bytes, bool], dict] = {}
        self._receipts: dict[bytes, dict] = {}  # tx hash -> serialized receipt (mined only)

    def reset_to_genesis(self, *args, **kwargs):
        super().reset_to_genesis(*args, **kwargs)
        self._forget()

    def _canonical_hash(self, number: int) -> bytes | None:
        try:
            return self.chain.chaindb.get_canonical_block_hash(number)
        except Exception:  # noqa: BLE001 - py-evm raises HeaderNotFound for unknown heights
            return None

    def _index_up_to(self, head_number: int) -> None:
        if self._indexed and (self._indexed > head_number or self._canonical_hash(self._indexed - 1) != self._tip):
            self._forget()  # the chain was rewound under the index: index it again from genesis
        for number in range(self._indexed, head_number):
            block = self.chain.get_canonical_block_by_number(number)
            for index, tx in enumerate(block.transactions):
                self._where[tx.hash] = (number, block.hash, index)
            self._tip = block.hash
        self._indexed = max(self._indexed, head_number)

    def _locate(self, transaction_hash: bytes):
        """(block, transaction, index, pending) for a transaction, as eth-tester finds it."""
        head = self.chain.get_block()
        for index, tx in enumerate(head.transactions):
            if tx.hash == transaction_hash:
                return head, tx, index, True
        if transaction_hash not in self._where:
            self._index_up_to(head.number)
        entry = self._where.get(transaction_hash)
        if entry is not None and self._canonical_hash(entry[0]) != entry[1]:
            self._forget()  # the chain was rewound: index it again from genesis
            self._index_up_to(head.number)
            entry = self._where.get(transaction_hash)
        if entry is None:
            raise TransactionNotFound(f"No transaction found for transaction hash: {encode_hex(transaction_hash)}")
        number, _, index = entry
        block = self.chain.get_canonical_block_by_number(number)
        return block, block.transactions[index], index, False

    def get_transaction_by_hash(self, transaction_hash):
        block, tx, index, pending = self._locate(transaction_hash)
        return serialize_transaction(block, tx, index, pending)

    def get_transaction_receipt(self, transaction_hash):
        cached = self._receipts.get(transaction_hash)
        if cached is not None:
            number, block_hash, _ = self._where[transaction_hash]
            if self._canonical_hash(number) == block_hash:
                return cached
        block, tx, index, pending = self._locate(transaction_hash)
        receipt = serialize_transaction_receipt(
            block, block.get_receipts(self.chain.chaindb), tx, index, pending, self.chain.get_vm()
        )
        if not pending:
            self._receipts[transaction_hash] = receipt
        return receipt

    def get_block_by_number(self, block_number, full_transaction=True):
        head_number = self.chain.get_block().number
        if block_number in ("latest", "safe", "finalized"):
            block_number = max(0, head_number - 1)  # eth-tester's meaning: the last mined block
        if isinstance(block_number, int) and not isinstance(block_number, bool) and 0 <= block_number < head_number:
            block_hash = self._canonical_hash(block_number)
            if block_hash is None:
                raise BlockNotFound(f"No block found for block number: {block_number}")
            key = (block_hash, bool(full_transaction))
            cached = self._blocks.get(key)
            if cached is None:
                block = self.chain.get_canonical_block_by_number(block_number)
                cached = self._blocks[key] = serialize_block(block, full_transaction, False)
            return cached
        return super().get_block_by_number(block_number, full_transaction)
