"""The bench's tool runner (protocol/bench/artefacts.py), which the tests' circom artefacts use too:
a missing or failing npm tool is one BenchToolError naming it, never a traceback of subprocess."""

import pytest

from protocol.bench import artefacts
from protocol.bench.artefacts import BenchToolError, circom2_compile, run_node_tool

from ...support.tools import ROOT, node_tool


def test_a_missing_tool_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(artefacts, "NODE_BIN", tmp_path)
    with pytest.raises(BenchToolError, match=r"snarkjs \(or node\) is missing: run `make bench`"):
        run_node_tool("snarkjs", "--version")


@pytest.mark.node
def test_a_failing_tool_is_reported_with_its_own_words():
    node_tool("snarkjs")
    with pytest.raises(BenchToolError, match=r"^snarkjs wtns calculate failed: .+"):
        run_node_tool("snarkjs", "wtns", "calculate", str(ROOT / "no.wasm"), str(ROOT / "no.json"),
                      str(ROOT / "no.wtns"), timeout=120)


@pytest.mark.node
def test_a_tool_that_overruns_its_time_is_stopped():
    node_tool("snarkjs")
    with pytest.raises(BenchToolError, match=r"snarkjs powersoftau new did not finish in 0.01 s"):
        run_node_tool("snarkjs", "powersoftau", "new", "bn128", "12", str(ROOT / "never.ptau"), timeout=0.01)
    assert not (ROOT / "never.ptau").exists()


def test_circom2_sees_only_the_project_tree(tmp_path):
    source = tmp_path / "c.circom"
    source.write_text("pragma circom 2.0.0;\n")
    with pytest.raises(BenchToolError, match=r"circom2 sees only the project tree .*c\.circom is outside it"):
        circom2_compile(source, ROOT / ".zktrade-cache", ROOT / "node_modules")
