"""numba kernels of the BN254 pairing: the Fq2 → Fq6 → Fq12 tower, the optimal-ate Miller loop
over precomputed G2 lines, the final exponentiation, and G1/G2 curve and subgroup checks.

Built on the Montgomery Fq and Fq2 arithmetic and the Jacobian formulas of _fast_kernels.py
(imported, not copied). numba's disk cache tracks only the source file of each cached function,
so the `_Dependent*Locator`s below add _fast_kernels.py's content to the freshness stamp of
this file's kernels: editing either file recompiles them.

Tower (the one snarkjs and the EIP-197 literature use):
  Fq2  = Fq[u]/(u² + 1)        (c0, c1)
  Fq6  = Fq2[v]/(v³ − ξ), ξ = 9 + u     (c0, c1, c2)
  Fq12 = Fq6[w]/(w² − v)       (g, h) = g + h·w;   arrays: (6, 2, 4) = g0 g1 g2 h0 h1 h2
Coefficient (i, j) of Fq12 (h if i = 1, then v^j) multiplies w^(i + 2j).

G2 lines: the Miller loop's line through T (and Q) on the twist, evaluated at P = (xP, yP) of
G1 and untwisted by (x, y) ↦ (x·w², y·w³), is a·yP + b·xP·w + c·v·w with a, b, c in Fq2. They
depend on Q alone, so a fixed G2 point (a verifying key's β, γ, δ) is prepared once: an array
(n_lines, 3, 2, 4) of (a, b, c). Each line is scaled by an Fq2 factor, which the final
exponentiation removes (it kills every element of a proper subfield).
"""

import hashlib
import inspect
from pathlib import Path

import numpy as np
from numba import njit
from numba.core import caching
from numba.extending import overload

from . import _fast_kernels
from ._fast_kernels import (
    Q_LIMBS,
    Q_ONE,
    ZERO4,
    f_eq,
    f_inv,
    f_is_zero,
    f_sqr,
    fq2_mul,
    fq2_sqr,
    fq_mul,
    jac_add_affine,
    jac_double,
    load_affine,
    mod_add,
    mod_sub,
)
from ..field import Q

# ---------------------------------------------------------------- numba cache freshness


class _DependentStamp:
    """A numba cache locator with _fast_kernels.py's content in the freshness stamp."""

    _dependency = Path(inspect.getfile(_fast_kernels))

    def get_source_stamp(self):
        return (super().get_source_stamp(), hashlib.sha256(self._dependency.read_bytes()).hexdigest())

    @classmethod
    def from_function(cls, py_func, py_file):
        if Path(py_file).resolve() != Path(__file__).resolve():
            return None
        return super().from_function(py_func, py_file)


class _DependentUserProvidedLocator(_DependentStamp, caching.UserProvidedCacheLocator):
    """The cache directory zk.cache configures (numba.config.CACHE_DIR), when there is one."""


class _DependentInTreeLocator(_DependentStamp, caching.InTreeCacheLocator):
    """numba's __pycache__ beside the source otherwise."""


for _locator in reversed((_DependentUserProvidedLocator, _DependentInTreeLocator)):
    if _locator not in caching.CacheImpl._locator_classes:
        caching.CacheImpl._locator_classes.insert(0, _locator)

# ---------------------------------------------------------------- constants (Python side)

BN_X = 4965661367192848881  # the BN254 parameter: q and r are polynomials in it


def _naf(n: int) -> list[int]:
    """Non-adjacent form of n, least significant digit first (digits −1, 0, 1)."""
    digits = []
    while n:
        digit = (2 - n % 4) if n & 1 else 0
        digits.append(digit)
        n = (n - digit) // 2
    return digits


def _mont(x: int) -> tuple:
    m = (x << 256) % Q
    return tuple(np.uint64((m >> (64 * i)) & (2**64 - 1)) for i in range(4))


