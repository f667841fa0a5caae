"""zk: Groth16 over BN254. Knows nothing about circuits' authoring or trading."""

import sys

# py_ecc raises the recursion limit to 100,000 when first imported. CPython's C stack overflows
# long before that depth, so any C-recursive code (json, repr, pickle) fed a deeply nested value
# would crash the process (SIGSEGV) instead of raising RecursionError. Importing it here, where
# every zk, circuits and protocol import passes, and putting the limit back keeps the error
# catchable; neither zk nor py_ecc's optimized arithmetic recurses deeply.
_recursion_limit = sys.getrecursionlimit()
import py_ecc  # noqa: E402,F401

sys.setrecursionlimit(_recursion_limit)
