"""Exceptions of the proof system. Each message names the problem and what to do about it."""


class ZkError(Exception):
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
