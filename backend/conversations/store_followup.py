"""The engine's Store methods for loans, trainings, reminder answers and surveys.

A mixin of :class:`~backend.conversations.store.DatabaseStore`: the same session, person and
clock, so whatever the person does lands in their turn's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.loans import service as loans
from backend.people.models import Beneficiary
from backend.reminders.models import Reminder
from backend.reminders.planning import cancel_reminders
from backend.reminders.policy import ANSWERS, policy_of
from backend.surveys.models import Survey
from backend.trainings import service as trainings
from backend.trainings.models import Enrollment, Training
from conversations.ports import PaymentView, TrainingView

SURVEY_FIELDS = ("jobs_created", "monthly_revenue", "trainings_attended", "satisfaction")


class FollowUpStore:
    """Loans, trainings, reminders and surveys, for the person being served."""

    _session: AsyncSession
    _beneficiary: Beneficiary
    _now: datetime
    _zone: ZoneInfo

    async def next_payment(self) -> PaymentView | None:
        today = self._now.astimezone(self._zone).date()
        return await loans.next_payment(
            self._session, beneficiary_id=self._beneficiary.id, today=today
        )

    async def upcoming_trainings(self) -> list[TrainingView]:
        return await trainings.upcoming_for(
            self._session, beneficiary_id=self._beneficiary.id, now=self._now
        )

    async def register_training(self, *, training_id: int) -> TrainingView | None:
        training = await self._session.get(Training, training_id)
        if training is None or not await trainings.may_register(
            self._session, beneficiary_id=self._beneficiary.id, training=training
        ):
            return None
        try:
            found = await trainings.enroll(
                self._session,
                training_id=training_id,
                beneficiary_id=self._beneficiary.id,
                source="bot",
                policy=policy_of(self._session, self._zone),
                now=self._now,
            )
        except trainings.TrainingError:
            return None
        if found is None:
            return None
        return await trainings.view_of(self._session, found[0], enrolled=True)

    async def answer_reminder(self, *, reminder_id: int, answer: str) -> bool:
        reminder = await self._session.get(Reminder, reminder_id)
        if reminder is None or reminder.beneficiary_id != self._beneficiary.id:
            return False
        if answer not in ANSWERS.get(reminder.kind, ()):
            return False
        reminder.answer, reminder.answered_at, reminder.updated_at = answer, self._now, self._now
        if reminder.enrollment_id is not None:
            enrollment = await self._session.get(Enrollment, reminder.enrollment_id)
            if enrollment is not None:
                enrollment.attendance, enrollment.answered_at = answer, self._now
            if answer == "not_coming":
                await cancel_reminders(
                    self._session,
                    reason="not_coming",
                    now=self._now,
                    enrollment_ids=[reminder.enrollment_id],
                )
        await self._session.flush()
        return True

    async def save_survey(self, *, survey_id: int, answers: dict[str, Any]) -> None:
        survey = await self._session.scalar(
            select(Survey).where(
                Survey.id == survey_id, Survey.beneficiary_id == self._beneficiary.id
            )
        )
        if survey is None or survey.status not in ("sent", "answered"):
            return
        survey.answers = {key: answers.get(key) for key in SURVEY_FIELDS}
        if answers.get("currency"):
            # The revenue's currency: the programme's where the person lives (XAF, MZN...).
            survey.answers["currency"] = answers["currency"]
        survey.status, survey.answered_at = "answered", self._now
        await self._session.flush()
