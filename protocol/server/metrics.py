"""The service's counters and histograms, rendered in the Prometheus text format (0.0.4)."""

from collections import defaultdict
from dataclasses import dataclass, field

SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
SIZE_BUCKETS = (1, 2, 4, 8, 16, 32, 64)


@dataclass
class Histogram:
    buckets: tuple
    counts: list = field(default_factory=list)
    total: float = 0.0
    n: int = 0

    def observe(self, value: float) -> None:
        if not self.counts:
            self.counts = [0] * len(self.buckets)
        for i, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[i] += 1
        self.total += value
        self.n += 1


HELP = {
    "zktrade_orders_booked_total": ("counter", "Orders the matcher booked."),
    "zktrade_requests_refused_total": ("counter", "Requests refused, by reason."),
    "zktrade_proofs_verified_total": ("counter", "Collateral proofs verified, by result."),
    "zktrade_verify_batch_size": ("histogram", "Collateral proofs per verification batch."),
    "zktrade_settlement_latency_seconds": ("histogram", "Seconds from a fill to its settlement being seen."),
    "zktrade_trades_total": ("counter", "Trades reaching a final state, by state."),
    "zktrade_legs_accepted_total": ("counter", "Settlement legs accepted."),
    "zktrade_verify_queue_depth": ("gauge", "Tickets waiting for verification."),
    "zktrade_book_orders": ("gauge", "Orders resting in the book."),
}


class Metrics:
    def __init__(self):
        self.counters: dict[tuple[str, tuple], float] = defaultdict(float)
        self.histograms: dict[str, Histogram] = {
            "zktrade_verify_batch_size": Histogram(SIZE_BUCKETS),
            "zktrade_settlement_latency_seconds": Histogram(SECONDS_BUCKETS),
        }
        self.gauges: dict[str, object] = {}  # name -> callable returning the current value

    def inc(self, name: str, amount: float = 1, **labels: str) -> None:
        self.counters[(name, tuple(sorted(labels.items())))] += amount

    def observe(self, name: str, value: float) -> None:
        self.histograms[name].observe(value)

    def render(self) -> str:
        lines = []
        for name, (kind, text) in HELP.items():
            lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
            if kind == "counter":
                for (n, labels), value in sorted(self.counters.items()):
                    if n == name:
                        lines.append(f"{name}{_labels(labels)} {value:g}")
            elif kind == "gauge" and name in self.gauges:
                lines.append(f"{name} {self.gauges[name]():g}")
            elif kind == "histogram":
                h = self.histograms[name]
                counts = h.counts or [0] * len(h.buckets)
                for bound, count in zip(h.buckets, counts):
                    lines.append(f'{name}_bucket{{le="{bound:g}"}} {count}')
                lines += [f'{name}_bucket{{le="+Inf"}} {h.n}', f"{name}_sum {h.total:g}", f"{name}_count {h.n}"]
        return "\n".join(lines) + "\n"


def _labels(labels: tuple) -> str:
    if not labels:
        return ""
    escaped = (f'{k}="{str(v).replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"' for k, v in labels)
    return "{" + ",".join(escaped) + "}"
