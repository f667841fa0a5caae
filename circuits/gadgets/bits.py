"""Bit decomposition and range checks (circomlib's Num2Bits / Bits2Num), native twin first.

The decomposition itself is the builder's primitive `api.to_bits` (a hint and the checks that pin
it); this module names the uses: a range check is a decomposition whose bits are thrown away.
"""

from zk.field import R

from ..dsl import MAX_BITS, Api, Value


def to_bits(x: int, n: int) -> list[int]:
    """The n little-endian bits of x; x must be in [0, 2^n)."""
    if not 0 <= x < 1 << n:
        raise ValueError(f"{x} does not fit in {n} bits")
    return [x >> i & 1 for i in range(n)]


def to_bits_gadget(api: Api, x: Value, n: int) -> list[Value]:
    """The n little-endian bits of x, each forced boolean, proving x < 2^n (n ≤ 253).

    Cost: n + 1 constraints (n booleanity checks, one recomposition)."""
    return api.to_bits(x, n)


def from_bits(bits: list[int]) -> int:
    """Σ 2^i·bits[i] mod r."""
    return sum(b << i for i, b in enumerate(bits)) % R


def from_bits_gadget(api: Api, bits: list[Value]) -> Value:
    """Σ 2^i·bits[i]: free; assumes the bits are boolean (it does not check them)."""
    return api.from_bits(bits)


def range_check(x: int, n: int) -> bool:
    """x ∈ [0, 2^n)."""
    return 0 <= x < 1 << n


def range_check_gadget(api: Api, x: Value, n: int) -> None:
    """Proves x ∈ [0, 2^n) for 1 ≤ n ≤ 253: n + 1 constraints."""
    if not 1 <= n <= MAX_BITS:
        raise ValueError(f"range_check: n must be in [1, {MAX_BITS}], got {n}")
    with api.scope(f"range{n}"):
        api.to_bits(x, n)
