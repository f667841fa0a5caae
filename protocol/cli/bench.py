"""`zktrade bench`: our prover against snarkjs and groth16py on the same circom files."""

import importlib.util
import json
import os
import platform
from pathlib import Path

import click
from rich.table import Table

from .common import console, err_console, fast_backend_warmup


def _machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from zk.backends.fast import thread_count

    return (
        f"{model}, {os.cpu_count()} CPUs ({thread_count()} used by the fast backend), "
        f"Python {platform.python_version()}, {platform.system()} {platform.machine()}"
    )


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _ratio(ours: float | None, other: float | None) -> str:
    return "-" if ours is None or other is None else f"{ours / other:.2f}×"


def _megabytes(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _rows(results) -> list[tuple[str, list[str]]]:
    rows = [("constraints", [f"{t.n_constraints:,}" for t in results])]
    for phase in results[0].phases:
        rows.append((f"  {phase}", [_seconds(t.phases[phase]) for t in results]))
    rows += [
        ("ours: prove in-process (total)", [_seconds(t.ours) for t in results]),
        ("ours: key load + conversion (once)", [_seconds(t.key_load) for t in results]),
        ("ours: zktrade circom prove (process)", [_seconds(t.ours_process) for t in results]),
    ]
    for part in results[-1].process_parts:
        rows.append((f"  {part}", [_seconds(t.process_parts.get(part)) for t in results]))
    rows += [
        ("snarkjs groth16 prove (process)", [_seconds(t.snarkjs) for t in results]),
        ("groth16py prove_wtns (arkworks)", [_seconds(t.groth16py) for t in results]),
        ("ours in-process / groth16py", [_ratio(t.ours, t.groth16py) for t in results]),
        ("ours process / snarkjs process", [_ratio(t.ours_process, t.snarkjs) for t in results]),
        ("peak memory MB: ours (process)", [_megabytes(t.peak_mb["ours"]) for t in results]),
        ("peak memory MB: snarkjs", [_megabytes(t.peak_mb["snarkjs"]) for t in results]),
        ("peak memory MB: groth16py", [_megabytes(t.peak_mb["groth16py"]) for t in results]),
        ("peak memory: ours / snarkjs", [_ratio(t.peak_mb["ours"], t.peak_mb["snarkjs"]) for t in results]),
        ("ceremony contribute: ours", [_seconds(t.contribute) for t in results]),
        ("snarkjs zkey contribute (process)", [_seconds(t.snarkjs_contribute) for t in results]),
        ("contribute: ours / snarkjs", [_ratio(t.contribute, t.snarkjs_contribute) for t in results]),
    ]
    return rows


def _markdown(results, machine: str, repeats: int, cold: tuple[float, float] | None) -> str:
    header = ["seconds (median of %d)" % repeats, *(f"2^{t.log_size}" for t in results)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join([label.strip(), *cells]) + " |" for label, cells in _rows(results)]
    lines.append("")
    lines.append(f"Machine: {machine}.")
    if cold:
        lines.append(f"Fast kernels: first-run compile {cold[0]:.1f} s, later runs load them in {cold[1]:.2f} s.")
    return "\n".join(lines) + "\n"


@click.command("bench")
@click.argument("what", required=False, type=click.Choice(["circom", "matcher"]))
@click.option("--min-log", default=10, show_default=True, type=click.IntRange(10, 20), help="Smallest size, as log2 of the QAP domain.")
@click.option("--max-log", default=16, show_default=True, type=click.IntRange(10, 20), help="Largest size.")
@click.option("--repeats", default=5, show_default=True, type=click.IntRange(1, 100), help="Runs per figure (medians are shown).")
@click.option("--cold-start/--no-cold-start", default=True, show_default=True, help="Also time compiling the fast kernels in a fresh process.")
@click.option("--markdown", "markdown_path", type=click.Path(dir_okay=False), help="Also write the table as markdown (for the README).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Also write the raw medians as JSON.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False),
              help="Also plot time and peak memory against size, log-log, as PNG (needs matplotlib: the bench extra).")
@click.option("--orders", default=400, show_default=True, type=click.IntRange(0, 100_000),
              help="bench matcher: orders placed over HTTP (each with its own collateral proof, made first; 0 skips HTTP).")
@click.option("--clients", default=4, show_default=True, type=click.IntRange(1, 64), help="bench matcher: HTTP client threads.")
def bench(what, min_log, max_log, repeats, cold_start, markdown_path, json_path, plot_path, orders, clients) -> None:
    """Prove the circom Merkle benchmark circuit at sizes 2^min..2^max with zktrade, snarkjs
    and groth16py from the same .zkey and .wtns, and print the medians by phase and the ratios:
    ours in-process and as a whole `zktrade circom prove` process (with the parts of its time),
    the peak memory of each prover's process, and one phase-2 ceremony contribution to that
    .zkey, ours beside `snarkjs zkey contribute`; then verification (one proof, a batch of 64,
    whole processes beside `snarkjs groth16 verify`) and the embedded chain's pairing precompile
    beside py-evm's.

    The circuits, witnesses and keys are built once with the pinned circom2 and snarkjs and
    cached under .zktrade-cache/bench/ (the first run spends minutes there); sizes above 2^16
    are keyed by our seeded dev setup (snarkjs's phase-2 preparation takes hours at 2^20).
    groth16py and matplotlib come from the `bench` extra (`pip install -e '.[bench]'`);
    without groth16py its column is empty.

    \b
    `zktrade bench circom` times instead every circom step as a whole process beside snarkjs
    (protocol/bench/circom.py). `zktrade bench matcher` times the matching engine alone
    (100,000 placements in-process) and --orders placements over HTTP from --clients clients,
    each with a real collateral proof the service verifies, at 50 orders/s and at max rate
    (protocol/bench/matcher.py).

    Example: zktrade bench --min-log 10 --max-log 14 --repeats 3 --markdown bench.md
    Example: zktrade bench circom --min-log 11 --max-log 13 --repeats 3 --markdown circom.md
    """
    if what == "matcher":
        from protocol.bench.matcher import bench_matcher

        fast_backend_warmup()
        text = bench_matcher(100_000, orders, clients, rate=50.0, depth=20, workers=2, machine=_machine(),
                             progress=lambda m: err_console.print(f"  [dim]{m}[/]"))
        console.print(text, soft_wrap=True)
        return Path(markdown_path).write_text(text) if markdown_path else None
    if what == "circom":
        from protocol.bench.circom import bench_circom

        text = bench_circom(min_log, max_log, repeats, _machine(), lambda m: err_console.print(f"  [dim]{m}[/]"))
        console.print(text, soft_wrap=True)
        return Path(markdown_path).write_text(text) if markdown_path else None
    from protocol.bench.artefacts import build
    from protocol.bench.measure import cold_start_seconds, measure
    from protocol.bench.verify import measure_verify, verify_markdown, verify_table

    if min_log > max_log:
        raise click.BadParameter(f"--min-log {min_log} is above --max-log {max_log}")
    if plot_path and importlib.util.find_spec("matplotlib") is None:
        raise click.UsageError("--plot needs matplotlib: pip install -e '.[bench]'")

    def progress(message: str) -> None:
        err_console.print(f"  [dim]{message}[/]")

    cold = None
    if cold_start:
        progress("timing the fast kernels' cold start (compiling in a fresh process)")
        cold = cold_start_seconds()
    fast_backend_warmup()
    results = []
    for log_size in range(min_log, max_log + 1):
        art = build(log_size, max_log, progress)
        results.append(measure(art, repeats, progress))
    verify = measure_verify(build(min_log, max_log, progress), repeats, progress)

    machine = _machine()
    table = Table(title=f"Groth16 prove, seconds (median of {repeats})", caption=machine)
    table.add_column("", no_wrap=True)
    for t in results:
        table.add_column(f"2^{t.log_size}", justify="right")
    for label, cells in _rows(results):
        table.add_row(label, *cells)
    console.print(table)
    if cold:
        console.print(f"fast kernels: first-run compile {cold[0]:.1f} s; later runs load them in {cold[1]:.2f} s")
    console.print(verify_table(verify))
    if markdown_path:
        Path(markdown_path).write_text(_markdown(results, machine, repeats, cold) + verify_markdown(verify))
    if plot_path:
        from protocol.bench.plot import plot

        plot(results, plot_path, machine)
    if json_path:
        Path(json_path).write_text(json.dumps(
            {"machine": machine, "repeats": repeats, "cold_start": cold,
             "results": [t.__dict__ for t in results], "verify": verify.__dict__}, indent=2))
