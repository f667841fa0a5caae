"""The fast backend: numba kernels (zk/backends/_fast_kernels.py) behind the backend interface.

Points and field elements cross the boundary once: `prepare_g1/g2` turn a proving key's
affine tuples into Montgomery-form limb arrays (held by zk.groth16's PreparedProvingKey;
`prepared_from_montgomery` takes a .zkey's sections as they are), and each call converts its
scalars and its result. The MSM is Pippenger's bucket method: zero scalars (and bases at
infinity) are skipped, scalars equal to one (bit decompositions) are added directly, the rest
are recoded into signed digits per window of a width chosen from a cost model and capped by
the cache, into affine buckets whose additions share batched inversions; the windows are
shared among threads (the kernels release the GIL). Fixed-base multiplication (setup) uses a
window table of the base. Kernels compile on first use and are cached on disk by numba
(`warmup` compiles them all)."""

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

import numpy as np

from ..curve import G1_INFINITY, G2_INFINITY, G1Point, G2Point
from ..field import R
from . import _fast_kernels as K
from . import pairing  # noqa: F401 (the backend's pairing: zk.curve reaches it as get_backend().pairing)

name = "fast"

# Cost of a Jacobian + Jacobian addition relative to a Jacobian + affine one (16 vs 11 mults).
_ADD_COST = 1.5
# Running-sum cost per bucket relative to one batched bucket addition (a mixed and a full
# Jacobian addition against ~6 multiplications and the bucket's loads per point).
_BUCKET_COST = 2.2
_MAX_WINDOW = 16
# Bytes of affine buckets per thread: half an L2 cache of 2 MiB, so that the buckets, the
# overflow flags and the streamed bases share it (wider windows missed L2 on every point).
_BUCKET_BYTES = 1 << 20
_LOG2_R = 254  # every scalar is < r < 2^254


@dataclass(frozen=True, eq=False)
class PreparedBases:
    """Affine bases in Montgomery form, (n, 2, 4) for G1 or (n, 2, 2, 4) for G2."""

    points: np.ndarray
    is_infinity: np.ndarray

    def __len__(self) -> int:
        return self.points.shape[0]


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=thread_count(), thread_name_prefix="zktrade-fast")


