"""Shared fixtures, built from tests/support (whose tool helpers are re-exported here for the
tests that import them from conftest)."""

import pytest

from .support.tools import NODE_BIN, ROOT, node_tool, require_anvil, run_snarkjs

__all__ = ["NODE_BIN", "ROOT", "node_tool", "require_anvil", "run_snarkjs"]


@pytest.fixture(scope="session")
def snarkjs():
    return run_snarkjs


@pytest.fixture(scope="session")
def protocol_keys(tmp_path_factory):
    """One key directory for the protocol's depth-20 circuits, shared by every test session user."""
    return tmp_path_factory.mktemp("protocol-keys")
