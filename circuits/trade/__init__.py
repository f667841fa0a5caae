"""The protocol's circuits (docs/design.md §2; encodings in docs/protocol.md): collateral, leg, withdraw."""

from .collateral import collateral_statement
from .leg import leg_statement
from .withdraw import withdraw_statement
