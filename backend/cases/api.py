"""Cases: list, read, assign, reply (free text or canned) and close.

Replies are queued in the person's outbox and the dispatcher is woken, so they reach the person
on their own channel within seconds.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, status
from sqlalchemy.ext.asyncio import AsyncSession

from backend.api.deps import MAX_ID, CurrentStaff, PagingDep, Supervisor
from backend.api.errors import conflict, not_found, responses, unprocessable
from backend.api.schemas import Id, Page, ProgramCode
from backend.app.deps import RuntimeDep, SessionDep
from backend.cases import queries as case_views
from backend.cases.canned_replies import cached_canned_replies
from backend.cases.models import Case
from backend.cases.schemas import (
    AssignCreate,
    CannedReplyCreate,
    CannedReplyRead,
    CaseDetail,
    CaseMessageCreate,
    CaseMessageRead,
    CaseRead,
    PersonSummary,
    TranscriptLine,
)
from backend.cases.service import CaseClosedError, assign_case, close_case, reply_to_case
from backend.cases.signature import staff_signature
from backend.staff.audit import record
from backend.staff.service import Principal, load_principal

router = APIRouter(tags=["cases"])
CaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="The case's id.", examples=[1])]
CLOSED = "the case is closed, or its person erased their data"


async def _case(session: AsyncSession, principal: Principal, case_id: int) -> Case:
    """The case, or 404 when it does not exist or is outside the principal's programs."""
    case = await session.get(Case, case_id)
    if case is None or not principal.sees(case.program):
        raise not_found("case")
    return case


@router.get("/cases", response_model=Page[CaseRead], responses=responses(401))
async def list_cases(
    session: SessionDep,
    principal: CurrentStaff,
    paging: PagingDep,
    status: Literal["open", "closed", "cancelled"] | None = None,
    program: ProgramCode | None = None,
    assigned_to: Id | None = None,
) -> Page[CaseRead]:
    """Cases in your programs (general ones too for supervisors), oldest first."""
    rows, total = await case_views.list_cases(
        session,
        principal=principal,
        status=status,
        program=program,
        assigned_to=assigned_to,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page(items=[CaseRead.model_validate(row) for row in rows], total=total)


@router.get("/cases/{case_id}", response_model=CaseDetail, responses=responses(401, 404))
async def read_case(
    case_id: CaseId, session: SessionDep, runtime: RuntimeDep, principal: CurrentStaff
) -> CaseDetail:
    """A case with its messages, the person's profile and what they said before it opened."""
    case = await _case(session, principal, case_id)
    person = await case_views.person(session, beneficiary_id=case.beneficiary_id)
    detail = CaseDetail.model_validate(
        {
            **CaseRead.model_validate(case).model_dump(),
            "attachments": case.attachments or [],
            "messages": await case_views.case_messages(session, case_id=case.id),
            "person": PersonSummary.model_validate(person) if person else None,
            "transcript": [
                TranscriptLine.model_validate(line)
                for line in await case_views.transcript(session, case=case)
            ],
        }
    )
    await record(
        session,
        staff_id=principal.id,
        action="read",
        object_type="case",
        object_id=case.id,
        at=runtime.clock(),
    )
    await session.commit()
    return detail


@router.post(
    "/cases/{case_id}/assign",
    response_model=CaseRead,
    responses=responses(400, 401, 403, 404, 409),
)
async def assign(
    case_id: CaseId,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Supervisor,
    body: Annotated[AssignCreate | None, Body()] = None,
) -> CaseRead:
    """Give the case to a member of staff who may see it; yourself by default."""
    case = await _case(session, principal, case_id)
    target_id = body.staff_id if body and body.staff_id else principal.id
    target = await load_principal(session, staff_id=target_id)
    if target is None or not target.sees(case.program):
        raise unprocessable(["body", "staff_id"], "no active member of staff who sees this case")
    now = runtime.clock()
    try:
        await assign_case(session, case=case, staff_id=target.id, now=now)
    except CaseClosedError as exc:
        raise conflict(CLOSED) from exc
    await record(
        session,
        staff_id=principal.id,
        action="assign",
        object_type="case",
        object_id=case.id,
        at=now,
    )
    await session.commit()
    return CaseRead.model_validate(case)


@router.post(
    "/cases/{case_id}/messages",
    response_model=CaseMessageRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 404, 409),
)
async def reply(
    case_id: CaseId,
    body: CaseMessageCreate,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentStaff,
) -> CaseMessageRead:
    """Send a message to the person, on their channel; a canned reply goes in their language."""
    case = await _case(session, principal, case_id)
    person = await case_views.person(session, beneficiary_id=case.beneficiary_id)
    if case.status != "open" or person is None:
        raise conflict(CLOSED)
    if isinstance(body, CannedReplyCreate):
        canned = cached_canned_replies(runtime.settings.content_dir).get(body.canned)
        if canned is None:
            raise unprocessable(["body", "canned"], "no canned reply with this id")
        text = canned.text.get(person.language)
    else:
        text = body.text
    now = runtime.clock()
    signature = await staff_signature(
        session,
        staff_id=principal.id,
        program=case.program,
        language=person.language,
        content=runtime.content,
        catalogs=runtime.engine.catalogs,
    )
    try:
        message = await reply_to_case(
            session, case=case, staff_id=principal.id, text=text, signature=signature, now=now
        )
    except CaseClosedError as exc:
        raise conflict(CLOSED) from exc
    await record(
        session,
        staff_id=principal.id,
        action="reply",
        object_type="case",
        object_id=case.id,
        at=now,
    )
    await session.commit()
    runtime.dispatcher.kick()
    return CaseMessageRead.model_validate(message)


@router.post("/cases/{case_id}/close", response_model=CaseRead, responses=responses(401, 404, 409))
async def close(
    case_id: CaseId, session: SessionDep, runtime: RuntimeDep, principal: CurrentStaff
) -> CaseRead:
    """Close the case: the bot takes over again and asks the person how satisfied they are."""
    case = await _case(session, principal, case_id)
    now = runtime.clock()
    try:
        await close_case(
            session, engine=runtime.engine, case=case, now=now, zone=runtime.settings.zone
        )
    except CaseClosedError as exc:
        raise conflict(CLOSED) from exc
    await record(
        session,
        staff_id=principal.id,
        action="close",
        object_type="case",
        object_id=case.id,
        at=now,
    )
    await session.commit()
    runtime.dispatcher.kick()
    return CaseRead.model_validate(case)


@router.get("/canned-replies", response_model=Page[CannedReplyRead], responses=responses(401))
async def canned_replies(runtime: RuntimeDep, paging: PagingDep) -> Page[CannedReplyRead]:
    """Canned replies for frequent answers, with their texts in every language."""
    replies = cached_canned_replies(runtime.settings.content_dir).root
    page = replies[paging.offset : paging.offset + paging.limit]
    return Page(
        items=[CannedReplyRead.model_validate(r.model_dump()) for r in page], total=len(replies)
    )
