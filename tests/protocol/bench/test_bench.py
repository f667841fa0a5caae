"""`zktrade bench`: circuit sizing, and a smoke run on the smallest size with the real tools."""

import json
import subprocess
import sys

import pytest

from protocol.bench.artefacts import BASE_CONSTRAINTS, LEVEL_CONSTRAINTS, N_PUBLIC, depth_for
from protocol.bench.measure import Timings, _steps, run_process

from ...conftest import ROOT, node_tool


@pytest.mark.parametrize("log_size", range(10, 17))
def test_depth_is_the_largest_that_fits_the_domain(log_size):
    depth = depth_for(log_size)

    def rows(d: int) -> int:
        return BASE_CONSTRAINTS + LEVEL_CONSTRAINTS * d + N_PUBLIC + 1

    assert rows(depth) <= 2**log_size < rows(depth + 1)


def test_too_small_a_size_is_refused():
    with pytest.raises(ValueError, match="too small"):
        depth_for(8)


@pytest.mark.slow
@pytest.mark.node
def test_bench_smallest_size_once(tmp_path):
    node_tool("snarkjs")
    node_tool("circom2")
    out = subprocess.run(
        [sys.executable, "-m", "protocol.cli", "bench", "--min-log", "10", "--max-log", "10",
         "--repeats", "1", "--no-cold-start", "--json", str(tmp_path / "bench.json"),
         "--markdown", str(tmp_path / "bench.md"), "--plot", str(tmp_path / "bench.png")],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "ours / snarkjs" in out.stdout
    result = json.loads((tmp_path / "bench.json").read_text())["results"][0]
    assert result["n_constraints"] == BASE_CONSTRAINTS + LEVEL_CONSTRAINTS * depth_for(10)
    assert result["ours"] > 0 and result["snarkjs"] > 0 and result["ours_process"] > result["ours"]
    assert {"start-up and imports", "load .zkey", "prove", "the rest"} <= set(result["process_parts"])
    assert all(result["peak_mb"][p] > 50 for p in ("ours", "snarkjs"))
    assert (tmp_path / "bench.png").stat().st_size > 10_000
    assert set(result["phases"]) >= {"NTTs (H)", "MSM B (G2)", "MSM H (G1)"}
    assert "| ours process / snarkjs process |" in (tmp_path / "bench.md").read_text()
    verify = json.loads((tmp_path / "bench.json").read_text())["verify"]
    assert 0 < verify["single"] < verify["single_reference"] and verify["process_snarkjs"] > 0
    assert "batch_verify, 64 proofs, per proof" in out.stdout


def test_step_lines_of_the_cli_are_read_back():
    stderr = (
        "  load .zkey                                        0.42 s\n"
        "  prove (16,000 wires, domain 16,384)               0.81 s\n"
        "wrote proof.json and public.json\n"
    )
    assert _steps(stderr) == {"load .zkey": 0.42, "prove": 0.81}


def test_a_process_reports_its_own_peak_memory():
    """ru_maxrss of the child alone: a child holding 200 MB reports at least that."""
    code = "b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096])"
    seconds, peak_mb, _ = run_process([sys.executable, "-c", code])
    assert seconds > 0 and 200 <= peak_mb < 400


def _timings(log_size: int, ours: float) -> Timings:
    return Timings(
        log_size=log_size, n_constraints=2**log_size - 100, key_load=0.5, phases={"MSM A (G1)": ours / 5},
        ours=ours, ours_process=ours + 1.0, process_parts={"start-up and imports": 0.6, "the rest": 0.4},
        snarkjs=4 * ours, groth16py=2 * ours, peak_mb={"ours": 150.0, "snarkjs": 600.0, "groth16py": None},
        contribute=None, snarkjs_contribute=None,
    )


def test_table_rows_and_plot_show_the_same_results(tmp_path):
    pytest.importorskip("matplotlib")
    from protocol.bench.plot import plot
    from protocol.cli.bench import _rows

    results = [_timings(10, 0.1), _timings(11, 0.2)]
    rows = dict(_rows(results))
    assert rows["ours in-process / groth16py"] == ["0.50×", "0.50×"]
    assert rows["ours process / snarkjs process"] == ["2.75×", "1.50×"]
    assert rows["peak memory: ours / snarkjs"] == ["0.25×", "0.25×"]
    assert rows["peak memory MB: groth16py"] == ["-", "-"]
    plot(results, tmp_path / "bench.png", "test machine")
    assert (tmp_path / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
