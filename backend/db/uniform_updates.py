"""One ``UPDATE`` per table for a flush's changed rows, on the tables a session asks for.

SQLAlchemy's unit of work writes the changed rows of a table in primary-key order, grouped by
the columns that changed, and starts a new statement each time a row's columns differ from the
row before. An inbound batch of fifty turns changes each person a little differently (the
conversation state always, a language here, a profile there, the time of the last message), so
one flush sent a dozen UPDATEs per table. Marking every changed row of such a table as changed
in all the columns any of them changed makes the rows alike, and they go as one executemany;
a column a row did not change is written with the value it already has.

Only for rows the transaction has locked (the inbound path locks the people who write and
their addresses on PostgreSQL; on SQLite its first statement is a write, so it holds the
database's write lock throughout): writing back a column read earlier would otherwise undo
another transaction's change to it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstanceState, Session, UOWTransaction
from sqlalchemy.orm.attributes import flag_modified

#: Where a session keeps the classes whose rows are written alike (in its ``info``).
UNIFORM_UPDATES_KEY = "massar.uniform_updates"


def write_alike(session: AsyncSession, *classes: type[Any]) -> None:
    """Have every flush of ``session`` write each of ``classes``' changed rows alike."""
    session.info[UNIFORM_UPDATES_KEY] = frozenset(classes)


@event.listens_for(Session, "before_flush")
def _align(session: Session, _context: UOWTransaction, _instances: object) -> None:
    classes: frozenset[type[Any]] = session.info.get(UNIFORM_UPDATES_KEY, frozenset())
    if not classes:
        return
    changed: dict[type[Any], list[InstanceState[Any]]] = {}
    for instance in session.dirty:
        if type(instance) in classes:
            changed.setdefault(type(instance), []).append(inspect(instance))
    for model, states in changed.items():
        if len(states) > 1:
            _alike(model, states)


def _alike(model: type[Any], states: list[InstanceState[Any]]) -> None:
    columns = {attribute.key for attribute in inspect(model).column_attrs}
    # ``committed_state`` also names a column set to the value it had: ask its history.
    union = {
        key
        for state in states
        for key in state.committed_state.keys() & columns
        if state.attrs[key].history.has_changes()
    }
    for state in states:
        for key in union:
            # A column not loaded stays out (that row goes in a statement of its own).
            if key in state.dict and not state.attrs[key].history.has_changes():
                flag_modified(state.obj(), key)
