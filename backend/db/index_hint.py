"""Naming the index a hot query must read, for SQLite's planner.

SQLite plans without statistics unless ``ANALYZE`` ran, and then it prefers an equality on any
indexed column to a partial index that already yields the rows in the order asked for: the
outbox claim read every unsent row of a channel and sorted them (78 ms a claim at 13,000 rows)
where walking the partial index on unsent rows stops after the batch. ``INDEXED BY`` pins the
index (SQLite refuses the statement if the index cannot serve it, so a wrong hint fails loudly
rather than slowly). Other databases get a plain alias.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Alias
from sqlalchemy.sql.visitors import InternalTraversal


class IndexedAlias(Alias):
    """An alias that SQLite reads through one named index."""

    inherit_cache = True
    # The index is part of the statement's cache key: two hints never share a compiled form.
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy's own attribute)
        *Alias._traverse_internals,
        ("index", InternalTraversal.dp_string),
    ]
    index: str


@compiles(IndexedAlias)
def _plain(element: IndexedAlias, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.visit_alias(element, **kw))  # type: ignore[no-untyped-call]


@compiles(IndexedAlias, "sqlite")
def _sqlite(element: IndexedAlias, compiler: SQLCompiler, **kw: Any) -> str:
    rendered = str(compiler.visit_alias(element, **kw))  # type: ignore[no-untyped-call]
    if kw.get("asfrom"):
        rendered += " INDEXED BY " + compiler.preparer.quote(element.index)
    return rendered


def read_through(table: Table, index: str, *, name: str) -> IndexedAlias:
    """``table`` under the alias ``name``, read through ``index`` on SQLite."""
    alias = IndexedAlias._construct(table, name=name)
    alias.index = index
    return alias
