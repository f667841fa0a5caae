"""The pool on the embedded chain, with real proofs of a stand-in circuit (free_publics8, for the
settlement legs and for withdraw): the same public-input counts and orders as the protocol's
circuits, whose every public input the proof binds. The protocol's own circuits against the pool
are in test_settlement_attacks.py."""

import pytest

from protocol.notes import deposit_inner, note_commitment
from protocol.params import BUY, SELL
from protocol.tree import MerkleTree
from zk.field import R
from zk.formats.calldata import proof_words
from zk.groth16 import prove

from ...conftest import node_tool
from ...support.keys import keys
from ...support.chain_time import advance_time, latest_timestamp

pytest.importorskip("web3")
from protocol.chain.client import Chain  # noqa: E402
from protocol.chain.deploy import deploy_pool, deploy_test_token, pool_sources  # noqa: E402
from protocol.chain.errors import ChainError  # noqa: E402
from protocol.chain.sync import rebuild_tree  # noqa: E402

MINT = 10**24
ROOT_MAX_AGE = 600  # seconds; the deployed default is a day
STAND_IN = "free_publics8"


def prove_publics(name: str, public: list[int]):
    c, pk, _ = keys(name)
    witness = c.witness({f"x{i}": v for i, v in enumerate(public)})
    a, b, cc = proof_words(prove(pk, c.r1cs, witness))
    return {"a": a, "b": b, "c": cc}


class World:
    """A deployed pool, two tokens, a user, and the Python mirror of the tree."""

    def __init__(self):
        self.chain = Chain.embedded_chain()
        vk = keys(STAND_IN)[1].vk
        self.deployment, contracts = deploy_pool(self.chain, vk, vk, ("BASE", "QUOTE"), root_max_age=ROOT_MAX_AGE)
        self.pool, self.base, self.quote = contracts["pool"], contracts["BASE"], contracts["QUOTE"]
        self.user = self.chain.accounts[1]
        self.tree = MerkleTree()
        for token in (self.base, self.quote):
            self.chain.transact(token.functions.mint(self.user, MINT))
            self.chain.transact(token.functions.approve(self.pool.address, MINT), sender=self.user)

    def deposit(self, token, amount: int, owner: int = 5, blinding: int = 6, memo: bytes = b""):
        inner = deposit_inner(owner, blinding)
        receipt = self.chain.transact(self.pool.functions.deposit(token.address, amount, inner, memo), sender=self.user)
        (event,) = self.chain.events(self.pool, "Deposited", receipt)
        self.tree.append(event["commitment"])
        return event, inner

    def root(self) -> int:
        return self.chain.call(self.pool.functions.lastRoot())

    def leg(self, side: int, nullifier: int, trade: int = 77, root: int | None = None, received: int = 11,
            change: int = 12, order: int = 13, deadline: int | None = None, memo: bytes = b""):
        deadline = latest_timestamp(self.chain) + 10_000 if deadline is None else deadline
        public = [self.root() if root is None else root, nullifier, received, change, trade, order, side, deadline]
        return {"proof": prove_publics(STAND_IN, public), "input": public, "memo": memo}

    def withdraw_args(self, nullifier: int, amount: int, recipient: str, change: int = 99, root: int | None = None,
                      relayer: int = 0, fee: int = 0):
        root = self.root() if root is None else root
        public = [root, nullifier, int(self.base.address, 16), amount, int(recipient, 16), relayer, fee, change]
        return prove_publics(STAND_IN, public), public

    def withdrawal(self, public: list[int]) -> tuple:
        root, nullifier, asset, amount, recipient, relayer, fee, change = public
        return (root, nullifier, self.base.address, amount, _address(recipient), _address(relayer), fee, change)


@pytest.fixture(scope="module")
def world():
    node_tool("solcjs")  # the contracts compile with the pinned solc-js (OpenZeppelin from npm)
    return World()


