"""MSM and NTT kernels behind one small interface, so the readable path and the fast path swap.

A backend is a module with:
  name: str
  prepare_g1(bases) / prepare_g2(bases) -> opaque   (convert fixed bases once, e.g. a proving key)
  msm_g1(prepared, scalars) -> G1Point               Σ scalars[i]·bases[i]
  msm_g2(prepared, scalars) -> G2Point
  ntt(values, omega) -> list[int]                    out[i] = Σ_j values[j]·omega^(i·j), in order
  fixed_base_g1(base, scalars) / fixed_base_g2     [k·base for k in scalars] (setup)
  batch_mul_g1(bases, scalars) / batch_mul_g2      [k_i·base_i] (ceremonies rescale every point)
and optionally:
  coset_evaluations(evals, omega, shift)           values on ⟨ω⟩ → values on shift·⟨ω⟩, fused
  warmup(), is_compiled_cache_present()            compile JIT kernels ahead; say if cached
  prepared_from_montgomery(points)                 (fast) a .zkey's Montgomery sections as bases
Scalars are ints in [0, r); points are the affine tuples of zk.curve. The selection is
ZKTRADE_BACKEND=reference|python|fast (default: fast when it imports, else reference; a command
may name its own default with `preferred`). `python` is reference's MSM/NTT with a pure-Python
pairing: no numba start-up, for processes that only verify.
"""

import importlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from ..errors import ConfigError

_BACKENDS = ("reference", "python", "fast")
_loaded: dict[str, ModuleType] = {}
_preferred: str | None = None


def available() -> tuple[str, ...]:
    return _BACKENDS


@contextmanager
def preferred(name: str) -> Iterator[None]:
    """Within the block, `name` is the backend when ZKTRADE_BACKEND does not name one (a command
    that knows what suits it: `zktrade verify` checks one proof, which numba's start-up
    outweighs). The previous default comes back after the block, so a command run in-process
    (a test, a library caller) leaves the process's backend as it found it."""
    global _preferred
    if name not in _BACKENDS:
        raise ConfigError(f"unknown backend {name!r}: one of {', '.join(_BACKENDS)}")
    before, _preferred = _preferred, name
    try:
        yield
    finally:
        _preferred = before


def get_backend(name: str | None = None) -> ModuleType:
    """The backend module by name, or the one ZKTRADE_BACKEND selects (else the preferred one)."""
    requested = name or os.environ.get("ZKTRADE_BACKEND", "") or _preferred or ""
    if requested and requested not in _BACKENDS:
        raise ConfigError(
            f"unknown backend {requested!r}: set ZKTRADE_BACKEND to one of {', '.join(_BACKENDS)}"
        )
    candidates = [requested] if requested else ["fast", "reference"]
    for candidate in candidates:
        if candidate in _loaded:
            return _loaded[candidate]
        try:
            module = importlib.import_module(f"{__name__}.{candidate}")
        except ImportError:
            if requested:
                raise
            continue
        _loaded[candidate] = module
        return module
    raise ImportError("no MSM/NTT backend could be loaded")
