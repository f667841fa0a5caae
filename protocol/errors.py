"""Errors of the trading system. Each message names the problem and what to do about it; the CLI
shows them as one line."""

from zk.errors import UserError


class ProtocolError(UserError):
    """Base class of the trading system's user-facing errors."""


class InvalidValue(ProtocolError, ValueError):
    """A value outside what the protocol allows (an amount ≥ 2^96, an order on one asset, an
    unknown token...): a ValueError, shown to CLI users as one line."""
