"""A trader's operations over a wallet and the pool: deposit, sync, order, leg, withdraw.

Every operation that sends a transaction is a wallet operation (protocol/wallet.py): the notes
it will create are stored as `pending` in the same SQLite transaction that records the
operation, *before* anything is sent, and each transaction is signed by the wallet's local key
and recorded (raw and hash) before it is broadcast. `resume()` finishes what a crash
interrupted: a recorded transaction the chain has mined is read back, one it has never seen is
broadcast again as recorded (one nonce: it lands at most once, whatever the token does), and
only a transaction never recorded is signed anew. The chain's events are the ground truth
`sync()` reads.

Every note the trader creates (deposit, received, change) takes its blinding from the wallet's seed
by derivation index and carries a memo encrypted to the wallet's own viewing key, so the words and
the chain alone rebuild the wallet (protocol/recovery.py).

Legs of one order form a chain (docs/protocol.md): the first spends the order's collateral
note, each later one the change note of the previous leg once that settlement has landed, or
the same note again if the previous fill expired. `prove_leg` refuses to run ahead of the chain.
"""

import secrets

from circuits.trade import collateral_statement, leg_statement, withdraw_statement

from .chain.signer import LocalAccount, SignedTx, chain_time, crash_point
from .keys import KeyStore
from .matcher import owner_hash
from .memo import CHANGE, DEPOSIT, RECEIVED, NoteMemo, encrypt_memo
from .messages import LegProof, Order, OrderTicket, Trade, WithdrawRequest, max_payment
from .notes import Note, deposit_inner, nullifier_of
from .statements import collateral_inputs, leg_inputs, public_vector, withdraw_inputs
from .tree import MerkleTree
from .wallet import NoteRecord, Wallet, WalletError


def _note(record: NoteRecord) -> Note:
    return Note(record.asset, record.amount, record.owner, record.blinding)


def note_memo(wallet: Wallet, kind: int, index: int, note: Note, bound_to: int | None = None) -> bytes:
    """The memo of the wallet's note `index`, encrypted to the wallet's own viewing key and bound
    to the note's commitment (a deposit's: to its inner hash, docs/wallet.md §2)."""
    memo = NoteMemo(kind, index, note.asset, note.amount, note.blinding)
    return encrypt_memo(wallet.viewing_key.public, memo, note.commitment if bound_to is None else bound_to)


