"""The withdraw (unshield) statement, relayable.

Public: root, nullifier, asset, amount, recipient, relayer, fee, change_commitment. Proves: an
owned note of this asset is in the tree; the nullifier is its own; amount ≤ the note's amount,
with the change (note amount − amount) in a new note of the same owner; and fee ≤ amount. The
pool pays amount − fee to the recipient and fee to the relayer (the pool itself requires
fee = 0 when relayer = 0). Recipient, relayer and fee are public inputs bound by the proof
(Groth16 binds every public input; the squaring constraints make that explicit, as tornado
does), so a copied transaction with another recipient, relayer or fee fails to verify: anyone
may submit it, nobody can redirect it.
"""

from dataclasses import dataclass

from ..builder import Api, Statement, Var
from ..gadgets.bits import range_check_gadget
from .params import AMOUNT_BITS, TREE_DEPTH
from .spend import MerklePath, SpentNote, owned_note_gadget, trade_statement
from .values import note_commitment_gadget, nullifier_of_gadget


@dataclass(frozen=True)
class WithdrawPublic:
    root: Var
    nullifier: Var
    asset: Var
    amount: Var
    recipient: Var
    relayer: Var
    fee: Var
    change_commitment: Var


@dataclass(frozen=True)
class WithdrawPrivate:
    """The note spent, but its asset, which is public (a SpentNote would declare it again)."""

    sk: Var
    note_amount: Var
    blinding: Var
    path: MerklePath
    change_blinding: Var


def define_withdraw(api: Api, pub: WithdrawPublic, priv: WithdrawPrivate) -> None:
    note = owned_note_gadget(api, pub.root, SpentNote(priv.sk, pub.asset, priv.note_amount, priv.blinding), priv.path)
    api.assert_equal(nullifier_of_gadget(api, note.commitment, note.leaf_index, priv.sk), pub.nullifier)
    with api.scope("amount"):
        range_check_gadget(api, pub.amount, AMOUNT_BITS)
        change = priv.note_amount - pub.amount
        range_check_gadget(api, change, AMOUNT_BITS)
    with api.scope("fee"):
        # fee < 2^96 and amount − fee < 2^96 give 0 ≤ fee ≤ amount: a fee above the amount would
        # make amount − fee wrap to ≈ r, which has no 96-bit decomposition.
        range_check_gadget(api, pub.fee, AMOUNT_BITS)
        range_check_gadget(api, pub.amount - pub.fee, AMOUNT_BITS)
    with api.scope("change"):
        api.assert_equal(
            note_commitment_gadget(api, pub.asset, change, note.owner, priv.change_blinding),
            pub.change_commitment,
        )
    with api.scope("recipient"):
        api.mul(pub.recipient, pub.recipient)
    with api.scope("relayer"):
        api.mul(pub.relayer, pub.relayer)


def withdraw_public_inputs(pub: WithdrawPublic) -> list:
    """The verifier's order, which the pool contract's withdraw() uses too:
    [root, nullifier, asset, amount, recipient, relayer, fee, change_commitment]."""
    return [pub.root, pub.nullifier, pub.asset, pub.amount, pub.recipient, pub.relayer, pub.fee,
            pub.change_commitment]


def withdraw_statement(depth: int = TREE_DEPTH) -> Statement:
    """The withdraw circuit for a tree of this depth (20 on chain; small depths for tests)."""
    return trade_statement(
        "withdraw", "spend a note to an address, maybe through a paid relayer, keeping the change in a new note",
        WithdrawPublic, WithdrawPrivate, define_withdraw, withdraw_public_inputs, depth,
    )
