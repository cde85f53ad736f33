"""The media store: files people send are fetched from Telegram and WhatsApp after their
message is kept, within the size limit and the type allow-list, retried when the channel
fails, and deleted with the person."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from backend.conversations.models import OutboxMessage
from backend.media.fetchers import TelegramFetcher, WhatsAppFetcher
from backend.media.files import person_dir, safe_name
from backend.media.models import MediaFile
from backend.media.queue import enqueue
from backend.media.worker import MediaRules, MediaWorker, backoff
from backend.people.addresses import add_address
from backend.people.erasure import erase_beneficiary
from backend.people.models import Beneficiary
from backend.runtime import Runtime
from backend.settings import MEDIA_TYPES, Settings
from bot.base import InboundEnvelope
from conversations.messages import Attachment, Incoming
from tests.backend.fakes import RecordingAdapter
from tests.doubles.telegram_api import TelegramApiDouble
from tests.doubles.whatsapp_api import GraphApiDouble
from tests.support import FakeClock, autopilot_answer

TOKEN = "123456:TEST-token"  # noqa: S105 - the doubles' token
JPEG = b"\xff\xd8\xff\xe0" + b"photo" * 200
OGG = b"OggS" + b"voice" * 100


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramApiDouble]:
    async with TelegramApiDouble(TOKEN) as api:
        yield api


@pytest.fixture
async def graph() -> AsyncIterator[GraphApiDouble]:
    async with GraphApiDouble(TOKEN, "1055") as api:
        yield api


def rules(tmp_path: Path, *, max_bytes: int = 1024 * 1024) -> MediaRules:
    return MediaRules(
        data_dir=tmp_path, max_bytes=max_bytes, types=frozenset(MEDIA_TYPES.split(","))
    )


async def person(runtime: Runtime, channel: str = "telegram") -> int:
    async with runtime.sessions() as session, session.begin():
        row = Beneficiary(channel=channel, address=str(uuid.uuid4())[:12], language="fr")
        session.add(row)
        await add_address(session, row, now=runtime.clock())
        return row.id


async def attach(runtime: Runtime, who: int, channel: str, *files: Attachment) -> None:
    async with runtime.sessions() as session, session.begin():
        await enqueue(
            session,
            beneficiary_id=who,
            channel=channel,
            attachments=[f.to_dict() for f in files],
            now=runtime.clock(),
        )


async def media_rows(runtime: Runtime) -> list[MediaFile]:
    async with runtime.sessions() as session:
        return list(await session.scalars(select(MediaFile).order_by(MediaFile.id)))


def telegram_worker(
    runtime: Runtime, api: TelegramApiDouble, tmp_path: Path, **kw: int
) -> MediaWorker:
    fetcher = TelegramFetcher(api_url=api.url, token=TOKEN)
    return MediaWorker(
        session_factory=runtime.sessions,
        fetchers={"telegram": fetcher},
        rules=rules(tmp_path, **kw),
        clock=runtime.clock,
    )


async def test_a_telegram_photo_is_fetched_with_getfile_and_kept_in_the_persons_folder(
    runtime: Runtime, telegram: TelegramApiDouble, tmp_path: Path
) -> None:
    telegram.add_file("AgAD-photo", JPEG, "photos/file_7.jpg")
    who = await person(runtime)
    await attach(runtime, who, "telegram", Attachment("photo", "AgAD-photo", "image/jpeg"))
    worker = telegram_worker(runtime, telegram, tmp_path)
    assert await worker.run_once() == 1
    [row] = await media_rows(runtime)
    assert (row.status, row.content_type, row.size) == ("stored", "image/jpeg", len(JPEG))
    stored = tmp_path / "media" / str(who) / f"{row.id}-file_7.jpg"
    assert stored.read_bytes() == JPEG
    assert telegram.of("getFile")[0].params["file_id"] == "AgAD-photo"
    assert telegram.downloads == ["photos/file_7.jpg"]
    assert await worker.run_once() == 0, "a stored file is not fetched again"


async def test_a_whatsapp_voice_note_is_fetched_from_the_media_endpoint(
    runtime: Runtime, graph: GraphApiDouble, tmp_path: Path
) -> None:
    graph.add_media("4490709327384033", OGG, "audio/ogg; codecs=opus")
    who = await person(runtime, "whatsapp")
    await attach(runtime, who, "whatsapp", Attachment("voice", "4490709327384033", None))
    worker = MediaWorker(
        session_factory=runtime.sessions,
        fetchers={"whatsapp": WhatsAppFetcher(api_url=graph.url, token=TOKEN)},
        rules=rules(tmp_path),
        clock=runtime.clock,
    )
    assert await worker.run_once() == 1
    [row] = await media_rows(runtime)
    assert (row.status, row.content_type, row.file_name) == ("stored", "audio/ogg", "voice.ogg")
    assert (person_dir(tmp_path, who) / f"{row.id}-voice.ogg").read_bytes() == OGG
    assert graph.downloads == ["4490709327384033"]


async def test_a_file_over_the_size_limit_is_refused_and_never_written(
    runtime: Runtime, telegram: TelegramApiDouble, graph: GraphApiDouble, tmp_path: Path
) -> None:
    telegram.add_file("big", b"x" * 5000, "documents/big.pdf")
    graph.add_media("777", b"y" * 5000, "application/pdf")
    who = await person(runtime)
    await attach(runtime, who, "telegram", Attachment("document", "big", "application/pdf"))
    await attach(runtime, who, "whatsapp", Attachment("document", "777", "application/pdf"))
    worker = MediaWorker(
        session_factory=runtime.sessions,
        fetchers={
            "telegram": TelegramFetcher(api_url=telegram.url, token=TOKEN),
            "whatsapp": WhatsAppFetcher(api_url=graph.url, token=TOKEN),
        },
        rules=rules(tmp_path, max_bytes=4096),
        clock=runtime.clock,
    )
    assert await worker.run_once() == 0
    assert [r.status for r in await media_rows(runtime)] == ["refused", "refused"]
    assert telegram.downloads == [] and graph.downloads == [], "the size was known beforehand"
    assert not person_dir(tmp_path, who).exists()


async def test_a_type_outside_the_allow_list_is_refused(
    runtime: Runtime, telegram: TelegramApiDouble, tmp_path: Path
) -> None:
    telegram.add_file("page", b"<script>alert(1)</script>", "documents/page.html")
    who = await person(runtime)
    await attach(runtime, who, "telegram", Attachment("document", "page", "text/html"))
    assert await telegram_worker(runtime, telegram, tmp_path).run_once() == 0
    [row] = await media_rows(runtime)
    assert row.status == "refused" and "text/html" in (row.last_error or "")
    assert not person_dir(tmp_path, who).exists()


async def test_a_channel_failure_is_retried_later_and_the_file_arrives(
    runtime: Runtime, telegram: TelegramApiDouble, tmp_path: Path, clock: FakeClock
) -> None:
    telegram.add_file("AgAD-x", JPEG, "photos/file_9.jpg")
    telegram.fail("getFile", 502)
    who = await person(runtime)
    await attach(runtime, who, "telegram", Attachment("photo", "AgAD-x", "image/jpeg"))
    worker = telegram_worker(runtime, telegram, tmp_path)
    assert await worker.run_once() == 0
    [row] = await media_rows(runtime)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == clock.now + backoff(1)
    assert await worker.run_once() == 0, "not before its time"
    clock.advance(timedelta(minutes=1))
    assert await worker.run_once() == 1
    assert [r.status for r in await media_rows(runtime)] == ["stored"]


async def test_an_unknown_file_fails_for_good_without_retrying(
    runtime: Runtime, telegram: TelegramApiDouble, tmp_path: Path
) -> None:
    who = await person(runtime)
    await attach(runtime, who, "telegram", Attachment("photo", "gone", "image/jpeg"))
    assert await telegram_worker(runtime, telegram, tmp_path).run_once() == 0
    [row] = await media_rows(runtime)
    assert (row.status, row.last_error) == ("failed", "HTTP 400")
    assert TOKEN not in (row.last_error or "")


async def test_erasure_deletes_the_persons_files_and_rows(
    runtime: Runtime, telegram: TelegramApiDouble, tmp_path: Path
) -> None:
    telegram.add_file("AgAD-1", JPEG, "photos/file_1.jpg")
    who, other = await person(runtime), await person(runtime)
    await attach(runtime, who, "telegram", Attachment("photo", "AgAD-1", "image/jpeg"))
    await attach(runtime, other, "telegram", Attachment("photo", "AgAD-1", "image/jpeg"))
    assert await telegram_worker(runtime, telegram, tmp_path).run_once() == 2
    async with runtime.sessions() as session, session.begin():
        await erase_beneficiary(session, beneficiary_id=who, data_dir=tmp_path)
    assert not person_dir(tmp_path, who).exists()
    assert any(person_dir(tmp_path, other).iterdir()), "another person's files stay"
    assert [r.beneficiary_id for r in await media_rows(runtime)] == [other]


async def test_the_runtime_erases_files_in_its_data_folder(
    database_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    settings = Settings(database_url=database_url, data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    runtime = Runtime.build(settings, clock=clock, raise_errors=True)
    try:
        who = await person(runtime)
        folder = person_dir(tmp_path, who)
        folder.mkdir(parents=True)
        (folder / "1-photo.jpg").write_bytes(JPEG)
        async with runtime.sessions() as session, session.begin():
            await erase_beneficiary(session, beneficiary_id=who)  # as the bot's «delete» does
        assert not folder.exists()
    finally:
        await runtime.close()


async def test_a_file_sent_after_consent_is_queued_in_the_messages_transaction(
    settings: Settings, clock: FakeClock
) -> None:
    runtime = Runtime.build(
        settings, clock=clock, extra_adapters=(RecordingAdapter(),), raise_errors=True
    )
    kicked: list[bool] = []
    runtime.inbound._on_media = lambda: kicked.append(True)  # observe the kick
    try:
        address = "person-media"

        def envelope(incoming: Incoming) -> InboundEnvelope:
            return InboundEnvelope("test", address, str(uuid.uuid4()), incoming)

        await runtime.inbound.receive(envelope(Incoming(text="bonjour", language_hint="fr")))
        for _ in range(10):  # up to the first profile question: consent is given
            async with runtime.sessions() as session:
                row = await session.scalar(
                    select(Beneficiary).where(Beneficiary.address == address)
                )
                assert row is not None
                from backend.conversations.state import load_conversation

                conversation = load_conversation(row)
            if conversation.node == "profile":
                break
            text, option = autopilot_answer(runtime.content, conversation, "iess", "fr")
            async with runtime.sessions() as session:
                payloads = list(
                    await session.scalars(select(OutboxMessage.payload).order_by(OutboxMessage.id))
                )
            buttons = [c["id"] for p in payloads for c in p.get("choices", [])]
            button = next((b for b in reversed(buttons) if b.endswith(f".{option}")), None)
            await runtime.inbound.receive(envelope(Incoming(text=text, choice_id=button)))
        assert conversation.node == "profile"
        photo = Attachment("photo", "AgAD-after-consent", "image/jpeg")
        await runtime.inbound.receive(envelope(Incoming(attachments=(photo,))))
        [queued] = await media_rows(runtime)
        assert (queued.reference, queued.status, queued.channel) == (
            "AgAD-after-consent",
            "pending",
            "test",
        )
        assert kicked == [True]
    finally:
        await runtime.close()


def test_safe_names_keep_only_harmless_characters() -> None:
    assert (
        safe_name("../../etc/passwd", kind="document", content_type="text/plain") == "passwd.txt"
    )
    assert safe_name('a"b;c.pdf', kind="document", content_type=None) == "a_b_c.pdf"
    assert safe_name(None, kind="photo", content_type="image/jpeg") == "photo.jpg"
    assert safe_name("...", kind="voice", content_type="audio/ogg") == "voice.ogg"


def test_the_type_allow_list_refuses_types_a_browser_would_run() -> None:
    for bad in ("text/html", "image/svg+xml,image/png", "pdf", ""):
        with pytest.raises(ValueError, match="MASSAR_MEDIA_TYPES"):
            Settings(media_types=bad, _env_file=None)  # type: ignore[call-arg]
    chosen = Settings(media_types=" Image/PNG , application/pdf", _env_file=None)  # type: ignore[call-arg]
    assert chosen.media_type_set == {"image/png", "application/pdf"}
