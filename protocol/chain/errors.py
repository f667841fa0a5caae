"""Errors of the chain layer; the CLI shows them as one line (they are ZkError subclasses)."""

from zk.errors import ZkError


class ChainError(ZkError):
    """A node, a transaction or a contract call failed; the message says which and why."""


class CompileError(ChainError):
    """A compiler is missing or rejected a source."""
