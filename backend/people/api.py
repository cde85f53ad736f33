"""People: search, a person's record, and erasure of everything personal about them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from backend.api.deps import MAX_ID, CurrentStaff, PagingDep, Supervisor
from backend.api.errors import conflict, not_found, responses
from backend.api.schemas import CleanText, Page
from backend.app.deps import RuntimeDep, SessionDep
from backend.applications.schemas import ApplicationRead
from backend.cases.schemas import CaseRead
from backend.loans.queries import loans_of
from backend.people import queries as views
from backend.people.erasure import erase_beneficiary
from backend.people.merge import LastAddress, MergeError, SamePerson
from backend.people.models import Beneficiary
from backend.people.schemas import (
    AddressRead,
    BeneficiaryDetail,
    BeneficiaryRead,
    MergeCreate,
    MergeRead,
)
from backend.people.staff_merges import merge_as_staff, merges_of, unlink_as_staff
from backend.reminders.queries import reminders_of
from backend.staff.audit import record
from backend.staff.service import Principal

router = APIRouter(tags=["beneficiaries"])
BeneficiaryId = Annotated[int, Path(ge=1, le=MAX_ID, description="The person's id.", examples=[1])]
AddressId = Annotated[int, Path(ge=1, le=MAX_ID, description="The address's id.", examples=[1])]
Search = Annotated[
    CleanText | None,
    Query(max_length=100, description="Part of a name, a phone number, or a reference."),
]


async def _person(session: AsyncSession, principal: Principal, person_id: int) -> Beneficiary:
    """The person, or 404 when unknown or outside the principal's programs."""
    person = await session.get(Beneficiary, person_id)
    if person is None or not await views.sees_person(
        session, principal=principal, beneficiary_id=person_id
    ):
        raise not_found("beneficiary")
    return person


def _read(person: Beneficiary, summary: views.Summary) -> dict[str, object]:
    return {
        "id": person.id,
        "channel": person.channel,
        "language": person.language,
        "created_at": person.created_at,
        "last_inbound_at": person.last_inbound_at,
        "full_name": summary.full_name,
        "phone": summary.phone,
        "references": summary.references,
        "programs": summary.programs,
    }


@router.get("/beneficiaries", response_model=Page[BeneficiaryRead], responses=responses(401))
async def search(
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentStaff,
    paging: PagingDep,
    q: Search = None,
) -> Page[BeneficiaryRead]:
    """People in your programs whose name, phone or reference contains ``q``."""
    people, total = await views.search(
        session, principal=principal, q=q, limit=paging.limit, offset=paging.offset
    )
    found = await views.summaries(session, principal=principal, ids=[p.id for p in people])
    await record(
        session,
        staff_id=principal.id,
        action="search",
        object_type="beneficiary",
        object_id=None,
        at=runtime.clock(),
    )
    await session.commit()
    items = [BeneficiaryRead.model_validate(_read(p, found[p.id])) for p in people]
    return Page(items=items, total=total)


@router.get(
    "/beneficiaries/{beneficiary_id}",
    response_model=BeneficiaryDetail,
    responses=responses(401, 404),
)
async def read_beneficiary(
    beneficiary_id: BeneficiaryId,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentStaff,
) -> BeneficiaryDetail:
    """A person's record: profile, and the applications, cases, loans and reminders of your
    programs."""
    person = await _person(session, principal, beneficiary_id)
    summary = (await views.summaries(session, principal=principal, ids=[person.id]))[person.id]
    governorate = (person.profile or {}).get("governorate")
    applications = await views.applications_of(
        session, principal=principal, beneficiary_id=person.id
    )
    cases = await views.cases_of(session, principal=principal, beneficiary_id=person.id)
    detail = BeneficiaryDetail.model_validate(
        {
            **_read(person, summary),
            "profile": person.profile or {},
            "consent_version": person.consent_version,
            "consent_at": person.consent_at,
            "addresses": [
                AddressRead.model_validate(a)
                for a in await views.addresses_of(session, beneficiary_id=person.id)
            ],
            "applications": [ApplicationRead.of(a, governorate) for a in applications],
            "cases": [CaseRead.model_validate(c) for c in cases],
            "loans": await loans_of(session, principal=principal, beneficiary_id=person.id),
            "reminders": await reminders_of(
                session, principal=principal, beneficiary_id=person.id
            ),
        }
    )
    await _record_read(session, principal, person.id, at=runtime.clock())
    return detail