def _fq2_pow(base: tuple[int, int], e: int) -> tuple[int, int]:
    result, square = (1, 0), base
    while e:
        if e & 1:
            result = ((result[0] * square[0] - result[1] * square[1]) % Q, (result[0] * square[1] + result[1] * square[0]) % Q)
        square = ((square[0] ** 2 - square[1] ** 2) % Q, 2 * square[0] * square[1] % Q)
        e >>= 1
    return result


def _mont2(c: tuple[int, int]) -> tuple:
    return (_mont(c[0]), _mont(c[1]))


XI = (9, 1)
# ξ^(k(q^p − 1)/6) for p = 1, 2, 3 and k = 0..5: w^(q^p) = w·ξ^((q^p − 1)/6) for Frobenius maps.
_FROBENIUS = tuple(
    tuple(_mont2(_fq2_pow(XI, k * (Q**p - 1) // 6)) for k in range(6)) for p in (1, 2, 3)
)
FROB1, FROB2, FROB3 = _FROBENIUS
# ψ on the twist (untwist, Frobenius, twist): (x, y) ↦ (x̄·ξ^((q−1)/3), ȳ·ξ^((q−1)/2)).
PSI_X = FROB1[2]
PSI_Y = FROB1[3]
# π² on the twist: (x, y) ↦ (x·ξ^((q²−1)/3), y·ξ^((q²−1)/2)), and ξ^((q²−1)/2) = −1.
PI2_X = FROB2[2]
TWIST_B = _mont2((19485874751759354771024239261021720505790618469301721065564631296452457478373,
                  266929791119991161246907387137283842545076965332900288569378510910307636690))
TWIST_3B = _mont2(tuple(3 * c % Q for c in (19485874751759354771024239261021720505790618469301721065564631296452457478373,
                                          266929791119991161246907387137283842545076965332900288569378510910307636690)))
G1_B = _mont(3)
TWO_INV = _mont(pow(2, -1, Q))

# Loop digits, most significant first, without the leading 1 (T starts at Q).
ATE_DIGITS = np.array(_naf(6 * BN_X + 2)[::-1][1:], dtype=np.int8)
N_LINES = len(ATE_DIGITS) + int(np.count_nonzero(ATE_DIGITS)) + 2
X_DIGITS = np.array(_naf(BN_X)[::-1][1:], dtype=np.int8)
# ψ(Q) = [6x²]Q exactly on the order-r subgroup of the twist (q ≡ 6x² mod r), and only there.
SUBGROUP_SCALAR = 6 * BN_X * BN_X
SUBGROUP_DIGITS = np.array(_naf(SUBGROUP_SCALAR)[::-1][1:], dtype=np.int8)

# ---------------------------------------------------------------- Fq2


@njit
def fq_neg(a):
    return mod_sub(ZERO4, a, Q_LIMBS)


@njit
def fq2_add(a, b):
    return (mod_add(a[0], b[0], Q_LIMBS), mod_add(a[1], b[1], Q_LIMBS))


@njit
def fq2_sub(a, b):
    return (mod_sub(a[0], b[0], Q_LIMBS), mod_sub(a[1], b[1], Q_LIMBS))


@njit
def fq2_dbl(a):
    return fq2_add(a, a)


@njit
def fq2_neg(a):
    return (fq_neg(a[0]), fq_neg(a[1]))


@njit
def fq2_conj(a):
    return (a[0], fq_neg(a[1]))


@njit
def fq2_scale(a, s):
    """a·s for a in Fq2 and s in Fq."""
    return (fq_mul(a[0], s), fq_mul(a[1], s))


@njit
def fq2_mul_xi(a):
    """a·(9 + u) = (9a0 − a1) + (a0 + 9a1)·u, by additions."""
    t0 = mod_add(a[0], a[0], Q_LIMBS)
    t0 = mod_add(t0, t0, Q_LIMBS)
    t0 = mod_add(mod_add(t0, t0, Q_LIMBS), a[0], Q_LIMBS)
    t1 = mod_add(a[1], a[1], Q_LIMBS)
    t1 = mod_add(t1, t1, Q_LIMBS)
    t1 = mod_add(mod_add(t1, t1, Q_LIMBS), a[1], Q_LIMBS)
    return (mod_sub(t0, a[1], Q_LIMBS), mod_add(a[0], t1, Q_LIMBS))


FQ2_ZERO = (ZERO4, ZERO4)
FQ2_ONE = (Q_ONE, ZERO4)

# ---------------------------------------------------------------- Fq6


@njit
def fq6_add(a, b):
    return (fq2_add(a[0], b[0]), fq2_add(a[1], b[1]), fq2_add(a[2], b[2]))


@njit
def fq6_sub(a, b):
    return (fq2_sub(a[0], b[0]), fq2_sub(a[1], b[1]), fq2_sub(a[2], b[2]))


@njit
def fq6_neg(a):
    return (fq2_neg(a[0]), fq2_neg(a[1]), fq2_neg(a[2]))


@njit
def fq6_mul(a, b):
    """Karatsuba over v³ = ξ: six Fq2 multiplications."""
    t0 = fq2_mul(a[0], b[0])
    t1 = fq2_mul(a[1], b[1])
    t2 = fq2_mul(a[2], b[2])
    c0 = fq2_sub(fq2_sub(fq2_mul(fq2_add(a[1], a[2]), fq2_add(b[1], b[2])), t1), t2)
    c1 = fq2_sub(fq2_sub(fq2_mul(fq2_add(a[0], a[1]), fq2_add(b[0], b[1])), t0), t1)
    c2 = fq2_sub(fq2_sub(fq2_mul(fq2_add(a[0], a[2]), fq2_add(b[0], b[2])), t0), t2)
    return (fq2_add(t0, fq2_mul_xi(c0)), fq2_add(c1, fq2_mul_xi(t2)), fq2_add(c2, t1))


@njit
def fq6_mul_01(a, b0, b1):
    """a·(b0 + b1·v): five Fq2 multiplications."""
    t0 = fq2_mul(a[0], b0)
    t1 = fq2_mul(a[1], b1)
    c0 = fq2_add(t0, fq2_mul_xi(fq2_sub(fq2_mul(fq2_add(a[1], a[2]), b1), t1)))
    c1 = fq2_sub(fq2_sub(fq2_mul(fq2_add(a[0], a[1]), fq2_add(b0, b1)), t0), t1)
    c2 = fq2_add(fq2_sub(fq2_mul(fq2_add(a[0], a[2]), b0), t0), t1)
    return (c0, c1, c2)


@njit
def fq6_mul_v(a):
    """a·v: (a0, a1, a2) ↦ (ξ·a2, a0, a1)."""
    return (fq2_mul_xi(a[2]), a[0], a[1])


@njit
def fq6_inv(a):
    t0 = fq2_sub(fq2_sqr(a[0]), fq2_mul_xi(fq2_mul(a[1], a[2])))
    t1 = fq2_sub(fq2_mul_xi(fq2_sqr(a[2])), fq2_mul(a[0], a[1]))
    t2 = fq2_sub(fq2_sqr(a[1]), fq2_mul(a[0], a[2]))
    norm = fq2_add(fq2_mul(a[0], t0), fq2_mul_xi(fq2_add(fq2_mul(a[2], t1), fq2_mul(a[1], t2))))
    inv = f_inv(norm)
    return (fq2_mul(t0, inv), fq2_mul(t1, inv), fq2_mul(t2, inv))


FQ6_ZERO = (FQ2_ZERO, FQ2_ZERO, FQ2_ZERO)
FQ6_ONE = (FQ2_ONE, FQ2_ZERO, FQ2_ZERO)

# ---------------------------------------------------------------- Fq12

FQ12_ONE = (FQ6_ONE, FQ6_ZERO)


@njit
def fq12_mul(a, b):
    t0 = fq6_mul(a[0], b[0])
    t1 = fq6_mul(a[1], b[1])
    cross = fq6_mul(fq6_add(a[0], a[1]), fq6_add(b[0], b[1]))
    return (fq6_add(t0, fq6_mul_v(t1)), fq6_sub(fq6_sub(cross, t0), t1))


@njit
def fq12_sqr(a):
    """(g + h·w)² = (g + h)(g + h·v) − gh − gh·v + 2gh·w: two Fq6 multiplications."""
    gh = fq6_mul(a[0], a[1])
    mixed = fq6_mul(fq6_add(a[0], a[1]), fq6_add(a[0], fq6_mul_v(a[1])))
    return (fq6_sub(fq6_sub(mixed, gh), fq6_mul_v(gh)), fq6_add(gh, gh))


@njit
def fq12_conj(a):
    """a^(q⁶): the inverse on the cyclotomic subgroup."""
    return (a[0], fq6_neg(a[1]))


@njit
def fq12_inv(a):
    inv = fq6_inv(fq6_sub(fq6_mul(a[0], a[0]), fq6_mul_v(fq6_mul(a[1], a[1]))))
    return (fq6_mul(a[0], inv), fq6_neg(fq6_mul(a[1], inv)))


@njit
def fq12_mul_line(f, a, b, c):
    """f·(a + b·w + c·v·w), the sparse product with a line: thirteen Fq2 multiplications."""
    t0 = (fq2_mul(f[0][0], a), fq2_mul(f[0][1], a), fq2_mul(f[0][2], a))
    t1 = fq6_mul_01(f[1], b, c)
    cross = fq6_mul_01(fq6_add(f[0], f[1]), fq2_add(a, b), c)
    return (fq6_add(t0, fq6_mul_v(t1)), fq6_sub(fq6_sub(cross, t0), t1))


@njit
def _frobenius(a, consts, conjugate):
    """a^(q^p): conjugate each coefficient if p is odd, then scale w^k's by ξ^(k(q^p − 1)/6)."""
    g, h = a
    if conjugate:
        g = (fq2_conj(g[0]), fq2_conj(g[1]), fq2_conj(g[2]))
        h = (fq2_conj(h[0]), fq2_conj(h[1]), fq2_conj(h[2]))
    return (
        (g[0], fq2_mul(g[1], consts[2]), fq2_mul(g[2], consts[4])),
        (fq2_mul(h[0], consts[1]), fq2_mul(h[1], consts[3]), fq2_mul(h[2], consts[5])),
    )


@njit
def fq12_frob1(a):
    return _frobenius(a, FROB1, True)


@njit
def fq12_frob2(a):
    return _frobenius(a, FROB2, False)


@njit
def fq12_frob3(a):
    return _frobenius(a, FROB3, True)


@njit
def _fq4_sqr(a0, a1):
    """(a0 + a1·s)² in Fq4 = Fq2[s]/(s² − ξ)."""
    product = fq2_mul(a0, a1)
    real = fq2_sub(fq2_sub(fq2_mul(fq2_add(a0, a1), fq2_add(a0, fq2_mul_xi(a1))), product), fq2_mul_xi(product))
    return real, fq2_dbl(product)


@njit
def _triple_minus_double(t, z):
    """3t − 2z."""
    d = fq2_sub(t, z)
    return fq2_add(fq2_dbl(d), t)


@njit
def _triple_plus_double(t, z):
    """3t + 2z."""
    d = fq2_add(t, z)
    return fq2_add(fq2_dbl(d), t)


@njit
def fq12_cyclotomic_sqr(a):
    """a² for a in the cyclotomic subgroup (Granger–Scott). With s = w³, t = w, Fq12 is
    Fq4[t]/(t³ − s) and a = A + B·t + C·t²; then a² = (3A² − 2Ā) + (3s·C² + 2B̄)·t + (3B² − 2C̄)·t²."""
    (z0, z4, z3), (z2, z1, z5) = a
    t0, t1 = _fq4_sqr(z0, z1)  # A = z0 + z1·s
    t2, t3 = _fq4_sqr(z2, z3)  # B = z2 + z3·s
    t4, t5 = _fq4_sqr(z4, z5)  # C = z4 + z5·s
    return (
        (_triple_minus_double(t0, z0), _triple_minus_double(t2, z4), _triple_minus_double(t4, z3)),
        (_triple_plus_double(fq2_mul_xi(t5), z2), _triple_plus_double(t1, z1), _triple_plus_double(t3, z5)),
    )


@njit
def _cyclotomic_pow_x(a):
    """a^x on the cyclotomic subgroup, by the NAF of x (inverses are conjugates)."""
    acc = a
    a_inv = fq12_conj(a)
    for k in range(X_DIGITS.shape[0]):
        acc = fq12_cyclotomic_sqr(acc)
        digit = X_DIGITS[k]
        if digit == 1:
            acc = fq12_mul(acc, a)
        elif digit == -1:
            acc = fq12_mul(acc, a_inv)
    return acc


@njit
def final_exp(f):
    """f^((q¹² − 1)/r): easy part (q⁶ − 1)(q² + 1), then the hard part (q⁴ − q² + 1)/r written as
    λ0 + λ1·q + λ2·q² + λ3·q³ in x (Scott et al.'s vectorial addition chain), exactly."""
    m = fq12_mul(fq12_conj(f), fq12_inv(f))
    m = fq12_mul(fq12_frob2(m), m)
    fx = _cyclotomic_pow_x(m)
    fx2 = _cyclotomic_pow_x(fx)
    fx3 = _cyclotomic_pow_x(fx2)
    y0 = fq12_mul(fq12_mul(fq12_frob1(m), fq12_frob2(m)), fq12_frob3(m))
    y1 = fq12_conj(m)
    y2 = fq12_frob2(fx2)
    y3 = fq12_conj(fq12_frob1(fx))
    y4 = fq12_conj(fq12_mul(fx, fq12_frob1(fx2)))
    y5 = fq12_conj(fx2)
    y6 = fq12_conj(fq12_mul(fx3, fq12_frob1(fx3)))
    # y0 · y1² · y2⁶ · y3¹² · y4¹⁸ · y5³⁰ · y6³⁶
    t0 = fq12_mul(fq12_mul(fq12_cyclotomic_sqr(y6), y4), y5)
    t1 = fq12_mul(fq12_mul(y3, y5), t0)
    t0 = fq12_mul(t0, y2)
    t1 = fq12_mul(fq12_cyclotomic_sqr(t1), t0)
    t1 = fq12_cyclotomic_sqr(t1)
    t0 = fq12_mul(t1, y1)
    t1 = fq12_mul(t1, y0)
    return fq12_mul(fq12_cyclotomic_sqr(t0), t1)


# ---------------------------------------------------------------- Miller loop lines


@njit
def _doubling_step(t):
    """2T in homogeneous projective coordinates on the twist, and the tangent line at T."""
    x, y, z = t
    a = fq2_scale(fq2_mul(x, y), TWO_INV)
    b = fq2_sqr(y)
    c = fq2_sqr(z)
    e = fq2_mul(TWIST_3B, c)
    f = fq2_add(fq2_dbl(e), e)
    g = fq2_scale(fq2_add(b, f), TWO_INV)
    h = fq2_sub(fq2_sqr(fq2_add(y, z)), fq2_add(b, c))
    e2 = fq2_sqr(e)
    doubled = (fq2_mul(a, fq2_sub(b, f)), fq2_sub(fq2_sqr(g), fq2_add(fq2_dbl(e2), e2)), fq2_mul(b, h))
    xx = fq2_sqr(x)
    return doubled, (fq2_neg(h), fq2_add(fq2_dbl(xx), xx), fq2_sub(e, b))


@njit
def _addition_step(t, q):
    """T + Q for projective T and affine Q on the twist, and the line through them."""
    x, y, z = t
    qx, qy = q
    theta = fq2_sub(y, fq2_mul(qy, z))
    lam = fq2_sub(x, fq2_mul(qx, z))
    c = fq2_sqr(theta)
    d = fq2_sqr(lam)
    e = fq2_mul(lam, d)
    f = fq2_mul(z, c)
    g = fq2_mul(x, d)
    h = fq2_sub(fq2_add(e, f), fq2_dbl(g))
    added = (fq2_mul(lam, h), fq2_sub(fq2_mul(theta, fq2_sub(g, h)), fq2_mul(e, y)), fq2_mul(z, e))
    line = (lam, fq2_neg(theta), fq2_sub(fq2_mul(theta, qx), fq2_mul(lam, qy)))
    return added, line


@njit
def _store_line(out, i, k, line):
    for j in range(3):
        for c in range(2):
            for limb in range(4):
                out[i, k, j, c, limb] = line[j][c][limb]


@njit
def _load_line(lines, i, k, j):
    return (
        (lines[i, k, j, 0, 0], lines[i, k, j, 0, 1], lines[i, k, j, 0, 2], lines[i, k, j, 0, 3]),
        (lines[i, k, j, 1, 0], lines[i, k, j, 1, 1], lines[i, k, j, 1, 2], lines[i, k, j, 1, 3]),
    )


@njit(nogil=True, cache=True)
def g2_lines(points, out):
    """out[i] = the N_LINES lines of the Miller loop for the affine G2 point points[i] (not
    infinity), in the order multi_miller_loop consumes them: per digit of 6x + 2 a tangent and,
    for a nonzero digit, a line through ±Q; then the lines through π(Q) and −π²(Q)."""
    for i in range(points.shape[0]):
        q = load_affine(points, i)
        q_neg = (q[0], fq2_neg(q[1]))
        t = (q[0], q[1], FQ2_ONE)
        k = 0
        for digit in ATE_DIGITS:
            t, line = _doubling_step(t)
            _store_line(out, i, k, line)
            k += 1
            if digit != 0:
                t, line = _addition_step(t, q if digit == 1 else q_neg)
                _store_line(out, i, k, line)
                k += 1
        q1 = (fq2_mul(fq2_conj(q[0]), PSI_X), fq2_mul(fq2_conj(q[1]), PSI_Y))
        q2_neg = (fq2_mul(q[0], PI2_X), q[1])
        t, line = _addition_step(t, q1)
        _store_line(out, i, k, line)
        _, line = _addition_step(t, q2_neg)
        _store_line(out, i, k + 1, line)


@njit
def _mul_lines(f, g1, lines, k):
    for i in range(g1.shape[0]):
        xp, yp = load_affine(g1, i)
        f = fq12_mul_line(
            f,
            fq2_scale(_load_line(lines, i, k, 0), yp),
            fq2_scale(_load_line(lines, i, k, 1), xp),
            _load_line(lines, i, k, 2),
        )
    return f


@njit
def _miller_product(g1, lines):
    f = FQ12_ONE
    k = 0
    for digit in ATE_DIGITS:
        f = fq12_sqr(f)
        f = _mul_lines(f, g1, lines, k)
        k += 1
        if digit != 0:
            f = _mul_lines(f, g1, lines, k)
            k += 1
    f = _mul_lines(f, g1, lines, k)
    return _mul_lines(f, g1, lines, k + 1)


@njit
def _load_fq2(a, k):
    return ((a[k, 0, 0], a[k, 0, 1], a[k, 0, 2], a[k, 0, 3]), (a[k, 1, 0], a[k, 1, 1], a[k, 1, 2], a[k, 1, 3]))


@njit
def _load_fq12(a):
    return ((_load_fq2(a, 0), _load_fq2(a, 1), _load_fq2(a, 2)), (_load_fq2(a, 3), _load_fq2(a, 4), _load_fq2(a, 5)))


@njit
def _store_fq12(out, f):
    for i in range(2):
        for j in range(3):
            for c in range(2):
                for limb in range(4):
                    out[3 * i + j, c, limb] = f[i][j][c][limb]


@njit(nogil=True, cache=True)
def multi_miller_loop(g1, lines, out):
    """out = Π_i f_{6x+2, Q_i}(P_i)·(the two Frobenius lines), before the final exponentiation;
    g1 (n, 2, 4) affine points (not infinity), lines (n, N_LINES, 3, 2, 4) from g2_lines."""
    _store_fq12(out, _miller_product(g1, lines))


@njit
def _store_fq2(out, i, k, a):
    for c in range(2):
        for limb in range(4):
            out[i, k, c, limb] = a[c][limb]


@njit
def _mul_line_at(f, line, xp, yp):
    return fq12_mul_line(f, fq2_scale(line[0], yp), fq2_scale(line[1], xp), line[2])


@njit(nogil=True, cache=True)
def multi_miller_loop_mixed(g1_fixed, lines, g1_var, g2_var, out):
    """out = the Miller product of the pairs (g1_fixed[i], lines[i]) and (g1_var[j], g2_var[j]):
    fixed G2 points by their prepared lines, the others' lines computed on the fly in the same
    loop (no line array stored and read back). Affine points, none at infinity."""
    n = g2_var.shape[0]
    ts = np.empty((n, 3, 2, 4), np.uint64)  # the running T_j, homogeneous projective
    for j in range(n):
        q = load_affine(g2_var, j)
        _store_fq2(ts, j, 0, q[0])
        _store_fq2(ts, j, 1, q[1])
        _store_fq2(ts, j, 2, FQ2_ONE)
    f = FQ12_ONE
    k = 0
    for step in range(ATE_DIGITS.shape[0]):
        digit = ATE_DIGITS[step]
        if step:
            f = fq12_sqr(f)
        f = _mul_lines(f, g1_fixed, lines, k)
        for j in range(n):
            xp, yp = load_affine(g1_var, j)
            t, line = _doubling_step(_load_fq2_triple(ts, j))
            _store_triple(ts, j, t)
            f = _mul_line_at(f, line, xp, yp)
        k += 1
        if digit != 0:
            f = _mul_lines(f, g1_fixed, lines, k)
            for j in range(n):
                xp, yp = load_affine(g1_var, j)
                q = load_affine(g2_var, j)
                if digit == -1:
                    q = (q[0], fq2_neg(q[1]))
                t, line = _addition_step(_load_fq2_triple(ts, j), q)
                _store_triple(ts, j, t)
                f = _mul_line_at(f, line, xp, yp)
            k += 1
    f = _mul_lines(f, g1_fixed, lines, k)
    f = _mul_lines(f, g1_fixed, lines, k + 1)
    for j in range(n):
        xp, yp = load_affine(g1_var, j)
        q = load_affine(g2_var, j)
        q1 = (fq2_mul(fq2_conj(q[0]), PSI_X), fq2_mul(fq2_conj(q[1]), PSI_Y))
        q2_neg = (fq2_mul(q[0], PI2_X), q[1])
        t, line = _addition_step(_load_fq2_triple(ts, j), q1)
        f = _mul_line_at(f, line, xp, yp)
        _, line = _addition_step(t, q2_neg)
        f = _mul_line_at(f, line, xp, yp)
    _store_fq12(out, f)


@njit
def _load_fq2_triple(a, j):
    return (_load_fq2(a[j], 0), _load_fq2(a[j], 1), _load_fq2(a[j], 2))


@njit
def _store_triple(a, j, t):
    for k in range(3):
        _store_fq2(a, j, k, t[k])


@njit(nogil=True, cache=True)
def final_exponentiation_is_one(partials):
    """Π_i partials[i] (Miller products, (n, 6, 2, 4)) raised to (q¹² − 1)/r, compared with 1."""
    f = _load_fq12(partials[0])
    for i in range(1, partials.shape[0]):
        f = fq12_mul(f, _load_fq12(partials[i]))
    g = final_exp(f)
    one = FQ12_ONE
    for i in range(2):
        for j in range(3):
            for c in range(2):
                if not f_eq(g[i][j][c], one[i][j][c]):
                    return False
    return True


@njit(nogil=True, cache=True)
def final_exponentiation(f, out):
    """out = f^((q¹² − 1)/r) for Fq12 arrays (6, 2, 4)."""
    _store_fq12(out, final_exp(_load_fq12(f)))


# ---------------------------------------------------------------- curve and subgroup checks


def curve_b(like):
    """The constant b of the curve whose coordinates have the type of `like`."""


@overload(curve_b)
def _curve_b(like):
    if _fast_kernels._is_fq(like):
        return lambda like: G1_B
    return lambda like: TWIST_B


@njit(nogil=True, cache=True)
def on_curve(points, out):
    """out[i] = points[i] satisfies y² = x³ + b (G1, or the twist for Fq2 coordinates);
    coordinates in Montgomery form and < q (the caller range-checks)."""
    for i in range(points.shape[0]):
        x, y = load_affine(points, i)
        rhs = f_sqr(x)
        rhs = _fast_kernels.f_add(_fast_kernels.f_mul(rhs, x), curve_b(x))
        out[i] = f_eq(f_sqr(y), rhs)


@njit(nogil=True, cache=True)
def g2_in_subgroup(points, out):
    """out[i] = ψ(Q) == [6x²]Q for the affine twist points Q = points[i] (on the curve, not
    infinity): the order-r subgroup is exactly where this holds (El Housni, Guillevic, Piellard)."""
    for i in range(points.shape[0]):
        q = load_affine(points, i)
        q_neg = (q[0], fq2_neg(q[1]))
        acc = (q[0], q[1], FQ2_ONE)
        for digit in SUBGROUP_DIGITS:
            acc = jac_double(acc)
            if digit == 1:
                acc = jac_add_affine(acc, q)
            elif digit == -1:
                acc = jac_add_affine(acc, q_neg)
        px = fq2_mul(fq2_conj(q[0]), PSI_X)
        py = fq2_mul(fq2_conj(q[1]), PSI_Y)
        x, y, z = acc
        if f_is_zero(z):
            out[i] = False
            continue
        zz = fq2_sqr(z)
        out[i] = f_eq(x, fq2_mul(px, zz)) and f_eq(y, fq2_mul(py, fq2_mul(zz, z)))


# ---------------------------------------------------------------- small MSMs (verification)


@njit(nogil=True, cache=True)
def g1_lincomb(points, is_infinity, scalars, out):
    """out[0] = Σ scalars[i]·points[i] in affine form, or returns False for infinity. Straus:
    one doubling chain shared by every term; for the few points of a verification, where
    Pippenger's buckets and threads cost more than they save. Scalars are standard-form limbs."""
    acc = (FQ2_ONE[0], FQ2_ONE[0], ZERO4)
    for bit in range(255, -1, -1):
        acc = jac_double(acc)
        for i in range(points.shape[0]):
            if not is_infinity[i] and (scalars[i, bit >> 6] >> np.uint64(bit & 63)) & np.uint64(1):
                acc = jac_add_affine(acc, load_affine(points, i))
    x, y, z = acc
    if f_is_zero(z):
        return False
    z_inv = f_inv(z)
    zz = fq_mul(z_inv, z_inv)
    for limb in range(4):
        out[0, 0, limb] = fq_mul(x, zz)[limb]
        out[0, 1, limb] = fq_mul(y, fq_mul(zz, z_inv))[limb]
    return True