def test_deposit_binds_asset_and_amount_and_roots_agree_with_the_python_tree(world):
    for amount in (1000, 2000, 3000):
        event, inner = world.deposit(world.base, amount, owner=amount, blinding=amount + 1)
        assert event["amount"] == amount
        assert event["commitment"] == note_commitment(int(world.base.address, 16), amount, amount, amount + 1)
        assert world.root() == world.tree.root
    assert world.chain.call(world.pool.functions.nextIndex()) == len(world.tree.leaves)


def test_settlement_appends_four_leaves_in_one_batch_with_the_python_root(world):
    world.deposit(world.quote, 500)  # an odd or even start: the batch must handle either
    buy, sell = world.leg(BUY, nullifier=101, received=201, change=202), world.leg(SELL, nullifier=102, received=203, change=204)
    receipt = world.chain.transact(world.pool.functions.settle(buy, sell))
    for leaf in (201, 202, 203, 204):
        world.tree.append(leaf)
    assert world.root() == world.tree.root
    (event,) = world.chain.events(world.pool, "Settled", receipt)
    assert (event["buyNullifier"], event["sellNullifier"], event["tradeCommitment"]) == (101, 102, 77)
    assert world.chain.call(world.pool.functions.nullifierSpent(101)) is True
    # The same trade again, and any leg reusing a spent nullifier, are refused.
    with pytest.raises(ChainError, match="trade already settled"):
        world.chain.transact(world.pool.functions.settle(buy, sell))
    buy2, sell2 = world.leg(BUY, nullifier=101, trade=78), world.leg(SELL, nullifier=103, trade=78)
    with pytest.raises(ChainError, match="nullifier already spent"):
        world.chain.transact(world.pool.functions.settle(buy2, sell2))


@pytest.mark.parametrize("case", ["sides", "trades", "same nullifier", "unknown root", "tampered proof"])
def test_settlement_preconditions(world, case):
    buy, sell = world.leg(BUY, nullifier=301, trade=500), world.leg(SELL, nullifier=302, trade=500)
    expected = {
        "sides": "a buy and a sell", "trades": "different trades", "same nullifier": "same note",
        "unknown root": "unknown root", "tampered proof": "invalid settlement proof",
    }[case]
    if case == "sides":
        sell = world.leg(BUY, nullifier=302, trade=500)
    elif case == "trades":
        sell = world.leg(SELL, nullifier=302, trade=999)
    elif case == "same nullifier":
        sell = world.leg(SELL, nullifier=301, trade=500)
    elif case == "unknown root":
        sell = world.leg(SELL, nullifier=302, trade=500, root=12345)
    else:
        sell = {**sell, "input": [*sell["input"][:5], sell["input"][5] + 1, *sell["input"][6:]]}  # order commitment changed
    with pytest.raises(ChainError, match=expected):
        world.chain.transact(world.pool.functions.settle(buy, sell))


def test_withdraw_pays_the_bound_recipient_and_a_copy_to_another_fails(world):
    recipient, thief = world.chain.accounts[2], world.chain.accounts[3]
    before = world.chain.call(world.base.functions.balanceOf(recipient))
    proof, public = world.withdraw_args(nullifier=401, amount=700, recipient=recipient)
    copied = world.withdrawal([*public[:4], int(thief, 16), *public[5:]])
    with pytest.raises(ChainError, match="invalid withdraw proof"):
        world.chain.transact(world.pool.functions.withdraw(proof, copied, b""), sender=thief)
    receipt = world.chain.transact(world.pool.functions.withdraw(proof, world.withdrawal(public), b"change memo"))
    assert world.chain.call(world.base.functions.balanceOf(recipient)) == before + 700
    (event,) = world.chain.events(world.pool, "Withdrawn", receipt)
    assert (event["amount"], event["fee"], event["changeMemo"]) == (700, 0, b"change memo")
    world.tree.append(public[-1])
    assert world.root() == world.tree.root
    with pytest.raises(ChainError, match="nullifier already spent"):
        world.chain.transact(world.pool.functions.withdraw(proof, world.withdrawal(public), b""))


