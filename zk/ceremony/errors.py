"""The one error of ceremony verification: which contribution (1-based, as snarkjs counts) failed."""

from ..errors import ZkError


class InvalidCeremony(ZkError):
    """A transcript or key that does not verify; `contribution` is its 1-based index, or None."""

    def __init__(self, message: str, contribution: int | None = None):
        prefix = f"contribution #{contribution}: " if contribution is not None else ""
        super().__init__(prefix + message)
        self.contribution = contribution
