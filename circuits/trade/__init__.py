"""The protocol's circuits (DESIGN.md §2): collateral, settlement leg, withdraw."""

from ..registry import register
from .collateral import collateral_statement
from .leg import leg_statement
from .withdraw import withdraw_statement

register("collateral", "an owned note in the tree covers an order's maximum payment (depth 20)")(collateral_statement)
register("leg", "one party's settlement leg: spend, pay the fill within the limit, receive, change (depth 20)")(leg_statement)
register("withdraw", "spend a note to a bound recipient and relayer fee, keeping the change (depth 20)")(withdraw_statement)
