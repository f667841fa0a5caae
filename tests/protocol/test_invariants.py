"""Invariants of the real pool, as a state machine (issue 16): hypothesis drives deposits,
settlements, withdrawals and refused attempts (a replayed spent nullifier, a proof against a
root that aged out, a wrong root, a redirected withdrawal, a forged leg) with real depth-20
proofs against the real contracts on the embedded chain, and after every step checks:

* each token's balance in the pool equals the sum of the unspent notes of that token;
* no nullifier was accepted twice (the pool's events), and every spent one is marked spent;
* the contract's root equals the root of the Python tree mirror.

Budget: a short run by default (it runs in `make test`); ZKTRADE_INVARIANT_EXAMPLES=N runs N
examples of ZKTRADE_INVARIANT_STEPS (default 10) steps. The number of steps run is printed
(visible with -s) and recorded as the test's user property `steps`.
"""

import os
import secrets
from collections import Counter
from dataclasses import dataclass, replace

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, initialize, invariant, precondition, rule,
                                 run_state_machine_as_test)

from circuits.trade import leg_statement, withdraw_statement
from protocol.chain.client import Chain
from protocol.chain.deploy import deploy_pool
from protocol.chain.errors import ChainError
from protocol.chain.signer import chain_time
from protocol.keys import KeyStore
from protocol.messages import Fill, LegProof, Order, WithdrawRequest
from protocol.notes import Note, deposit_inner, nullifier_of, owner_of
from protocol.params import BUY, PRICE_SCALE, SELL
from protocol.pool import PoolClient
from protocol.statements import leg_inputs, public_vector, withdraw_inputs
from protocol.tree import MerkleTree
from zk.field import R

from ..support.chain_time import advance_time

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("ZKTRADE_INVARIANT_EXAMPLES", "4"))
STEPS = int(os.environ.get("ZKTRADE_INVARIANT_STEPS", "10" if "ZKTRADE_INVARIANT_EXAMPLES" in os.environ else "8"))
ROOT_MAX_AGE = 600  # seconds a superseded root stays accepted (small, so a rule can outlive it)
KEYS = (1001, 1002)  # two owners' spending keys
PRICE = 2  # quote per base, for every order here
COUNT = Counter()  # rules, refusals and checked states, over the whole session
RULES = ("deposit", "settle", "withdraw", "replay", "wrong root", "stale")


@dataclass(frozen=True)
class Unspent:
    note: Note
    leaf: int
    sk: int

    @property
    def nullifier(self) -> int:
        return nullifier_of(self.note.commitment, self.leaf, self.sk)


@pytest.fixture(scope="module")
def env(protocol_keys):
    chain = Chain.embedded_chain()
    keys = KeyStore(protocol_keys)
    return {"chain": chain, "keys": keys, "leg": keys.keys(leg_statement()), "withdraw": keys.keys(withdraw_statement())}


