"""The ``massar`` command line."""

from __future__ import annotations

import asyncio
import getpass
import logging
import sys
import uuid
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from backend.settings import Settings
from backend.staff.cli import staff_app

app = typer.Typer(help="massar: the bot, its web app and its tools.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
content_app = typer.Typer(help="Content files: check and draw them.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(content_app, name="content")
app.add_typer(staff_app, name="staff")


def _settings() -> Settings:
    """Settings from the environment; a wrong setting stops here with its name."""
    try:
        return Settings()
    except ValueError as exc:
        typer.echo(f"Invalid settings:\n{exc}", err=True)
        raise typer.Exit(code=2) from exc


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the web chat, the webhooks and the dispatcher."""
    import uvicorn

    from backend.app.collector import settle_after_start
    from backend.app.main import create_app

    settings = _settings()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = create_app(settings)
    settle_after_start()
    uvicorn.run(app, host=host, port=port, log_level="info")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the latest schema."""
    from backend.db.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    typer.echo("database is up to date")


@content_app.command("check")
def content_check(
    directory: Annotated[
        Path | None, typer.Option(help="Content folder (default: the bundled content).")
    ] = None,
) -> None:
    """Validate every content file; exit 1 naming the file, the item and the problem."""
    from backend.cases.canned_replies import CannedRepliesError, load_canned_replies
    from conversations.content_loader import ContentError, load_content

    root = directory or _settings().content_dir
    problems: list[str] = []
    try:
        content = load_content(root)
    except ContentError as exc:
        problems += exc.problems
    try:
        canned = load_canned_replies(root)
    except CannedRepliesError as exc:
        problems += exc.problems
    if problems:
        for problem in problems:
            typer.echo(f"error: {problem}", err=True)
        typer.echo(f"{len(problems)} problem(s) in {root}", err=True)
        raise typer.Exit(code=1)
    from conversations.content_report import period_warnings, policy_lines

    for warning in [*content.warnings, *period_warnings(content, date.today())]:
        typer.echo(f"warning: {warning}", err=True)
    for line in policy_lines(content):
        typer.echo(line)
    typer.echo(
        f"content OK: {len(content.programs)} programs, "
        f"{len(content.profile.questions)} profile questions, "
        f"{len(content.awareness.articles)} articles, "
        f"{len(canned.root)} canned replies"
    )


@content_app.command("rules")
def content_rules() -> None:
    """Print every eligibility rule with its source, per programme (the README's table)."""
    from conversations.content_loader import load_content
    from conversations.content_report import rules_table

    typer.echo(rules_table(load_content(_settings().content_dir)), nl=False)


@content_app.command("diagram")
def content_diagram(
    output: Annotated[Path | None, typer.Option(help="Write to this file.")] = None,
    state_table: Annotated[
        bool, typer.Option("--state-table", help="The engine's state table instead.")
    ] = False,
) -> None:
    """Print the whole conversation, the profile and each form as Mermaid diagrams, generated
    from the engine's nodes and the content."""
    from conversations import diagram
    from conversations.content_loader import load_content
    from conversations.engine import build_nodes

    if state_table:
        text = diagram.state_table(build_nodes())
    else:
        text = diagram.mermaid(load_content(_settings().content_dir), build_nodes())
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text)


@app.command()
def chat(
    lang: Annotated[str | None, typer.Option(help="Your language on first contact.")] = None,
    user: Annotated[str | None, typer.Option("--as", help="Who you are (default: you).")] = None,
) -> None:
    """Talk to the bot in the terminal, with the same engine and database."""
    from backend.db.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    asyncio.run(_chat(settings, lang, user or getpass.getuser()))


async def _chat(settings: Settings, lang: str | None, user: str) -> None:
    from backend.runtime import Runtime
    from bot.base import InboundEnvelope
    from bot.console.adapter import CHANNEL, ConsoleAdapter
    from conversations.messages import Incoming

    runtime = Runtime.build(settings, extra_adapters=(ConsoleAdapter(sys.stdout),))
    address = f"console:{user}"
    typer.echo("(type your messages; numbers pick a choice; Ctrl-D to leave)\n")
    line: str | None = None
    try:
        while True:
            envelope = InboundEnvelope(
                channel=CHANNEL,
                address=address,
                external_id=str(uuid.uuid4()),
                incoming=Incoming(text=line, language_hint=lang),
            )
            await runtime.inbound.receive(envelope)
            await runtime.dispatcher.run_once(channels=[CHANNEL])
            try:
                line = await asyncio.to_thread(input, "> ")
            except EOFError:
                break
    finally:
        await runtime.close()


def main() -> None:
    """Entry point of the ``massar`` console script."""
    app()
