"""Moving a devnet's clock forward, for tests of deadlines and root ages.

The embedded chain (eth-tester) mines a block at a requested time (py-evm lands one second
short of it, hence the +1); anvil takes evm_increaseTime and then a mined block. Either way the
latest block's timestamp (what eth_call sees) grows by at least `seconds`, and a transaction
mined after it sees a later `block.timestamp` still.
"""

from protocol.chain.client import Chain


def latest_timestamp(chain: Chain) -> int:
    return int(chain.w3.eth.get_block("latest")["timestamp"])


def advance_time(chain: Chain, seconds: int) -> int:
    """Move the chain's clock forward by `seconds`; returns the new latest block's timestamp."""
    if chain.embedded:
        chain.w3.provider.ethereum_tester.time_travel(latest_timestamp(chain) + seconds + 1)
    else:
        chain.w3.provider.make_request("evm_increaseTime", [seconds])
        chain.w3.provider.make_request("evm_mine", [])
    return latest_timestamp(chain)
