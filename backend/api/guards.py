"""Checks shared by the loans, trainings, broadcasts and reminders routes: program scope,
and the people one may see."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from backend.api.errors import not_found
from backend.people.queries import sees_person
from backend.runtime import Runtime
from backend.staff.service import Principal


def check_program(runtime: Runtime, principal: Principal, program: str) -> None:
    """404 unless ``program`` exists and is one of the principal's."""
    if program not in runtime.content.programs or not principal.sees(program):
        raise not_found("program")


async def check_person(session: AsyncSession, principal: Principal, beneficiary_id: int) -> None:
    """404 unless the person exists and the principal may see them."""
    if not await sees_person(session, principal=principal, beneficiary_id=beneficiary_id):
        raise not_found("beneficiary")