def thread_count() -> int:
    """Threads for the kernels: ZKTRADE_THREADS, else the CPUs this process may use."""
    configured = os.environ.get("ZKTRADE_THREADS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    if hasattr(os, "sched_getaffinity"):  # Linux: honours taskset and container CPU sets
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _run_parallel(tasks) -> None:
    """Run (kernel, args) pairs on the thread pool; re-raises the first error."""
    if len(tasks) == 1:
        kernel, args = tasks[0]
        kernel(*args)
        return
    for future in [_pool().submit(kernel, *args) for kernel, args in tasks]:
        future.result()


def _split(n: int, parts: int) -> list[tuple[int, int]]:
    parts = max(1, min(parts, n))
    return [(n * t // parts, n * (t + 1) // parts) for t in range(parts)]


# ---------------------------------------------------------------- conversions


def _limbs(values: Sequence[int]) -> np.ndarray:
    """Canonical non-negative ints < 2^256 → (n, 4) little-endian uint64 limbs."""
    data = bytearray(b"".join(v.to_bytes(32, "little") for v in values))
    return np.frombuffer(data, dtype=np.uint64).reshape(-1, 4)


def _ints(limbs: np.ndarray) -> list[int]:
    data = np.ascontiguousarray(limbs, dtype=np.uint64).tobytes()
    return [int.from_bytes(data[i : i + 32], "little") for i in range(0, len(data), 32)]


def _to_fq_montgomery(values: Sequence[int]) -> np.ndarray:
    return K.mont_convert(_limbs(values), K.Q_R2, K.Q_LIMBS, K.Q_INV)


def _from_fq_montgomery(limbs: np.ndarray) -> list[int]:
    return _ints(K.mont_convert(limbs.reshape(-1, 4), K.ONE4, K.Q_LIMBS, K.Q_INV))


def _to_fr_montgomery(values: Sequence[int]) -> np.ndarray:
    return K.mont_convert(_limbs([v % R for v in values]), K.R_R2, K.R_LIMBS, K.R_INV)


def _from_fr_montgomery(limbs: np.ndarray) -> list[int]:
    return _ints(K.mont_convert(limbs, K.ONE4, K.R_LIMBS, K.R_INV))


def _coords_shape(degree: int) -> tuple[int, ...]:
    return (4,) if degree == 1 else (2, 4)


def _prepare(flat_coords: list[int], infinity: list[bool], degree: int) -> PreparedBases:
    points = _to_fq_montgomery(flat_coords).reshape((len(infinity), 2) + _coords_shape(degree))
    return PreparedBases(points=points, is_infinity=np.array(infinity, dtype=bool))


def _already_montgomery(bases) -> PreparedBases | None:
    """Bases that carry their Montgomery limbs (a .zkey/.ptau section read as an array) are
    used as they are, without a per-point conversion."""
    limbs = getattr(bases, "montgomery_limbs", None)
    return prepared_from_montgomery(limbs()) if limbs is not None else None


def prepare_g1(bases: Sequence[G1Point]) -> PreparedBases:
    prepared = _already_montgomery(bases)
    if prepared is not None:
        return prepared
    return _prepare([c for p in bases for c in p], [p == G1_INFINITY for p in bases], 1)


def prepare_g2(bases: Sequence[G2Point]) -> PreparedBases:
    prepared = _already_montgomery(bases)
    if prepared is not None:
        return prepared
    flat = [c for p in bases for coord in p for c in coord]
    return _prepare(flat, [p == G2_INFINITY for p in bases], 2)


def prepared_from_montgomery(points: np.ndarray) -> PreparedBases:
    """Bases already in this backend's form, e.g. a .zkey's point sections viewed with
    np.frombuffer: (n, 2, 4) for G1 or (n, 2, 2, 4) for G2, uint64 Montgomery limbs (R = 2^256),
    all-zero rows for infinity (snarkjs's encoding). The caller has checked the points."""
    if points.dtype != np.uint64 or points.ndim not in (3, 4) or points.shape[1:] not in ((2, 4), (2, 2, 4)):
        raise ValueError(f"expected (n, 2, 4) or (n, 2, 2, 4) uint64 limbs, got {points.dtype} {points.shape}")
    return PreparedBases(points=points, is_infinity=~points.reshape(points.shape[0], -1).any(axis=1))


def standard_big_endian(points: np.ndarray) -> bytes:
    """A Montgomery point array as snarkjs's uncompressed encoding: every coordinate in standard
    form, 32 bytes big-endian, G2's Fq2 coordinates as c1‖c0; infinity (all zero) stays zero."""
    standard = K.mont_convert(np.ascontiguousarray(points).reshape(-1, 4), K.ONE4, K.Q_LIMBS, K.Q_INV)
    standard = standard.reshape(points.shape)[..., ::-1]  # limbs most significant first
    if points.ndim == 4:
        standard = standard[:, :, ::-1, :]  # c1 before c0
    return np.ascontiguousarray(standard).astype(">u8").tobytes()


def _montgomery_constant(c: int) -> tuple:
    return tuple(np.uint64(x) for x in _to_fq_montgomery([c])[0])


@cache
def _curve_b(degree: int) -> tuple:
    """b of y² = x³ + b in Montgomery form: 3 for G1, 3/(9+u) for the G2 twist."""
    from ..curve import TWIST_B

    if degree == 1:
        return _montgomery_constant(3)
    return tuple(_montgomery_constant(c) for c in TWIST_B)


def first_off_curve(points: np.ndarray) -> int:
    """Index of the first point of a Montgomery array ((n, 2, 4) G1 or (n, 2, 2, 4) G2, every
    coordinate already checked below q) that is neither all zero (infinity) nor on its curve;
    -1 if all are. Both halves are checked at once on the thread pool."""
    n = points.shape[0]
    b = _curve_b(1 if points.ndim == 3 else 2)
    found = []
    parts = _split(n, thread_count()) if n >= 4096 else [(0, n)]
    if n == 0:
        return -1

    def check(lo: int, hi: int) -> None:
        found.append((K.first_off_curve(points, b, lo, hi), hi))

    _run_parallel([(check, part) for part in parts])
    bad = [i for i, hi in found if i < hi]
    return min(bad) if bad else -1


def _scalar_limbs(scalars) -> np.ndarray:
    """(n, 4) uint64 standard-form limbs: an array as it is (values below r), ints converted."""
    if isinstance(scalars, np.ndarray):
        return np.ascontiguousarray(scalars, dtype=np.uint64).reshape(-1, 4)
    return _limbs([k % R for k in scalars])


def _affine_points(jacobian: np.ndarray) -> list:
    """Jacobian Montgomery arrays → affine int tuples (infinity as all zeros)."""
    n = jacobian.shape[0]
    affine = np.empty((n, 2) + jacobian.shape[2:], np.uint64)
    is_infinity = np.empty(n, dtype=np.bool_)
    _run_parallel(
        [(K.to_affine, (jacobian, affine, is_infinity, lo, hi)) for lo, hi in _split(n, thread_count())]
    )
    coords = _from_fq_montgomery(affine)
    if jacobian.ndim == 3:
        return [
            G1_INFINITY if is_infinity[i] else (coords[2 * i], coords[2 * i + 1]) for i in range(n)
        ]
    return [
        G2_INFINITY
        if is_infinity[i]
        else ((coords[4 * i], coords[4 * i + 1]), (coords[4 * i + 2], coords[4 * i + 3]))
        for i in range(n)
    ]


# ---------------------------------------------------------------- MSM


def _bucket_cap(coord_shape: tuple[int, ...]) -> int:
    """The widest window whose affine buckets fit in _BUCKET_BYTES (G1 points 64 bytes, G2 128)."""
    point_bytes = 2 * 8 * int(np.prod(coord_shape))
    return min(_MAX_WINDOW, (_BUCKET_BYTES // point_bytes).bit_length())


def window_count(width: int) -> int:
    """Signed digits of a scalar below 2^254: one more window than 254 bits need when the top
    digit could borrow (254 // width + 1 either way)."""
    return _LOG2_R // width + 1


def window_width(n: int, max_width: int = _MAX_WINDOW, threads: int = 1) -> int:
    """The window minimising the slowest thread's work: its windows × (n bucket additions +
    the running sum over 2^(width−1) buckets). Windows are dealt to threads whole, so a width
    whose window count splits evenly can win over a nominally cheaper one."""

    def cost(c: int) -> float:
        return -(-window_count(c) // threads) * (n + _BUCKET_COST * 2 ** (c - 1))

    return min(range(2, max_width + 1), key=cost)


def _batch_size(width: int) -> int:
    """Affine additions per shared inversion (~300 multiplications): a quarter of the buckets,
    so that few points find their bucket busy."""
    return max(16, min(1024, (1 << (width - 1)) // 4))


def _msm(prepared: PreparedBases, scalars: Sequence[int]):
    if len(scalars) != len(prepared):
        raise ValueError(f"MSM needs one scalar per base: {len(scalars)} scalars, {len(prepared)} bases")
    bases = prepared.points
    coord_shape = bases.shape[2:]
    out = np.empty((1, 3) + coord_shape, np.uint64)
    if len(scalars) == 0:
        out[0] = 0  # Z = 0: infinity
        return _affine_points(out)[0]
    limbs = _scalar_limbs(scalars)
    kinds = K.classify_scalars(limbs)
    kinds[prepared.is_infinity] = 0
    ones = np.flatnonzero(kinds == 1)
    indices = np.flatnonzero(kinds == 2)
    threads = thread_count()
    width = window_width(len(indices), _bucket_cap(coord_shape), threads)
    n_windows = window_count(width)
    window_sums = np.zeros((n_windows, 3) + coord_shape, np.uint64)  # Z = 0: infinity
    if len(indices):
        digits = np.empty((n_windows, len(indices)), np.int32)
        _run_parallel(
            [(K.signed_digits, (limbs, indices, width, digits, lo, hi)) for lo, hi in _split(len(indices), threads)]
        )
        _run_parallel(
            [
                (K.msm_windows, (bases, digits, indices, width, windows, _batch_size(width), window_sums))
                for windows in (np.arange(t, n_windows, threads) for t in range(min(threads, n_windows)))
            ]
        )
    K.msm_combine(window_sums, width, bases, ones, out)
    return _affine_points(out)[0]


def msm_g1(prepared: PreparedBases, scalars: Sequence[int]) -> G1Point:
    """Σ scalars[i]·bases[i] in G1."""
    return _msm(prepared, scalars)


def msm_g2(prepared: PreparedBases, scalars: Sequence[int]) -> G2Point:
    """Σ scalars[i]·bases[i] in G2."""
    return _msm(prepared, scalars)


# ---------------------------------------------------------------- fixed base (setup)


def fixed_base_width(n: int) -> int:
    """Table window minimising the table's cost (2^c additions per window) plus n lookups."""
    return min(range(1, 13), key=lambda c: -(-_LOG2_R // c) * (n + _ADD_COST * 2**c))


def _fixed_base(base: PreparedBases, scalars: Sequence[int]) -> list:
    n = len(scalars)
    if n == 0:
        return []
    coord_shape = base.points.shape[2:]
    width = fixed_base_width(n)
    n_windows = -(-_LOG2_R // width)
    table_jacobian = np.empty((n_windows, (1 << width) - 1, 3) + coord_shape, np.uint64)
    K.fixed_base_table(base.points, width, table_jacobian)
    flat = table_jacobian.reshape((-1, 3) + coord_shape)
    table = np.empty((flat.shape[0], 2) + coord_shape, np.uint64)
    K.to_affine(flat, table, np.empty(flat.shape[0], np.bool_), 0, flat.shape[0])
    table = table.reshape((n_windows, (1 << width) - 1, 2) + coord_shape)
    limbs = _limbs([k % R for k in scalars])
    out = np.empty((n, 3) + coord_shape, np.uint64)
    _run_parallel(
        [(K.fixed_base_mul, (table, limbs, width, out, lo, hi)) for lo, hi in _split(n, thread_count())]
    )
    return _affine_points(out)


def fixed_base_g1(base: G1Point, scalars: Sequence[int]) -> list[G1Point]:
    """[k·base for k in scalars]."""
    if base == G1_INFINITY:
        return [G1_INFINITY] * len(scalars)
    return _fixed_base(prepare_g1([base]), scalars)


def fixed_base_g2(base: G2Point, scalars: Sequence[int]) -> list[G2Point]:
    if base == G2_INFINITY:
        return [G2_INFINITY] * len(scalars)
    return _fixed_base(prepare_g2([base]), scalars)


# ---------------------------------------------------------------- NTT


def ntt(values: Sequence[int], omega: int) -> list[int]:
    """out[i] = Σ_j values[j]·omega^(i·j) over Fr."""
    n = len(values)
    if n == 0 or n & (n - 1):
        raise ValueError(f"NTT length must be a power of two, got {n}")
    a = _to_fr_montgomery(values)
    K.ntt_in_place(a, tuple(_to_fr_montgomery([omega])[0]))
    return _from_fr_montgomery(a)


def coset_evaluations(evals: Sequence[int], omega: int, shift: int) -> list[int]:
    """Values on ⟨ω⟩ → values on shift·⟨ω⟩: iNTT, scale coefficient j by shift^j/n, NTT."""
    n = len(evals)
    a = _to_fr_montgomery(evals)
    omega_inv, n_inv = _to_fr_montgomery([pow(omega, -1, R), pow(n, -1, R)])
    K.ntt_in_place(a, tuple(omega_inv))
    K.fr_scale_powers(a, tuple(n_inv), tuple(_to_fr_montgomery([shift])[0]))
    K.ntt_in_place(a, tuple(_to_fr_montgomery([omega])[0]))
    return _from_fr_montgomery(a)


def scalar_limbs(scalars: Sequence[int]) -> np.ndarray:
    """Scalars converted once to the limbs every MSM of this backend takes as they are (a
    prover runs several MSMs over one witness)."""
    return _scalar_limbs(scalars)


def _coset_in_place(a: np.ndarray, omega_inv, n_inv, shift, omega) -> None:
    K.ntt_in_place(a, omega_inv)
    K.fr_scale_powers(a, n_inv, shift)
    K.ntt_in_place(a, omega)


def zkey_h(coefficients: tuple[np.ndarray, ...], witness: np.ndarray, domain_size: int, omega: int, shift: int) -> np.ndarray:
    """The circom reduction's H scalars straight from a .zkey's coefficient arrays (matrix,
    row, wire, stored value v·R²) and the witness limbs: rows A_j, B_j and C_j = A_j·B_j, each
    moved to the coset shift·⟨ω⟩ (the three on the thread pool), then A·B − C. Returned as
    standard-form limbs, ready for an MSM."""
    matrix, row, wire, value = coefficients
    n = domain_size
    a, b = np.zeros((n, 4), np.uint64), np.zeros((n, 4), np.uint64)
    K.zkey_rows(matrix, row, wire, value, witness, a, b)
    c = np.empty_like(a)
    K.fr_mul_sub(a, b, np.zeros_like(a), c)
    omega_inv, n_inv, shift_m, omega_m = (tuple(x) for x in _to_fr_montgomery([pow(omega, -1, R), pow(n, -1, R), shift, omega]))
    _run_parallel([(_coset_in_place, (v, omega_inv, n_inv, shift_m, omega_m)) for v in (a, b, c)])
    h = np.empty_like(a)
    K.fr_mul_sub(a, b, c, h)
    return K.mont_convert(h, K.ONE4, K.R_LIMBS, K.R_INV)


# ---------------------------------------------------------------- compilation


_KERNELS = (
    K.classify_scalars,
    K.signed_digits,
    K.msm_windows,
    K.msm_combine,
    K.fixed_base_table,
    K.fixed_base_mul,
    K.to_affine,
    K.mont_convert,
    K.fr_scale_powers,
    K.ntt_in_place,
    K.mul_each,
    K.first_off_curve,
    K.zkey_rows,
    K.fr_mul_sub,
)


def is_compiled_cache_present() -> bool:
    """True if numba's on-disk cache holds every kernel (then warmup only loads them)."""
    try:
        return all(os.path.exists(k._cache._cache_file._index_path) for k in _KERNELS)
    except AttributeError:  # numba's cache internals moved: assume a compile is needed
        return False


def warmup() -> None:
    """Compile (first run) or load (later runs) every kernel for G1, G2 and Fr."""
    from ..curve import G1_GENERATOR, G2_GENERATOR

    msm_g1(prepare_g1(batch_mul_g1(fixed_base_g1(G1_GENERATOR, [2, 3]), [1, 2])), [1, 5])
    msm_g2(prepare_g2(batch_mul_g2(fixed_base_g2(G2_GENERATOR, [2, 3]), [1, 2])), [1, 5])
    coset_evaluations([1, 2], R - 1, 5)
    first_off_curve(prepare_g1([G1_GENERATOR]).points)
    index = np.zeros(1, np.int64)
    zkey_h((index, index, index, _limbs([1])), _limbs([1]), 2, R - 1, 5)
    first_off_curve(prepare_g2([G2_GENERATOR]).points)


# ---------------------------------------------------------------- one scalar per base (ceremonies)


def _mul_each(prepared: PreparedBases, scalars: Sequence[int]) -> list:
    n = len(scalars)
    if n != len(prepared):
        raise ValueError(f"batch multiplication needs one scalar per base: {n} scalars, {len(prepared)} bases")
    out = np.empty((n, 3) + prepared.points.shape[2:], np.uint64)
    if n == 0:
        return []
    limbs = _limbs([k % R for k in scalars])
    _run_parallel(
        [
            (K.mul_each, (prepared.points, prepared.is_infinity, limbs, out, lo, hi))
            for lo, hi in _split(n, thread_count())
        ]
    )
    return _affine_points(out)


def batch_mul_montgomery(points: np.ndarray, scalars: Sequence[int]) -> np.ndarray:
    """[k_i·P_i] for a Montgomery point array (a .zkey section read as one), as an array of the
    same form: affine Montgomery limbs, all zero for infinity. No affine tuples on the way."""
    prepared = prepared_from_montgomery(points)
    n = len(scalars)
    if n != len(prepared):
        raise ValueError(f"batch multiplication needs one scalar per base: {n} scalars, {len(prepared)} bases")
    jacobian = np.empty((n, 3) + points.shape[2:], np.uint64)
    affine = np.empty((n, 2) + points.shape[2:], np.uint64)
    if n == 0:
        return affine
    limbs = _scalar_limbs(scalars)
    parts = _split(n, thread_count())
    _run_parallel([(K.mul_each, (prepared.points, prepared.is_infinity, limbs, jacobian, lo, hi)) for lo, hi in parts])
    _run_parallel([(K.to_affine, (jacobian, affine, np.empty(n, np.bool_), lo, hi)) for lo, hi in parts])
    return affine


def batch_mul_g1(bases: Sequence[G1Point], scalars: Sequence[int]) -> list[G1Point]:
    """[k_i·P_i]: every base times its own scalar (a ceremony rescaling its points)."""
    return _mul_each(prepare_g1(bases), scalars)


def batch_mul_g2(bases: Sequence[G2Point], scalars: Sequence[int]) -> list[G2Point]:
    return _mul_each(prepare_g2(bases), scalars)
