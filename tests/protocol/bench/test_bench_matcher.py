"""`zktrade bench matcher` on a tiny market: the engine run, and placements over HTTP with real
collateral proofs (depth 4 here; the command uses depth 20), every one of them booked."""

from protocol.bench.matcher import bench_engine, bench_http, measure_parts, percentile, prepare_market, table
from protocol.engine import Book


def test_percentile_is_the_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 99), percentile(values, 100)) == (50.0, 99.0, 100.0)
    assert percentile([3.0], 99) == 3.0


def test_the_engine_run_places_every_order_and_trades():
    run = bench_engine(2000)
    assert run.count == len(run.latencies) == 2000 and run.seconds > 0
    assert 0 < run.p50 <= run.p99
    # The same orders (same seed) into a book: about half cross, so some trade.
    from protocol.bench.matcher import random_orders
    from protocol.engine import Resting

    book, matches = Book(), 0
    for order_id, side, pair, limit, size, owner in random_orders(2000):
        matches += len(book.place(Resting(order_id, side, pair, limit, size, 0, owner)))
    assert matches > 100


def test_placements_over_http_are_all_booked_at_a_rate_and_at_max_rate():
    market = prepare_market(8, depth=4, progress=lambda m: None)
    runs = bench_http(market, clients=2, rate=50.0, workers=1, progress=lambda m: None)
    assert [(r.count, r.refused, len(r.latencies)) for r in runs] == [(8, 0, 8), (8, 0, 8)]
    assert runs[0].seconds >= 7 / 50  # open loop: the last ticket is due at 7/50 s
    parts = measure_parts(market, batch_size=4, repeats=1)
    assert parts.batch_size == 4 and parts.verify_per_proof > 0 and parts.book_one > 0
    text = table([bench_engine(100), *runs], parts, "test machine", "load average 0 0 0")
    assert "| HTTP, max rate | 8 |" in text and "the bottleneck is" in text
