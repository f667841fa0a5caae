"""Where zktrade keeps what it can rebuild (compiled contracts and kernels, dev keys, artefacts).

A per-user cache directory (platformdirs: ~/.cache/zktrade on Linux), or $ZKTRADE_CACHE when
set; never the current directory, so an installed zktrade leaves nothing where it is run.
"""

import os
from pathlib import Path

import platformdirs

ENV = "ZKTRADE_CACHE"


def cache_dir(*parts: str) -> Path:
    """$ZKTRADE_CACHE/parts, or the per-user cache directory's (created by whoever writes there)."""
    base = os.environ.get(ENV) or platformdirs.user_cache_dir("zktrade", appauthor=False)
    return Path(base).joinpath(*parts)


def configure_numba_cache() -> None:
    """Send numba's on-disk kernel cache to cache_dir("numba") unless $NUMBA_CACHE_DIR says otherwise.

    numba's default is a __pycache__ beside the source, which for an installed package is
    site-packages (often read-only, and shared by every user).
    """
    import numba

    if not os.environ.get("NUMBA_CACHE_DIR"):
        numba.config.CACHE_DIR = str(cache_dir("numba"))
