"""The engine's :class:`~conversations.ports.Store`, on the database, for one person."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.models import Application, ApplicationEvent
from backend.applications.references import next_reference
from backend.cases.models import Case, CaseMessage
from backend.conversations.store_followup import FollowUpStore
from backend.conversations.store_linking import LinkingStore
from backend.people.erasure import erase_beneficiary
from backend.people.models import Beneficiary
from backend.stats.funnel import record_step
from conversations.ports import ApplicationView


class DatabaseStore(FollowUpStore, LinkingStore):
    """Writes a turn's effects in the turn's own transaction."""

    def __init__(
        self, *, session: AsyncSession, beneficiary: Beneficiary, now: datetime, zone: ZoneInfo
    ) -> None:
        self._session = session
        self._beneficiary = beneficiary
        self._now = now
        self._zone = zone
        self.erased = False
        #: The person said someone else is writing: the inbound path asks who.
        self.someone_else = False

    async def submit_application(
        self,
        *,
        program: str,
        reference_prefix: str,
        answers: dict[str, Any],
        language: str,
        attachments: list[dict[str, Any]],
    ) -> str:
        year = self._now.astimezone(self._zone).year
        reference = await next_reference(self._session, prefix=reference_prefix, year=year)
        application = Application(
            reference=reference,
            program=program,
            beneficiary_id=self._beneficiary.id,
            answers=answers,
            attachments=attachments,
            language=language,
            status="submitted",
            submitted_at=self._now,
            updated_at=self._now,
        )
        self._session.add(application)
        await self._session.flush()
        self._session.add(
            ApplicationEvent(application_id=application.id, status="submitted", at=self._now)
        )
        return reference

    async def list_applications(self) -> list[ApplicationView]:
        rows = await self._session.scalars(
            select(Application)
            .where(Application.beneficiary_id == self._beneficiary.id)
            .order_by(Application.submitted_at.desc(), Application.id.desc())
        )
        return [
            ApplicationView(
                reference=row.reference,
                program=row.program,
                status=row.status,
                submitted_at=row.submitted_at,
            )
            for row in rows
        ]

    async def request_handoff(self, *, reason: str) -> None:
        await self._open_case(reason)

    async def attach_to_case(self, *, attachments: list[dict[str, Any]]) -> None:
        case = await self._open_case("attachment")
        case.attachments = [*(case.attachments or []), *attachments]
        await self._session.flush()

    async def add_to_case(self, *, text: str | None, attachments: list[dict[str, Any]]) -> None:
        case = await self._open_case("requested")
        self._session.add(
            CaseMessage(
                case_id=case.id,
                direction="in",
                text=text,
                attachments=attachments,
                created_at=self._now,
            )
        )
        await self._session.flush()

    async def cancel_case(self) -> None:
        await self._session.execute(
            update(Case)
            .where(Case.beneficiary_id == self._beneficiary.id, Case.status == "open")
            .values(status="cancelled", closed_at=self._now)
        )

    async def rate_case(self, *, case_id: int, score: int) -> None:
        await self._session.execute(
            update(Case)
            .where(Case.id == case_id, Case.beneficiary_id == self._beneficiary.id)
            .values(satisfaction=score)
        )

    async def complete_info(self, *, reference: str, answers: dict[str, Any]) -> None:
        application = await self._session.scalar(
            select(Application).where(
                Application.reference == reference,
                Application.beneficiary_id == self._beneficiary.id,
            )
        )
        if application is None:
            return
        application.answers = {**application.answers, **answers}
        application.status = "submitted"
        application.updated_at = self._now
        self._session.add(
            ApplicationEvent(
                application_id=application.id,
                status="submitted",
                fields=sorted(answers),
                at=self._now,
            )
        )
        await self._session.flush()

    async def _open_case(self, reason: str) -> Case:
        """The person's open case, opened now when there is none.

        The case belongs to the program the person is busy with, or applied to last, so
        that program's staff see it.
        """
        case = await self._session.scalar(
            select(Case).where(Case.beneficiary_id == self._beneficiary.id, Case.status == "open")
        )
        if case is None:
            case = Case(
                beneficiary_id=self._beneficiary.id,
                program=await self._current_program(),
                reason=reason,
                opened_at=self._now,
                attachments=[],
            )
            self._session.add(case)
            await self._session.flush()
        return case

    async def track(self, *, stage: str, program: str) -> None:
        await record_step(
            self._session,
            beneficiary_id=self._beneficiary.id,
            program=program,
            stage=stage,
            now=self._now,
        )

    async def _current_program(self) -> str | None:
        params = (self._beneficiary.state or {}).get("params", {})
        if isinstance(params.get("program"), str):
            return str(params["program"])
        return await self._session.scalar(
            select(Application.program)
            .where(Application.beneficiary_id == self._beneficiary.id)
            .order_by(Application.submitted_at.desc())
            .limit(1)
        )

    async def erase_person(self) -> None:
        await self._session.flush()
        await erase_beneficiary(self._session, beneficiary_id=self._beneficiary.id)
        self.erased = True

    async def someone_else_writing(self) -> None:
        self.someone_else = True