def test_withdraw_against_an_unknown_root_is_refused(world):
    recipient = world.chain.accounts[2]
    proof, public = world.withdraw_args(nullifier=402, amount=1, recipient=recipient, root=424242)
    with pytest.raises(ChainError, match="unknown root"):
        world.chain.transact(world.pool.functions.withdraw(proof, world.withdrawal(public), b""))


def test_a_relayed_withdrawal_pays_the_fee_to_the_relayer_and_the_rest_to_the_recipient(world):
    """Sent by a third account: the relayer gets exactly the fee, the recipient amount − fee."""
    recipient, relayer, sender = world.chain.accounts[4], world.chain.accounts[5], world.chain.accounts[6]
    balance = lambda who: world.chain.call(world.base.functions.balanceOf(who))  # noqa: E731
    before = {who: balance(who) for who in (recipient, relayer, sender)}
    proof, public = world.withdraw_args(nullifier=403, amount=1000, recipient=recipient,
                                        relayer=int(relayer, 16), fee=30)
    for changed in ([*public[:5], int(sender, 16), *public[6:]], [*public[:6], 31, public[7]]):
        with pytest.raises(ChainError, match="invalid withdraw proof"):
            world.chain.transact(world.pool.functions.withdraw(proof, world.withdrawal(changed), b""), sender=sender)
    receipt = world.chain.transact(world.pool.functions.withdraw(proof, world.withdrawal(public), b""), sender=sender)
    assert balance(recipient) - before[recipient] == 970
    assert balance(relayer) - before[relayer] == 30
    assert balance(sender) == before[sender]
    (event,) = world.chain.events(world.pool, "Withdrawn", receipt)
    assert (event["relayer"], event["fee"], event["recipient"]) == (relayer, 30, recipient)
    world.tree.append(public[-1])


def test_a_fee_without_a_relayer_is_refused(world):
    """A proof can bind relayer 0 with a fee (the stand-in proves anything); the pool refuses it,
    since the fee would go to the zero address."""
    recipient = world.chain.accounts[4]
    proof, public = world.withdraw_args(nullifier=404, amount=1000, recipient=recipient, relayer=0, fee=1)
    with pytest.raises(ChainError, match="fee without a relayer"):
        world.chain.transact(world.pool.functions.withdraw(proof, world.withdrawal(public), b""))


def test_a_deposit_cannot_claim_more_than_arrived(world):
    """A token burning 1% per transfer: the note is for what the pool received, not the claim."""
    fee_token = deploy_test_token(world.chain, "FEE", fee_bps=100)
    world.chain.transact(fee_token.functions.mint(world.user, 10_000))
    world.chain.transact(fee_token.functions.approve(world.pool.address, 10_000), sender=world.user)
    event, inner = world.deposit(fee_token, 1000)
    asset = int(fee_token.address, 16)
    assert event["amount"] == 990
    assert event["commitment"] == note_commitment(asset, 990, 5, 6)
    assert event["commitment"] != note_commitment(asset, 1000, 5, 6)
    assert world.root() == world.tree.root


@pytest.mark.parametrize("args, reason", [
    (lambda w: (w.base.address, 10, 2**254, b""), "inner hash >= r"),
    (lambda w: (w.base.address, 2**96, 1, b""), "amount must be"),
    (lambda w: (w.base.address, 0, 1, b""), "amount must be"),
])
def test_deposit_range_checks(world, args, reason):
    with pytest.raises(ChainError, match=reason):
        world.chain.transact(world.pool.functions.deposit(*args(world)), sender=world.user)


def test_a_wallet_rebuilds_the_tree_from_events(world):
    tree = rebuild_tree(world.chain, world.pool, from_block=world.deployment.block)
    assert tree.leaves == world.tree.leaves
    assert tree.root == world.root()