@router.delete(
    "/beneficiaries/{beneficiary_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=responses(401, 403, 404),
)
async def erase(
    beneficiary_id: BeneficiaryId,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Supervisor,
) -> Response:
    """Erase the person's personal data everywhere; anonymous counts stay."""
    person = await _person(session, principal, beneficiary_id)
    await erase_beneficiary(session, beneficiary_id=person.id)
    await record(
        session,
        staff_id=principal.id,
        action="erase",
        object_type="beneficiary",
        object_id=beneficiary_id,
        at=runtime.clock(),
    )
    await session.commit()
    if runtime.wiper is not None:
        await runtime.wiper.after_erasure([beneficiary_id])
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _record_read(
    session: AsyncSession, principal: Principal, person_id: int, *, at: datetime
) -> None:
    """A staff member read this person's record: audited, and committed."""
    await record(
        session,
        staff_id=principal.id,
        action="read",
        object_type="beneficiary",
        object_id=person_id,
        at=at,
    )
    await session.commit()


def _refused(error: MergeError) -> HTTPException:
    """A merge or unlink that cannot be: 404 for what one may not see, 409 otherwise."""
    if isinstance(error, SamePerson | LastAddress):
        return conflict(str(error))
    return not_found("address" if error.code == "address_not_found" else "beneficiary")


@router.post(
    "/beneficiaries/{beneficiary_id}/merge",
    response_model=MergeRead,
    responses=responses(401, 404, 409),
)
async def merge(
    beneficiary_id: BeneficiaryId,
    body: MergeCreate,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentStaff,
) -> MergeRead:
    """Make ``other_id`` part of this person, who remains: every application, case, loan,
    address and consent of theirs moves here. 409 for a person merged with themselves."""
    try:
        done = await merge_as_staff(
            session,
            principal=principal,
            survivor_id=beneficiary_id,
            absorbed_id=body.other_id,
            keep=body.keep,
            now=runtime.clock(),
        )
    except MergeError as error:
        await session.rollback()
        raise _refused(error) from None
    read = MergeRead.of(done)
    await session.commit()
    return read


@router.get(
    "/beneficiaries/{beneficiary_id}/merges",
    response_model=list[MergeRead],
    responses=responses(401, 404),
)
async def merges(
    beneficiary_id: BeneficiaryId,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentStaff,
) -> list[MergeRead]:
    """The merges this person took part in, newest first, with their conflicts."""
    person = await _person(session, principal, beneficiary_id)
    found = [MergeRead.of(m) for m in await merges_of(session, person_id=person.id)]
    await _record_read(session, principal, person.id, at=runtime.clock())
    return found


@router.post(
    "/beneficiaries/{beneficiary_id}/addresses/{address_id}/unlink",
    response_model=BeneficiaryRead,
    responses=responses(401, 404, 409),
)
async def unlink(
    beneficiary_id: BeneficiaryId,
    address_id: AddressId,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentStaff,
) -> BeneficiaryRead:
    """Take the address away from this person: if it came with a merge, that merge is undone
    (the other person back, with their id); else it becomes a new person. The person it
    belongs to afterwards. 409 for a person's last address."""
    try:
        person = await unlink_as_staff(
            session,
            principal=principal,
            person_id=beneficiary_id,
            address_id=address_id,
            now=runtime.clock(),
        )
    except MergeError as error:
        await session.rollback()
        raise _refused(error) from None
    summary = (await views.summaries(session, principal=principal, ids=[person.id]))[person.id]
    read = BeneficiaryRead.model_validate(_read(person, summary))
    await session.commit()
    return read
