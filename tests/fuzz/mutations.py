"""Hostile variants of valid files, and the harness that feeds them to a reader.

Every reader must answer a damaged file with a user error (zk's ZkError hierarchy) or, where
the damage leaves a well-formed file, with its content; any other exception fails the test.
Each run prints how many cases it fed and what they got. ZKTRADE_FUZZ_EXAMPLES scales the
number of cases (default 1: the budget below; 10 for a long run).
"""

import json
import os
from collections import Counter
from collections.abc import Callable, Sequence

from hypothesis import HealthCheck, given, settings, strategies as st

from zk.errors import ZkError

SCALE = float(os.environ.get("ZKTRADE_FUZZ_EXAMPLES", "1"))

# Length and count fields set to 0, 2^32 − 1, and "negative" (the top bit set, as a signed
# reader would see it), in the widths the formats use.
SPECIAL_U32 = (0, 1, 2**31, 2**32 - 1)
SPECIAL_U64 = (0, 2**32 - 1, 2**63, 2**64 - 1)
SPECIAL_JSON = (0, -1, 2**32 - 1, -(2**31), 2**64, 2**300, "0", "-1", "4294967295", "1e9", "0x10",
                None, True, 1.5, [], {}, "", "\u0000", "𝔽" * 3)
DEEP = 80_000


def budget(examples: int) -> int:
    return max(1, int(examples * SCALE))


def overwrite(blob: bytes, offset: int, value: int, width: int, order: str) -> bytes:
    return blob[:offset] + value.to_bytes(width, order) + blob[offset + width :]


def binary_mutations(blob: bytes, u32_fields: Sequence[int], u64_fields: Sequence[int], order: str):
    """Truncations, bit flips, inserted and deleted bytes, and special values in length fields."""
    n = len(blob)
    truncated = st.integers(0, n - 1).map(lambda cut: ("truncated", blob[:cut]))
    flipped = st.tuples(st.integers(0, n - 1), st.integers(0, 7)).map(
        lambda pb: ("bit flip", blob[: pb[0]] + bytes([blob[pb[0]] ^ (1 << pb[1])]) + blob[pb[0] + 1 :])
    )
    inserted = st.tuples(st.integers(0, n), st.binary(min_size=1, max_size=9)).map(
        lambda pi: ("bytes inserted", blob[: pi[0]] + pi[1] + blob[pi[0] :])
    )
    deleted = st.tuples(st.integers(0, n - 1), st.integers(1, 9)).map(
        lambda pd: ("bytes deleted", blob[: pd[0]] + blob[pd[0] + pd[1] :])
    )
    # Any aligned word may be a count the reader trusts, not only the fields we know of.
    words = sorted({*u32_fields, *range(0, n - 3, 4)})
    u32s = st.tuples(st.sampled_from(words), st.sampled_from(SPECIAL_U32)).map(
        lambda ov: ("u32 field set to %d" % ov[1], overwrite(blob, ov[0], ov[1], 4, order))
    )
    choices = [truncated, flipped, inserted, deleted, u32s]
    if u64_fields:
        u64s = st.tuples(st.sampled_from(list(u64_fields)), st.sampled_from(SPECIAL_U64)).map(
            lambda ov: ("u64 field set to %d" % ov[1], overwrite(blob, ov[0], ov[1], 8, order))
        )
        choices.append(u64s)
    return st.one_of(choices)


def _paths(value, prefix=()) -> list[tuple]:
    """Every position in a JSON tree (the root included), as a tuple of keys and indices."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _replace(value, path: tuple, new):
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    return [*value[:head], _replace(value[head], rest, new), *value[head + 1 :]]


def _deep_text(document, path: tuple) -> bytes:
    """The document with the value at `path` replaced by an 80,000-deep list."""
    marker = "\u0001deep\u0001"
    text = json.dumps(_replace(document, path, marker))
    return text.replace(json.dumps(marker), "[" * DEEP + "]" * DEEP, 1).encode()


def json_mutations(document):
    """Tree edits (special values, deep nesting, dropped or extra keys) and byte-level damage."""
    text = json.dumps(document).encode()
    paths = _paths(document)
    special = st.tuples(st.sampled_from(paths), st.sampled_from(SPECIAL_JSON)).map(
        lambda ps: (f"value set to {ps[1]!r:.12}", json.dumps(_replace(document, ps[0], ps[1])).encode())
    )
    deep = st.sampled_from(paths).map(lambda p: ("80,000-deep value", _deep_text(document, p)))
    wrapped = st.integers(1, 70).map(lambda d: (f"wrapped {d} deep", ("[" * d + text.decode() + "]" * d).encode()))
    objects = [p for p in paths if isinstance(_get(document, p), dict) and _get(document, p)]
    edits = [special, deep, wrapped, binary_mutations(text, (), (), "big")]
    if objects:
        dropped = st.sampled_from(objects).flatmap(
            lambda p: st.sampled_from(sorted(_get(document, p))).map(
                lambda k: (f"key {k!r} dropped", json.dumps(_replace(document, p, _without(_get(document, p), k))).encode())
            )
        )
        extra = st.sampled_from(objects).map(
            lambda p: ("key added", json.dumps(_replace(document, p, {**_get(document, p), "zz": 1})).encode())
        )
        edits += [dropped, extra]
    return st.one_of(edits)


def _get(value, path: tuple):
    for key in path:
        value = value[key]
    return value


def _without(obj: dict, key) -> dict:
    return {k: v for k, v in obj.items() if k != key}


def fuzz(name: str, reader: Callable[[bytes], object], mutations, examples: int, capsys,
         errors: tuple[type[Exception], ...] = (ZkError,)) -> Counter:
    """Feed `examples` (scaled) mutated inputs to `reader`; fail on any error but `errors`
    (the proof system's readers: ZkError; the trading system's files: any UserError)."""
    outcomes: Counter = Counter()

    @settings(max_examples=budget(examples), deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(mutations)
    def run(case):
        kind, data = case
        try:
            reader(data)
        except errors as exc:
            assert str(exc), f"{kind}: empty message"
            outcomes[f"refused ({type(exc).__name__})"] += 1
        else:
            # A cut file is never whole: every format here ends with a count-checked body or a
            # closing bracket.
            assert kind != "truncated", "a truncated file was accepted"
            outcomes["accepted"] += 1

    run()
    with capsys.disabled():
        total = sum(outcomes.values())
        print(f"\nfuzz {name}: {total} cases: " + ", ".join(f"{v} {k}" for k, v in sorted(outcomes.items())))
    return outcomes
