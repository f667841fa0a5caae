"""The BN254 pairing in plain Python ints, written for speed: no numba, no numpy, no py_ecc objects.

For a process that checks one proof and exits (`zktrade verify`), where importing numba and
loading its compiled kernels costs more than the whole check. Same interface as pairing.py (the
numba one), same tower and the same formulas, so the two are compared line by line in
tests/zk/test_pairing_python.py, and both against py_ecc.

Tower (as in _pairing_kernels.py):
  Fq2  = Fq[u]/(u² + 1)                  (a0, a1)
  Fq6  = Fq2[v]/(v³ − ξ), ξ = 9 + u      6 ints: c0, c1, c2 (each an Fq2)
  Fq12 = Fq6[w]/(w² − v)                 12 ints: g (an Fq6) then h (an Fq6), g + h·w
Elements are flat tuples of ints; each product is written out in ints with one reduction mod q
per output coefficient (lazy reduction: Python ints do not overflow), which is where the speed
over py_ecc's generic polynomial code comes from.

A line of the Miller loop, for P = (xP, yP) in G1, is a·yP + b·xP·w + c·v·w with a, b, c in
Fq2 depending on Q alone (scaled by an Fq2 factor the final exponentiation removes), so the
product with it is sparse. `prepare_g2` keeps those lines for fixed points.
"""

from collections.abc import Sequence

from ..curve import G1_INFINITY, G2_INFINITY, TWIST_B, G1Point, G2Point
from ..field import Q, R

BN_X = 4965661367192848881


def _naf(n: int) -> list[int]:
    """Non-adjacent form of n, least significant digit first."""
    digits = []
    while n:
        digit = (2 - n % 4) if n & 1 else 0
        digits.append(digit)
        n = (n - digit) // 2
    return digits


ATE_DIGITS = tuple(_naf(6 * BN_X + 2)[::-1][1:])  # most significant first, the leading 1 dropped
X_DIGITS = tuple(_naf(BN_X)[::-1][1:])
SUBGROUP_DIGITS = tuple(_naf(6 * BN_X * BN_X)[::-1][1:])  # ψ(Q) = [6x²]Q exactly on G2

# ---------------------------------------------------------------- Fq2


