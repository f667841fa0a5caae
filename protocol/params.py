"""The protocol's constants as the trading system sees them.

The circuits' constants (bit widths, price scale, sides, tree depth, domain tags) live in
circuits/trade/params.py, since circuits never import protocol; they are re-exported here.
"""

from circuits.trade.params import (  # noqa: F401 (re-exported)
    AMOUNT_BITS,
    BUY,
    NOTE_TAG_DOMAIN,
    PRICE_BITS,
    PRICE_SCALE,
    SELL,
    TREE_DEPTH,
    ZERO_LEAF,
    domain_tag,
)

SIDE_NAMES = {BUY: "buy", SELL: "sell"}

# The pool contract keeps this many recent roots; a proof may use any of them.
ROOT_HISTORY = 30
