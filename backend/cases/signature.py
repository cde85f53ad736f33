"""How a staff reply is signed: the staff member's first name and their team (the case's
programme's short name, in the person's language), so a person never mistakes a human answer
for the bot's — ``Amina · IESS``."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from backend.staff.models import Staff
from conversations.content_loader import Content
from conversations.i18n import Catalogs


def first_name(name: str) -> str:
    """The first word of a full name (``Amina`` for ``Amina Trabelsi``)."""
    words = name.split()
    return words[0] if words else name


async def staff_signature(
    session: AsyncSession,
    *,
    staff_id: int,
    program: str | None,
    language: str,
    content: Content,
    catalogs: Catalogs,
) -> str:
    """The signature line for a reply by ``staff_id`` on a case of ``program``."""
    tr = catalogs.get(language)
    _ = tr.gettext
    staff = await session.get(Staff, staff_id)
    name = first_name(staff.name) if staff is not None else ""
    found = content.programs.get(program) if program else None
    team = found.short_name.get(language) if found is not None else _("Support team")
    if not name:
        return team
    return _("{name} · {team}").format(name=name, team=team)


def signed(signature: str, text: str) -> str:
    """The message as the person receives it: the signature on its own first line."""
    return f"{signature}\n{text}"
