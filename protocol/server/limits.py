"""Per-client rate limits: one token bucket per client key, refilled continuously."""

import time
from dataclasses import dataclass, field


@dataclass
class RateLimiter:
    """`rate` requests per second per client, bursts up to `burst`; at most `max_clients` buckets
    are kept (the fullest are forgotten first: a full bucket is what a new client gets anyway)."""

    rate: float
    burst: float
    max_clients: int = 10_000
    clock: object = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def allow(self, client: str, cost: float = 1.0) -> bool:
        """Take `cost` tokens from the client's bucket if it has them."""
        now = self.clock()
        tokens, last = self._buckets.get(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= cost
        self._buckets[client] = (tokens - cost if allowed else tokens, now)
        if len(self._buckets) > self.max_clients:
            self._forget_full(now)
        return allowed

    def penalize(self, client: str, cost: float) -> None:
        """Drain the client's bucket by `cost` (a ticket whose proof failed cost the server a batch)."""
        tokens, last = self._buckets.get(client, (self.burst, self.clock()))
        self._buckets[client] = (tokens - cost, last)

    def _forget_full(self, now: float) -> None:
        for client, (tokens, last) in list(self._buckets.items()):
            if tokens + (now - last) * self.rate >= self.burst:
                del self._buckets[client]
