"""The BN254 fields. Elements are Python ints in [0, modulus): canonical, never reduced silently.

Fr (modulus ``R``) is the scalar field, in which circuits compute; Fq (modulus ``Q``) is the
base field of the curve. Keeping elements as plain ints keeps the reference path readable and
lets the fast backend take the same values without conversion.
"""

from collections.abc import Sequence

from .errors import MalformedInput

# Provenance: EIP-196/197 (alt_bn128); the same numbers as py_ecc.bn128 and circom's "bn128".
R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583

# Fr has 2-adicity 28: R - 1 = 2**28 * odd. 5 is a quadratic non-residue and the generator
# ffjavascript/snarkjs uses, so our roots of unity are exactly theirs.
TWO_ADICITY = 28
MULTIPLICATIVE_GENERATOR = 5
ROOT_OF_UNITY_2_28 = pow(MULTIPLICATIVE_GENERATOR, (R - 1) >> TWO_ADICITY, R)

assert (R - 1) % (1 << TWO_ADICITY) == 0 and ((R - 1) >> TWO_ADICITY) % 2 == 1
assert pow(ROOT_OF_UNITY_2_28, 1 << (TWO_ADICITY - 1), R) == R - 1


def fr_inv(a: int) -> int:
    """Multiplicative inverse in Fr; a must be non-zero."""
    if a % R == 0:
        raise ZeroDivisionError("inverse of zero in Fr")
    return pow(a, -1, R)


def batch_inverse(values: Sequence[int], modulus: int = R) -> list[int]:
    """Montgomery's trick: all inverses for one field inversion and 3(n-1) multiplications."""
    prefix = [1] * (len(values) + 1)
    for i, v in enumerate(values):
        if v % modulus == 0:
            raise ZeroDivisionError(f"batch_inverse: element {i} is zero")
        prefix[i + 1] = prefix[i] * v % modulus
    inv = pow(prefix[-1], -1, modulus) if values else 1
    out = [0] * len(values)
    for i in range(len(values) - 1, -1, -1):
        out[i] = prefix[i] * inv % modulus
        inv = inv * values[i] % modulus
    return out


def canonical_fr(value: int | str, what: str = "value") -> int:
    """Parse a scalar-field element, refusing anything outside [0, R) rather than reducing it."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text, 16) if text.lower().startswith("0x") else int(text, 10)
        except ValueError:
            raise MalformedInput(f"{what}: {text!r} is not a decimal or 0x-hex integer") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedInput(f"{what}: expected an integer, got {type(value).__name__}")
    if not 0 <= value < R:
        raise MalformedInput(
            f"{what}: {value} is not a canonical field element (must be 0 <= x < r = {R})"
        )
    return value


def canonical_fq(value: int | str, what: str = "coordinate") -> int:
    """Parse a base-field element (a curve coordinate), refusing anything outside [0, Q)."""
    if isinstance(value, str):
        try:
            value = int(value.strip(), 0) if value.strip().lower().startswith("0x") else int(value)
        except ValueError:
            raise MalformedInput(f"{what}: {value!r} is not an integer") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedInput(f"{what}: expected an integer, got {type(value).__name__}")
    if not 0 <= value < Q:
        raise MalformedInput(f"{what}: {value} is not a canonical Fq element (must be < q)")
    return value