def test_roots_are_accepted_by_age_not_by_count(world):
    """40 deposits do not push a root out; rootMaxAge seconds after it was superseded it is out."""
    known = lambda root: world.chain.call(world.pool.functions.isKnownRoot(root))  # noqa: E731
    old = world.root()
    for i in range(40):
        world.deposit(world.quote, 1, blinding=i)
    assert known(old) is True
    assert world.chain.call(world.pool.functions.rootMaxAge()) == ROOT_MAX_AGE
    superseded = world.chain.call(world.pool.functions.rootSupersededAt(old))
    expiry = superseded + ROOT_MAX_AGE
    assert advance_time(world.chain, expiry - 10 - latest_timestamp(world.chain)) <= expiry
    assert known(old) is True  # (almost) rootMaxAge old
    assert advance_time(world.chain, 11) > expiry
    assert known(old) is False
    assert known(world.root()) is True  # the current root never ages out
    assert known(0) is False and known(12345) is False


def test_a_leg_after_its_deadline_is_refused(world):
    deadline = latest_timestamp(world.chain) + 100
    buy = world.leg(BUY, nullifier=701, trade=700, deadline=deadline)
    sell = world.leg(SELL, nullifier=702, trade=700, deadline=deadline)
    advance_time(world.chain, 101)
    with pytest.raises(ChainError, match="leg deadline passed"):
        world.chain.transact(world.pool.functions.settle(buy, sell))
    assert world.chain.call(world.pool.functions.tradeSettled(700)) is False


def test_a_leg_whose_root_aged_out_is_refused_before_its_deadline(world):
    """Roots expire by time only: a root superseded more than rootMaxAge ago is refused even
    when the legs' deadline is still ahead."""
    root = world.root()
    deadline = latest_timestamp(world.chain) + 10 * ROOT_MAX_AGE
    buy = world.leg(BUY, nullifier=710, trade=704, root=root, deadline=deadline)
    sell = world.leg(SELL, nullifier=711, trade=704, root=root, deadline=deadline)
    world.deposit(world.quote, 1, blinding=710)
    advance_time(world.chain, ROOT_MAX_AGE + 5)
    with pytest.raises(ChainError, match="unknown root"):
        world.chain.transact(world.pool.functions.settle(buy, sell))


def test_legs_with_different_deadlines_are_refused(world):
    deadline = latest_timestamp(world.chain) + 1000
    buy = world.leg(BUY, nullifier=703, trade=701, deadline=deadline)
    sell = world.leg(SELL, nullifier=704, trade=701, deadline=deadline + 1)
    with pytest.raises(ChainError, match="legs bind different deadlines"):
        world.chain.transact(world.pool.functions.settle(buy, sell))


def test_public_inputs_shifted_by_r_are_refused(world):
    """x + r is x to the pairing but another key to the pool's mappings: a nullifier + r would
    be a fresh nullifier for the same note, so the verifier answers false for any input >= r."""
    buy, sell = world.leg(BUY, nullifier=707, trade=703), world.leg(SELL, nullifier=708, trade=703)
    shifted = {**buy, "input": [buy["input"][0], buy["input"][1] + R, *buy["input"][2:]]}
    with pytest.raises(ChainError, match="invalid settlement proof"):
        world.chain.transact(world.pool.functions.settle(shifted, sell))
    recipient = world.chain.accounts[2]
    proof, public = world.withdraw_args(nullifier=709, amount=1, recipient=recipient)
    with pytest.raises(ChainError, match="invalid withdraw proof"):
        shifted = world.withdrawal([public[0], 709 + R, *public[2:]])
        world.chain.transact(world.pool.functions.withdraw(proof, shifted, b""))
    assert world.chain.call(world.pool.functions.nullifierSpent(709 + R)) is False


