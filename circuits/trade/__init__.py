"""The protocol's circuits (DESIGN.md §2): collateral, settlement leg, withdraw."""

from .collateral import collateral_statement
from .leg import leg_statement
from .withdraw import withdraw_statement
