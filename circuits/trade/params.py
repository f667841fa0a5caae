"""The protocol's constants: bit widths, fixed-point price scale, sides, tree depth, domain tags.

Every circuit, contract and native function takes these from here, so a change is one edit
(and a change of any of them changes every key: they are part of the circuits).
"""

import sha3

from zk.field import R

# Amounts (token base units) are range-checked to AMOUNT_BITS in every circuit: 2^96 ≈ 7.9e28
# holds 79 billion whole tokens of an 18-decimal token, and products of two such values stay
# far below r (2^253), so no comparison in a circuit can wrap around the field.
AMOUNT_BITS = 96
# Prices are quote base-units per base base-unit, times PRICE_SCALE, in PRICE_BITS bits.
PRICE_SCALE = 10**9
PRICE_BITS = 96
# Width of the limit-price comparisons: size·limit < 2^(AMOUNT_BITS + PRICE_BITS) and
# amount·PRICE_SCALE < 2^(AMOUNT_BITS + 30) both fit, and 192 < 252 keeps comparators sound.
PRODUCT_BITS = AMOUNT_BITS + PRICE_BITS
if PRICE_SCALE >= 1 << PRICE_BITS or AMOUNT_BITS + PRICE_SCALE.bit_length() > PRODUCT_BITS or PRODUCT_BITS > 252:
    raise ValueError("protocol bit widths are inconsistent: products could wrap around the field")

# A fill's deadline is unix seconds, range-checked to DEADLINE_BITS in the leg circuit so that
# the contract's `block.timestamp <= deadline` compares the very number the proof bound.
DEADLINE_BITS = 64

BUY = 0
SELL = 1

TREE_DEPTH = 20


def domain_tag(label: str) -> int:
    """A field element derived from a label: keccak256("zktrade/" + label) mod r."""
    return int.from_bytes(sha3.keccak_256(f"zktrade/{label}".encode()).digest(), "big") % R


# Provenance: the labels below; tests/circuits/test_trade.py recomputes them with fresh keccak.
ZERO_LEAF = domain_tag("zero-leaf")
