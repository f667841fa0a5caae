"""The matching engine: priority, maker price, partial fills, cancels, re-entry, limit-safe rounding."""

import time

from hypothesis import given, settings, strategies as st

from protocol.engine import Book, Resting, executable, fill_respects_limits, quote_range
from protocol.params import BUY, PRICE_SCALE, SELL

S = PRICE_SCALE
PAIR = (1, 2)


def order(oid, side, size, price, owner="x"):
    return Resting(oid, side, PAIR, limit_price=price, remaining=size, seq=0, owner_hash=owner)


def test_price_then_time_priority_and_maker_price():
    book = Book()
    assert book.place(order("s1", SELL, 10, 2000 * S, "alice")) == []
    assert book.place(order("s2", SELL, 5, 1990 * S, "carol")) == []
    assert book.place(order("s3", SELL, 5, 1990 * S, "dave")) == []
    fills = book.place(order("b1", BUY, 12, 2100 * S, "bob"))
    assert [(f.maker_id, f.base_amount, f.quote_amount, f.price) for f in fills] == [
        ("s2", 5, 5 * 1990, 1990 * S),  # best price first
        ("s3", 5, 5 * 1990, 1990 * S),  # same price: earlier first
        ("s1", 2, 2 * 2000, 2000 * S),  # executes at the maker's price, not the taker's
    ]
    assert book.orders["s1"].remaining == 8 and book.orders["b1"].remaining == 0
    assert [o.order_id for o in book.side(PAIR, SELL)] == ["s1"] and book.side(PAIR, BUY) == []


def test_partial_fill_rests_and_cancel():
    book = Book()
    book.place(order("b1", BUY, 10, 100 * S, "bob"))
    fills = book.place(order("s1", SELL, 4, 90 * S, "alice"))
    assert [(f.buy_id, f.sell_id, f.base_amount, f.quote_amount) for f in fills] == [("b1", "s1", 4, 400)]
    assert [(o.order_id, o.remaining) for o in book.side(PAIR, BUY)] == [("b1", 6)]
    book.cancel("b1")
    assert book.side(PAIR, BUY) == []
    assert book.place(order("s2", SELL, 1, 90 * S, "alice")) == []


def test_no_cross_no_fill_and_no_self_trade():
    book = Book()
    book.place(order("s1", SELL, 10, 101 * S, "alice"))
    assert book.place(order("b1", BUY, 10, 100 * S, "bob")) == []
    assert book.place(order("b2", BUY, 10, 200 * S, "alice")) == []  # same owner secret
    fills = book.place(order("b3", BUY, 3, 200 * S, "carol"))
    assert [(f.sell_id, f.base_amount) for f in fills] == [("s1", 3)]


def test_size_given_back_rests_at_its_original_priority():
    book = Book()
    book.place(order("s1", SELL, 5, 100 * S, "alice"))
    book.place(order("s2", SELL, 5, 100 * S, "carol"))
    assert [f.sell_id for f in book.place(order("b1", BUY, 5, 100 * S, "bob"))] == ["s1"]
    assert book.reenter("s1", 5) == []  # the fill expired: s1 is back, ahead of s2
    assert [o.order_id for o in book.side(PAIR, SELL)] == ["s1", "s2"]
    assert [f.sell_id for f in book.place(order("b2", BUY, 5, 100 * S, "dave"))] == ["s1"]


def test_size_given_back_trades_at_once_if_the_book_crosses_it():
    book = Book()
    book.place(order("b1", BUY, 5, 100 * S, "bob"))
    book.place(order("s1", SELL, 5, 100 * S, "alice"))  # fills b1 completely
    book.place(order("s2", SELL, 5, 99 * S, "carol"))   # rests: nothing to buy it
    fills = book.reenter("b1", 5)
    assert [(f.buy_id, f.sell_id, f.maker_id, f.base_amount) for f in fills] == [("b1", "s2", "s2", 5)]