def test_memos_are_emitted_unchanged(world):
    event, _ = world.deposit(world.base, 10, memo=b"\x01" * 128)
    assert event["memo"] == b"\x01" * 128
    buy = world.leg(BUY, nullifier=705, trade=702, memo=b"buyer's notes")
    sell = world.leg(SELL, nullifier=706, trade=702, memo=b"")
    receipt = world.chain.transact(world.pool.functions.settle(buy, sell))
    (settled,) = world.chain.events(world.pool, "Settled", receipt)
    assert (settled["buyMemo"], settled["sellMemo"]) == (b"buyer's notes", b"")
    for leaf in (11, 12, 11, 12):
        world.tree.append(leaf)
    assert world.root() == world.tree.root


def test_sources_import_pinned_openzeppelin():
    sources = pool_sources()
    assert any("@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol" in s for s in sources.values())


def test_batched_insertion_matches_the_python_tree_at_every_alignment(world):
    """Four settlements with a deposit between each: the batch starts at all four residues mod 4."""
    starts = set()
    for k in range(4):
        starts.add(world.chain.call(world.pool.functions.nextIndex()) % 4)
        leaves = [1000 + 4 * k + i for i in range(4)]
        buy = world.leg(BUY, nullifier=600 + 2 * k, trade=600 + k, received=leaves[0], change=leaves[1])
        sell = world.leg(SELL, nullifier=601 + 2 * k, trade=600 + k, received=leaves[2], change=leaves[3])
        world.chain.transact(world.pool.functions.settle(buy, sell))
        for leaf in leaves:
            world.tree.append(leaf)
        assert world.root() == world.tree.root, k
        world.deposit(world.base, 1 + k)
        assert world.root() == world.tree.root, k
    assert starts == {0, 1, 2, 3}


def _address(value: int) -> str:
    from web3 import Web3

    return Web3.to_checksum_address(f"0x{value:040x}")


def test_public_input_orders_are_the_circuits():
    """World.leg / World.withdraw_args use the orders the pool accepted proofs for above; the
    protocol's circuits must list their public inputs in the same orders."""
    from dataclasses import fields

    from circuits.trade.leg import LegPublic, leg_public_inputs
    from circuits.trade.withdraw import WithdrawPublic, withdraw_public_inputs

    def order(cls, fn):
        return fn(cls(**{f.name: f.name for f in fields(cls)}))

    assert order(LegPublic, leg_public_inputs) == [
        "root", "nullifier", "received_commitment", "change_commitment", "trade_commitment", "order_commitment", "side",
        "deadline"]
    assert order(WithdrawPublic, withdraw_public_inputs) == [
        "root", "nullifier", "asset", "amount", "recipient", "relayer", "fee", "change_commitment"]


REENTRANT_TOKEN = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
interface IPool {
    function deposit(address asset, uint256 amount, uint256 innerHash, bytes calldata memo) external returns (uint256);
}
/// On transferFrom to the pool, calls deposit again from inside the first deposit.
contract ReentrantToken is ERC20 {
    constructor() ERC20("re", "RE") { _mint(msg.sender, 1e24); }
    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        super.transferFrom(from, to, value);
        if (value > 1) IPool(to).deposit(address(this), 1, 1, "");
        return true;
    }
}
"""


def test_a_token_reentering_the_pool_is_stopped(world):
    from protocol.chain.compiler import compile_contract

    token = world.chain.deploy(compile_contract("ReentrantToken", {"ReentrantToken.sol": REENTRANT_TOKEN}), sender=world.user)
    world.chain.transact(token.functions.approve(world.pool.address, 10**24), sender=world.user)
    before = world.chain.call(world.pool.functions.nextIndex())
    guard_error = "3ee5aeb5"  # ReentrancyGuardReentrantCall(): the guard, not some other failure
    with pytest.raises(ChainError, match=guard_error):
        world.chain.transact(world.pool.functions.deposit(token.address, 100, 1, b""), sender=world.user)
    assert world.chain.call(world.pool.functions.nextIndex()) == before
