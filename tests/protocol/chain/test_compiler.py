"""The Solidity compiler driver: standard JSON through the pinned solc-js, cache by source hash, errors."""

import pytest

from protocol.chain import compiler
from protocol.chain.errors import CompileError

from ...conftest import node_tool

SOURCE = "pragma solidity ^0.8.24;\ncontract A { function f() external pure returns (uint256) { return %d; } }\n"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    node_tool("solcjs")  # skips when the pinned npm tools are absent
    monkeypatch.setenv("ZKTRADE_CACHE", str(tmp_path))
    return tmp_path


def test_compiles_once_then_reads_the_cache(cache):
    first = compiler.compile_contract("A", {"A.sol": SOURCE % 1})
    files = list((cache / "solc").glob("*.json"))
    assert len(files) == 1 and first.bytecode and first.compiler.startswith(("solc-js 0.8.37", "solc "))
    assert compiler.compile_contract("A", {"A.sol": SOURCE % 1}) == first
    assert len(list((cache / "solc").glob("*.json"))) == 1
    compiler.compile_contract("A", {"A.sol": SOURCE % 2})  # another source, another entry
    assert len(list((cache / "solc").glob("*.json"))) == 2


def test_a_compile_error_is_reported_with_the_compiler_message(cache):
    with pytest.raises(CompileError, match="Undeclared identifier|not found"):
        compiler.compile_contract("A", {"A.sol": SOURCE.replace("return %d", "return nope")})
    assert not list(cache.glob("solc/*.json"))  # failures are not cached


def test_a_missing_import_says_to_install_the_pinned_packages(cache):
    with pytest.raises(CompileError, match="npm ci"):
        compiler.compile_contract("A", {"A.sol": 'import "@nowhere/x.sol";\n' + SOURCE % 1})


def test_openzeppelin_imports_resolve_transitively(cache):
    sources = compiler._resolve_imports({"T.sol": 'import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";'})
    assert "@openzeppelin/contracts/token/ERC20/IERC20.sol" in sources  # imported by ERC20.sol, relatively


def test_unknown_contract_name_lists_the_known_ones(cache):
    with pytest.raises(CompileError, match="found: A"):
        compiler.compile_contract("B", {"A.sol": SOURCE % 1})


# The shipped artifacts (protocol/chain/artifacts): what deploying uses instead of a compiler.


def test_shipped_artifacts_equal_a_fresh_compile_with_the_pinned_solc_js(cache):
    from protocol.chain.artifacts import SHIPPED, shipped_text
    from protocol.chain.artifacts.__main__ import build_texts

    fresh = build_texts()
    assert sorted(fresh) == sorted(SHIPPED)
    for name in SHIPPED:
        assert fresh[name] == shipped_text(name), f"{SHIPPED[name]} drifted: run `python -m protocol.chain.artifacts build`"
    assert not list(cache.glob("solc/*.tmp"))


def test_shipped_artifacts_were_built_from_todays_sources():
    from protocol.chain.artifacts.__main__ import stale

    assert stale() == []


def test_a_shipped_artifact_is_refused_for_other_sources():
    from protocol.chain import artifacts
    from protocol.chain.deploy import pool_sources

    sources = pool_sources()
    assert artifacts.load("Pool", sources).bytecode
    changed = {**sources, "zktrade/Pool.sol": sources["zktrade/Pool.sol"] + "\n// edited\n"}
    with pytest.raises(CompileError, match="protocol.chain.artifacts build"):
        artifacts.load("Pool", changed)
    with pytest.raises(CompileError, match="shipped: Pool, TestToken"):
        artifacts.load("Verifier", sources)


def test_test_contracts_live_apart_from_the_production_ones():
    """TestToken's source is under contracts/devnet/ and its artifact under artifacts/devnet/; the
    pool's sources do not hold it, so editing a test contract leaves Pool.json valid."""
    from protocol.chain import artifacts
    from protocol.chain.deploy import artifact_sources, devnet_sources, pool_sources

    assert sorted(pool_sources()) == ["zktrade/MerkleTreeWithHistory.sol", "zktrade/MerkleZeros.sol", "zktrade/Pool.sol"]
    assert sorted(devnet_sources()) == ["zktrade/devnet/TestToken.sol"]
    assert dict(artifacts.SHIPPED) == {"Pool": "Pool.json", "TestToken": "devnet/TestToken.json"}
    token = devnet_sources()
    edited = {k: v + "\n// edited\n" for k, v in token.items()}
    assert artifacts.load("Pool", pool_sources()).bytecode  # whatever the test token's text
    with pytest.raises(CompileError, match=r"shipped devnet/TestToken\.json was built from other"):
        artifacts.load("TestToken", edited)
    assert artifacts.load("TestToken", artifact_sources("TestToken")).abi
    assert "function mint" in compiler.contract_source("devnet/TestToken")
