"""A JSON field's text with its key written into the SQL, so expression indexes serve it.

SQLAlchemy's ``column["key"].as_string()`` sends the key as a bound parameter: the query's
expression then never equals an index's (SQLite compares expressions literally, PostgreSQL's
generic plans see a parameter), and the index is skipped. This one renders
``json_extract(column, '$.key')`` on SQLite and ``column ->> 'key'`` on PostgreSQL: the
same text in the queries and in the indexes the migrations create.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import Grouping
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

_KEY = re.compile(r"[a-z_][a-z0-9_]*")


class json_text(FunctionElement[str]):
    """``json_text(column, "key")``: the text of a top-level key of a JSON column."""

    type = String()
    name = "json_text"
    inherit_cache = True
    #: The key is part of the statement cache's key: two keys never share compiled SQL.
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's own attribute, read-only
        *FunctionElement._traverse_internals,
        ("key", InternalTraversal.dp_string),
    ]

    def __init__(self, column: Any, key: str) -> None:
        if not _KEY.fullmatch(key):
            raise ValueError(f"not a plain JSON key: {key!r}")
        self.key = key
        super().__init__(column)

    def _column_sql(self, compiler: SQLCompiler, **kw: Any) -> str:
        return str(compiler.process(self.clauses, **kw))


@compiles(json_text)
def _sqlite(element: json_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_extract({element._column_sql(compiler, **kw)}, '$.{element.key}')"


@compiles(json_text, "postgresql")
def _postgresql(element: json_text, compiler: SQLCompiler, **kw: Any) -> str:
    # No parentheses, as PostgreSQL prints the index back (Alembic compares that text);
    # ``->>`` binds tighter than the comparisons and LIKE it meets here.
    return f"{element._column_sql(compiler, **kw)} ->> '{element.key}'"


def indexed_json_text(column: Any, key: str) -> Grouping[str]:
    """``json_text`` in parentheses, as an index on the bare expression needs it."""
    return Grouping(json_text(column, key))
