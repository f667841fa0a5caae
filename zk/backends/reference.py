"""The readable backend: py_ecc point arithmetic and a textbook radix-2 NTT over Python ints.

Slow (a G1 scalar multiplication costs ~9 ms) but obviously correct: the fast backend is
tested against it on random inputs.
"""

from collections.abc import Sequence

from ..curve import G1Point, G2Point, g1_lincomb, g1_mul, g2_lincomb, g2_mul
from ..field import R

name = "reference"


def prepare_g1(bases: Sequence[G1Point]) -> Sequence[G1Point]:
    return bases


def prepare_g2(bases: Sequence[G2Point]) -> Sequence[G2Point]:
    return bases


def msm_g1(bases: Sequence[G1Point], scalars: Sequence[int]) -> G1Point:
    return g1_lincomb(bases, scalars)


def msm_g2(bases: Sequence[G2Point], scalars: Sequence[int]) -> G2Point:
    return g2_lincomb(bases, scalars)


def ntt(values: Sequence[int], omega: int) -> list[int]:
    """Iterative Cooley–Tukey: bit-reverse, then log2(n) butterfly layers."""
    n = len(values)
    if n & (n - 1):
        raise ValueError(f"NTT length must be a power of two, got {n}")
    bits = n.bit_length() - 1
    out = [0] * n
    for i, v in enumerate(values):
        out[int(format(i, f"0{bits}b")[::-1], 2) if bits else 0] = v % R
    half = 1
    while half < n:
        w_step = pow(omega, n // (2 * half), R)
        twiddles = [1] * half
        for k in range(1, half):
            twiddles[k] = twiddles[k - 1] * w_step % R
        for start in range(0, n, 2 * half):
            for k in range(half):
                u = out[start + k]
                v = out[start + k + half] * twiddles[k] % R
                out[start + k] = (u + v) % R
                out[start + k + half] = (u - v) % R
        half *= 2
    return out


def fixed_base_g1(base: G1Point, scalars: Sequence[int]) -> list[G1Point]:
    """[k·base for k in scalars] (setup's many multiplications of one generator)."""
    return [g1_mul(base, k) for k in scalars]


def fixed_base_g2(base: G2Point, scalars: Sequence[int]) -> list[G2Point]:
    return [g2_mul(base, k) for k in scalars]


def batch_mul_g1(bases: Sequence[G1Point], scalars: Sequence[int]) -> list[G1Point]:
    """[k_i·P_i]: every base times its own scalar (a ceremony rescaling its points)."""
    return [g1_mul(p, k) for p, k in zip(bases, scalars, strict=True)]


def batch_mul_g2(bases: Sequence[G2Point], scalars: Sequence[int]) -> list[G2Point]:
    return [g2_mul(p, k) for p, k in zip(bases, scalars, strict=True)]
