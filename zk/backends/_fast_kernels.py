"""numba kernels of the fast backend: Montgomery fields, BN254 Jacobian arithmetic, MSM, NTT.

Every jitted function lives in this one module on purpose: numba's on-disk cache (cache=True)
is invalidated only when the source file of the cached function changes, so kernels that
inline code from another module would silently keep a stale copy of it.

Representation (all limbs uint64, little-endian, values in Montgomery form x·2^256 mod p):
  Fq / Fr element   UniTuple(uint64, 4)            arrays: (..., 4)
  Fq2 element       (c0, c1) of Fq, x = c0 + c1·u  arrays: (..., 2, 4)
  affine point      (x, y)                         arrays: G1 (n, 2, 4), G2 (n, 2, 2, 4)
  Jacobian point    (X, Y, Z), x = X/Z², y = Y/Z³  arrays: G1 (n, 3, 4), G2 (n, 3, 2, 4)
The point at infinity is Z = 0 (Jacobian) and is never stored in affine arrays: callers flag it.
Curve formulas are written once over generic field operations (f_add, f_mul, ...) that
`numba.extending.overload` resolves to Fq or Fq2 by type, so G1 and G2 share every kernel.
"""

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic, overload

from ..cache import configure_numba_cache
from ..field import Q, R

# Before the first @njit(cache=True): numba picks a function's cache directory when decorating it.
configure_numba_cache()

# ---------------------------------------------------------------- 64-bit limb primitives