def test_equal_limits_round_base_down_to_an_exact_quote():
    book = Book()
    book.place(order("b", BUY, 3, 3 * S // 2, "bob"))
    fills = book.place(order("s", SELL, 3, 3 * S // 2, "alice"))
    assert [(f.base_amount, f.quote_amount) for f in fills] == [(2, 3)]


def test_unequal_limits_that_round_badly_still_trade():
    """v1 rounded b down to a multiple of S/gcd(p, S) (here 10^9, so no fill): 3·10^8 base units
    at raw limits 7 and 9 allow q ∈ [2.1, 2.7], no integer; 285,714,285 units allow q = 2."""
    for maker_side in (SELL, BUY):
        b, q = executable(3 * 10**8, maker_side, buy_limit=9, sell_limit=7)
        assert (b, q) == (285_714_285, 2)
        assert fill_respects_limits(b, q, 9, 7)
    book = Book()
    book.place(order("s", SELL, 3 * 10**8, 7, "alice"))
    fills = book.place(order("b", BUY, 3 * 10**8, 9, "bob"))
    assert [(f.base_amount, f.quote_amount) for f in fills] == [(285_714_285, 2)]
    assert book.orders["s"].remaining == book.orders["b"].remaining == 3 * 10**8 - 285_714_285


def test_crossing_orders_without_any_integer_quote_do_not_trade():
    """A sell of 10^6 units at raw limit 7 and a buy at 9: every b ≤ 10^6 has q ∈ [7b/S, 9b/S] ⊂
    (0, 0.009], so no fill satisfies both legs; the engine skips the maker, the next one trades."""
    assert all(quote_range(b, 9, 7)[0] > quote_range(b, 9, 7)[1] for b in (1, 10**3, 10**6))
    assert executable(10**6, SELL, 9, 7) is None
    book = Book()
    book.place(order("s1", SELL, 10**6, 7, "alice"))
    book.place(order("s2", SELL, 10**9, 8, "carol"))
    fills = book.place(order("b", BUY, 10**9, 9, "bob"))
    assert [(f.sell_id, f.base_amount, f.quote_amount) for f in fills] == [("s2", 10**9, 8)]
    assert book.orders["s1"].remaining == 10**6


def largest_executable(base_amount: int, buy_limit: int, sell_limit: int) -> int:
    """Brute force: the largest b ≤ base_amount whose quote range holds an integer, or 0."""
    for b in range(base_amount, 0, -1):
        lo, hi = quote_range(b, buy_limit, sell_limit)
        if lo <= hi:
            return b
    return 0


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 3000), st.integers(10**5, 3 * S), st.integers(0, 10**8), st.sampled_from([BUY, SELL]))
def test_the_executable_amount_is_the_largest_one(size, sell_limit, spread, maker_side):
    buy_limit = sell_limit + spread
    found = executable(size, maker_side, buy_limit, sell_limit)
    best = largest_executable(size, buy_limit, sell_limit)
    if found is None:
        assert best == 0
        return
    b, q = found
    assert b == best and fill_respects_limits(b, q, buy_limit, sell_limit)
    lo, hi = quote_range(b, buy_limit, sell_limit)
    assert q == (lo if maker_side == SELL else hi)  # the maker's rounding


prices = st.integers(1, 10**6 * S)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([BUY, SELL]), st.integers(1, 10**6), prices), min_size=1, max_size=12))
def test_every_fill_respects_both_limits_and_sizes(orders):
    book = Book()
    placed = {}
    filled = {}
    for i, (side, size, price) in enumerate(orders):
        o = order(f"o{i}", side, size, price, owner=f"t{i}")
        placed[o.order_id] = (o, size)
        for f in book.place(o):
            buy, sell = placed[f.buy_id][0], placed[f.sell_id][0]
            assert fill_respects_limits(f.base_amount, f.quote_amount, buy.limit_price, sell.limit_price)
            for oid in (f.buy_id, f.sell_id):
                filled[oid] = filled.get(oid, 0) + f.base_amount
    for oid, (o, size) in placed.items():
        assert 0 <= o.remaining == size - filled.get(oid, 0)


def test_insert_and_cancel_do_not_walk_the_book():
    """10^4 resting orders: a cancel and a non-crossing placement stay far below a full sort."""
    book = Book()
    for i in range(10_000):
        book.place(order(f"s{i}", SELL, 1, (1000 + i % 500) * S, f"t{i}"))
    start = time.perf_counter()
    for i in range(1000):
        book.cancel(f"s{i}")
        book.place(order(f"b{i}", BUY, 1, 10 * S, f"u{i}"))
    per_op = (time.perf_counter() - start) / 2000
    assert per_op < 1e-3  # a sort of 10^4 orders per operation costs several ms
