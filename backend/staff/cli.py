"""``massar staff``: accounts and API tokens, from the command line only.

There is no way to create the first admin over HTTP, so nobody can on an exposed server.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from backend.settings import Settings

staff_app = typer.Typer(help="Staff accounts and API tokens.", no_args_is_help=True)
T = TypeVar("T")


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as exc:
        typer.echo(f"Invalid settings:\n{exc}", err=True)
        raise typer.Exit(code=2) from exc


def _in_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Migrate, then run ``work`` in one committed transaction."""
    from backend.db.migrate import upgrade
    from backend.db.session import make_engine, make_session_factory

    upgrade(settings.database_url)

    async def run() -> T:
        db = make_engine(settings.database_url)
        try:
            async with make_session_factory(db)() as session, session.begin():
                return await work(session)
        finally:
            await db.dispose()

    return asyncio.run(run())


@staff_app.command("create")
def create(
    email: Annotated[str, typer.Argument(help="The account's email, used to log in.")],
    name: Annotated[str, typer.Option(help="Full name, shown to colleagues.")],
    role: Annotated[str, typer.Option(help="admin, supervisor or agent.")],
    program: Annotated[
        list[str] | None, typer.Option(help="A program code; repeat for several.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read a password from standard input.")
    ] = False,
) -> None:
    """Create a staff account; agents and supervisors see only their programs."""
    from backend.db.base import utcnow
    from backend.staff.service import StaffError, create_staff
    from conversations.content_loader import load_content

    settings = _settings()
    programs = list(program or [])
    known = load_content(settings.content_dir).programs
    unknown = [code for code in programs if code not in known]
    if unknown:
        typer.echo(
            f"error: unknown program {', '.join(unknown)}; known: {', '.join(sorted(known))}",
            err=True,
        )
        raise typer.Exit(code=1)
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    if password_stdin and len(password or "") < 10:
        typer.echo("error: the password needs at least 10 characters", err=True)
        raise typer.Exit(code=1)

    async def work(session: AsyncSession) -> int:
        staff = await create_staff(
            session,
            email=email,
            name=name,
            role=role,
            programs=programs,
            password=password,
            now=utcnow(),
        )
        return staff.id

    try:
        staff_id = _in_session(settings, work)
    except StaffError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"created {role} #{staff_id}")


@staff_app.command("token")
def token(
    email: Annotated[str, typer.Argument(help="Whose token.")],
    label: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
) -> None:
    """Issue an API token; it is printed once, alone on the last line."""
    from backend.db.base import utcnow
    from backend.staff.service import find_staff, issue_token

    async def work(session: AsyncSession) -> str | None:
        staff = await find_staff(session, email=email)
        if staff is None or not staff.active:
            return None
        return await issue_token(session, staff_id=staff.id, now=utcnow(), label=label)

    issued = _in_session(_settings(), work)
    if issued is None:
        typer.echo("error: no active account with this email", err=True)
        raise typer.Exit(code=1)
    typer.echo("API token (shown once; send it as 'Authorization: Bearer <token>'):")
    typer.echo(issued)


@staff_app.command("revoke")
def revoke(email: Annotated[str, typer.Argument(help="Whose tokens.")]) -> None:
    """Revoke every API token of an account."""
    from backend.db.base import utcnow
    from backend.staff.service import find_staff, revoke_all

    async def work(session: AsyncSession) -> int | None:
        staff = await find_staff(session, email=email)
        if staff is None:
            return None
        return await revoke_all(session, staff_id=staff.id, now=utcnow())

    count = _in_session(_settings(), work)
    if count is None:
        typer.echo("error: no account with this email", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"revoked {count} token(s)")
