"""Points of the G2 twist, and ones that must be rejected: on the twist but outside the order-r subgroup."""

from zk.curve import g2_in_subgroup, g2_is_on_curve
from zk.field import Q

B2 = (
    19485874751759354771024239261021720505790618469301721065564631296452457478373,
    266929791119991161246907387137283842545076965332900288569378510910307636690,
)


def _fq_sqrt(a: int) -> int | None:
    r = pow(a, (Q + 1) // 4, Q)  # q ≡ 3 (mod 4)
    return r if r * r % Q == a % Q else None


def _fq2_sqrt(a0: int, a1: int) -> tuple[int, int] | None:
    alpha = _fq_sqrt((a0 * a0 + a1 * a1) % Q)
    if alpha is None:
        return None
    half = pow(2, -1, Q)
    for delta in ((a0 + alpha) * half % Q, (a0 - alpha) * half % Q):
        x0 = _fq_sqrt(delta)
        if x0:
            x1 = a1 * pow(2 * x0, -1, Q) % Q
            if ((x0 * x0 - x1 * x1) % Q, 2 * x0 * x1 % Q) == (a0 % Q, a1 % Q):
                return x0, x1
    return None


def twist_point(x: tuple[int, int]):
    """A point of the G2 twist with this x coordinate, or None if x³ + b₂ is not a square."""
    xx = ((x[0] * x[0] - x[1] * x[1]) % Q, 2 * x[0] * x[1] % Q)
    x3 = ((xx[0] * x[0] - xx[1] * x[1]) % Q, (xx[0] * x[1] + xx[1] * x[0]) % Q)
    y = _fq2_sqrt((x3[0] + B2[0]) % Q, (x3[1] + B2[1]) % Q)
    return None if y is None else (x, y)


def g2_point_outside_subgroup():
    for x0 in range(1, 100):
        p = twist_point((x0, 1))
        if p:
            assert g2_is_on_curve(p)
            if not g2_in_subgroup(p):
                return p
    raise AssertionError("no such point found")
