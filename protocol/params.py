"""The protocol's constants as the trading system sees them.

The circuits' constants (bit widths, price scale, sides, tree depth, domain tags) live in
circuits/trade/params.py, since circuits never import protocol; they are re-exported here.
"""

from circuits.trade.params import (  # noqa: F401 (re-exported)
    AMOUNT_BITS,
    BUY,
    DEADLINE_BITS,
    PRICE_BITS,
    PRICE_SCALE,
    SELL,
    TREE_DEPTH,
    ZERO_LEAF,
    domain_tag,
)

SIDE_NAMES = {BUY: "buy", SELL: "sell"}

# The off-chain tree mirror (protocol/tree.py) remembers this many recent roots. The pool
# contract accepts roots by age instead: the current root, or one superseded at most
# `rootMaxAge` seconds ago (a constructor argument; ROOT_MAX_AGE is what deploy_pool passes).
ROOT_HISTORY = 30
ROOT_MAX_AGE = 24 * 60 * 60
