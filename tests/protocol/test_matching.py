"""The matching engine: priority, maker price, partial fills, cancels, limit-safe rounding."""

from hypothesis import given, settings, strategies as st

from protocol.matching import BookOrder, OrderBook, fill_respects_limits, quote_for
from protocol.params import BUY, PRICE_SCALE, SELL

S = PRICE_SCALE


def order(oid, side, size, price, owner="x"):
    return BookOrder(oid, side, base_asset=1, quote_asset=2, size=size, limit_price=price, owner=owner)


def test_price_then_time_priority_and_maker_price():
    book = OrderBook()
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


def test_partial_fill_rests_and_cancel():
    book = OrderBook()
    book.place(order("b1", BUY, 10, 100 * S, "bob"))
    fills = book.place(order("s1", SELL, 4, 90 * S, "alice"))
    assert [(f.buy_id, f.sell_id, f.base_amount, f.quote_amount) for f in fills] == [("b1", "s1", 4, 400)]
    assert [o.order_id for o in book.bids((1, 2))] == ["b1"] and book.bids((1, 2))[0].remaining == 6
    book.cancel("b1")
    assert book.bids((1, 2)) == []
    assert book.place(order("s2", SELL, 1, 90 * S, "alice")) == []


def test_no_cross_no_fill_and_no_self_trade():
    book = OrderBook()
    book.place(order("s1", SELL, 10, 101 * S, "alice"))
    assert book.place(order("b1", BUY, 10, 100 * S, "bob")) == []
    assert book.place(order("b2", BUY, 10, 200 * S, "alice")) == []


def test_equal_limits_round_base_down_to_an_exact_quote():
    book = OrderBook()
    book.place(order("b", BUY, 3, 3 * S // 2, "bob"))
    fills = book.place(order("s", SELL, 3, 3 * S // 2, "alice"))
    assert [(f.base_amount, f.quote_amount) for f in fills] == [(2, 3)]


prices = st.integers(1, 10**6 * S)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([BUY, SELL]), st.integers(1, 10**6), prices), min_size=1, max_size=12))
def test_every_fill_respects_both_limits_and_sizes(orders):
    book = OrderBook()
    placed = {}
    for i, (side, size, price) in enumerate(orders):
        o = order(f"o{i}", side, size, price, owner=f"t{i}")
        placed[o.order_id] = o
        for f in book.place(o):
            buy, sell = placed[f.buy_id], placed[f.sell_id]
            assert fill_respects_limits(f.base_amount, f.quote_amount, buy.limit_price, sell.limit_price)
    for o in placed.values():
        assert 0 <= o.remaining <= o.size


def test_quote_rounding_favours_the_maker():
    assert quote_for(3, S // 3, SELL) == 1  # 0.999… rounded up for a selling maker
    assert quote_for(3, S // 3, BUY) == 0  # rounded down for a buying maker