def _fq2_mul(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    a0, a1 = a
    b0, b1 = b
    return ((a0 * b0 - a1 * b1) % Q, (a0 * b1 + a1 * b0) % Q)


def _fq2_sqr(a: tuple[int, int]) -> tuple[int, int]:
    a0, a1 = a
    return ((a0 + a1) * (a0 - a1) % Q, 2 * a0 * a1 % Q)


def _fq2_inv(a: tuple[int, int]) -> tuple[int, int]:
    a0, a1 = a
    t = pow(a0 * a0 + a1 * a1, -1, Q)
    return (a0 * t % Q, -a1 * t % Q)


def _fq2_pow(a: tuple[int, int], e: int) -> tuple[int, int]:
    result = (1, 0)
    while e:
        if e & 1:
            result = _fq2_mul(result, a)
        a = _fq2_sqr(a)
        e >>= 1
    return result


def _powers(g: tuple[int, int]) -> tuple:
    """(1, g, g², ..., g⁵)."""
    out = [(1, 0)]
    for _ in range(5):
        out.append(_fq2_mul(out[-1], g))
    return tuple(out)


XI = (9, 1)
# ξ^(k(q^p − 1)/6), k = 0..5, for the Frobenius maps a ↦ a^(q^p), p = 1, 2, 3. With
# γ = ξ^((q − 1)/6): ξ^((q² − 1)/6) = γ^(q + 1) = γ̄·γ and ξ^((q³ − 1)/6) = γ^(q² + q + 1) = γ̄·γ² (a^(q²) = a
# in Fq2): one exponentiation at import instead of eighteen (tests compare with the direct powers).
_GAMMA = _fq2_pow(XI, (Q - 1) // 6)
_GAMMA2 = _fq2_mul((_GAMMA[0], -_GAMMA[1] % Q), _GAMMA)
FROBENIUS = (_powers(_GAMMA), _powers(_GAMMA2), _powers(_fq2_mul(_GAMMA2, _GAMMA)))
PSI_X, PSI_Y = FROBENIUS[0][2], FROBENIUS[0][3]  # ψ on the twist: (x̄·ξ^((q−1)/3), ȳ·ξ^((q−1)/2))
PI2_X = FROBENIUS[1][2]  # −π² on the twist: (x·ξ^((q²−1)/3), y)
TWIST_3B = (3 * TWIST_B[0] % Q, 3 * TWIST_B[1] % Q)
HALF = pow(2, -1, Q)

# ---------------------------------------------------------------- Fq6 (6-int tuples)


def _mul6(a: tuple, b: tuple) -> tuple:
    """Karatsuba over v³ = ξ (six Fq2 products), in ints, one reduction per coefficient."""
    a0, a1, a2, a3, a4, a5 = a
    b0, b1, b2, b3, b4, b5 = b
    # t0 = a_0·b_0, t1 = a_1·b_1, t2 = a_2·b_2 (Fq2, unreduced)
    t0r, t0i = a0 * b0 - a1 * b1, a0 * b1 + a1 * b0
    t1r, t1i = a2 * b2 - a3 * b3, a2 * b3 + a3 * b2
    t2r, t2i = a4 * b4 - a5 * b5, a4 * b5 + a5 * b4
    # (a_1 + a_2)(b_1 + b_2) − t1 − t2
    x0, x1, y0, y1 = a2 + a4, a3 + a5, b2 + b4, b3 + b5
    s0r = x0 * y0 - x1 * y1 - t1r - t2r
    s0i = x0 * y1 + x1 * y0 - t1i - t2i
    # (a_0 + a_1)(b_0 + b_1) − t0 − t1
    x0, x1, y0, y1 = a0 + a2, a1 + a3, b0 + b2, b1 + b3
    s1r = x0 * y0 - x1 * y1 - t0r - t1r
    s1i = x0 * y1 + x1 * y0 - t0i - t1i
    # (a_0 + a_2)(b_0 + b_2) − t0 − t2
    x0, x1, y0, y1 = a0 + a4, a1 + a5, b0 + b4, b1 + b5
    s2r = x0 * y0 - x1 * y1 - t0r - t2r
    s2i = x0 * y1 + x1 * y0 - t0i - t2i
    # c0 = t0 + ξ·s0, c1 = s1 + ξ·t2, c2 = s2 + t1, with ξ·(x, y) = (9x − y, x + 9y)
    return (
        (t0r + 9 * s0r - s0i) % Q,
        (t0i + s0r + 9 * s0i) % Q,
        (s1r + 9 * t2r - t2i) % Q,
        (s1i + t2r + 9 * t2i) % Q,
        (s2r + t1r) % Q,
        (s2i + t1i) % Q,
    )


def _mul6_by_fq2(a: tuple, b0: int, b1: int) -> tuple:
    """a·b for b in Fq2 (three Fq2 products)."""
    a0, a1, a2, a3, a4, a5 = a
    return (
        (a0 * b0 - a1 * b1) % Q, (a0 * b1 + a1 * b0) % Q,
        (a2 * b0 - a3 * b1) % Q, (a2 * b1 + a3 * b0) % Q,
        (a4 * b0 - a5 * b1) % Q, (a4 * b1 + a5 * b0) % Q,
    )


def _mul6_by_01(a: tuple, b0: int, b1: int, c0: int, c1: int) -> tuple:
    """a·(b + c·v) for b, c in Fq2 (five Fq2 products)."""
    a0, a1, a2, a3, a4, a5 = a
    t0r, t0i = a0 * b0 - a1 * b1, a0 * b1 + a1 * b0  # a_0·b
    t1r, t1i = a2 * c0 - a3 * c1, a2 * c1 + a3 * c0  # a_1·c
    # c0 = t0 + ξ·((a_1 + a_2)·c − t1)
    x0, x1 = a2 + a4, a3 + a5
    sr, si = x0 * c0 - x1 * c1 - t1r, x0 * c1 + x1 * c0 - t1i
    # c1 = (a_0 + a_1)(b + c) − t0 − t1
    x0, x1, y0, y1 = a0 + a2, a1 + a3, b0 + c0, b1 + c1
    ur, ui = x0 * y0 - x1 * y1 - t0r - t1r, x0 * y1 + x1 * y0 - t0i - t1i
    # c2 = (a_0 + a_2)·b − t0 + t1
    x0, x1 = a0 + a4, a1 + a5
    wr, wi = x0 * b0 - x1 * b1 - t0r + t1r, x0 * b1 + x1 * b0 - t0i + t1i
    return ((t0r + 9 * sr - si) % Q, (t0i + sr + 9 * si) % Q, ur % Q, ui % Q, wr % Q, wi % Q)


def _mul6_by_v(a: tuple) -> tuple:
    """a·v: (a_0, a_1, a_2) ↦ (ξ·a_2, a_0, a_1), unreduced."""
    a0, a1, a2, a3, a4, a5 = a
    return (9 * a4 - a5, a4 + 9 * a5, a0, a1, a2, a3)


def _inv6(a: tuple) -> tuple:
    a0, a1, a2 = (a[0], a[1]), (a[2], a[3]), (a[4], a[5])

    def xi(x):
        return ((9 * x[0] - x[1]) % Q, (x[0] + 9 * x[1]) % Q)

    def sub(x, y):
        return ((x[0] - y[0]) % Q, (x[1] - y[1]) % Q)

    t0 = sub(_fq2_sqr(a0), xi(_fq2_mul(a1, a2)))
    t1 = sub(xi(_fq2_sqr(a2)), _fq2_mul(a0, a1))
    t2 = sub(_fq2_sqr(a1), _fq2_mul(a0, a2))
    s = xi(_fq2_mul(a2, t1))
    s2 = _fq2_mul(a1, t2)
    n = _fq2_mul(a0, t0)
    inv = _fq2_inv(((n[0] + s[0] + 9 * s2[0] - s2[1]) % Q, (n[1] + s[1] + s2[0] + 9 * s2[1]) % Q))
    return (*_fq2_mul(t0, inv), *_fq2_mul(t1, inv), *_fq2_mul(t2, inv))


# ---------------------------------------------------------------- Fq12 (12-int tuples)

ONE = (1,) + (0,) * 11


def _add6(a: tuple, b: tuple) -> tuple:
    return tuple(x + y for x, y in zip(a, b))


def mul(a: tuple, b: tuple) -> tuple:
    """(g + h·w)(g' + h'·w) = gg' + hh'·v + ((g + h)(g' + h') − gg' − hh')·w: three Fq6 products."""
    g, h, g2, h2 = a[:6], a[6:], b[:6], b[6:]
    t0 = _mul6(g, g2)
    t1 = _mul6(h, h2)
    cross = _mul6(_add6(g, h), _add6(g2, h2))
    t1v = _mul6_by_v(t1)
    return tuple((x + y) % Q for x, y in zip(t0, t1v)) + tuple((c - x - y) % Q for c, x, y in zip(cross, t0, t1))


def sqr(a: tuple) -> tuple:
    """(g + h·w)² = (g + h)(g + h·v) − gh − gh·v + 2gh·w: two Fq6 products."""
    g, h = a[:6], a[6:]
    gh = _mul6(g, h)
    mixed = _mul6(_add6(g, h), _add6(g, _mul6_by_v(h)))
    ghv = _mul6_by_v(gh)
    return tuple((m - x - y) % Q for m, x, y in zip(mixed, gh, ghv)) + tuple(2 * x % Q for x in gh)


def mul_line(f: tuple, a: tuple[int, int], b: tuple[int, int], c: tuple[int, int]) -> tuple:
    """f·(a + (b + c·v)·w), the sparse product with an evaluated line: thirteen Fq2 products."""
    g, h = f[:6], f[6:]
    t0 = _mul6_by_fq2(g, a[0], a[1])
    t1 = _mul6_by_01(h, b[0], b[1], c[0], c[1])
    cross = _mul6_by_01(_add6(g, h), a[0] + b[0], a[1] + b[1], c[0], c[1])
    t1v = _mul6_by_v(t1)
    return tuple((x + y) % Q for x, y in zip(t0, t1v)) + tuple((s - x - y) % Q for s, x, y in zip(cross, t0, t1))


def conjugate(a: tuple) -> tuple:
    """a^(q⁶): the inverse on the cyclotomic subgroup."""
    return a[:6] + tuple(-x % Q for x in a[6:])


def inverse(a: tuple) -> tuple:
    g, h = a[:6], a[6:]
    gg, hh = _mul6(g, g), _mul6(h, h)
    inv = _inv6(tuple((x - y) % Q for x, y in zip(gg, _mul6_by_v(hh))))
    return _mul6(g, inv) + tuple(-x % Q for x in _mul6(h, inv))


def frobenius(a: tuple, p: int) -> tuple:
    """a^(q^p) for p = 1, 2, 3: conjugate each Fq2 coefficient if p is odd, then scale the
    coefficient of w^k by ξ^(k(q^p − 1)/6) (g_j multiplies w^(2j), h_j multiplies w^(2j + 1))."""
    consts = FROBENIUS[p - 1]
    sign = -1 if p & 1 else 1
    out = []
    for index, k in enumerate((0, 2, 4, 1, 3, 5)):
        x0, x1 = a[2 * index], sign * a[2 * index + 1]
        c0, c1 = consts[k]
        out += ((x0 * c0 - x1 * c1) % Q, (x0 * c1 + x1 * c0) % Q)
    return tuple(out)


def cyclotomic_sqr(a: tuple) -> tuple:
    """a² for a in the cyclotomic subgroup (Granger–Scott, as _pairing_kernels.fq12_cyclotomic_sqr):
    with s = w³, Fq12 = Fq4[t]/(t³ − s), t = w, a = A + B·t + C·t², and
    a² = (3A² − 2Ā) + (3s·C² + 2B̄)·t + (3B² − 2C̄)·t². Nine Fq2 squarings' worth of products."""
    z0r, z0i, z4r, z4i, z3r, z3i, z2r, z2i, z1r, z1i, z5r, z5i = a

    def fq4_sqr(x0, x1, y0, y1):
        """(x + y·s)² in Fq4 = Fq2[s]/(s² − ξ): (x² + ξy², 2xy), unreduced."""
        xx0, xx1 = (x0 + x1) * (x0 - x1), 2 * x0 * x1
        yy0, yy1 = (y0 + y1) * (y0 - y1), 2 * y0 * y1
        xy0, xy1 = x0 * y0 - x1 * y1, x0 * y1 + x1 * y0
        return xx0 + 9 * yy0 - yy1, xx1 + yy0 + 9 * yy1, 2 * xy0, 2 * xy1

    t0r, t0i, t1r, t1i = fq4_sqr(z0r, z0i, z1r, z1i)
    t2r, t2i, t3r, t3i = fq4_sqr(z2r, z2i, z3r, z3i)
    t4r, t4i, t5r, t5i = fq4_sqr(z4r, z4i, z5r, z5i)
    t5r, t5i = 9 * t5r - t5i, t5r + 9 * t5i  # ξ·t5
    return (
        (3 * t0r - 2 * z0r) % Q, (3 * t0i - 2 * z0i) % Q,
        (3 * t2r - 2 * z4r) % Q, (3 * t2i - 2 * z4i) % Q,
        (3 * t4r - 2 * z3r) % Q, (3 * t4i - 2 * z3i) % Q,
        (3 * t5r + 2 * z2r) % Q, (3 * t5i + 2 * z2i) % Q,
        (3 * t1r + 2 * z1r) % Q, (3 * t1i + 2 * z1i) % Q,
        (3 * t3r + 2 * z5r) % Q, (3 * t3i + 2 * z5i) % Q,
    )


def _cyclotomic_pow_x(a: tuple) -> tuple:
    """a^x on the cyclotomic subgroup, by the NAF of x (inverses are conjugates)."""
    acc, a_inv = a, conjugate(a)
    for digit in X_DIGITS:
        acc = cyclotomic_sqr(acc)
        if digit == 1:
            acc = mul(acc, a)
        elif digit == -1:
            acc = mul(acc, a_inv)
    return acc


def final_exponentiation(f: tuple) -> tuple:
    """f^((q¹² − 1)/r): the easy part (q⁶ − 1)(q² + 1), then the hard part by Scott et al.'s
    vectorial addition chain in x (the chain of _pairing_kernels.final_exp)."""
    if not any(f):
        return f  # 0^e = 0 (no Miller loop yields 0; py_ecc answers the same)
    m = mul(conjugate(f), inverse(f))
    m = mul(frobenius(m, 2), m)
    fx = _cyclotomic_pow_x(m)
    fx2 = _cyclotomic_pow_x(fx)
    fx3 = _cyclotomic_pow_x(fx2)
    y0 = mul(mul(frobenius(m, 1), frobenius(m, 2)), frobenius(m, 3))
    y1 = conjugate(m)
    y2 = frobenius(fx2, 2)
    y3 = conjugate(frobenius(fx, 1))
    y4 = conjugate(mul(fx, frobenius(fx2, 1)))
    y5 = conjugate(fx2)
    y6 = conjugate(mul(fx3, frobenius(fx3, 1)))
    # y0 · y1² · y2⁶ · y3¹² · y4¹⁸ · y5³⁰ · y6³⁶
    t0 = mul(mul(cyclotomic_sqr(y6), y4), y5)
    t1 = mul(mul(y3, y5), t0)
    t0 = mul(t0, y2)
    t1 = cyclotomic_sqr(mul(cyclotomic_sqr(t1), t0))
    t0 = mul(t1, y1)
    t1 = mul(t1, y0)
    return mul(cyclotomic_sqr(t0), t1)


# ---------------------------------------------------------------- Miller loop lines

Line = tuple[tuple[int, int], tuple[int, int], tuple[int, int]]


def _doubling_step(t: tuple) -> tuple[tuple, Line]:
    """2T in homogeneous projective coordinates on the twist, and the tangent at T (the formulas
    of _pairing_kernels._doubling_step, Costello–Lange–Naehrig)."""
    (x0, x1), (y0, y1), (z0, z1) = t
    a0, a1 = (x0 * y0 - x1 * y1) * HALF % Q, (x0 * y1 + x1 * y0) * HALF % Q  # xy/2
    b0, b1 = (y0 + y1) * (y0 - y1) % Q, 2 * y0 * y1 % Q  # y²
    c0, c1 = (z0 + z1) * (z0 - z1) % Q, 2 * z0 * z1 % Q  # z²
    e0, e1 = (TWIST_3B[0] * c0 - TWIST_3B[1] * c1) % Q, (TWIST_3B[0] * c1 + TWIST_3B[1] * c0) % Q  # 3b'z²
    f0, f1 = 3 * e0, 3 * e1
    g0, g1 = (b0 + f0) * HALF % Q, (b1 + f1) * HALF % Q
    s0, s1 = y0 + z0, y1 + z1
    h0, h1 = ((s0 + s1) * (s0 - s1) - b0 - c0) % Q, (2 * s0 * s1 - b1 - c1) % Q  # (y + z)² − y² − z²
    ee0, ee1 = (e0 + e1) * (e0 - e1), 2 * e0 * e1
    gg0, gg1 = (g0 + g1) * (g0 - g1), 2 * g0 * g1
    m0, m1 = b0 - f0, b1 - f1
    doubled = (
        ((a0 * m0 - a1 * m1) % Q, (a0 * m1 + a1 * m0) % Q),
        ((gg0 - 3 * ee0) % Q, (gg1 - 3 * ee1) % Q),
        ((b0 * h0 - b1 * h1) % Q, (b0 * h1 + b1 * h0) % Q),
    )
    xx0, xx1 = (x0 + x1) * (x0 - x1), 2 * x0 * x1
    return doubled, ((-h0 % Q, -h1 % Q), (3 * xx0 % Q, 3 * xx1 % Q), ((e0 - b0) % Q, (e1 - b1) % Q))


def _addition_step(t: tuple, q: G2Point) -> tuple[tuple, Line]:
    """T + Q for projective T and affine Q on the twist, and the line through them."""
    x, y, z = t
    qx, qy = q
    theta = ((y[0] - (qy[0] * z[0] - qy[1] * z[1])) % Q, (y[1] - (qy[0] * z[1] + qy[1] * z[0])) % Q)
    lam = ((x[0] - (qx[0] * z[0] - qx[1] * z[1])) % Q, (x[1] - (qx[0] * z[1] + qx[1] * z[0])) % Q)
    c = _fq2_sqr(theta)
    d = _fq2_sqr(lam)
    e = _fq2_mul(lam, d)
    f = _fq2_mul(z, c)
    g = _fq2_mul(x, d)
    h = ((e[0] + f[0] - 2 * g[0]) % Q, (e[1] + f[1] - 2 * g[1]) % Q)
    u = _fq2_mul(theta, ((g[0] - h[0]) % Q, (g[1] - h[1]) % Q))
    ey = _fq2_mul(e, y)
    added = (_fq2_mul(lam, h), ((u[0] - ey[0]) % Q, (u[1] - ey[1]) % Q), _fq2_mul(z, e))
    tq, lq = _fq2_mul(theta, qx), _fq2_mul(lam, qy)
    return added, (lam, (-theta[0] % Q, -theta[1] % Q), ((tq[0] - lq[0]) % Q, (tq[1] - lq[1]) % Q))


def g2_lines(q: G2Point) -> tuple[Line, ...]:
    """The Miller loop's lines for an affine G2 point (not infinity), in the order the loop uses
    them: per digit of 6x + 2 a tangent and, for a nonzero digit, a line through ±Q; then the
    lines through π(Q) and −π²(Q)."""
    (x0, x1), (y0, y1) = q
    q_neg = ((x0, x1), (-y0 % Q, -y1 % Q))
    t = ((x0, x1), (y0, y1), (1, 0))
    lines = []
    for digit in ATE_DIGITS:
        t, line = _doubling_step(t)
        lines.append(line)
        if digit:
            t, line = _addition_step(t, q if digit == 1 else q_neg)
            lines.append(line)
    q1 = (_fq2_mul((x0, -x1 % Q), PSI_X), _fq2_mul((y0, -y1 % Q), PSI_Y))
    q2_neg = (_fq2_mul((x0, x1), PI2_X), (y0, y1))
    t, line = _addition_step(t, q1)
    lines.append(line)
    lines.append(_addition_step(t, q2_neg)[1])
    return tuple(lines)


def miller_loop(g1: Sequence[G1Point], lines: Sequence[Sequence[Line]]) -> tuple:
    """Π_i f_{6x+2, Q_i}(P_i)·(the two Frobenius lines), one shared loop: finite P_i, and the
    lines of finite Q_i from g2_lines."""
    f = ONE
    if not g1:
        return f
    k = 0

    def multiply_lines(f, k):
        for (xp, yp), point_lines in zip(g1, lines):
            (a0, a1), (b0, b1), c = point_lines[k]
            f = mul_line(f, (a0 * yp % Q, a1 * yp % Q), (b0 * xp % Q, b1 * xp % Q), c)
        return f

    for digit in ATE_DIGITS:
        f = sqr(f)
        f = multiply_lines(f, k)
        k += 1
        if digit:
            f = multiply_lines(f, k)
            k += 1
    f = multiply_lines(f, k)
    return multiply_lines(f, k + 1)


# ---------------------------------------------------------------- the interface of pairing.py


def prepare_g2(points: Sequence[G2Point]) -> tuple:
    """The Miller-loop lines of each point (None for infinity), computed once: plain tuples of
    ints, so a prepared verifying key pickles."""
    return tuple(None if p == G2_INFINITY else g2_lines(p) for p in points)


def product(g1: Sequence[G1Point], g2_lines_: Sequence) -> tuple:
    """Π_i e(P_i, Q_i) as a 12-int Fq12 tuple, each Q_i given by its lines (None: infinity)."""
    keep = [i for i, p in enumerate(g1) if p != G1_INFINITY and g2_lines_[i] is not None]
    return final_exponentiation(miller_loop([g1[i] for i in keep], [g2_lines_[i] for i in keep]))


def product_is_one(
    g1: Sequence[G1Point], g2: Sequence[G2Point], fixed_g1: Sequence[G1Point] = (), fixed: tuple | None = None
) -> bool:
    """Π e(g1_i, g2_i) · Π e(fixed_g1_j, fixed_j) == 1, the fixed G2 points already prepared."""
    lines = prepare_g2(g2) + (tuple(fixed) if fixed is not None else ())
    return product([*g1, *fixed_g1], lines) == ONE


def to_py_ecc(f: tuple):
    """Tower Fq12 → py_ecc's FQ12 (Fq[w]/(w¹² − 18w⁶ + 82)): u = w⁶ − 9, v = w², and (a + b·u)·w^k
    lands on w^k and w^(k+6)."""
    from py_ecc.optimized_bn128 import FQ12

    coeffs = [0] * 12
    for index, k in enumerate((0, 2, 4, 1, 3, 5)):
        a, b = f[2 * index], f[2 * index + 1]
        coeffs[k], coeffs[k + 6] = (a - 9 * b) % Q, b
    return FQ12(coeffs)


def from_py_ecc(f) -> tuple:
    """py_ecc's FQ12 → tower Fq12 (the inverse of to_py_ecc)."""
    c = [int(x) for x in f.coeffs]
    out = []
    for k in (0, 2, 4, 1, 3, 5):
        out += ((c[k] + 9 * c[k + 6]) % Q, c[k + 6] % Q)
    return tuple(out)


def pairing(p: G1Point, q: G2Point):
    """e(p, q) as py_ecc's FQ12 (equal to py_ecc's pairing)."""
    return to_py_ecc(product([p], prepare_g2([q])))


# ---------------------------------------------------------------- G1 and the twist in Jacobian ints


def _g1_double(p: tuple) -> tuple:
    """2P in Jacobian coordinates on y² = x³ + 3 (a = 0: dbl-2009-l)."""
    x, y, z = p
    a = x * x % Q
    b = y * y % Q
    c = b * b % Q
    d = 2 * ((x + b) ** 2 - a - c) % Q
    e = 3 * a
    x3 = (e * e - 2 * d) % Q
    return x3, (e * (d - x3) - 8 * c) % Q, 2 * y * z % Q


def _g1_add_affine(p: tuple, q: G1Point) -> tuple:
    """P + Q for Jacobian P and affine Q (madd-2007-bl), doubling when P = Q."""
    x1, y1, z1 = p
    if z1 == 0:
        return q[0], q[1], 1
    x2, y2 = q
    zz = z1 * z1 % Q
    h = (x2 * zz - x1) % Q
    rr = 2 * (y2 * zz * z1 - y1) % Q
    if h == 0:
        return _g1_double(p) if rr == 0 else (1, 1, 0)
    hh = h * h % Q
    i = 4 * hh
    j = h * i
    v = x1 * i
    x3 = (rr * rr - j - 2 * v) % Q
    return x3, (rr * (v - x3) - 2 * y1 * j) % Q, ((z1 + h) ** 2 - zz - hh) % Q


def _g1_affine(p: tuple) -> G1Point:
    x, y, z = p
    if z == 0:
        return G1_INFINITY
    z_inv = pow(z, -1, Q)
    zz = z_inv * z_inv % Q
    return x * zz % Q, y * zz * z_inv % Q


def g1_lincomb(points: Sequence[G1Point], scalars: Sequence[int]) -> G1Point:
    """Σ k_i·P_i for the few points of a verification: Straus, one doubling chain for all terms."""
    terms = [(p, k % R) for p, k in zip(points, scalars, strict=True) if p != G1_INFINITY and k % R]
    acc = (1, 1, 0)
    for bit in range(max((k.bit_length() for _, k in terms), default=0) - 1, -1, -1):
        acc = _g1_double(acc) if acc[2] else acc
        for p, k in terms:
            if k >> bit & 1:
                acc = _g1_add_affine(acc, p)
    return _g1_affine(acc)


def _fq2_jac_double(p: tuple) -> tuple:
    """2P in Jacobian coordinates on the twist (a = 0)."""
    x, y, z = p
    a = _fq2_sqr(x)
    b = _fq2_sqr(y)
    c = _fq2_sqr(b)
    s = _fq2_sqr(((x[0] + b[0]) % Q, (x[1] + b[1]) % Q))
    d = (2 * (s[0] - a[0] - c[0]) % Q, 2 * (s[1] - a[1] - c[1]) % Q)
    e = (3 * a[0] % Q, 3 * a[1] % Q)
    ee = _fq2_sqr(e)
    x3 = ((ee[0] - 2 * d[0]) % Q, (ee[1] - 2 * d[1]) % Q)
    ed = _fq2_mul(e, ((d[0] - x3[0]) % Q, (d[1] - x3[1]) % Q))
    yz = _fq2_mul(y, z)
    return x3, ((ed[0] - 8 * c[0]) % Q, (ed[1] - 8 * c[1]) % Q), (2 * yz[0] % Q, 2 * yz[1] % Q)


def _fq2_jac_add_affine(p: tuple, q: G2Point) -> tuple:
    """P + Q for Jacobian P and affine Q on the twist, doubling when P = Q."""
    x1, y1, z1 = p
    if z1 == (0, 0):
        return q[0], q[1], (1, 0)
    zz = _fq2_sqr(z1)
    u2 = _fq2_mul(q[0], zz)
    s2 = _fq2_mul(q[1], _fq2_mul(zz, z1))
    h = ((u2[0] - x1[0]) % Q, (u2[1] - x1[1]) % Q)
    rr = (2 * (s2[0] - y1[0]) % Q, 2 * (s2[1] - y1[1]) % Q)
    if h == (0, 0):
        return _fq2_jac_double(p) if rr == (0, 0) else ((1, 0), (1, 0), (0, 0))
    hh = _fq2_sqr(h)
    i = (4 * hh[0] % Q, 4 * hh[1] % Q)
    j = _fq2_mul(h, i)
    v = _fq2_mul(x1, i)
    rr2 = _fq2_sqr(rr)
    x3 = ((rr2[0] - j[0] - 2 * v[0]) % Q, (rr2[1] - j[1] - 2 * v[1]) % Q)
    t = _fq2_mul(rr, ((v[0] - x3[0]) % Q, (v[1] - x3[1]) % Q))
    yj = _fq2_mul(y1, j)
    zh = _fq2_sqr(((z1[0] + h[0]) % Q, (z1[1] + h[1]) % Q))
    return (
        x3,
        ((t[0] - 2 * yj[0]) % Q, (t[1] - 2 * yj[1]) % Q),
        ((zh[0] - zz[0] - hh[0]) % Q, (zh[1] - zz[1] - hh[1]) % Q),
    )


def _on_curve_g1(p: G1Point) -> bool:
    x, y = p
    return 0 <= x < Q and 0 <= y < Q and (y * y - x * x * x - 3) % Q == 0


def _on_twist(p: G2Point) -> bool:
    (x0, x1), (y0, y1) = p
    if not all(0 <= c < Q for c in (x0, x1, y0, y1)):
        return False
    x3 = _fq2_mul(_fq2_sqr((x0, x1)), (x0, x1))
    yy = _fq2_sqr((y0, y1))
    return yy == ((x3[0] + TWIST_B[0]) % Q, (x3[1] + TWIST_B[1]) % Q)


def _in_subgroup(q: G2Point) -> bool:
    """ψ(Q) == [6x²]Q for Q on the twist (not infinity): exactly the order-r subgroup."""
    (x0, x1), (y0, y1) = q
    q_neg = ((x0, x1), (-y0 % Q, -y1 % Q))
    acc = ((x0, x1), (y0, y1), (1, 0))
    for digit in SUBGROUP_DIGITS:
        acc = _fq2_jac_double(acc)
        if digit == 1:
            acc = _fq2_jac_add_affine(acc, q)
        elif digit == -1:
            acc = _fq2_jac_add_affine(acc, q_neg)
    x, y, z = acc
    if z == (0, 0):
        return False
    px = _fq2_mul((x0, -x1 % Q), PSI_X)
    py = _fq2_mul((y0, -y1 % Q), PSI_Y)
    zz = _fq2_sqr(z)
    return x == _fq2_mul(px, zz) and y == _fq2_mul(py, _fq2_mul(zz, z))


def g1_on_curve(points: Sequence[G1Point]) -> list[bool]:
    """Per point: infinity or on y² = x³ + 3 (G1 is the whole curve); coordinates must be < q."""
    return [p == G1_INFINITY or _on_curve_g1(p) for p in points]


def g2_on_curve(points: Sequence[G2Point]) -> list[bool]:
    """Per point: infinity or on the twist y² = x³ + 3/(9 + u); coordinates must be < q."""
    return [p == G2_INFINITY or _on_twist(p) for p in points]


def g2_in_subgroup(points: Sequence[G2Point]) -> list[bool]:
    """Per point on the twist: infinity or in the order-r subgroup, by the ψ check."""
    return [p == G2_INFINITY or _in_subgroup(p) for p in points]
