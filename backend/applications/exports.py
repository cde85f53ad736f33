"""Exports of applications as CSV and XLSX: one row per application, one column per form field.

Spreadsheets run what looks like a formula, and answers are typed by anyone: CSV cells that
start with ``= + - @`` (or a tab or carriage return) get a leading quote, and XLSX cells are
always written as text, never as formulas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.models import Application
from backend.applications.queries import Filters, filtered
from backend.staff.service import Principal
from conversations.content_loader import Content
from conversations.content_schema import CURRENCY_DECIMALS, Question

FIXED_COLUMNS = (
    "reference",
    "program",
    "status",
    "language",
    "submitted_at",
    "updated_at",
    "governorate",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def form_fields(content: Content, program: str | None) -> list[Question]:
    """The form's questions; for every program, each field id once, in content order."""
    programs = [content.programs[program]] if program else list(content.programs.values())
    seen: dict[str, Question] = {}
    for each in programs:
        for question in each.form:
            seen.setdefault(question.id, question)
    return list(seen.values())


def _cell(question: Question, value: Any, currency: str) -> str:
    """An answer as staff read it: amounts in major units, yes/no for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if question.type == "amount" and isinstance(value, int):
        decimals = CURRENCY_DECIMALS.get(question.currency or currency, 0)
        return str(Decimal(value).scaleb(-decimals))
    return str(value)


async def export_rows(
    session: AsyncSession,
    *,
    principal: Principal,
    content: Content,
    filters: Filters,
    zone: ZoneInfo,
) -> tuple[list[str], list[list[str]]]:
    """The header and the rows, oldest application first."""
    fields = form_fields(content, filters.program)
    query = filtered(principal, filters, zone)
    rows: list[list[str]] = []
    result = await session.execute(query.order_by(Application.id))
    for application, governorate in result:
        program = content.programs.get(application.program)
        currency = program.currency if program else "TND"
        answers = application.answers or {}
        rows.append(
            [
                application.reference,
                application.program,
                application.status,
                application.language,
                application.submitted_at.astimezone(zone).isoformat(timespec="seconds"),
                application.updated_at.astimezone(zone).isoformat(timespec="seconds"),
                governorate or "",
                *(_cell(q, answers.get(q.id), currency) for q in fields),
            ]
        )
    return [*FIXED_COLUMNS, *(q.id for q in fields)], rows


def defuse(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def to_csv(header: list[str], rows: Iterable[list[str]]) -> str:
    """CSV with a header line; UTF-8 with a byte-order mark so Excel reads Arabic right."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([defuse(cell) for cell in row] for row in rows)
    return out.getvalue()


def to_xlsx(header: list[str], rows: Iterable[list[str]]) -> bytes:
    """An XLSX workbook, one sheet, every cell text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("applications")
    for line in [header, *rows]:
        cells = []
        for value in line:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
