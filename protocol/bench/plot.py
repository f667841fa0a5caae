"""`zktrade bench --plot`: prove time and peak memory against circuit size, log-log, per prover."""

from collections.abc import Sequence
from pathlib import Path

from .measure import Timings


def _series(results: Sequence[Timings]) -> dict[str, tuple[list[float], list[float]]]:
    """label -> (seconds per size, peak MB per size); None entries become NaN (gaps)."""
    nan = float("nan")

    def value(x):
        return nan if x is None else x

    return {
        "zktrade circom prove (process)": ([t.ours_process for t in results], [t.peak_mb["ours"] for t in results]),
        "zktrade, in-process": ([t.ours for t in results], []),
        "snarkjs groth16 prove (process)": (
            [value(t.snarkjs) for t in results], [value(t.peak_mb["snarkjs"]) for t in results]),
        "groth16py prove_wtns (in-process)": (
            [value(t.groth16py) for t in results], [value(t.peak_mb["groth16py"]) for t in results]),
    }


# One colour per prover in both panels; ours in-process dashed beside its whole process.
_STYLE = {
    "zktrade circom prove (process)": ("C0", "-"),
    "zktrade, in-process": ("C0", "--"),
    "snarkjs groth16 prove (process)": ("C2", "-"),
    "groth16py prove_wtns (in-process)": ("C3", "-"),
}


def plot(results: Sequence[Timings], path: str | Path, machine: str) -> None:
    """Two log-log panels: seconds and peak resident MB against constraints."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    sizes = [t.n_constraints for t in results]
    figure, (time_axes, memory_axes) = plt.subplots(1, 2, figsize=(12, 5))
    for label, (seconds, megabytes) in _series(results).items():
        color, line = _STYLE[label]
        time_axes.plot(sizes, seconds, line, color=color, marker="o", label=label)
        if megabytes:
            memory_axes.plot(sizes, megabytes, line, color=color, marker="o", label=label.split(" (")[0])
    for axes, ylabel, title in (
        (time_axes, "seconds (median)", "Groth16 prove time"),
        (memory_axes, "peak resident memory (MB)", "Peak memory of one prove"),
    ):
        axes.set_xscale("log", base=2)
        axes.set_yscale("log")
        axes.set_xlabel("constraints (circom Merkle benchmark circuit)")
        axes.set_ylabel(ylabel)
        axes.set_title(title)
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize=8)
    figure.suptitle(machine, fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
