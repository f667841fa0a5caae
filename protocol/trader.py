"""A trader's operations over a wallet and the pool: deposit, sync, order, leg, withdraw.

Every operation that sends a transaction is a wallet operation (protocol/wallet.py): the notes
it will create are stored as `pending` in the same SQLite transaction that records the
operation, *before* anything is sent, and proofs are stored once made. `resume()` finishes what
a crash interrupted: a deposit or withdrawal whose transaction never reached the chain is sent
again, one that did is recorded as done; nothing is lost or done twice, because the chain's
events (commitments appended, nullifiers spent) are the ground truth `sync()` reads.
"""

import os
import secrets
from dataclasses import dataclass

from circuits.trade import collateral_statement, leg_statement, withdraw_statement
from zk.field import R
from zk.formats.snarkjs_json import proof_from_json, proof_to_json
from zk.groth16 import Proof

from .keys import KeyStore
from .matcher import OrderTicket, Trade
from .notes import Note, Order, deposit_inner, max_payment, nullifier_of
from .statements import collateral_inputs, leg_inputs, public_vector, withdraw_inputs
from .tree import MerkleTree
from .wallet import NoteRecord, Wallet, WalletError


def crash_point(name: str) -> None:
    """Fault injection for the crash tests: ZKTRADE_CRASH_AT=name kills the process right here."""
    if os.environ.get("ZKTRADE_CRASH_AT") == name:
        os._exit(97)


@dataclass(frozen=True)
class LegProof:
    """One party's settlement leg, ready to submit."""

    trade_commitment: int
    side: int
    proof: Proof
    public: list[int]

    def to_json(self) -> dict:
        return {"trade_commitment": str(self.trade_commitment), "side": self.side,
                "proof": proof_to_json(self.proof), "public": [str(x) for x in self.public]}

    @classmethod
    def from_json(cls, obj: dict) -> "LegProof":
        return cls(int(obj["trade_commitment"]), int(obj["side"]), proof_from_json(obj["proof"]),
                   [int(x) for x in obj["public"]])


def _note(record: NoteRecord) -> Note:
    return Note(record.asset, record.amount, record.owner, record.blinding)


