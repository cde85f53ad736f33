"""JSON for the hot paths (Bot API bodies and answers, the database's JSON columns), by orjson.

orjson is several times faster than the standard library, which mattered: every update and
every reply is JSON several times over. It is stricter, though, and where it refuses what
``json`` accepts (a lone UTF-16 surrogate in a text, an integer beyond 64 bits, ``NaN``) the
standard library does the work instead, so nothing that worked before is refused now. orjson
would read an integer of more than 64 bits as an inexact float without complaint: a text with
a run of 19 digits or more is read by the standard library, which keeps it exact.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import orjson

#: Keys that are not text become text, as ``json`` writes them; dates and dataclasses are
#: refused, as ``json`` refuses them (orjson would write them without being asked).
_OPTIONS = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)
_STRICT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
#: Digits enough to be an integer orjson may not read exactly (2**63 has 19).
_LONG_DIGITS = re.compile(r"\d{19,}")
_LONG_DIGITS_BYTES = re.compile(rb"\d{19,}")


def dumps_bytes(value: Any) -> bytes:
    """``value`` as UTF-8 JSON (non-ASCII characters as they are, not escaped)."""
    try:
        return orjson.dumps(value, option=_OPTIONS)
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(value).encode()  # escaped: a lone surrogate is no UTF-8


def dumps(value: Any) -> str:
    """``value`` as JSON text."""
    try:
        return orjson.dumps(value, option=_OPTIONS).decode()
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(value)


def loads(text: str | bytes) -> Any:
    """The value of a JSON text; ``ValueError`` (``json.JSONDecodeError``) if it is not one."""
    long_digits = _LONG_DIGITS_BYTES if isinstance(text, bytes) else _LONG_DIGITS
    if long_digits.search(text) is None:  # type: ignore[arg-type]
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)


def copied(value: Any) -> Any:
    """A deep copy of a JSON value (dicts, lists, text, numbers), faster than ``copy.deepcopy``;
    anything else (keys that are not text, dates) is copied by ``copy.deepcopy``."""
    try:
        return orjson.loads(orjson.dumps(value, option=_STRICT))
    except (orjson.JSONEncodeError, TypeError, orjson.JSONDecodeError):
        return copy.deepcopy(value)
