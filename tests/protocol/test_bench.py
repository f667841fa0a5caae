"""`zktrade bench`: circuit sizing, and a smoke run on the smallest size with the real tools."""

import json
import subprocess
import sys

import pytest

from protocol.bench.artefacts import BASE_CONSTRAINTS, LEVEL_CONSTRAINTS, N_PUBLIC, depth_for

from ..conftest import ROOT, node_tool


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
         "--markdown", str(tmp_path / "bench.md")],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "ours / snarkjs" in out.stdout
    result = json.loads((tmp_path / "bench.json").read_text())["results"][0]
    assert result["n_constraints"] == BASE_CONSTRAINTS + LEVEL_CONSTRAINTS * depth_for(10)
    assert result["ours"] > 0 and result["snarkjs"] > 0
    assert set(result["phases"]) >= {"NTTs (H)", "MSM B (G2)", "MSM H (G1)"}
    assert "| ours / snarkjs |" in (tmp_path / "bench.md").read_text()
    verify = json.loads((tmp_path / "bench.json").read_text())["verify"]
    assert 0 < verify["single"] < verify["single_reference"] and verify["process_snarkjs"] > 0
    assert "batch_verify, 64 proofs, per proof" in out.stdout