class Trader:
    """One wallet acting on one pool, with the protocol's circuit keys."""

    def __init__(self, wallet: Wallet, pool, keys: KeyStore, account: str):
        self.wallet = wallet
        self.pool = pool
        self.keys = keys
        self.account = account
        self.depth = pool.depth
        self.tree = MerkleTree(depth=self.depth)

    # --- chain state ---------------------------------------------------------------------

    def sync(self) -> None:
        """Rebuild the tree mirror from the pool's events; pending notes that appeared become
        live, notes whose nullifiers were spent become spent; finished operations close."""
        self.tree = self.pool.tree()
        sk = self.wallet.spending_key
        positions = {}
        for index, commitment in enumerate(self.tree.leaves):
            positions.setdefault(commitment, index)
        for note in self.wallet.notes("pending"):
            if note.commitment in positions:
                index = positions[note.commitment]
                self.wallet.mark_live(note.commitment, index, nullifier_of(note.commitment, index, sk))
        spent = self.pool.spent_nullifiers()
        for note in self.wallet.notes("live"):
            if note.nullifier in spent:
                self.wallet.mark_spent(note.nullifier, "chain")
        for op in self.wallet.pending_operations():
            if self._operation_landed(op):
                self.wallet.advance(op.op_id, "done")

    def _operation_landed(self, op) -> bool:
        """An operation is done when every note it created is on chain (and its input is spent)."""
        created = [n for n in self.wallet.notes() if n.origin == op.op_id and n.status != "dropped"]
        if not created or any(n.status == "pending" for n in created):
            return False
        return all(n.status in ("live", "spent") for n in created)

    # --- deposit -------------------------------------------------------------------------

    def deposit(self, token: str, amount: int) -> Note:
        """Shield `amount` of `token`: the pool computes the commitment from what it received."""
        note = Note.fresh(int(token, 16), amount, self.wallet.owner)
        op = self.wallet.begin_operation("deposit", {"token": token, "commitment": str(note.commitment)}, [note])
        crash_point("deposit-recorded")
        self._send_deposit(op, note)
        self.sync()
        return note

    def _send_deposit(self, op_id: str, note: Note) -> None:
        receipt = self.pool.deposit(self.account, hex(note.asset), note.amount,
                                    deposit_inner(note.owner, note.blinding))
        self.wallet.advance(op_id, "submitted", tx_hash=receipt.tx_hash)
        crash_point("deposit-sent")
        self._record_deposit(op_id, note, receipt)

    def _record_deposit(self, op_id: str, note: Note, receipt) -> None:
        """The pool made its note from what it received: with a fee-charging token that is less
        than was sent, so the wallet keeps the note the chain holds (same owner and blinding)."""
        received = self.pool.deposited_amount(receipt)
        if received != note.amount:
            self.wallet.replace_pending_note(note, Note(note.asset, received, note.owner, note.blinding), op_id)

    # --- orders --------------------------------------------------------------------------

    def collateral_note(self, order: Order, exclude: set[int] = frozenset()) -> NoteRecord:
        """The smallest live note that pays for `order` and backs no other open order."""
        backing = {int(o["note"]) for o in self.wallet.orders("open") if o["note"]} | set(exclude)
        need = max_payment(order)
        candidates = [n for n in self.wallet.notes("live")
                      if n.asset == order.pays_asset and n.amount >= need and n.commitment not in backing]
        if not candidates:
            have = sum(n.amount for n in self.wallet.notes("live") if n.asset == order.pays_asset)
            raise WalletError(
                f"no single live note of asset {hex(order.pays_asset)} covers this order's maximum payment "
                f"{need} (live total {have}); deposit more or place a smaller order"
            )
        return min(candidates, key=lambda n: n.amount)

    def order_ticket(self, order: Order, note: NoteRecord) -> OrderTicket:
        """The collateral proof of `order` backed by `note`, as the matcher wants it."""
        statement = collateral_statement(self.depth)
        public, private = collateral_inputs(self.wallet.spending_key, _note(note), self.tree.path(note.leaf_index), order)
        proof = self.keys.keys(statement).prove(public, private)
        return OrderTicket(order, self.wallet.meta("name") or "", public.root, public.note_tag, proof)

    def place_order(self, side: int, base: str, quote: str, size: int, limit_price: int) -> OrderTicket:
        order = Order(f"o-{secrets.token_hex(4)}", side, int(base, 16), int(quote, 16), size, limit_price,
                      secrets.randbelow(R))
        note = self.collateral_note(order)
        ticket = self.order_ticket(order, note)
        self.wallet.add_order(order, note.commitment)
        return ticket

    def place_rest(self, order_id: str) -> OrderTicket:
        """The rest of a partly filled order as a new order, backed by a live note (often the
        fill's change note); the old order is closed. Hand the ticket to `Matcher.replace`."""
        old, row = self.order(order_id)
        remaining = int(row["remaining"])
        if remaining == 0 or row["status"] != "open":
            raise WalletError(f"order {order_id} has nothing left to place")
        order = Order(f"o-{secrets.token_hex(4)}", old.side, old.base_asset, old.quote_asset, remaining,
                      old.limit_price, secrets.randbelow(R))
        note = self.collateral_note(order, exclude={int(row["note"])})
        ticket = self.order_ticket(order, note)
        self.wallet.add_order(order, note.commitment)
        self.wallet.update_order(order_id, status="cancelled")
        return ticket

    def order(self, order_id: str) -> tuple[Order, dict]:
        for row in self.wallet.orders():
            if row["order_id"] == order_id:
                order = Order(row["order_id"], int(row["side"]), int(row["base_asset"]), int(row["quote_asset"]),
                              int(row["size"]), int(row["limit_price"]), int(row["salt"]))
                return order, row
        raise WalletError(f"the wallet has no order {order_id}")

    # --- settlement ----------------------------------------------------------------------

    def prove_leg(self, trade: Trade) -> LegProof:
        """This wallet's leg of `trade`: spends the order's note, creates received + change notes.

        Stored as a `settle` operation (with the proof) before it is handed to anyone, so a crash
        after proving neither loses the new notes nor needs the proof again."""
        mine = [oid for oid in (trade.buy_order_id, trade.sell_order_id) if self._has_order(oid)]
        if not mine:
            raise WalletError("neither order of this trade belongs to this wallet")
        order, row = self.order(mine[0])
        for op in self.wallet.pending_operations():
            if op.kind == "settle" and op.payload.get("trade_commitment") == str(trade.fill.commitment):
                return LegProof.from_json(op.payload["leg"])
        note = self.wallet.note(int(row["note"]))
        if note.status != "live":
            raise WalletError(f"the note backing order {order.order_id} is {note.status}, not live: re-collateralize first")
        inputs = leg_inputs(self.wallet.spending_key, _note(note), self.tree.path(note.leaf_index), order,
                            trade.fill, secrets.randbelow(R), secrets.randbelow(R))
        proof = self.keys.keys(leg_statement(self.depth)).prove(inputs.public, inputs.private)
        leg = LegProof(trade.fill.commitment, order.side, proof, public_vector(inputs.public))
        remaining = int(row["remaining"]) - trade.fill.base_amount
        self.wallet.begin_operation(
            "settle",
            {"trade_commitment": str(trade.fill.commitment), "order_id": order.order_id, "leg": leg.to_json()},
            [inputs.received, inputs.change],
        )
        self.wallet.update_order(order.order_id, remaining=remaining, status="open" if remaining else "filled")
        crash_point("leg-proven")
        return leg

    def _has_order(self, order_id: str) -> bool:
        return any(o["order_id"] == order_id for o in self.wallet.orders())

    # --- withdraw ------------------------------------------------------------------------

    def withdraw(self, token: str, amount: int, recipient: str):
        """Unshield `amount` of `token` to `recipient` from one live note; the rest stays shielded.
        Returns the change note and the transaction's receipt."""
        asset = int(token, 16)
        candidates = [n for n in self.wallet.notes("live") if n.asset == asset and n.amount >= amount]
        if not candidates:
            raise WalletError(f"no single live note of {token} holds {amount}: withdraw less, or in parts")
        note = min(candidates, key=lambda n: n.amount)
        inputs = withdraw_inputs(self.wallet.spending_key, _note(note), self.tree.path(note.leaf_index), amount,
                                 int(recipient, 16), secrets.randbelow(R))
        proof = self.keys.keys(withdraw_statement(self.depth)).prove(inputs.public, inputs.private)
        public = public_vector(inputs.public)
        op = self.wallet.begin_operation(
            "withdraw", {"proof": proof_to_json(proof), "public": [str(x) for x in public]}, [inputs.change]
        )
        crash_point("withdraw-proven")
        receipt = self._send_withdraw(op, proof, public)
        self.sync()
        return inputs.change, receipt

    def _send_withdraw(self, op_id: str, proof: Proof, public: list[int]):
        receipt = self.pool.withdraw(self.account, proof, public)
        self.wallet.advance(op_id, "submitted", tx_hash=receipt.tx_hash)
        return receipt

    # --- recovery ------------------------------------------------------------------------

    def resume(self) -> list[str]:
        """Finish every operation a crash interrupted; returns what was done, one line each."""
        self.sync()
        done = []
        spent = self.pool.spent_nullifiers()
        for op in self.wallet.pending_operations():
            if op.kind == "deposit":
                record = self.wallet.note(int(op.payload["commitment"]))
                note = Note(record.asset, record.amount, record.owner, record.blinding)
                receipt = self.pool.receipt(op.tx_hash) if op.tx_hash else None
                if receipt is not None:
                    self._record_deposit(op.op_id, note, receipt)
                    done.append(f"{op.op_id}: deposit found on chain")
                elif record.status == "pending":
                    self._send_deposit(op.op_id, note)
                    done.append(f"{op.op_id}: deposit sent again (it had not reached the chain)")
            elif op.kind == "withdraw":
                public = [int(x) for x in op.payload["public"]]
                if public[1] not in spent:
                    self._send_withdraw(op.op_id, proof_from_json(op.payload["proof"]), public)
                    done.append(f"{op.op_id}: withdrawal sent again")
            elif op.kind == "settle":
                done.append(f"{op.op_id}: leg proven for trade {op.payload['trade_commitment'][:12]}…, "
                            "waiting for the settlement transaction")
        self.sync()
        return done

