"""Every row that belongs to a person, moved from one person to another and back.

The tables are read from ``Base.metadata``: whatever references ``beneficiaries.id`` moves,
so a table added later is not forgotten. Each one still needs a line in :data:`POLICIES`
saying what happens when both people have "the same" row (a test fails until it has one):

- ``move``: nothing can collide; every row changes hands.
- ``keep_survivor``: a unique key with the person in it (both enrolled in one training, both
  reached by one broadcast, both at one funnel stage). Two rows for one person would count
  them twice, so the survivor's row stays and the absorbed person's duplicate is deleted, its
  values kept in the merge's snapshot (with the rows that cascade from it, a duplicate
  enrollment's reminders) so that an undo puts it back as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Table,
    UniqueConstraint,
    and_,
    delete,
    insert,
    inspect,
    select,
    tuple_,
    update,
)
from sqlalchemy import null as sql_null
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from backend.db.models import Base

Policy = Literal["move", "keep_survivor"]

#: What a merge does with each table that references a person (see the module's docstring).
POLICIES: dict[str, Policy] = {
    "addresses": "move",
    "applications": "move",
    "broadcast_recipients": "keep_survivor",
    "cases": "move",
    "consents": "move",
    "enrollments": "keep_survivor",
    "funnel_steps": "keep_survivor",
    "inbound_messages": "move",
    "link_codes": "move",
    "loans": "move",
    "media_files": "keep_survivor",
    "outbox": "move",
    "person_merges": "move",
    "reminders": "move",
    "surveys": "move",
    "training_attendance": "keep_survivor",
}


@dataclass(frozen=True)
class Reference:
    """One column that points at a person, and the other columns of each unique key it is in."""

    table: Table
    column: Column[Any]
    unique_with: tuple[tuple[str, ...], ...]


def references() -> list[Reference]:
    """Every column that references ``beneficiaries.id``, in dependency order."""
    found = []
    for table in Base.metadata.sorted_tables:
        for foreign_key in table.foreign_keys:
            if foreign_key.column.table.name != "beneficiaries":
                continue
            column = foreign_key.parent
            keys = tuple(
                tuple(c.name for c in constraint.columns if c is not column)
                for constraint in table.constraints
                if isinstance(constraint, UniqueConstraint) and column.name in constraint.columns
            )
            found.append(Reference(table, column, keys))
    return found


def table_named(name: str) -> Table:
    """A table of the metadata by its name."""
    return Base.metadata.tables[name]


def unhandled() -> list[str]:
    """Tables that reference a person with no policy, or with unique keys and no dedup."""
    wrong = []
    for ref in references():
        policy = POLICIES.get(ref.table.name)
        if policy is None or (ref.unique_with and policy != "keep_survivor"):
            wrong.append(ref.table.name)
    return wrong


@dataclass
class Moved:
    """What a move did: ids per table that changed hands, and the duplicates it deleted."""

    ids: dict[str, list[int]] = field(default_factory=dict)
    dropped: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


async def move_all(session: AsyncSession, *, from_id: int, to_id: int) -> Moved:
    """Give every row of ``from_id`` to ``to_id``, in the caller's transaction."""
    wrong = unhandled()
    if wrong:
        raise RuntimeError(f"no merge policy for {', '.join(wrong)}")
    moved = Moved()
    for ref in references():
        for key in ref.unique_with:
            await _drop_duplicates(session, ref, key, from_id=from_id, to_id=to_id, into=moved)
    for ref in references():
        result = await session.execute(
            update(ref.table)
            .where(ref.column == from_id)
            .values({ref.column.name: to_id})
            .returning(ref.table.c.id)
        )
        ids = sorted(int(i) for i in result.scalars())
        if ids:
            moved.ids[ref.table.name] = sorted({*moved.ids.get(ref.table.name, []), *ids})
            _follow_in_memory(session, ref, ids, to_id)
    return moved


def _follow_in_memory(session: AsyncSession, ref: Reference, ids: list[int], to_id: int) -> None:
    """Objects the caller already loaded see their new person, without a reload (which an
    async session cannot do lazily) and without looking changed."""
    wanted = set(ids)
    for obj in list(session.identity_map.values()):
        mapper = inspect(obj).mapper
        if ref.table not in mapper.tables or getattr(obj, "id", None) not in wanted:
            continue
        set_committed_value(obj, mapper.get_property_by_column(ref.column).key, to_id)


