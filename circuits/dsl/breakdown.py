"""The breakdown report: constraints per gadget path (`zktrade circuit info`, the golden files)."""

from collections.abc import Sequence


def breakdown(labels: Sequence[str]) -> list[tuple[str, int]]:
    """(gadget path, constraints) for every path prefix, below the statement's own name.

    Numbers in scope names merge ("level 7" → "level #") and a merged row says how many
    instances it sums ("merkle/level #/poseidon (×20)"); a row whose constraints all lie in one
    sub-path is left out for that sub-path ("commitment/poseidon", not also "commitment");
    constraints made directly in the body are "(top level)"."""
    counts: dict[str, int] = {}
    instances: dict[str, set[str]] = {}
    for label in labels:
        parts = label.split("/")[1:]
        if not parts:
            counts["(top level)"] = counts.get("(top level)", 0) + 1
            continue
        for depth in range(1, len(parts) + 1):
            key = "/".join(_generic(p) for p in parts[:depth])
            counts[key] = counts.get(key, 0) + 1
            instances.setdefault(key, set()).add("/".join(parts[:depth]))
    covered = {k.rpartition("/")[0] for k, n in counts.items() if "/" in k and counts[k.rpartition("/")[0]] == n}
    return [(k if len(instances.get(k, ())) < 2 else f"{k} (×{len(instances[k])})", n)
            for k, n in sorted(counts.items()) if k not in covered]


def _generic(scope: str) -> str:
    head, _, tail = scope.rpartition(" ")
    return f"{head} #" if head and tail.isdigit() else scope
