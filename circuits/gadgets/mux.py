"""Selection by bits: a multiplexer over 2^k options and a conditional swap (circomlib's Mux, Switcher).

Both gadgets assume their selector bits are boolean (outputs of to_bits, comparators, is_zero,
or checked with api.assert_bool); they do not check them.
"""

from collections.abc import Sequence

from ..dsl import Api, Value


def mux(bits: Sequence[int], options: Sequence[int]) -> int:
    """options[Σ 2^i·bits[i]]; len(options) = 2^len(bits)."""
    if len(options) != 1 << len(bits):
        raise ValueError(f"mux: {len(bits)} bits select among {1 << len(bits)} options, got {len(options)}")
    return options[sum(b << i for i, b in enumerate(bits))]


def mux_gadget(api: Api, bits: Sequence[Value], options: Sequence[Value]) -> Value:
    """options[Σ 2^i·bits[i]] as a tree of selects: 2^k − 1 constraints for k bits (fewer when
    options are constants: a select between equal constants is free)."""
    if len(options) != 1 << len(bits):
        raise ValueError(f"mux: {len(bits)} bits select among {1 << len(bits)} options, got {len(options)}")
    layer = list(options)
    with api.scope("mux"):
        for bit in bits:  # bit 0 picks within pairs, bit k−1 between halves
            layer = [api.select(bit, layer[i + 1], layer[i]) for i in range(0, len(layer), 2)]
    return layer[0]


def conditional_swap(bit: int, a: int, b: int) -> tuple[int, int]:
    """(b, a) if bit else (a, b)."""
    return (b, a) if bit else (a, b)


def conditional_swap_gadget(api: Api, bit: Value, a: Value, b: Value) -> tuple[Value, Value]:
    """(b, a) if bit else (a, b): one constraint d = bit·(b − a), outputs (a + d, b − d)."""
    with api.scope("swap"):
        d = api.mul(bit, b - a)
    return a + d, b - d
