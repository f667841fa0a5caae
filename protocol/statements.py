"""Assembling the inputs of the protocol's statements from a wallet's notes, orders and fills.

Each function returns the statement's public and private dataclasses holding ints (the circuit
computes nothing the prover could not compute natively here) plus the notes the proof creates.
`public_vector` gives the verifier's (and the contract's) public-input order.
"""

from dataclasses import dataclass

from circuits.trade import spend
from circuits.trade.collateral import CollateralPrivate, CollateralPublic, collateral_public_inputs
from circuits.trade.leg import FillAmounts, LegPrivate, LegPublic, leg_public_inputs
from circuits.trade.withdraw import WithdrawPrivate, WithdrawPublic, withdraw_public_inputs

from .errors import InvalidValue
from .messages import Fill, Order
from .notes import Note, nullifier_of, owner_of
from .params import BUY, DEADLINE_BITS
from .tree import MerklePath


@dataclass(frozen=True)
class LegInputs:
    public: LegPublic
    private: LegPrivate
    received: Note
    change: Note


@dataclass(frozen=True)
class WithdrawInputs:
    public: WithdrawPublic
    private: WithdrawPrivate
    change: Note


def _check_owner(sk: int, note: Note) -> None:
    if owner_of(sk) != note.owner:
        raise InvalidValue("the note belongs to another key: it cannot be spent with this wallet's key")


def _spent_note(sk: int, note: Note) -> spend.SpentNote:
    """The statements' input for spending `note` with key `sk` (refused if the key is not its owner's)."""
    _check_owner(sk, note)
    return spend.SpentNote(sk=sk, asset=note.asset, amount=note.amount, blinding=note.blinding)


def _path(path: MerklePath) -> spend.MerklePath:
    return spend.MerklePath(siblings=list(path.siblings), path_bits=list(path.path_bits))


def _terms(order: Order) -> spend.OrderTerms:
    return spend.OrderTerms(base_asset=order.base_asset, quote_asset=order.quote_asset, size=order.size,
                            limit_price=order.limit_price, salt=order.salt)


def collateral_inputs(sk: int, note: Note, path: MerklePath, order: Order) -> tuple[CollateralPublic, CollateralPrivate]:
    """The collateral statement for `order`, backed by `note` at `path`: it reveals the note's
    nullifier, which the order's first leg will reveal too."""
    private = CollateralPrivate(note=_spent_note(sk, note), path=_path(path), side=order.side, order=_terms(order))
    public = CollateralPublic(root=path.root, order_commitment=order.commitment,
                              nullifier=nullifier_of(note.commitment, path.leaf_index, sk))
    return public, private


def leg_payment(order: Order, fill: Fill) -> tuple[int, int]:
    """(what this side pays, what it receives) for a fill: a buyer pays quote, a seller base."""
    if order.side == BUY:
        return fill.quote_amount, fill.base_amount
    return fill.base_amount, fill.quote_amount


def leg_inputs(sk: int, note: Note, path: MerklePath, order: Order, fill: Fill,
               received_blinding: int, change_blinding: int) -> LegInputs:
    """The settlement-leg statement of `order`'s owner for `fill`, spending `note` at `path`."""
    spent = _spent_note(sk, note)
    if not 0 <= fill.deadline < 1 << DEADLINE_BITS:
        raise InvalidValue(f"a fill's deadline must be unix seconds below 2^{DEADLINE_BITS}, got {fill.deadline}")
    payment, amount_received = leg_payment(order, fill)
    if payment > note.amount:
        raise InvalidValue(f"the note holds {note.amount} but this leg pays {payment}")
    received = Note(order.receives_asset, amount_received, note.owner, received_blinding)
    change = Note(order.pays_asset, note.amount - payment, note.owner, change_blinding)
    public = LegPublic(
        root=path.root,
        nullifier=nullifier_of(note.commitment, path.leaf_index, sk),
        received_commitment=received.commitment,
        change_commitment=change.commitment,
        trade_commitment=fill.commitment,
        order_commitment=order.commitment,
        side=order.side,
        deadline=fill.deadline,
    )
    private = LegPrivate(
        note=spent, path=_path(path), order=_terms(order),
        fill=FillAmounts(base_amount=fill.base_amount, quote_amount=fill.quote_amount, trade_salt=fill.trade_salt),
        received_blinding=received_blinding, change_blinding=change_blinding,
    )
    return LegInputs(public, private, received, change)


def withdraw_inputs(sk: int, note: Note, path: MerklePath, amount: int, recipient: int,
                    change_blinding: int, relayer: int = 0, fee: int = 0) -> WithdrawInputs:
    """The withdraw statement: `amount` of `note` out of the pool, `amount − fee` to `recipient`
    and `fee` to `relayer` (0 and 0 for a withdrawal the owner sends itself); the rest of the
    note kept as change."""
    _check_owner(sk, note)
    if not 0 <= amount <= note.amount:
        raise InvalidValue(f"cannot withdraw {amount} from a note of {note.amount}")
    if not 0 <= fee <= amount:
        raise InvalidValue(f"a relayer fee must be between 0 and the amount withdrawn ({amount}), got {fee}")
    if fee and not relayer:
        raise InvalidValue("a relayer fee needs a relayer address to pay it to")
    change = Note(note.asset, note.amount - amount, note.owner, change_blinding)
    public = WithdrawPublic(
        root=path.root, nullifier=nullifier_of(note.commitment, path.leaf_index, sk),
        asset=note.asset, amount=amount, recipient=recipient, relayer=relayer, fee=fee,
        change_commitment=change.commitment,
    )
    private = WithdrawPrivate(sk=sk, note_amount=note.amount, blinding=note.blinding, path=_path(path),
                              change_blinding=change_blinding)
    return WithdrawInputs(public, private, change)


PUBLIC_ORDER = {
    CollateralPublic: collateral_public_inputs,
    LegPublic: leg_public_inputs,
    WithdrawPublic: withdraw_public_inputs,
}


def public_vector(public) -> list[int]:
    """The public inputs of a statement in the verifier's order."""
    return [int(x) for x in PUBLIC_ORDER[type(public)](public)]