@intrinsic
def mac(typingctx, a, b, c, d):
    """(low, high) words of a + b·c + d; the sum always fits in 128 bits."""
    sig = types.UniTuple(types.uint64, 2)(types.uint64, types.uint64, types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        i128 = ir.IntType(128)
        wa, wb, wc, wd = (builder.zext(v, i128) for v in args)
        total = builder.add(builder.add(builder.mul(wb, wc), wa), wd)
        low = builder.trunc(total, ir.IntType(64))
        high = builder.trunc(builder.lshr(total, ir.Constant(i128, 64)), ir.IntType(64))
        return context.make_tuple(builder, signature.return_type, (low, high))

    return sig, codegen


@intrinsic
def adc(typingctx, a, b, carry):
    """(a + b + carry mod 2^64, carry out)."""
    sig = types.UniTuple(types.uint64, 2)(types.uint64, types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        i128 = ir.IntType(128)
        wa, wb, wc = (builder.zext(v, i128) for v in args)
        total = builder.add(builder.add(wa, wb), wc)
        low = builder.trunc(total, ir.IntType(64))
        high = builder.trunc(builder.lshr(total, ir.Constant(i128, 64)), ir.IntType(64))
        return context.make_tuple(builder, signature.return_type, (low, high))

    return sig, codegen


@intrinsic
def sbb(typingctx, a, b, borrow):
    """(a − b − borrow mod 2^64, borrow out as 0 or 1)."""
    sig = types.UniTuple(types.uint64, 2)(types.uint64, types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        i128 = ir.IntType(128)
        wa, wb, wc = (builder.zext(v, i128) for v in args)
        diff = builder.sub(builder.sub(wa, wb), wc)
        low = builder.trunc(diff, ir.IntType(64))
        out = builder.trunc(builder.lshr(diff, ir.Constant(i128, 127)), ir.IntType(64))
        return context.make_tuple(builder, signature.return_type, (low, out))

    return sig, codegen


@intrinsic
def wrapping_mul(typingctx, a, b):
    """a·b mod 2^64."""
    sig = types.uint64(types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        return builder.mul(args[0], args[1])

    return sig, codegen


def _limbs(x: int) -> tuple:
    return tuple(np.uint64((x >> (64 * i)) & (2**64 - 1)) for i in range(4))


def _montgomery_constants(p: int) -> tuple:
    """(p limbs, −p⁻¹ mod 2^64, 2^256 mod p = one, 2^512 mod p) for Montgomery arithmetic."""
    return _limbs(p), np.uint64((-pow(p, -1, 2**64)) % 2**64), _limbs(2**256 % p), _limbs(2**512 % p)


Q_LIMBS, Q_INV, Q_ONE, Q_R2 = _montgomery_constants(Q)
R_LIMBS, R_INV, R_ONE, R_R2 = _montgomery_constants(R)
ZERO4 = _limbs(0)
ONE4 = _limbs(1)
Q_MINUS_2 = _limbs(Q - 2)
U0 = np.uint64(0)
U1 = np.uint64(1)

# ---------------------------------------------------------------- Montgomery arithmetic mod p


@njit
def _row(t0, t1, t2, t3, t4, a, bi, p, pinv):
    """One CIOS round: t += a·bi, then add m·p so that the lowest word vanishes, and shift."""
    t0, c = mac(t0, a[0], bi, U0)
    t1, c = mac(t1, a[1], bi, c)
    t2, c = mac(t2, a[2], bi, c)
    t3, c = mac(t3, a[3], bi, c)
    t4, t5 = adc(t4, c, U0)
    m = wrapping_mul(t0, pinv)
    _, c = mac(t0, m, p[0], U0)
    t0, c = mac(t1, m, p[1], c)
    t1, c = mac(t2, m, p[2], c)
    t2, c = mac(t3, m, p[3], c)
    t3, c = adc(t4, c, U0)
    t4 = t5 + c
    return t0, t1, t2, t3, t4


@njit
def _reduce_once(t0, t1, t2, t3, t4, p):
    """t − p if t >= p else t, for t < 2p."""
    d0, b = sbb(t0, p[0], U0)
    d1, b = sbb(t1, p[1], b)
    d2, b = sbb(t2, p[2], b)
    d3, b = sbb(t3, p[3], b)
    _, b = sbb(t4, U0, b)
    if b:
        return (t0, t1, t2, t3)
    return (d0, d1, d2, d3)


@njit
def mont_mul(a, b, p, pinv):
    """a·b·2^-256 mod p (CIOS), inputs and output in [0, p)."""
    t0, t1, t2, t3, t4 = _row(U0, U0, U0, U0, U0, a, b[0], p, pinv)
    t0, t1, t2, t3, t4 = _row(t0, t1, t2, t3, t4, a, b[1], p, pinv)
    t0, t1, t2, t3, t4 = _row(t0, t1, t2, t3, t4, a, b[2], p, pinv)
    t0, t1, t2, t3, t4 = _row(t0, t1, t2, t3, t4, a, b[3], p, pinv)
    return _reduce_once(t0, t1, t2, t3, t4, p)


@njit
def mod_add(a, b, p):
    s0, c = adc(a[0], b[0], U0)
    s1, c = adc(a[1], b[1], c)
    s2, c = adc(a[2], b[2], c)
    s3, c = adc(a[3], b[3], c)
    return _reduce_once(s0, s1, s2, s3, c, p)


@njit
def mod_sub(a, b, p):
    d0, br = sbb(a[0], b[0], U0)
    d1, br = sbb(a[1], b[1], br)
    d2, br = sbb(a[2], b[2], br)
    d3, br = sbb(a[3], b[3], br)
    if br:
        d0, c = adc(d0, p[0], U0)
        d1, c = adc(d1, p[1], c)
        d2, c = adc(d2, p[2], c)
        d3, c = adc(d3, p[3], c)
    return (d0, d1, d2, d3)


@njit
def limbs_is_zero(a):
    return (a[0] | a[1] | a[2] | a[3]) == U0


@njit
def limbs_eq(a, b):
    return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) == U0


@njit
def fq_mul(a, b):
    return mont_mul(a, b, Q_LIMBS, Q_INV)


@njit
def fq_pow(a, e):
    """a^e for a 4-limb exponent e (square and multiply, most significant bit first)."""
    acc = Q_ONE
    for limb in range(3, -1, -1):
        word = e[limb]
        for bit in range(63, -1, -1):
            acc = fq_mul(acc, acc)
            if (word >> np.uint64(bit)) & U1:
                acc = fq_mul(acc, a)
    return acc


@njit
def fr_mul(a, b):
    return mont_mul(a, b, R_LIMBS, R_INV)


# ---------------------------------------------------------------- generic field ops: Fq | Fq2


def _is_fq(t) -> bool:
    return isinstance(t, types.UniTuple) and t.dtype == types.uint64


def _is_fq2(t) -> bool:
    return isinstance(t, types.UniTuple) and _is_fq(t.dtype)


def f_add(a, b):
    """a + b in the field of a (Fq or Fq2)."""


def f_sub(a, b):
    """a − b."""


def f_mul(a, b):
    """a·b."""


def f_sqr(a):
    """a²."""


def f_is_zero(a):
    """a == 0."""


def f_eq(a, b):
    """a == b."""


def f_one(a):
    """1 in the field of a."""


def f_zero(a):
    """0 in the field of a."""


def f_inv(a):
    """a⁻¹ (a ≠ 0)."""


@overload(f_add)
def _f_add(a, b):
    if _is_fq(a):
        return lambda a, b: mod_add(a, b, Q_LIMBS)
    if _is_fq2(a):
        return lambda a, b: (mod_add(a[0], b[0], Q_LIMBS), mod_add(a[1], b[1], Q_LIMBS))


@overload(f_sub)
def _f_sub(a, b):
    if _is_fq(a):
        return lambda a, b: mod_sub(a, b, Q_LIMBS)
    if _is_fq2(a):
        return lambda a, b: (mod_sub(a[0], b[0], Q_LIMBS), mod_sub(a[1], b[1], Q_LIMBS))


@njit
def fq2_mul(a, b):
    """(a0 + a1·u)(b0 + b1·u) with u² = −1, Karatsuba: three Fq multiplications."""
    v0 = fq_mul(a[0], b[0])
    v1 = fq_mul(a[1], b[1])
    cross = fq_mul(mod_add(a[0], a[1], Q_LIMBS), mod_add(b[0], b[1], Q_LIMBS))
    return (mod_sub(v0, v1, Q_LIMBS), mod_sub(mod_sub(cross, v0, Q_LIMBS), v1, Q_LIMBS))


@overload(f_mul)
def _f_mul(a, b):
    if _is_fq(a):
        return lambda a, b: fq_mul(a, b)
    if _is_fq2(a):
        return lambda a, b: fq2_mul(a, b)


@njit
def fq2_sqr(a):
    """(a0 + a1·u)² = (a0 + a1)(a0 − a1) + 2·a0·a1·u: two Fq multiplications."""
    product = fq_mul(a[0], a[1])
    real = fq_mul(mod_add(a[0], a[1], Q_LIMBS), mod_sub(a[0], a[1], Q_LIMBS))
    return (real, mod_add(product, product, Q_LIMBS))


@overload(f_sqr)
def _f_sqr(a):
    if _is_fq(a):
        return lambda a: fq_mul(a, a)
    if _is_fq2(a):
        return lambda a: fq2_sqr(a)


@overload(f_is_zero)
def _f_is_zero(a):
    if _is_fq(a):
        return lambda a: limbs_is_zero(a)
    if _is_fq2(a):
        return lambda a: limbs_is_zero(a[0]) and limbs_is_zero(a[1])


@overload(f_eq)
def _f_eq(a, b):
    if _is_fq(a):
        return lambda a, b: limbs_eq(a, b)
    if _is_fq2(a):
        return lambda a, b: limbs_eq(a[0], b[0]) and limbs_eq(a[1], b[1])


@overload(f_one)
def _f_one(a):
    if _is_fq(a):
        return lambda a: Q_ONE
    if _is_fq2(a):
        return lambda a: (Q_ONE, ZERO4)


@overload(f_zero)
def _f_zero(a):
    if _is_fq(a):
        return lambda a: ZERO4
    if _is_fq2(a):
        return lambda a: (ZERO4, ZERO4)


@overload(f_inv)
def _f_inv(a):
    if _is_fq(a):
        return lambda a: fq_pow(a, Q_MINUS_2)

    if _is_fq2(a):

        def inv2(a):
            # 1/(a0 + a1·u) = (a0 − a1·u)/(a0² + a1²)
            norm_inv = fq_pow(mod_add(fq_mul(a[0], a[0]), fq_mul(a[1], a[1]), Q_LIMBS), Q_MINUS_2)
            return (fq_mul(a[0], norm_inv), mod_sub(ZERO4, fq_mul(a[1], norm_inv), Q_LIMBS))

        return inv2


# ---------------------------------------------------------------- loads and stores


def load_coord(arr, i, k):
    """Coordinate k of point i of a point array: Fq for (n, k, 4), Fq2 for (n, k, 2, 4)."""


def store_coord(arr, i, k, value):
    """Write coordinate k of point i."""


def zero_of(arr):
    """0 in the field of a point array's coordinates (fixes the element type of a kernel)."""


@overload(load_coord)
def _load_coord(arr, i, k):
    if arr.ndim == 3:
        return lambda arr, i, k: (arr[i, k, 0], arr[i, k, 1], arr[i, k, 2], arr[i, k, 3])
    if arr.ndim == 4:
        return lambda arr, i, k: (
            (arr[i, k, 0, 0], arr[i, k, 0, 1], arr[i, k, 0, 2], arr[i, k, 0, 3]),
            (arr[i, k, 1, 0], arr[i, k, 1, 1], arr[i, k, 1, 2], arr[i, k, 1, 3]),
        )


@overload(store_coord)
def _store_coord(arr, i, k, value):
    if arr.ndim == 3:

        def store1(arr, i, k, value):
            for limb in range(4):
                arr[i, k, limb] = value[limb]

        return store1
    if arr.ndim == 4:

        def store2(arr, i, k, value):
            for c in range(2):
                for limb in range(4):
                    arr[i, k, c, limb] = value[c][limb]

        return store2


@overload(zero_of)
def _zero_of(arr):
    if arr.ndim == 3:
        return lambda arr: ZERO4
    if arr.ndim == 4:
        return lambda arr: (ZERO4, ZERO4)


@njit
def load_affine(arr, i):
    return (load_coord(arr, i, 0), load_coord(arr, i, 1))


@njit
def load_jacobian(arr, i):
    return (load_coord(arr, i, 0), load_coord(arr, i, 1), load_coord(arr, i, 2))


@njit
def store_point(arr, i, point):
    """Write an affine (x, y) or Jacobian (X, Y, Z) point into row i."""
    for k in range(len(point)):
        store_coord(arr, i, k, point[k])


# ---------------------------------------------------------------- Jacobian formulas (a = 0)


@njit
def jac_infinity(like):
    return (f_one(like), f_one(like), f_zero(like))


@njit
def jac_double(p):
    """dbl-2009-l: 2M + 5S."""
    x, y, z = p
    if f_is_zero(z):
        return p
    a = f_sqr(x)
    b = f_sqr(y)
    c = f_sqr(b)
    xb = f_add(x, b)
    d = f_sub(f_sub(f_sqr(xb), a), c)
    d = f_add(d, d)
    e = f_add(f_add(a, a), a)
    f = f_sqr(e)
    x3 = f_sub(f_sub(f, d), d)
    c8 = f_add(c, c)
    c8 = f_add(c8, c8)
    c8 = f_add(c8, c8)
    y3 = f_sub(f_mul(e, f_sub(d, x3)), c8)
    yz = f_mul(y, z)
    return (x3, y3, f_add(yz, yz))


@njit
def jac_add_affine(p, q):
    """p + q for Jacobian p and affine q (madd-2007-bl: 7M + 4S), with every special case."""
    x1, y1, z1 = p
    if f_is_zero(z1):
        return (q[0], q[1], f_one(z1))
    z1z1 = f_sqr(z1)
    u2 = f_mul(q[0], z1z1)
    s2 = f_mul(f_mul(q[1], z1), z1z1)
    h = f_sub(u2, x1)
    r = f_sub(s2, y1)
    if f_is_zero(h):
        if f_is_zero(r):
            return jac_double(p)
        return jac_infinity(z1)
    hh = f_sqr(h)
    i = f_add(hh, hh)
    i = f_add(i, i)
    j = f_mul(h, i)
    r = f_add(r, r)
    v = f_mul(x1, i)
    x3 = f_sub(f_sub(f_sub(f_sqr(r), j), v), v)
    y1j = f_mul(y1, j)
    y3 = f_sub(f_sub(f_mul(r, f_sub(v, x3)), y1j), y1j)
    zh = f_add(z1, h)
    z3 = f_sub(f_sub(f_sqr(zh), z1z1), hh)
    return (x3, y3, z3)


@njit
def jac_add(p, q):
    """p + q in Jacobian coordinates (add-2007-bl: 11M + 5S), with every special case."""
    x1, y1, z1 = p
    x2, y2, z2 = q
    if f_is_zero(z1):
        return q
    if f_is_zero(z2):
        return p
    z1z1 = f_sqr(z1)
    z2z2 = f_sqr(z2)
    u1 = f_mul(x1, z2z2)
    u2 = f_mul(x2, z1z1)
    s1 = f_mul(f_mul(y1, z2), z2z2)
    s2 = f_mul(f_mul(y2, z1), z1z1)
    h = f_sub(u2, u1)
    r = f_sub(s2, s1)
    if f_is_zero(h):
        if f_is_zero(r):
            return jac_double(p)
        return jac_infinity(z1)
    h2 = f_add(h, h)
    i = f_sqr(h2)
    j = f_mul(h, i)
    r = f_add(r, r)
    v = f_mul(u1, i)
    x3 = f_sub(f_sub(f_sub(f_sqr(r), j), v), v)
    s1j = f_mul(s1, j)
    y3 = f_sub(f_sub(f_mul(r, f_sub(v, x3)), s1j), s1j)
    zz = f_add(z1, z2)
    z3 = f_mul(f_sub(f_sub(f_sqr(zz), z1z1), z2z2), h)
    return (x3, y3, z3)


# ---------------------------------------------------------------- scalars and MSM


@njit
def window_digit(scalars, i, start, width):
    """Bits [start, start + width) of scalar i (standard form limbs), width < 64."""
    limb = start >> 6
    shift = start & 63
    word = scalars[i, limb] >> np.uint64(shift)
    if shift + width > 64 and limb < 3:
        word |= scalars[i, limb + 1] << np.uint64(64 - shift)
    return np.intp(word & np.uint64((1 << width) - 1))


@njit(cache=True)
def classify_scalars(scalars):
    """Per scalar: 0 if zero, 1 if one, 2 otherwise (Pippenger only needs the third kind)."""
    n = scalars.shape[0]
    kinds = np.empty(n, np.int8)
    for i in range(n):
        high = scalars[i, 1] | scalars[i, 2] | scalars[i, 3]
        if high == U0 and scalars[i, 0] <= U1:
            kinds[i] = np.int8(scalars[i, 0])
        else:
            kinds[i] = 2
    return kinds


@njit(nogil=True, cache=True)
def signed_digits(scalars, indices, width, out, lo, hi):
    """out[w, k] = digit w of scalars[indices[k]] in signed base 2^width, for lo <= k < hi.

    Digits lie in (−2^(width−1), 2^(width−1)] and Σ_w out[w, k]·2^(w·width) is the scalar: a
    digit above half the base borrows one from the next window. A negative digit adds −P, so
    a window needs only 2^(width−1) buckets (half the memory and half the running sum).
    """
    half = 1 << (width - 1)
    base = 1 << width
    for k in range(lo, hi):
        i = indices[k]
        carry = 0
        for w in range(out.shape[0]):
            d = window_digit(scalars, i, w * width, width) + carry
            carry = 1 if d > half else 0
            out[w, k] = d - carry * base


_ADD, _DOUBLE, _CANCEL = 0, 1, 2


@njit
def _signed_affine(bases, i, negative):
    x, y = load_affine(bases, i)
    if negative:
        return (x, f_sub(f_zero(y), y))
    return (x, y)


@njit
def _apply_batch(bases, buckets, filled, pairs, count, prefix, denominators):
    """Finish the pending affine additions bucket[b] += ±P with one field inversion.

    pairs[t] = (bucket b, point i, kind, negated); prefix[t] = product of earlier denominators.
    """
    if count == 0:
        return
    inv = f_inv(f_mul(load_coord(prefix, count - 1, 0), load_coord(denominators, count - 1, 0)))
    for t in range(count - 1, -1, -1):
        b, i, kind = pairs[t, 0], pairs[t, 1], pairs[t, 2]
        den_inv = f_mul(inv, load_coord(prefix, t, 0))
        inv = f_mul(inv, load_coord(denominators, t, 0))
        if kind == _CANCEL:
            filled[b] = False
            continue
        xb, yb = load_affine(buckets, b)
        xp, yp = _signed_affine(bases, i, pairs[t, 3] != 0)
        if kind == _DOUBLE:
            xx = f_sqr(xb)
            lam = f_mul(f_add(f_add(xx, xx), xx), den_inv)
        else:
            lam = f_mul(f_sub(yp, yb), den_inv)
        x3 = f_sub(f_sub(f_sqr(lam), xb), xp)
        store_point(buckets, b, (x3, f_sub(f_mul(lam, f_sub(xb, x3)), yb)))


@njit(nogil=True, cache=True)
def msm_windows(bases, digits, indices, width, windows, batch, window_sums):
    """window_sums[w] = Σ_k digits[w, k]·bases[indices[k]], for each w in `windows`.

    Bucket method with affine buckets: up to `batch` additions into distinct buckets share
    one field inversion (Montgomery's trick gives every λ = Δy/Δx), about 6 multiplications
    per point instead of 11 for a Jacobian mixed addition. A point whose bucket already has an
    addition pending goes into that bucket's Jacobian overflow instead; overflows are flagged,
    so only the few buckets that have one are touched (the buckets stay small in cache). Then
    Σ_b (b+1)·bucket_b by a running sum. Threads take disjoint sets of windows (no GIL).
    """
    infinity = jac_infinity(zero_of(bases))
    coords = bases.shape[2:]
    n_buckets = 1 << (width - 1)
    buckets = np.empty((n_buckets, 2) + coords, np.uint64)
    overflow = np.empty((n_buckets, 3) + coords, np.uint64)
    filled = np.zeros(n_buckets, np.bool_)
    overflowed = np.zeros(n_buckets, np.bool_)
    stamp = np.full(n_buckets, -1, np.int64)
    pairs = np.empty((batch, 4), np.int64)
    prefix = np.empty((batch, 1) + coords, np.uint64)
    denominators = np.empty((batch, 1) + coords, np.uint64)
    one = f_one(zero_of(bases))
    batch_id = 0
    for w in windows:
        filled[:] = False
        overflowed[:] = False
        count = 0
        acc = one
        for k in range(indices.shape[0]):
            digit = digits[w, k]
            if digit == 0:
                continue
            i = indices[k]
            negative = digit < 0
            b = (-digit if negative else digit) - 1
            if stamp[b] == batch_id:
                xp, yp = _signed_affine(bases, i, negative)
                if overflowed[b]:
                    store_point(overflow, b, jac_add_affine(load_jacobian(overflow, b), (xp, yp)))
                else:
                    store_point(overflow, b, (xp, yp, one))
                    overflowed[b] = True
                continue
            if not filled[b]:
                store_point(buckets, b, _signed_affine(bases, i, negative))
                filled[b] = True
                continue
            stamp[b] = batch_id
            xb, yb = load_affine(buckets, b)
            xp, yp = _signed_affine(bases, i, negative)
            kind = _ADD
            den = f_sub(xp, xb)
            if f_is_zero(den):
                if f_eq(yp, yb):
                    kind = _DOUBLE
                    den = f_add(yb, yb)
                else:
                    kind = _CANCEL
                    den = one
            pairs[count, 0], pairs[count, 1], pairs[count, 2], pairs[count, 3] = b, i, kind, negative
            store_coord(prefix, count, 0, acc)
            store_coord(denominators, count, 0, den)
            acc = f_mul(acc, den)
            count += 1
            if count == batch:
                _apply_batch(bases, buckets, filled, pairs, count, prefix, denominators)
                count = 0
                acc = one
                batch_id += 1
        _apply_batch(bases, buckets, filled, pairs, count, prefix, denominators)
        batch_id += 1
        running = infinity
        total = infinity
        for b in range(n_buckets - 1, -1, -1):
            if filled[b]:
                running = jac_add_affine(running, load_affine(buckets, b))
            if overflowed[b]:
                running = jac_add(running, load_jacobian(overflow, b))
            total = jac_add(total, running)
        store_point(window_sums, w, total)


@njit(nogil=True, cache=True)
def msm_combine(window_sums, width, bases, ones, out):
    """out[0] = Σ_w 2^(w·width)·window_sums[w] + Σ_{i in ones} bases[i] (Jacobian)."""
    n_windows = window_sums.shape[0]
    acc = load_jacobian(window_sums, n_windows - 1)
    for w in range(n_windows - 2, -1, -1):
        for _ in range(width):
            acc = jac_double(acc)
        acc = jac_add(acc, load_jacobian(window_sums, w))
    for k in range(ones.shape[0]):
        acc = jac_add_affine(acc, load_affine(bases, ones[k]))
    store_point(out, 0, acc)


@njit(nogil=True, cache=True)
def fixed_base_table(base, width, table):
    """table[w, d−1] = d·2^(w·width)·base (Jacobian) for d = 1 .. 2^width − 1."""
    g = load_affine(base, 0)
    step = (g[0], g[1], f_one(g[0]))
    for w in range(table.shape[0]):
        acc = step
        for d in range(table.shape[1]):
            store_point(table[w], d, acc)
            acc = jac_add(acc, step)
        for _ in range(width):
            step = jac_double(step)


@njit(nogil=True, cache=True)
def fixed_base_mul(table, scalars, width, out, lo, hi):
    """out[i] = scalars[i]·base (Jacobian) for lo <= i < hi, from an affine window table."""
    infinity = jac_infinity(zero_of(out))
    for i in range(lo, hi):
        acc = infinity
        for w in range(table.shape[0]):
            digit = window_digit(scalars, i, w * width, width)
            if digit:
                acc = jac_add_affine(acc, load_affine(table[w], digit - 1))
        store_point(out, i, acc)


@njit(nogil=True, cache=True)
def to_affine(points, out, is_infinity, lo, hi):
    """Jacobian → affine for lo <= i < hi with one field inversion (batch-inversion trick)."""
    prefix = np.empty((max(hi - lo, 1), 1) + points.shape[2:], np.uint64)
    acc = f_one(zero_of(points))
    for i in range(lo, hi):
        store_coord(prefix, i - lo, 0, acc)
        z = load_coord(points, i, 2)
        if not f_is_zero(z):
            acc = f_mul(acc, z)
    inv = f_inv(acc)
    for i in range(hi - 1, lo - 1, -1):
        x, y, z = load_jacobian(points, i)
        is_infinity[i] = f_is_zero(z)
        if is_infinity[i]:
            store_point(out, i, (z, z))
            continue
        z_inv = f_mul(inv, load_coord(prefix, i - lo, 0))
        inv = f_mul(inv, z)
        z2 = f_sqr(z_inv)
        store_point(out, i, (f_mul(x, z2), f_mul(y, f_mul(z2, z_inv))))


# ---------------------------------------------------------------- conversions and NTT


@njit
def _row4(a, i):
    return (a[i, 0], a[i, 1], a[i, 2], a[i, 3])


@njit
def _set4(a, i, x):
    for limb in range(4):
        a[i, limb] = x[limb]


@njit(nogil=True, cache=True)
def mont_convert(values, factor, p, pinv):
    """values[i]·factor·2^-256 mod p for rows of 4 limbs: factor 2^512 mod p enters Montgomery
    form, factor 1 leaves it."""
    out = np.empty_like(values)
    for i in range(values.shape[0]):
        _set4(out, i, mont_mul(_row4(values, i), factor, p, pinv))
    return out


@njit(nogil=True, cache=True)
def fr_scale_powers(values, first, ratio):
    """values[i] ← values[i]·first·ratioⁱ in Fr (Montgomery form): NTT scaling and cosets."""
    w = first
    for i in range(values.shape[0]):
        _set4(values, i, fr_mul(_row4(values, i), w))
        w = fr_mul(w, ratio)


@njit(nogil=True, cache=True)
def ntt_in_place(a, omega):
    """a ← (Σ_j a_j·ω^(i·j))_i over Fr in Montgomery form: bit reversal, then radix-2 layers."""
    n = a.shape[0]
    j = 0
    for i in range(1, n):
        bit = n >> 1
        while j & bit:
            j ^= bit
            bit >>= 1
        j ^= bit
        if i < j:
            for limb in range(4):
                a[i, limb], a[j, limb] = a[j, limb], a[i, limb]
    twiddles = np.empty((max(n // 2, 1), 4), np.uint64)
    w = R_ONE
    for k in range(twiddles.shape[0]):
        _set4(twiddles, k, w)
        w = fr_mul(w, omega)
    half = 1
    while half < n:
        stride = n // (2 * half)
        for start in range(0, n, 2 * half):
            for k in range(half):
                top = start + k
                u = _row4(a, top)
                v = fr_mul(_row4(a, top + half), _row4(twiddles, k * stride))
                _set4(a, top, mod_add(u, v, R_LIMBS))
                _set4(a, top + half, mod_sub(u, v, R_LIMBS))
        half *= 2


# ---------------------------------------------------------------- one scalar per base (ceremonies)


@njit(nogil=True, cache=True)
def mul_each(bases, is_infinity, scalars, out, lo, hi):
    """out[i] = scalars[i]·bases[i] (Jacobian) for lo <= i < hi: double-and-add from bit 253
    (scalars are standard-form limbs below r < 2^254)."""
    infinity = jac_infinity(zero_of(out))
    for i in range(lo, hi):
        acc = infinity
        if not is_infinity[i]:
            base = load_affine(bases, i)
            for bit in range(253, -1, -1):
                acc = jac_double(acc)
                if (scalars[i, bit >> 6] >> np.uint64(bit & 63)) & np.uint64(1):
                    acc = jac_add_affine(acc, base)
        store_point(out, i, acc)


# ---------------------------------------------------------------- reading key files


@njit(nogil=True, cache=True)
def first_off_curve(points, b, lo, hi):
    """The first i in [lo, hi) whose affine point (coordinates canonical, Montgomery form) is
    neither all zero (snarkjs's infinity) nor on y² = x³ + b; hi if every point is."""
    for i in range(lo, hi):
        x, y = load_affine(points, i)
        if f_is_zero(x) and f_is_zero(y):
            continue
        if not f_eq(f_sqr(y), f_add(f_mul(f_sqr(x), x), b)):
            return i
    return hi


# ---------------------------------------------------------------- a .zkey's QAP rows (the prover)


@njit(nogil=True, cache=True)
def zkey_rows(matrix, row, wire, value, witness, a, b):
    """a[row] += value·witness[wire] for matrix 0 (A), b[row] for matrix 1 (B), over Fr. The
    value is snarkjs's stored v·R² and the witness plain (standard-form) limbs, so each
    Montgomery product is v·w in Montgomery form: a and b come out in Montgomery form."""
    for k in range(matrix.shape[0]):
        t = fr_mul(_row4(value, k), _row4(witness, wire[k]))
        j = row[k]
        if matrix[k] == 0:
            _set4(a, j, mod_add(_row4(a, j), t, R_LIMBS))
        else:
            _set4(b, j, mod_add(_row4(b, j), t, R_LIMBS))


@njit(nogil=True, cache=True)
def fr_mul_sub(a, b, c, out):
    """out[i] = a[i]·b[i] − c[i] over Fr, Montgomery form."""
    for i in range(a.shape[0]):
        _set4(out, i, mod_sub(fr_mul(_row4(a, i), _row4(b, i)), _row4(c, i), R_LIMBS))
