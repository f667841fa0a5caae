"""A picture of a circuit's per-gadget breakdown (`zktrade circuit info NAME --plot FILE.png`)."""

from collections.abc import Sequence
from pathlib import Path


def plot_breakdown(title: str, breakdown: Sequence[tuple[str, int]], n_constraints: int, path: str | Path) -> None:
    """Horizontal bars, one per gadget path as in the table, coloured by top-level gadget."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display is needed or wanted
    import matplotlib.pyplot as plt

    rows = list(breakdown)
    tops = list(dict.fromkeys(p.split("/")[0] for p, _ in rows))
    palette = plt.get_cmap("tab20").colors
    colour = {top: palette[i % len(palette)] for i, top in enumerate(tops)}
    total = max(1, n_constraints)
    fig, ax = plt.subplots(figsize=(10, 1.2 + 0.32 * len(rows)))
    y = range(len(rows))
    # A nested gadget is paler than the one it is part of: its bar is counted in its parent's too.
    ax.barh(y, [n for _, n in rows],
            color=[(*colour[p.split("/")[0]][:3], 1.0 / (1 + 0.6 * p.count("/"))) for p, _ in rows])
    ax.set_yticks(list(y), [p for p, _ in rows], fontsize=9)
    ax.invert_yaxis()  # the table's order, top to bottom
    for i, (_, n) in enumerate(rows):
        ax.annotate(f" {n:,} ({100 * n / total:.1f}%)", (n, i), va="center", fontsize=8)
    ax.set_xlim(0, max([n for _, n in rows] + [1]) * 1.25)
    ax.set_xlabel("constraints (a gadget's row includes the gadgets nested in it)")
    ax.set_title(f"{title}: {n_constraints:,} constraints by gadget")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
