"""The fast BN254 pairing (numba kernels in _pairing_kernels.py) behind a small interface.

Points cross the boundary as zk.curve's affine tuples; a fixed G2 point is prepared once into
its Miller-loop lines (`prepare_g2`), so that checking a pairing product with it costs only
the line evaluations. Every product is one multi-Miller loop over all pairs and one final
exponentiation. Fq12 results convert to py_ecc's FQ12 (Fq[w]/(w¹² − 18w⁶ + 82)) for callers
that compare with the reference path. Pairs with a point at infinity contribute 1 and are
dropped before the kernels, which never see infinity.
"""

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

import numpy as np
from py_ecc.optimized_bn128 import FQ12

from ..curve import G1_GENERATOR, G1_INFINITY, G2_GENERATOR, G2_INFINITY, G1Point, G2Point
from ..field import Q, R
from . import _pairing_kernels as P

_R_INV = pow(2**256, -1, Q)
_ONE = np.zeros((6, 2, 4), np.uint64)
_ONE[0, 0] = P.Q_ONE


@dataclass(frozen=True, eq=False)
class G2Lines:
    """The Miller-loop lines of G2 points, (n, N_LINES, 3, 2, 4), zero rows for infinity."""

    lines: np.ndarray
    is_infinity: np.ndarray


def _montgomery(values: Sequence[int]) -> np.ndarray:
    """Canonical Fq ints → Montgomery-form uint64 limbs, (len(values), 4)."""
    data = bytearray(b"".join(((v << 256) % Q).to_bytes(32, "little") for v in values))
    return np.frombuffer(data, dtype=np.uint64).reshape(-1, 4)  # writable: one kernel signature


def _standard(limbs: np.ndarray) -> list[int]:
    data = np.ascontiguousarray(limbs, dtype=np.uint64).tobytes()
    return [int.from_bytes(data[i : i + 32], "little") * _R_INV % Q for i in range(0, len(data), 32)]


def g1_array(points: Sequence[G1Point]) -> np.ndarray:
    """Affine G1 points (no infinity) → (n, 2, 4) Montgomery limbs."""
    return _montgomery([c for p in points for c in p]).reshape(-1, 2, 4)


def g2_array(points: Sequence[G2Point]) -> np.ndarray:
    """Affine G2 points (no infinity) → (n, 2, 2, 4) Montgomery limbs."""
    return _montgomery([c for p in points for coord in p for c in coord]).reshape(-1, 2, 2, 4)


def prepare_g2(points: Sequence[G2Point]) -> G2Lines:
    """The Miller-loop lines of each point, computed once (a verifying key's β, γ, δ)."""
    is_infinity = np.array([p == G2_INFINITY for p in points], dtype=bool)
    finite = [p for p in points if p != G2_INFINITY]
    lines = np.zeros((len(points), P.N_LINES, 3, 2, 4), np.uint64)
    if finite:
        computed = np.empty((len(finite), P.N_LINES, 3, 2, 4), np.uint64)
        P.g2_lines(g2_array(finite), computed)
        lines[~is_infinity] = computed
    return G2Lines(lines, is_infinity)


def miller_loop(g1: Sequence[G1Point], lines: np.ndarray) -> np.ndarray:
    """Π_i f_{Q_i}(P_i) as an Fq12 array (6, 2, 4), for finite P_i and the lines of finite Q_i."""
    if not g1:
        return _ONE.copy()
    out = np.empty((6, 2, 4), np.uint64)
    P.multi_miller_loop(g1_array(g1), lines, out)
    return out


def final_exponentiation(f: np.ndarray) -> np.ndarray:
    out = np.empty((6, 2, 4), np.uint64)
    P.final_exponentiation(f, out)
    return out


def _concatenate(a: G2Lines, b: G2Lines) -> G2Lines:
    return G2Lines(np.concatenate([a.lines, b.lines]), np.concatenate([a.is_infinity, b.is_infinity]))


def product(g1: Sequence[G1Point], lines: G2Lines) -> np.ndarray:
    """Π_i e(P_i, Q_i) as an Fq12 array, each Q_i given by its lines."""
    keep = [i for i, p in enumerate(g1) if p != G1_INFINITY and not lines.is_infinity[i]]
    return final_exponentiation(miller_loop([g1[i] for i in keep], lines.lines[keep]))


def is_one(f: np.ndarray) -> bool:
    return bool(np.array_equal(f, _ONE))