def _forget(session: AsyncSession, table: Table, ids: list[int]) -> None:
    """Deleted rows leave the session too, so that nothing tries to update them later."""
    gone = set(ids)
    for obj in list(session.identity_map.values()):
        if table in inspect(obj).mapper.tables and getattr(obj, "id", None) in gone:
            session.expunge(obj)


async def _drop_duplicates(
    session: AsyncSession,
    ref: Reference,
    key: tuple[str, ...],
    *,
    from_id: int,
    to_id: int,
    into: Moved,
) -> None:
    table = ref.table
    columns = [table.c[name] for name in key]
    theirs = select(*columns).where(ref.column == to_id)
    clash = select(table).where(ref.column == from_id, tuple_(*columns).in_(theirs))
    rows = [dict(row) for row in (await session.execute(clash)).mappings()]
    if not rows:
        return
    ids = [int(row["id"]) for row in rows]
    await _drop_dependents(session, table, ids, into=into)
    into.dropped.setdefault(table.name, []).extend(_plain(table, row) for row in rows)
    await session.execute(delete(table).where(table.c.id.in_(ids)))
    _forget(session, table, ids)


async def _drop_dependents(
    session: AsyncSession, parent: Table, ids: list[int], *, into: Moved
) -> None:
    """Rows that a deleted duplicate would take with it (``ON DELETE CASCADE``), kept too."""
    for table in Base.metadata.sorted_tables:
        for foreign_key in table.foreign_keys:
            if foreign_key.column.table is not parent or foreign_key.ondelete != "CASCADE":
                continue
            condition = foreign_key.parent.in_(ids)
            rows = (await session.execute(select(table).where(condition))).mappings()
            kept = [_plain(table, dict(row)) for row in rows]
            if kept:
                into.dropped.setdefault(table.name, []).extend(kept)
                await session.execute(delete(table).where(condition))
                _forget(session, table, [int(row["id"]) for row in kept])


async def move_back(
    session: AsyncSession, *, ids: Mapping[str, list[int]], from_id: int, to_id: int
) -> dict[str, list[int]]:
    """Give back the rows listed in ``ids`` that ``from_id`` still has; the ids moved."""
    back: dict[str, list[int]] = {}
    for ref in references():
        wanted = ids.get(ref.table.name) or []
        if not wanted:
            continue
        result = await session.execute(
            update(ref.table)
            .where(and_(ref.column == from_id, ref.table.c.id.in_(wanted)))
            .values({ref.column.name: to_id})
            .returning(ref.table.c.id)
        )
        moved = sorted(int(i) for i in result.scalars())
        if moved:
            back[ref.table.name] = moved
            _follow_in_memory(session, ref, moved, to_id)
    return back


async def restore_dropped(
    session: AsyncSession, dropped: Mapping[str, list[dict[str, Any]]]
) -> None:
    """Put the deleted duplicates back, parents before the rows that point at them. A row
    whose id was taken meanwhile comes back under a new one."""
    renumbered: dict[str, dict[int, int]] = {}
    for table in Base.metadata.sorted_tables:
        for saved in dropped.get(table.name) or []:
            row = _typed(table, saved)
            for foreign_key in table.foreign_keys:
                old = row.get(foreign_key.parent.name)
                new_ids = renumbered.get(foreign_key.column.table.name, {})
                if old in new_ids:
                    row[foreign_key.parent.name] = new_ids[old]
            taken = await session.scalar(select(table.c.id).where(table.c.id == row["id"]))
            if taken is not None:
                old_id = row.pop("id")
                new_id = await session.scalar(insert(table).values(row).returning(table.c.id))
                renumbered.setdefault(table.name, {})[int(old_id)] = int(new_id or 0)
            else:
                await session.execute(insert(table).values(row))


def plain_row(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row as JSON can hold it (dates as ISO text)."""
    return _plain(table, row)


def typed_row(table: Table, saved: Mapping[str, Any]) -> dict[str, Any]:
    """A saved row with its dates back, ready to insert (``None`` as SQL NULL)."""
    return _typed(table, saved)


def _plain(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in table.columns:
        value = row.get(column.name)
        out[column.name] = value.isoformat() if isinstance(value, date | datetime) else value
    return out


def _typed(table: Table, saved: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in table.columns:
        if column.name not in saved:
            continue
        value = saved[column.name]
        kind = getattr(column.type, "impl", column.type)
        if value is None:
            out[column.name] = sql_null()
        elif isinstance(kind, DateTime):
            out[column.name] = datetime.fromisoformat(value)
        elif isinstance(kind, Date):
            out[column.name] = date.fromisoformat(value)
        else:
            out[column.name] = value
    return out
