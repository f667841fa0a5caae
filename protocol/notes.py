"""Keys and notes: the protocol's values as a wallet holds them (orders, fills and the other
messages parties exchange are in protocol/messages.py).

The hashes (owner, commitments, nullifier) are computed by the native functions of
circuits/trade/values.py, whose `_gadget` twins the circuits use; tests check that each pair
agrees. The exact encodings are in docs/protocol.md.
"""

import secrets
from dataclasses import dataclass

from circuits.trade.values import deposit_inner, note_commitment, nullifier_of, owner_of  # noqa: F401
from zk.field import R

from .errors import InvalidValue
from .params import AMOUNT_BITS


def random_field_element() -> int:
    return secrets.randbelow(R)


def check_amount(value: int, what: str, bits: int = AMOUNT_BITS) -> int:
    """`value` if it is an integer in [0, 2^bits), else InvalidValue naming `what`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << bits:
        raise InvalidValue(f"{what} must be an integer in [0, 2^{bits}), got {value}")
    return value


@dataclass(frozen=True)
class Note:
    asset: int
    amount: int
    owner: int
    blinding: int

    def __post_init__(self) -> None:
        check_amount(self.amount, "note amount")

    @property
    def commitment(self) -> int:
        return note_commitment(self.asset, self.amount, self.owner, self.blinding)

    @classmethod
    def fresh(cls, asset: int, amount: int, owner: int) -> "Note":
        return cls(asset, amount, owner, random_field_element())
