"""The embedded chain's indexed backend (protocol/chain/embedded.py) against eth-tester's own
lookups on the same chain: the same receipts, transactions, blocks and logs, and no walk back
from the head per lookup (counted in block decodes, not timed)."""

import pytest
from eth_tester import PyEVMBackend
from eth_tester.exceptions import TransactionNotFound

from protocol.chain.client import Chain
from protocol.chain.deploy import pool_artifact
from protocol.chain.embedded import IndexedPyEVMBackend

BLOCKS = 40


@pytest.fixture(scope="module")
def chain_and_hashes():
    chain = Chain.embedded_chain()
    token = chain.deploy(pool_artifact("TestToken"), "zktrade test T", "T", 18, 0)
    alice, bob = chain.accounts[1], chain.accounts[2]
    hashes = [chain.transact(token.functions.mint(alice, 10**18 + i)).tx_hash for i in range(BLOCKS)]
    hashes += [chain.transact(token.functions.transfer(bob, 7 + i), sender=alice).tx_hash for i in range(5)]
    return chain, token, [bytes.fromhex(h[2:]) for h in hashes]


def _backend(chain: Chain) -> IndexedPyEVMBackend:
    backend = chain.w3.provider.ethereum_tester.backend
    assert isinstance(backend, IndexedPyEVMBackend)
    return backend


def test_receipts_transactions_and_blocks_equal_eth_testers(chain_and_hashes):
    chain, _, hashes = chain_and_hashes
    backend = _backend(chain)
    for tx_hash in hashes[::7] + hashes[-2:]:
        assert backend.get_transaction_receipt(tx_hash) == PyEVMBackend.get_transaction_receipt(backend, tx_hash)
        assert backend.get_transaction_by_hash(tx_hash) == PyEVMBackend.get_transaction_by_hash(backend, tx_hash)
    head = chain.block_number
    for number in (0, 1, head // 2, head, "latest", "earliest", "pending"):
        for full in (False, True):
            assert backend.get_block_by_number(number, full) == PyEVMBackend.get_block_by_number(backend, number, full)


def test_logs_equal_a_plain_backends_and_cost_no_block_decodes_once_seen(chain_and_hashes, monkeypatch):
    chain, token, _ = chain_and_hashes
    backend = _backend(chain)
    transfers = token.events.Transfer().get_logs(from_block=0)
    assert len(transfers) == BLOCKS + 5
    decodes = []
    real = backend.chain.get_canonical_block_by_number
    monkeypatch.setattr(backend.chain, "get_canonical_block_by_number", lambda n: decodes.append(n) or real(n))
    again = token.events.Transfer().get_logs(from_block=0)
    assert again == transfers
    assert decodes == []  # eth-tester's own path decodes every block for every receipt: O(blocks²)

    # the same logs through the unindexed lookups, on the same chain
    monkeypatch.setattr(backend, "get_transaction_receipt", lambda h: PyEVMBackend.get_transaction_receipt(backend, h))
    monkeypatch.setattr(backend, "get_block_by_number", lambda n, f=True: PyEVMBackend.get_block_by_number(backend, n, f))
    assert token.events.Transfer().get_logs(from_block=0) == transfers


def test_an_unknown_hash_is_eth_testers_error(chain_and_hashes):
    chain, _, _ = chain_and_hashes
    backend = _backend(chain)
    for lookup in (backend.get_transaction_receipt, backend.get_transaction_by_hash):
        with pytest.raises(TransactionNotFound, match="No transaction found"):
            lookup(b"\x11" * 32)


def test_a_rewound_chain_is_indexed_again():
    """After a snapshot revert the same heights hold other blocks: nothing stale is served."""
    chain = Chain.embedded_chain()
    tester = chain.w3.provider.ethereum_tester
    token = chain.deploy(pool_artifact("TestToken"), "zktrade test T", "T", 18, 0)
    snapshot = tester.take_snapshot()
    first = chain.transact(token.functions.mint(chain.accounts[1], 1))
    assert len(token.events.Transfer().get_logs(from_block=0)) == 1
    tester.revert_to_snapshot(snapshot)
    second = chain.transact(token.functions.mint(chain.accounts[2], 2))
    assert second.block_number == first.block_number
    logs = token.events.Transfer().get_logs(from_block=0)
    assert [(e["args"]["to"], e["args"]["value"]) for e in logs] == [(chain.accounts[2], 2)]
    with pytest.raises(TransactionNotFound):
        _backend(chain).get_transaction_receipt(bytes.fromhex(first.tx_hash[2:]))
