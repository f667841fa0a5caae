"""Errors of the chain layer; the CLI shows them as one line (they are ProtocolError subclasses)."""

from ..errors import ProtocolError


class ChainError(ProtocolError):
    """A node, a transaction or a contract call failed; the message says which and why."""


class CompileError(ChainError):
    """A compiler is missing or rejected a source."""
