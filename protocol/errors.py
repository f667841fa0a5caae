"""Errors of the trading system. Each message names the problem and what to do about it; the CLI
shows them as one line."""


class ProtocolError(Exception):
    """Base class of the trading system's user-facing errors."""
