"""The 24-hour window: free-form inside, templates outside, held without one; 131047; retries."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from backend.conversations.models import OutboxMessage
from backend.runtime import Runtime
from backend.settings import Settings
from tests.bot.whatsapp.driver import WhatsAppPerson
from tests.doubles.whatsapp_api import GraphApiDouble
from tests.support import FakeClock

STAFF_TEXT = "Bonjour Zeineb,\nvotre dossier est complet. Nous vous appelons lundi."


async def queue(
    runtime: Runtime, person: WhatsAppPerson, text: str, *, kind: str, language: str = "fr"
) -> int:
    """A message from staff or the scheduler, queued as the backend does."""
    beneficiary = await person.beneficiary()
    now = runtime.clock()
    async with runtime.sessions() as session, session.begin():
        row = OutboxMessage(
            beneficiary_id=beneficiary.id,
            channel="whatsapp",
            address=person.wa_id,
            payload={"text": text, "language": language, "kind": kind, "choices": []},
            status="queued",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        session.add(row)
        await session.flush()
        return row.id


async def row(runtime: Runtime, outbox_id: int) -> OutboxMessage:
    async with runtime.sessions() as session:
        found = await session.get(OutboxMessage, outbox_id)
    assert found is not None
    return found


@pytest.fixture
async def person(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, graph: GraphApiDouble
) -> WhatsAppPerson:
    someone = WhatsAppPerson(wa_client, wa_runtime, graph)
    await someone.say("bonjour")
    return someone


async def test_inside_the_window_a_staff_reply_goes_as_itself(
    person: WhatsAppPerson, wa_runtime: Runtime, graph: GraphApiDouble, clock: FakeClock
) -> None:
    clock.advance(timedelta(hours=23))
    outbox_id = await queue(wa_runtime, person, STAFF_TEXT, kind="staff_reply")
    await person.flush()
    assert graph.delivered[-1]["type"] == "text"
    assert graph.delivered[-1]["text"]["body"] == STAFF_TEXT
    assert (await row(wa_runtime, outbox_id)).status == "sent"


async def test_after_the_weekend_a_staff_reply_goes_as_its_template(
    person: WhatsAppPerson, wa_runtime: Runtime, graph: GraphApiDouble, clock: FakeClock
) -> None:
    clock.advance(timedelta(hours=25))
    outbox_id = await queue(wa_runtime, person, STAFF_TEXT, kind="staff_reply")
    await person.flush()
    sent = graph.delivered[-1]
    assert sent["type"] == "template"
    assert sent["template"]["name"] == "massar_message"
    assert sent["template"]["language"] == {"code": "fr"}
    parameter = sent["template"]["components"][0]["parameters"][0]["text"]
    assert parameter == "Bonjour Zeineb, · votre dossier est complet. Nous vous appelons lundi."
    stored = await row(wa_runtime, outbox_id)
    assert (
        stored.status == "sent" and stored.external_id == f"wamid.TEST{len(graph.delivered):06d}"
    )


@pytest.mark.parametrize(
    ("kind", "language", "name", "code"),
    [
        ("reminder", "ar", "massar_reminder", "ar"),
        ("decision", "pt", "massar_decision", "pt_PT"),
        ("broadcast", "en", "massar_news", "en"),
        ("reply", "fr", "massar_message", "fr"),
    ],
)
async def test_each_kind_and_language_has_its_template(
    person: WhatsAppPerson,
    wa_runtime: Runtime,
    graph: GraphApiDouble,
    clock: FakeClock,
    kind: str,
    language: str,
    name: str,
    code: str,
) -> None:
    clock.advance(timedelta(days=3))
    await queue(wa_runtime, person, "Texte", kind=kind, language=language)
    await person.flush()
    assert graph.delivered[-1]["template"]["name"] == name
    assert graph.delivered[-1]["template"]["language"]["code"] == code


class TestWithOnlyAFrenchStaffReplyTemplate:
    """A deployment that created a single template."""

    @pytest.fixture
    def templates_file(self, tmp_path: Path) -> Path:
        path = tmp_path / "templates.yaml"
        path.write_text(
            "staff_reply:\n"
            '  fr: {name: massar_message, language_code: fr, text: "Message : {{1}} !"}\n',
            encoding="utf-8",
        )
        return path

    async def test_without_a_template_the_message_is_held_visible_and_sent_when_they_write(
        self,
        person: WhatsAppPerson,
        wa_runtime: Runtime,
        graph: GraphApiDouble,
        clock: FakeClock,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        clock.advance(timedelta(hours=30))
        calls = len(graph.calls)
        outbox_id = await queue(
            wa_runtime, person, "Votre formation commence demain.", kind="reminder"
        )
        await person.flush()
        held = await row(wa_runtime, outbox_id)
        assert held.status == "held"
        assert held.last_error is not None
        assert "'reminder'" in held.last_error and "'fr'" in held.last_error
        assert "MASSAR_WHATSAPP_TEMPLATES" in held.last_error
        assert "held" in caplog.text
        assert len(graph.calls) == calls, "nothing was sent"
        clock.advance(timedelta(hours=1))
        await person.flush()
        assert (await row(wa_runtime, outbox_id)).status == "held", "never dropped, never retried"

        replies = await person.say("bonjour")
        bodies = [p.get("text", {}).get("body") for p in replies]
        assert "Votre formation commence demain." in bodies, "released once the window opened"
        released = await row(wa_runtime, outbox_id)
        assert released.status == "sent" and released.last_error is None

    async def test_a_staff_reply_still_uses_the_template_configured_for_it(
        self, person: WhatsAppPerson, wa_runtime: Runtime, graph: GraphApiDouble, clock: FakeClock
    ) -> None:
        clock.advance(timedelta(hours=30))
        await queue(wa_runtime, person, "Bonjour", kind="staff_reply")
        await queue(wa_runtime, person, "مرحبا", kind="staff_reply", language="ar")
        await person.flush()
        assert graph.delivered[-1]["template"]["name"] == "massar_message"
        async with wa_runtime.sessions() as session:
            statuses = list(
                await session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id))
            )
        assert statuses[-2:] == ["sent", "held"], "no Arabic template: held"


async def test_when_meta_says_the_window_closed_the_template_goes_at_once(
    person: WhatsAppPerson, wa_runtime: Runtime, graph: GraphApiDouble
) -> None:
    outbox_id = await queue(wa_runtime, person, STAFF_TEXT, kind="staff_reply")
    graph.fail_next("reengagement")
    await person.flush()
    assert graph.calls[-2].status == 400 and graph.calls[-2].payload["type"] == "text"
    assert graph.calls[-1].status == 200 and graph.calls[-1].payload["type"] == "template"
    assert (await row(wa_runtime, outbox_id)).status == "sent"


async def test_throughput_errors_are_retried_after_the_backoff(
    person: WhatsAppPerson, wa_runtime: Runtime, graph: GraphApiDouble, clock: FakeClock
) -> None:
    outbox_id = await queue(wa_runtime, person, "Un", kind="staff_reply")
    graph.fail_next("throughput")
    await person.flush()
    waiting = await row(wa_runtime, outbox_id)
    assert (waiting.status, waiting.attempts) == ("retry", 1)
    assert waiting.last_error == "Rate limit hit (Cloud API message throughput has been reached.)"
    clock.advance(timedelta(seconds=2))
    await person.flush()
    assert (await row(wa_runtime, outbox_id)).status == "sent"


async def test_a_429_waits_for_retry_after_and_a_5xx_is_retried(
    person: WhatsAppPerson, wa_runtime: Runtime, graph: GraphApiDouble, clock: FakeClock
) -> None:
    outbox_id = await queue(wa_runtime, person, "Deux", kind="staff_reply")
    graph.fail_next("429", retry_after=30)
    await person.flush()
    clock.advance(timedelta(seconds=29))
    await person.flush()
    assert (await row(wa_runtime, outbox_id)).status == "retry", "not before Retry-After"
    graph.fail_next("server")
    clock.advance(timedelta(seconds=2))
    await person.flush()
    assert (await row(wa_runtime, outbox_id)).status == "retry"
    clock.advance(timedelta(seconds=5))
    await person.flush()
    assert (await row(wa_runtime, outbox_id)).status == "sent"


async def test_a_permanent_error_is_recorded_with_metas_code_and_reason(
    person: WhatsAppPerson, wa_runtime: Runtime, graph: GraphApiDouble
) -> None:
    outbox_id = await queue(wa_runtime, person, "Trois", kind="staff_reply")
    graph.fail_next("undeliverable")
    await person.flush()
    failed = await row(wa_runtime, outbox_id)
    assert failed.status == "failed"
    assert failed.last_error == "131026: Message undeliverable (Unable to deliver message.)"
    assert (await person.beneficiary()).unreachable


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("reminders:\n  fr: {name: a, language_code: fr}\n", "unknown message kind(s) reminders"),
        ("reminder:\n  de: {name: a, language_code: de}\n", "reminder.de"),
        ("reminder:\n  fr: {name: Rappel, language_code: fr}\n", "reminder.fr.name"),
        ('reminder:\n  fr: {name: a, language_code: fr, text: "{{1}} fin"}\n', "starts or ends"),
        ('reminder:\n  fr: {name: a, language_code: fr, text: "sans"}\n', "exactly one"),
        ("- a\n- b\n", "expected kinds"),
        ("reminder: [\n", "cannot read"),
    ],
)
def test_a_wrong_templates_file_stops_the_start_with_the_setting_name(
    wa_settings: Settings, tmp_path: Path, text: str, problem: str
) -> None:
    settings = wa_settings.model_copy(update={"whatsapp_templates": write(tmp_path, text)})
    with pytest.raises(ValueError, match="MASSAR_WHATSAPP_TEMPLATES") as raised:
        Runtime.build(settings)
    assert problem in str(raised.value)


def test_a_missing_templates_file_stops_the_start(wa_settings: Settings, tmp_path: Path) -> None:
    settings = wa_settings.model_copy(update={"whatsapp_templates": tmp_path / "nope.yaml"})
    with pytest.raises(ValueError, match="MASSAR_WHATSAPP_TEMPLATES: cannot read"):
        Runtime.build(settings)


def test_the_bundled_templates_cover_every_kind_and_language(wa_settings: Settings) -> None:
    from backend.channels.whatsapp.templates import KINDS, load_templates

    templates = load_templates(Settings.model_fields["whatsapp_templates"].default)
    assert templates.configured() == {kind: ["ar", "en", "fr", "pt"] for kind in KINDS}


def test_whatsapp_settings_must_be_complete() -> None:
    with pytest.raises(ValueError, match="MASSAR_WHATSAPP_APP_SECRET"):
        Settings(  # type: ignore[call-arg]
            _env_file=None,
            whatsapp_token=SecretStr("t"),
            whatsapp_phone_number_id="1",
            whatsapp_verify_token=SecretStr("v"),
        )


def test_the_readme_lists_every_bundled_template_with_its_text() -> None:
    import yaml

    from backend.settings import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    bundled = Settings.model_fields["whatsapp_templates"].default
    for languages in yaml.safe_load(bundled.read_text(encoding="utf-8")).values():
        for entry in languages.values():
            assert f"`{entry['name']}`" in readme
            assert entry["text"].replace("\n", "↵") in readme
