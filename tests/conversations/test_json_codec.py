"""The fast JSON of the hot paths reads and writes exactly what the standard library does: the
same values back, and nothing ``json`` accepts refused (a lone surrogate someone typed, an
integer too long for 64 bits), so a person's state or a Bot API answer never breaks on it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations import json_codec

#: Text as people type it, lone surrogates included (they reach us from other systems' JSON).
texts = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
integers = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**64 - 1), st.integers(min_value=2**64)
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | integers
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_what_is_written_reads_back_as_json_would(value: Any) -> None:
    expected = json.loads(json.dumps(value))
    assert json_codec.loads(json_codec.dumps(value)) == expected
    assert json_codec.loads(json_codec.dumps_bytes(value)) == expected
    # And the standard library reads what we write (another process, a console export).
    assert json.loads(json_codec.dumps(value)) == expected


@given(json_values)
def test_what_json_wrote_reads_the_same(value: Any) -> None:
    text = json.dumps(value)
    assert json_codec.loads(text) == json.loads(text)
    assert json_codec.loads(text.encode()) == json.loads(text)


@given(json_values)
def test_a_copy_is_equal_and_shares_nothing(value: Any) -> None:
    holder = {"value": value, "list": [value]}
    copy = json_codec.copied(holder)
    assert copy == holder
    copy["list"].append("changed")
    assert holder["list"] == [value]


def test_long_integers_stay_exact() -> None:
    # orjson would read this as a float, 123456789012345678901234567890 as 1.2345678901234568e29.
    assert json_codec.loads('{"amount": 123456789012345678901234567890}') == {
        "amount": 123456789012345678901234567890
    }
    assert json_codec.loads(b"[18446744073709551615]") == [2**64 - 1]


def test_a_lone_surrogate_is_read_and_written() -> None:
    assert json_codec.loads('{"text": "\\ud800 hi"}') == {"text": "\ud800 hi"}
    assert json_codec.dumps({"text": "\ud800"}) == '{"text": "\\ud800"}'
    assert json_codec.dumps_bytes(["\udfff"]) == b'["\\udfff"]'


def test_keys_that_are_not_text_become_text_as_json_writes_them() -> None:
    assert json_codec.loads(json_codec.dumps({1: "a", 2: "b"})) == {"1": "a", "2": "b"}


def test_what_json_refuses_is_refused() -> None:
    with pytest.raises(TypeError):
        json_codec.dumps({"at": datetime(2026, 1, 1, tzinfo=UTC)})
    with pytest.raises(ValueError):
        json_codec.loads("{not json")


def test_a_copy_of_something_beyond_json_is_still_a_copy() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    original = {"at": at, 3: [1, 2]}
    copy = json_codec.copied(original)
    assert copy == original and copy[3] is not original[3]
    assert copy["at"] == at
    assert json_codec.copied({3: "three"}) == {3: "three"}  # not {"3": ...}
