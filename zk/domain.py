"""Radix-2 evaluation domains of Fr: the subgroup of n-th roots of unity and its cosets."""

from collections.abc import Sequence
from dataclasses import dataclass

from .backends import get_backend
from .field import R, ROOT_OF_UNITY_2_28, TWO_ADICITY


def root_of_unity(n: int) -> int:
    """The primitive n-th root of unity ω_n = ω_{2^28}^(2^28/n), the one snarkjs uses."""
    if n <= 0 or n & (n - 1):
        raise ValueError(f"domain size must be a power of two, got {n}")
    log_n = n.bit_length() - 1
    if log_n > TWO_ADICITY:
        raise ValueError(f"domain size 2^{log_n} exceeds Fr's 2-adicity 2^{TWO_ADICITY}")
    return pow(ROOT_OF_UNITY_2_28, 1 << (TWO_ADICITY - log_n), R)


@dataclass(frozen=True)
class Domain:
    """The multiplicative subgroup {ω^i : 0 <= i < size} of Fr."""

    size: int

    def __post_init__(self) -> None:
        root_of_unity(self.size)  # validates size

    @classmethod
    def at_least(cls, n: int) -> "Domain":
        size = 1
        while size < n:
            size *= 2
        return cls(size)

    @property
    def log_size(self) -> int:
        return self.size.bit_length() - 1

    @property
    def omega(self) -> int:
        return root_of_unity(self.size)

    @property
    def omega_inv(self) -> int:
        return pow(self.omega, -1, R)

    @property
    def size_inv(self) -> int:
        return pow(self.size, -1, R)

    def elements(self) -> list[int]:
        out, x = [], 1
        for _ in range(self.size):
            out.append(x)
            x = x * self.omega % R
        return out

    def vanishing_at(self, x: int) -> int:
        """Z(x) = x^n - 1."""
        return (pow(x, self.size, R) - 1) % R

    def _check(self, values: Sequence[int]) -> None:
        if len(values) != self.size:
            raise ValueError(f"expected {self.size} values for this domain, got {len(values)}")

    def ntt(self, coeffs: Sequence[int]) -> list[int]:
        """Coefficients → evaluations at ω^0..ω^(n-1)."""
        self._check(coeffs)
        return get_backend().ntt(coeffs, self.omega)

    def intt(self, evals: Sequence[int]) -> list[int]:
        """Evaluations at ω^0..ω^(n-1) → coefficients."""
        self._check(evals)
        out = get_backend().ntt(evals, self.omega_inv)
        k = self.size_inv
        return [v * k % R for v in out]

    def coset_ntt(self, coeffs: Sequence[int], shift: int) -> list[int]:
        """Coefficients → evaluations at shift·ω^i (scale coefficient j by shift^j first)."""
        self._check(coeffs)
        scaled, power = [], 1
        for c in coeffs:
            scaled.append(c * power % R)
            power = power * shift % R
        return get_backend().ntt(scaled, self.omega)

    def coset_evaluations(self, evals: Sequence[int], shift: int) -> list[int]:
        """Evaluations at ω^i → evaluations of the same polynomial at shift·ω^i."""
        self._check(evals)
        backend = get_backend()
        # Optional in a backend: a fused version that keeps its own arrays between the two
        # transforms instead of converting to ints and back.
        fused = getattr(backend, "coset_evaluations", None)
        if fused is not None:
            return fused(evals, self.omega, shift)
        return self.coset_ntt(self.intt(evals), shift)

    def coset_intt(self, evals: Sequence[int], shift: int) -> list[int]:
        """Evaluations at shift·ω^i → coefficients."""
        coeffs = self.intt(evals)
        inv, power, out = pow(shift, -1, R), 1, []
        for c in coeffs:
            out.append(c * power % R)
            power = power * inv % R
        return out
