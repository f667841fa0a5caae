"""Exceptions of the proof system, and the one base every layer's user errors derive from.

Each message names the problem and what to do about it. The layers above derive their own
errors from `UserError` (circuits' UnknownCircuit, protocol's ProtocolError, the chain's
ChainError, the bench's BenchToolError), so the CLI catches one base and zk knows nothing of them.
"""


class UserError(Exception):
    """An error the user can act on (bad input, a missing tool, a refused transaction): the CLI
    prints its message as one line and exits 1; anything else is a bug and keeps its traceback."""


class ZkError(UserError):
    """Base class of every error the proof system raises on bad input."""


class MalformedInput(ZkError):
    """A file, point, scalar or vector is not of the shape or range the format requires."""


class Unsatisfied(ZkError):
    """A witness does not satisfy a constraint system."""

    def __init__(self, message: str, index: int):
        super().__init__(message)
        self.index = index


class KeyMismatch(ZkError):
    """A key, witness or proof belongs to another circuit than the one given."""


class ConfigError(ZkError):
    """An unknown backend, reduction or option value."""
