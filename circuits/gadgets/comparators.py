"""Comparisons of n-bit numbers (circomlib's LessThan, LessEqThan, GreaterThan, GreaterEqThan).

PRECONDITION of every gadget here: a and b are already known to be in [0, 2^n) (range-checked by
the caller, e.g. with bits.range_check_gadget, or outputs of to_bits). Outside that range the
output bit means nothing (or no witness exists). n ≤ 252, so the n + 1 bit check cannot wrap.
The output is boolean (a bit of a checked decomposition).
"""

from ..dsl import MAX_BITS, Api, Value

MAX_COMPARE_BITS = MAX_BITS - 1


def _check_width(n: int) -> None:
    if not 1 <= n <= MAX_COMPARE_BITS:
        raise ValueError(f"comparators take 1 ≤ n ≤ {MAX_COMPARE_BITS} bits, got {n}")


def _check_operands(a: int, b: int, n: int) -> None:
    _check_width(n)
    if not (0 <= a < 1 << n and 0 <= b < 1 << n):
        raise ValueError(f"comparator inputs must be in [0, 2^{n}): got {a}, {b}")


def less_than(a: int, b: int, n: int) -> bool:
    """a < b for a, b in [0, 2^n)."""
    _check_operands(a, b, n)
    return a < b


def less_than_gadget(api: Api, a: Value, b: Value, n: int) -> Value:
    """1 if a < b else 0, for a, b in [0, 2^n): n + 2 constraints.

    a + 2^n − b lies in [1, 2^(n+1)); its bit n is 1 exactly when a ≥ b."""
    _check_width(n)
    with api.scope("less_than"):
        bits = api.to_bits(a + (1 << n) - b, n + 1)
    return 1 - bits[n]


def less_or_equal(a: int, b: int, n: int) -> bool:
    """a ≤ b for a, b in [0, 2^n)."""
    _check_operands(a, b, n)
    return a <= b


def less_or_equal_gadget(api: Api, a: Value, b: Value, n: int) -> Value:
    """1 if a ≤ b else 0, for a, b in [0, 2^n): n + 2 constraints (a < b + 1; b + 1 ≤ 2^n is fine:
    a + 2^n − (b + 1) still lies in [0, 2^(n+1)))."""
    return less_than_gadget(api, a, b + 1, n)


def assert_less_or_equal_gadget(api: Api, a: Value, b: Value, n: int) -> None:
    """Proves a ≤ b for a, b in [0, 2^n): n + 1 constraints (b − a has n bits; if a > b it is
    r − (a − b) ≥ r − 2^n > 2^n, which has no n-bit decomposition)."""
    _check_width(n)
    with api.scope("assert_le"):
        api.to_bits(b - a, n)
