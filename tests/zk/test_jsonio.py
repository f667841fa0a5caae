"""The JSON loader: caps checked before parsing, the depth scan exact and linear."""

import json
import time

import pytest
from hypothesis import given, settings, strategies as st

from zk.errors import MalformedInput
from zk.jsonio import MAX_DEPTH, load_json, nesting_depth, parse_json

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=30,
)


def python_depth(value) -> int:
    if isinstance(value, list):
        return 1 + max((python_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((python_depth(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.booleans())
def test_depth_scan_agrees_with_the_parsed_value(value, ascii_only):
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert nesting_depth(text.encode()) == python_depth(value)
    assert parse_json(text, "doc") == value


@pytest.mark.parametrize(
    "text, depth",
    [('"[[[{"', 0), (r'["\"[", [[]]]', 3), (r'{"a\\":[[]]}', 3), (r'["\\\"]"]', 1), ("", 0)],
)
def test_depth_scan_reads_escapes_as_the_parser_does(text, depth):
    assert nesting_depth(text.encode()) == depth


@pytest.mark.parametrize(
    "doc, reason",
    [
        ("[" * 80_000 + "]" * 80_000, "80000 levels deep"),
        ('{"a": ' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1), f"{MAX_DEPTH + 1} levels deep"),
        ("[NaN]", "NaN is not a JSON number"),
        ("[-Infinity]", "-Infinity is not a JSON number"),
        ('{"x": 1, "x": 2}', "duplicate key 'x'"),
        ("\ufeff[]", "BOM"),
        (b"[\"\xff\"]", "not UTF-8"),
        ("1" * 5000, "4300 digits"),
        ("{not json", "not valid JSON"),
        ("", "not valid JSON"),
    ],
)
def test_refusals_are_user_errors(doc, reason):
    with pytest.raises(MalformedInput, match=reason):
        parse_json(doc, "doc")


def test_size_cap_is_checked_before_reading_everything(tmp_path):
    path = tmp_path / "big.json"
    path.write_text("[" + "0," * 600 + "0]")
    with pytest.raises(MalformedInput, match="larger than the 1000 bytes"):
        load_json(path, "doc", max_bytes=1000)
    assert len(load_json(path, "doc", max_bytes=2000)) == 601
    with pytest.raises(MalformedInput, match="does not exist"):
        load_json(tmp_path / "missing.json", "doc")
    with pytest.raises(MalformedInput, match="is a directory"):
        load_json(tmp_path, "doc")


def test_depth_scan_is_linear_on_adversarial_text():
    """An unterminated string followed by escaped quotes made a regex scanner quadratic."""

    def seconds(n: int) -> float:
        docs = ['"' + '\\"' * n, "[" * n + "]" * n, '["' + "\\\\" * n + '"]']
        start = time.perf_counter()
        for doc in docs:
            nesting_depth(doc.encode())
        return time.perf_counter() - start

    small, large = seconds(100_000), seconds(1_600_000)
    assert large < 40 * small + 0.5, (small, large)  # 16× the input: linear, with slack for load