def _thread_count() -> int:
    """Threads for a batch: ZKTRADE_THREADS, else the CPUs this process may use (as fast.py)."""
    configured = os.environ.get("ZKTRADE_THREADS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, len(os.sched_getaffinity(0))) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=_thread_count(), thread_name_prefix="zktrade-pairing")


def _split(n: int) -> list[tuple[int, int]]:
    parts = max(1, min(_thread_count(), n))
    return [(n * t // parts, n * (t + 1) // parts) for t in range(parts)]


def _run_parallel(tasks) -> None:
    """Run (kernel, args) pairs (nogil kernels) on the pool; re-raises the first error."""
    if len(tasks) == 1:
        kernel, args = tasks[0]
        kernel(*args)
        return
    for future in [_pool().submit(kernel, *args) for kernel, args in tasks]:
        future.result()


# Below this many pairs whose lines are computed on the fly, one thread does the whole loop
# (a second thread's hand-off costs more than half of a small loop).
_PARALLEL_MIN_PAIRS = 8


def product_is_one(
    g1: Sequence[G1Point], g2: Sequence[G2Point], fixed_g1: Sequence[G1Point] = (), fixed: G2Lines | None = None
) -> bool:
    """Π e(g1_i, g2_i) · Π e(fixed_g1_j, fixed_j) == 1, the fixed G2 points already prepared.

    One multi-Miller loop computes the lines of the g2_i as it goes and reads the prepared ones;
    with many pairs (a batch) the pairs are split over the backend's threads, each a partial
    Miller product, multiplied before the one final exponentiation."""
    var = [(p, q) for p, q in zip(g1, g2, strict=True) if p != G1_INFINITY and q != G2_INFINITY]
    if fixed is None:
        fixed_keep: list[int] = []
        fixed_lines = np.zeros((0, P.N_LINES, 3, 2, 4), np.uint64)
    else:
        fixed_keep = [i for i, p in enumerate(fixed_g1) if p != G1_INFINITY and not fixed.is_infinity[i]]
        fixed_lines = fixed.lines if len(fixed_keep) == len(fixed_g1) else fixed.lines[fixed_keep]
    fixed_points = g1_array([fixed_g1[i] for i in fixed_keep])
    var_g1 = g1_array([p for p, _ in var])
    var_g2 = g2_array([q for _, q in var])
    if not var and not fixed_keep:
        return True
    parts = _split(len(var)) if len(var) >= _PARALLEL_MIN_PAIRS else [(0, len(var))]
    partials = np.empty((len(parts), 6, 2, 4), np.uint64)
    tasks = []
    for k, (start, stop) in enumerate(parts):
        own_fixed = slice(None) if k == 0 else slice(0, 0)  # the fixed pairs go with the first part
        tasks.append((P.multi_miller_loop_mixed, (
            fixed_points[own_fixed], fixed_lines[own_fixed], var_g1[start:stop], var_g2[start:stop], partials[k],
        )))
    _run_parallel(tasks)
    return bool(P.final_exponentiation_is_one(partials))


def to_py_ecc(f: np.ndarray) -> FQ12:
    """Tower Fq12 array → py_ecc's FQ12: u = w⁶ − 9, v = w², and (a + b·u)·w^k lands on w^k, w^(k+6)."""
    values = _standard(f)
    coeffs = [0] * 12
    for i in range(2):
        for j in range(3):
            a, b = values[2 * (3 * i + j)], values[2 * (3 * i + j) + 1]
            k = i + 2 * j
            coeffs[k], coeffs[k + 6] = (a - 9 * b) % Q, b
    return FQ12(coeffs)


def from_py_ecc(f: FQ12) -> np.ndarray:
    """py_ecc's FQ12 → tower Fq12 array (the inverse of to_py_ecc)."""
    c = [int(x) for x in f.coeffs]
    values = [0] * 12
    for i in range(2):
        for j in range(3):
            k = i + 2 * j
            values[2 * (3 * i + j)] = (c[k] + 9 * c[k + 6]) % Q
            values[2 * (3 * i + j) + 1] = c[k + 6] % Q
    return _montgomery(values).reshape(6, 2, 4)


def pairing(p: G1Point, q: G2Point) -> FQ12:
    """e(p, q) as py_ecc's FQ12 (equal to py_ecc's pairing, the fast way)."""
    return to_py_ecc(product([p], prepare_g2([q])))


def g1_lincomb(points: Sequence[G1Point], scalars: Sequence[int]) -> G1Point:
    """Σ k_i·P_i for the few points of a verification, on one thread."""
    is_infinity = np.array([p == G1_INFINITY for p in points], dtype=np.bool_)
    array = g1_array([G1_GENERATOR if inf else p for p, inf in zip(points, is_infinity)])
    limbs = np.frombuffer(bytearray(b"".join((k % R).to_bytes(32, "little") for k in scalars)), np.uint64).reshape(-1, 4)
    out = np.empty((1, 2, 4), np.uint64)
    if not P.g1_lincomb(array, is_infinity, limbs, out):
        return G1_INFINITY
    x, y = _standard(out)
    return (x, y)


def _checked(kernel, array: np.ndarray, is_infinity: list[bool]) -> np.ndarray:
    out = np.empty(array.shape[0], np.bool_)
    if array.shape[0]:
        kernel(array, out)
    out[is_infinity] = True
    return out


def g1_on_curve(points: Sequence[G1Point]) -> np.ndarray:
    """Per point: infinity or on y² = x³ + 3 (G1 is the whole curve); coordinates must be < q."""
    return _checked(P.on_curve, g1_array(points), [p == G1_INFINITY for p in points])


def g2_on_curve(points: Sequence[G2Point]) -> np.ndarray:
    """Per point: infinity or on the twist y² = x³ + 3/(9 + u); coordinates must be < q."""
    return _checked(P.on_curve, g2_array(points), [p == G2_INFINITY for p in points])


def g2_in_subgroup(points: Sequence[G2Point]) -> np.ndarray:
    """Per point on the twist: infinity or in the order-r subgroup, by the ψ check (a batch's
    points split over the backend's threads)."""
    is_infinity = [p == G2_INFINITY for p in points]
    array = g2_array([G2_GENERATOR if inf else p for p, inf in zip(points, is_infinity)])
    out = np.empty(array.shape[0], np.bool_)
    if len(points) >= _PARALLEL_MIN_PAIRS:
        _run_parallel([(P.g2_in_subgroup, (array[a:b], out[a:b])) for a, b in _split(len(points))])
    elif len(points):
        P.g2_in_subgroup(array, out)
    out[is_infinity] = True
    return out
