"""The live feed behind open inboxes: a row in ``console_events`` for every case opened,
message added, assignment, note or closing, written in the same flush as the change itself —
by whatever made it (a person's message, the API, the console).

It hooks SQLAlchemy's flush rather than each service, so no path that changes a case can
forget to tell the inbox.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

from backend.cases.models import Case, CaseMessage
from backend.console.models import CaseNote, ConsoleEvent
from backend.db.base import utcnow


def _changes(session: Session) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for obj in session.new:
        if isinstance(obj, Case):
            rows.append({"kind": "case", "case_id": obj.id, "program": obj.program, "at": now})
        elif isinstance(obj, CaseMessage | CaseNote):
            kind = "message" if isinstance(obj, CaseMessage) else "note"
            rows.append({"kind": kind, "case_id": obj.case_id, "program": None, "at": now})
    for obj in session.dirty:
        if not isinstance(obj, Case):
            continue
        state = inspect(obj)
        if state.attrs.assigned_to.history.has_changes():
            rows.append({"kind": "assign", "case_id": obj.id, "program": obj.program, "at": now})
        if state.attrs.status.history.has_changes():
            rows.append({"kind": "status", "case_id": obj.id, "program": obj.program, "at": now})
    return rows


def _after_flush(session: Session, context: UOWTransaction) -> None:
    rows = _changes(session)
    if not rows:
        return
    missing = {row["case_id"] for row in rows if row["program"] is None}
    if missing:
        programs = {
            case.id: case.program
            for case in (session.get(Case, case_id) for case_id in missing)
            if case is not None
        }
        for row in rows:
            if row["program"] is None:
                row["program"] = programs.get(row["case_id"])
    session.connection().execute(insert(ConsoleEvent), rows)


def listen() -> None:
    """Record events from now on, in this process (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
