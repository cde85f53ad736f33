"""The file a person can be given with their data (right of access): a readable HTML page or
JSON, labelled in the person's own language, with dates in the deployment's time zone."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from backend.console.person_record import PersonRecord
from backend.console.render import Formats, environment
from conversations.i18n import Translator


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def as_data(found: PersonRecord, tr: Translator) -> dict[str, Any]:
    """The record as plain data, labels in ``tr``'s language."""
    person = found.person
    return {
        "person": person.id,
        "language": person.language,
        "channel": person.channel,
        "first_contact": _iso(person.created_at),
        "consent": {"version": person.consent_version, "at": _iso(person.consent_at)},
        "addresses": [
            {
                "channel": a.channel,
                "address": a.address,
                "language": a.language,
                "last_inbound_at": _iso(a.last_inbound_at),
            }
            for a in found.addresses
        ],
        "profile": [{"question": a.question, "answer": a.value} for a in found.profile],
        "applications": [
            {
                "reference": r.application.reference,
                "program": r.program,
                "status": r.application.status,
                "submitted_at": _iso(r.application.submitted_at),
                "answers": [{"question": a.question, "answer": a.value} for a in r.answers],
            }
            for r in found.applications
        ],
        "cases": [
            {"opened_at": _iso(c.opened_at), "closed_at": _iso(c.closed_at), "status": c.status}
            for c in found.cases
        ],
        "loans": [
            {
                "program": found.programs.get(str(loan["program"]), loan["program"]),
                "amount": tr.amount(int(loan["principal_minor"]), str(loan["currency"])),
                "installments": loan["installments"],
                "status": loan["status"],
            }
            for loan in found.loans
        ],
        "trainings": [
            {
                "title": t.title,
                "starts_at": _iso(t.starts_at),
                "status": e.status,
                "answer": e.attendance,
                "attendance": mark,
            }
            for t, e, mark in found.trainings
        ],
        "reminders": [
            {
                "kind": r["kind"],
                "due_at": r["due_at"],
                "status": r["status"],
                "answer": r["answer"],
            }
            for r in found.reminders
        ],
    }


def export_file(
    found: PersonRecord, tr: Translator, *, kind: str, zone: ZoneInfo
) -> tuple[bytes, str]:
    """The file's bytes and type: ``json`` or a self-contained ``html`` page."""
    if kind == "json":
        body = json.dumps(as_data(found, tr), ensure_ascii=False, indent=2)
        return body.encode(), "application/json"
    page = environment.get_template("people/data.html").render(
        _=tr.gettext,
        lang=tr.lang,
        dir=tr.direction,
        fmt=Formats(tr, zone, datetime.now(UTC)),
        record=found,
    )
    return page.encode(), "text/html; charset=utf-8"