class Trader:
    """One wallet acting on one pool, with the protocol's circuit keys."""

    def __init__(self, wallet: Wallet, pool, keys: KeyStore):
        self.wallet = wallet
        self.pool = pool
        self.keys = keys
        self.account = LocalAccount(pool.chain, wallet.account_key)
        self.depth = pool.depth
        self.tree = MerkleTree(depth=self.depth)

    @property
    def address(self) -> str:
        """The wallet's own Ethereum address: it deposits (and withdraws directly); nothing else."""
        return self.account.address

    # --- chain state ---------------------------------------------------------------------

    def sync(self) -> None:
        """Rebuild the tree mirror from the pool's events; pending notes that appeared become
        live (each at a leaf of its own), notes whose nullifiers were spent become spent, legs
        past their deadline die, finished operations close."""
        self.tree = self.pool.tree()
        sk = self.wallet.spending_key
        taken = {n.leaf_index for n in self.wallet.notes() if n.leaf_index is not None}
        for note in self.wallet.notes("pending"):
            for index, leaf in enumerate(self.tree.leaves):
                if leaf == note.commitment and index not in taken:
                    self.wallet.mark_live(note.note_id, index, nullifier_of(note.commitment, index, sk))
                    taken.add(index)
                    break
        spent = self.pool.spent_nullifiers()
        for note in self.wallet.notes("live"):
            if note.nullifier in spent:
                self.wallet.mark_spent(note.nullifier, "chain")
        now = None
        for op in self.wallet.pending_operations():
            if self._operation_landed(op):
                self._landed(op)
            elif op.kind == "settle" and int(op.payload["nullifier"]) in spent:
                if not self.pool.trade_settled(int(op.payload["trade_commitment"])):
                    self._leg_dead(op, "its note was spent by another transaction")
            elif op.kind == "settle":
                now = chain_time(self.pool.chain) if now is None else now
                if now > int(op.payload["deadline"]):
                    self._leg_dead(op, "the fill's deadline passed")

    def _operation_landed(self, op) -> bool:
        """An operation is done when every note it created is on chain (and its input is spent)."""
        created = [n for n in self.wallet.notes(origin=op.op_id) if n.status != "dropped"]
        return bool(created) and all(n.status in ("live", "spent") for n in created)

    def _landed(self, op) -> None:
        if op.kind == "settle":
            # The order's next leg spends this leg's change note.
            order = self.order(op.payload["order_id"])[0]
            change = [n for n in self.wallet.notes(origin=op.op_id) if n.asset == order.pays_asset]
            self.wallet.update_order(order.order_id, note=change[0].note_id)
        self.wallet.advance(op.op_id, "done")

    def _leg_dead(self, op, reason: str) -> None:
        """The pool will never take this leg: its notes will never exist, its size is the order's again."""
        order_id = op.payload["order_id"]
        _, row = self.order(order_id)
        remaining = int(row["remaining"]) + int(op.payload["base_amount"])
        self.wallet.update_order(order_id, remaining=remaining, status="open" if row["status"] == "filled" else row["status"])
        self.wallet.advance(op.op_id, "failed", reason=reason)

    # --- transactions --------------------------------------------------------------------

    def _send(self, op_id: str, name: str, fn) -> SignedTx:
        """Sign `fn`, record it under `name`, broadcast it and wait; a recorded one is reused."""
        recorded = self.wallet.txs(op_id).get(name)
        if recorded is None:
            signed = self.account.sign(fn)
            self.wallet.record_tx(op_id, name, signed)
        else:
            signed = SignedTx.from_json(recorded)
        crash_point(f"{name}-recorded")
        if self.account.status(signed) == "unknown":
            self.account.broadcast(signed, name)
            crash_point(f"{name}-sent")
        self.account.wait(signed, fn, name)
        return signed

    # --- deposit -------------------------------------------------------------------------

    def deposit(self, token: str, amount: int) -> NoteRecord:
        """Shield `amount` of `token`: the pool computes the commitment from what it received."""
        index, note = self.wallet.fresh_note(int(token, 16), amount)
        memo = note_memo(self.wallet, DEPOSIT, index, note, bound_to=deposit_inner(note.owner, note.blinding))
        op = self.wallet.begin_operation("deposit", {"token": token, "amount": str(amount), "memo": memo.hex()},
                                         [(index, note)])
        crash_point("deposit-started")
        self._finish_deposit(op)
        self.sync()
        return self.wallet.notes(origin=op)[-1]

    def _finish_deposit(self, op_id: str) -> None:
        """Approve, then deposit; a fee-charging token makes a note of what the pool received."""
        op = self.wallet.operation(op_id)
        (record,) = [n for n in self.wallet.notes(origin=op_id) if n.status == "pending"] or [None]
        if record is None:
            return
        token, amount = op.payload["token"], int(op.payload["amount"])
        self._send(op_id, "approve", self.pool.approve_call(token, amount))
        memo = bytes.fromhex(op.payload.get("memo", ""))
        fn = self.pool.deposit_call(token, amount, deposit_inner(record.owner, record.blinding), memo)
        signed = self._send(op_id, "deposit", fn)
        received = self.pool.deposited_amount(self.pool.receipt(signed.tx_hash))
        if received != record.amount:
            self.wallet.replace_pending_note(record.note_id, Note(record.asset, received, record.owner, record.blinding), op_id)

    # --- orders --------------------------------------------------------------------------

    def promised_notes(self) -> set[int]:
        """Notes an order still counts on: those of open orders and of orders with a leg in flight."""
        settling = {op.payload["order_id"] for op in self.wallet.pending_operations() if op.kind == "settle"}
        return {int(o["note"]) for o in self.wallet.orders() if o["status"] == "open" or o["order_id"] in settling}

    def collateral_note(self, order: Order) -> NoteRecord:
        """The smallest live note that pays for `order` and backs no other order."""
        backing = self.promised_notes()
        need = max_payment(order)
        candidates = [n for n in self.wallet.notes("live")
                      if n.asset == order.pays_asset and n.amount >= need and n.note_id not in backing]
        if not candidates:
            have = sum(n.amount for n in self.wallet.notes("live") if n.asset == order.pays_asset)
            raise WalletError(
                f"no single free live note of asset {hex(order.pays_asset)} covers this order's maximum payment "
                f"{need} (live total {have}); deposit more or place a smaller order"
            )
        return min(candidates, key=lambda n: n.amount)

    def place_order(self, side: int, base: str, quote: str, size: int, limit_price: int) -> OrderTicket:
        """A new order and its ticket for the matcher: the collateral proof reveals the note's nullifier."""
        salt_index, salt = self.wallet.fresh_order_salt()
        order = Order(f"o-{secrets.token_hex(4)}", side, int(base, 16), int(quote, 16), size, limit_price, salt)
        note = self.collateral_note(order)
        public, private = collateral_inputs(self.wallet.spending_key, _note(note), self.tree.path(note.leaf_index), order)
        proof = self.keys.keys(collateral_statement(self.depth)).prove(public, private)
        self.wallet.add_order(order, note.note_id, salt_index)
        return OrderTicket(order, public.root, public.nullifier, proof, owner_hash(self.wallet.order_secret))

    def order(self, order_id: str) -> tuple[Order, dict]:
        for row in self.wallet.orders():
            if row["order_id"] == order_id:
                return Order.from_json(row), row
        raise WalletError(f"the wallet has no order {order_id}")

    def owns(self, order_id: str) -> bool:
        return any(o["order_id"] == order_id for o in self.wallet.orders())

    # --- settlement ----------------------------------------------------------------------

    def prove_leg(self, trade: Trade) -> LegProof:
        """This wallet's leg of `trade`, spending the order's current note.

        Stored as a `settle` operation (with the proof and the notes it creates) before it is
        handed to anyone; proving the same trade again returns the stored leg."""
        mine = [oid for oid in (trade.buy_order_id, trade.sell_order_id) if self.owns(oid)]
        if not mine:
            raise WalletError("neither order of this trade belongs to this wallet")
        order, row = self.order(mine[0])
        earlier = []
        for op in self.wallet.pending_operations():
            if op.kind == "settle" and op.payload["order_id"] == order.order_id:
                if op.payload["trade_commitment"] == str(trade.trade_commitment):
                    return LegProof.from_json(op.payload["leg"])
                earlier.append(op)
        # Verify the chain has caught up: the previous leg of this order settled or expired.
        if earlier:
            raise WalletError(f"an earlier fill of order {order.order_id} is not settled yet: "
                              "its leg comes first (wait for its settlement or its deadline)")
        note = self.wallet.note(int(row["note"]))
        if note.status != "live":
            raise WalletError(f"the note backing order {order.order_id} is {note.status}, not live: sync first")
        received_index, change_index = self.wallet.allocate("note_counter", 2)
        inputs = leg_inputs(self.wallet.spending_key, _note(note), self.tree.path(note.leaf_index), order,
                            trade.fill, self.wallet.note_blinding(received_index), self.wallet.note_blinding(change_index))
        proof = self.keys.keys(leg_statement(self.depth)).prove(inputs.public, inputs.private)
        memo = (note_memo(self.wallet, RECEIVED, received_index, inputs.received)
                + note_memo(self.wallet, CHANGE, change_index, inputs.change))
        leg = LegProof(trade.trade_commitment, order.side, proof, public_vector(inputs.public), memo)
        remaining = int(row["remaining"]) - trade.fill.base_amount
        self.wallet.begin_operation(
            "settle",
            {"trade_commitment": str(trade.trade_commitment), "order_id": order.order_id, "leg": leg.to_json(),
             "nullifier": str(inputs.public.nullifier), "deadline": str(trade.fill.deadline),
             "base_amount": str(trade.fill.base_amount)},
            [(received_index, inputs.received), (change_index, inputs.change)],
        )
        self.wallet.update_order(order.order_id, remaining=remaining, status="open" if remaining else "filled")
        crash_point("leg-proven")
        return leg

    # --- withdraw ------------------------------------------------------------------------

    def withdraw(self, token: str, amount: int, recipient: str, relayer: str | None = None,
                 fee: int = 0) -> tuple[NoteRecord, WithdrawRequest]:
        """Unshield `amount` of `token` from one live note: `amount − fee` to `recipient`, `fee` to
        `relayer`. Without a relayer the wallet sends it itself (from its own address); with one,
        hand the returned request to the relayer. Returns the change note and the request."""
        asset = int(token, 16)
        promised = self.promised_notes()
        candidates = [n for n in self.wallet.notes("live")
                      if n.asset == asset and n.amount >= amount and n.note_id not in promised]
        if not candidates:
            raise WalletError(f"no single live note of {token} that backs no open order holds {amount}: "
                              "withdraw less, in parts, or cancel an order")
        note = min(candidates, key=lambda n: n.amount)
        (change_index,) = self.wallet.allocate("note_counter")
        inputs = withdraw_inputs(self.wallet.spending_key, _note(note), self.tree.path(note.leaf_index), amount,
                                 int(recipient, 16), self.wallet.note_blinding(change_index),
                                 relayer=int(relayer, 16) if relayer else 0, fee=fee)
        proof = self.keys.keys(withdraw_statement(self.depth)).prove(inputs.public, inputs.private)
        request = WithdrawRequest(proof, public_vector(inputs.public),
                                  note_memo(self.wallet, CHANGE, change_index, inputs.change))
        op = self.wallet.begin_operation("withdraw", {"request": request.to_json(), "relayed": bool(relayer)},
                                         [(change_index, inputs.change)])
        crash_point("withdraw-proven")
        if not relayer:
            self._send_withdraw(op, request)
            self.sync()
        return self.wallet.notes(origin=op)[-1], request

    def _send_withdraw(self, op_id: str, request: WithdrawRequest) -> None:
        self._send(op_id, "withdraw", self.pool.withdraw_call(request.proof, request.public, request.change_memo))

    # --- recovery ------------------------------------------------------------------------

    def _found(self, op_id: str, name: str) -> str:
        """How an interrupted transaction stands, in words, before resume finishes it."""
        recorded = self.wallet.txs(op_id).get(name)
        if recorded is None:
            return "signed and sent (it had not been signed yet)"
        if self.account.status(SignedTx.from_json(recorded)) == "unknown":
            return "sent as recorded (it had not reached the chain)"
        return "found on chain"

    def resume(self) -> list[str]:
        """Finish every operation a crash interrupted; returns what was done, one line each."""
        self.sync()
        done = []
        spent = self.pool.spent_nullifiers()
        for op in self.wallet.pending_operations():
            if op.kind == "deposit":
                found = self._found(op.op_id, "deposit")
                self._finish_deposit(op.op_id)
                done.append(f"{op.op_id}: deposit {found}")
            elif op.kind == "withdraw" and not op.payload["relayed"]:
                request = WithdrawRequest.from_json(op.payload["request"])
                if request.nullifier not in spent:
                    found = self._found(op.op_id, "withdraw")
                    self._send_withdraw(op.op_id, request)
                    done.append(f"{op.op_id}: withdrawal {found}")
            elif op.kind == "withdraw":
                done.append(f"{op.op_id}: withdrawal waiting for its relayer (`zktrade settle --wallet` hands it over)")
            elif op.kind == "settle":
                done.append(f"{op.op_id}: leg proven for trade {op.payload['trade_commitment'][:12]}…, "
                            "waiting for the settlement transaction")
        self.sync()
        return done