class PoolMachine(RuleBasedStateMachine):
    env: dict = {}

    def __init__(self):
        super().__init__()
        chain, keys = self.env["chain"], self.env["keys"]
        record, _ = deploy_pool(chain, self.env["leg"].proving_key.vk, self.env["withdraw"].proving_key.vk,
                                ("BASE", "QUOTE"), root_max_age=ROOT_MAX_AGE)
        self.chain, self.pool = chain, PoolClient(chain, record)
        self.base, self.quote = record.tokens["BASE"], record.tokens["QUOTE"]
        self.user, self.relayer = chain.accounts[1], chain.accounts[2]
        for token in (self.base, self.quote):
            chain.transact(self.pool.token(token).functions.mint(self.user, 10**12), sender=chain.accounts[0])
            chain.transact(self.pool.approve_call(token, 10**12), sender=self.user)
        self.tree = MerkleTree()
        self.unspent: list[Unspent] = []
        self.spent: set[int] = set()
        self.withdrawn: list[WithdrawRequest] = []  # sent and accepted: material for replays
        self.settled: list[tuple[LegProof, LegProof]] = []

    # --- helpers -----------------------------------------------------------------------------

    def refused(self, fn, reason: str) -> None:
        with pytest.raises(ChainError, match=reason):
            self.chain.transact(fn, sender=self.relayer)
        COUNT["refused"] += 1

    def notes_of(self, token: str, least: int = 1) -> list[Unspent]:
        return [u for u in self.unspent if u.note.asset == int(token, 16) and u.note.amount >= least]

    def appended(self, notes: list[Note], sk: int) -> None:
        for note in notes:
            self.unspent.append(Unspent(note, len(self.tree.leaves), sk))
            self.tree.append(note.commitment)

    def spend(self, u: Unspent) -> None:
        assert u.nullifier not in self.spent
        self.unspent.remove(u)
        self.spent.add(u.nullifier)

    def withdrawal(self, u: Unspent, amount: int) -> tuple[WithdrawRequest, Note]:
        inputs = withdraw_inputs(u.sk, u.note, self.tree.path(u.leaf), amount, int(self.user, 16), secrets.randbelow(R))
        proof = self.env["withdraw"].prove(inputs.public, inputs.private)
        return WithdrawRequest(proof, public_vector(inputs.public)), inputs.change

    def withdraw_fn(self, request: WithdrawRequest, public: list[int] | None = None):
        return self.pool.withdraw_call(request.proof, public or request.public)

    # --- rules -------------------------------------------------------------------------------

    def _deposit(self, symbol: str, amount: int, owner: int) -> None:
        token = self.base if symbol == "BASE" else self.quote
        note = Note.fresh(int(token, 16), amount, owner_of(owner))
        self.chain.transact(self.pool.deposit_call(token, amount, deposit_inner(note.owner, note.blinding)),
                            sender=self.user)
        self.appended([note], owner)

    @initialize()
    def two_traders(self) -> None:
        """A seller's BASE and a buyer's QUOTE from the start, so a settlement is possible at step 1."""
        self._deposit("BASE", 100, KEYS[0])
        self._deposit("QUOTE", 500, KEYS[1])

    @rule(symbol=st.sampled_from(["BASE", "QUOTE"]), amount=st.integers(1, 1000), owner=st.sampled_from(KEYS))
    def deposit(self, symbol: str, amount: int, owner: int) -> None:
        self._deposit(symbol, amount, owner)
        COUNT["deposit"] += 1

    @precondition(lambda self: self.notes_of(self.base) and self.notes_of(self.quote, PRICE))
    @rule(data=st.data())
    def settle(self, data) -> None:
        seller = data.draw(st.sampled_from(self.notes_of(self.base)), label="seller's note")
        buyer = data.draw(st.sampled_from(self.notes_of(self.quote, PRICE)), label="buyer's note")
        size = data.draw(st.integers(1, min(seller.note.amount, buyer.note.amount // PRICE)), label="size")
        b, q = int(self.base, 16), int(self.quote, 16)
        fill = Fill(b, q, size, size * PRICE, secrets.randbelow(R), chain_time(self.chain) + 3600)
        legs, created = {}, {}
        for side, u in ((BUY, buyer), (SELL, seller)):
            order = Order(f"{side}", side, b, q, size, PRICE * PRICE_SCALE, secrets.randbelow(R))
            inputs = leg_inputs(u.sk, u.note, self.tree.path(u.leaf), order, fill,
                                secrets.randbelow(R), secrets.randbelow(R))
            proof = self.env["leg"].prove(inputs.public, inputs.private)
            legs[side] = LegProof(fill.commitment, side, proof, public_vector(inputs.public))
            created[side] = [inputs.received, inputs.change]
        # A leg whose received note was swapped for another (the relayer's forgery) is refused.
        forged = replace(legs[BUY], public=[*legs[BUY].public[:2], 12345, *legs[BUY].public[3:]])
        self.refused(self.pool.settle_call(forged, legs[SELL]), "invalid settlement proof")
        self.chain.transact(self.pool.settle_call(legs[BUY], legs[SELL]), sender=self.relayer)
        self.spend(buyer)
        self.spend(seller)
        self.appended(created[BUY], buyer.sk)
        self.appended(created[SELL], seller.sk)
        self.settled.append((legs[BUY], legs[SELL]))
        COUNT["settle"] += 1

    @precondition(lambda self: self.notes_of(self.base) or self.notes_of(self.quote))
    @rule(data=st.data())
    def withdraw(self, data) -> None:
        u = data.draw(st.sampled_from(self.notes_of(self.base) + self.notes_of(self.quote)), label="note")
        amount = data.draw(st.integers(1, u.note.amount), label="amount")
        request, change = self.withdrawal(u, amount)
        # The same proof sent to another recipient (front-running) is refused.
        redirected = [*request.public[:4], int(self.relayer, 16), *request.public[5:]]
        self.refused(self.withdraw_fn(request, redirected), "invalid withdraw proof")
        self.chain.transact(self.withdraw_fn(request), sender=self.relayer)
        self.spend(u)
        self.appended([change], u.sk)
        self.withdrawn.append(request)
        COUNT["withdraw"] += 1

    @precondition(lambda self: self.withdrawn)
    @rule(data=st.data())
    def replay_withdrawal(self, data) -> None:
        request = data.draw(st.sampled_from(self.withdrawn), label="spent withdrawal")
        if self.pool.is_known_root(request.public[0]):
            self.refused(self.withdraw_fn(request), "nullifier already spent")
        else:
            self.refused(self.withdraw_fn(request), "unknown root")
        COUNT["replay"] += 1

    @precondition(lambda self: self.settled)
    @rule(data=st.data())
    def replay_settlement(self, data) -> None:
        buy, sell = data.draw(st.sampled_from(self.settled), label="settled trade")
        self.refused(self.pool.settle_call(buy, sell), "trade already settled")
        COUNT["replay"] += 1

    @precondition(lambda self: self.withdrawn)
    @rule(data=st.data(), root=st.integers(1, R - 1))
    def wrong_root(self, data, root: int) -> None:
        request = data.draw(st.sampled_from(self.withdrawn), label="withdrawal")
        assert not self.pool.is_known_root(root)  # a random field element: never a root
        self.refused(self.withdraw_fn(request, [root, *request.public[1:]]), "unknown root")
        COUNT["wrong root"] += 1

    @precondition(lambda self: self.unspent)
    @rule(data=st.data())
    def stale_proof(self, data) -> None:
        """A withdrawal proven against a root that was superseded longer than the pool accepts."""
        u = data.draw(st.sampled_from(self.unspent), label="note")
        request, _ = self.withdrawal(u, u.note.amount)
        self._deposit("QUOTE", 1, KEYS[0])  # a new root supersedes the proof's
        advance_time(self.chain, ROOT_MAX_AGE + 1)
        self.refused(self.withdraw_fn(request), "unknown root")
        COUNT["stale"] += 1

    # --- invariants --------------------------------------------------------------------------

    @invariant()
    def pool_holds_exactly_the_unspent_notes(self) -> None:
        COUNT["checked states"] += 1
        for token in (self.base, self.quote):
            owed = sum(u.note.amount for u in self.unspent if u.note.asset == int(token, 16))
            assert self.pool.token_balance(token, self.pool.address) == owed

    @invariant()
    def no_nullifier_accepted_twice(self) -> None:
        accepted = [n for s in self.pool.settlements() for n in (s.buy_nullifier, s.sell_nullifier)]
        accepted += [w.nullifier for w in self.pool.withdrawals()]
        assert len(accepted) == len(set(accepted))
        assert set(accepted) == self.spent
        assert not any(self.pool.nullifier_spent(u.nullifier) for u in self.unspent)

    @invariant()
    def contract_root_is_the_mirror_root(self) -> None:
        assert self.pool.current_root() == self.tree.root
        assert self.pool.tree().leaves == self.tree.leaves


def test_the_pool_keeps_its_invariants(env, record_property):
    PoolMachine.env = env
    before = sum(COUNT[k] for k in RULES)
    run_state_machine_as_test(PoolMachine, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, database=None,
        suppress_health_check=list(HealthCheck)))
    steps = sum(COUNT[k] for k in RULES) - before
    summary = ", ".join(f"{k} {v}" for k, v in sorted(COUNT.items()))
    print(f"\ninvariant machine: {EXAMPLES} examples of up to {STEPS} steps: {steps} steps run ({summary})")
    record_property("steps", steps)
    record_property("counts", summary)
    assert steps > 0 and COUNT["checked states"] >= steps
