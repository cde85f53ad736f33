"""Merging two people and unlinking an address, in the console.

Merging is three steps: pick the other person (the people search), see both people's answers
side by side and choose, per answer they disagree on, which stays (the newer is chosen
already), then confirm. Unlinking and undoing a merge each ask to confirm first. The rules,
the scope and the audit are :mod:`backend.people.staff_merges`, the same as the API's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from backend.app.deps import SessionDep
from backend.applications.labels import profile_labels
from backend.console.auth import ConsoleStaff
from backend.console.pages.forms import PAGE_SIZE, runtime_of, translator_of
from backend.console.pages.not_found import console_not_found
from backend.console.render import render
from backend.people import queries as views
from backend.people.merge import LastAddress, MergeError, SamePerson
from backend.people.models import Address, Beneficiary
from backend.people.queries import addresses_of
from backend.people.staff_merges import (
    Answer,
    merge_as_staff,
    preview,
    undo_as_staff,
    unlink_as_staff,
    visible_person,
)
from backend.staff.audit import record
from backend.staff.service import Principal

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
#: The form field naming whose answer stays for one profile field.
KEEP_PREFIX = "keep."


_Done = TypeVar("_Done")


def _back(person_id: int, **query: str) -> RedirectResponse:
    tail = "&".join(f"{k}={v}" for k, v in query.items())
    return RedirectResponse(f"/console/people/{person_id}?{tail}", status_code=303)


def _unlinked_to(person_id: int) -> Callable[[Beneficiary], Response]:
    """Back to the person, naming the one the address now belongs to."""
    return lambda person: _back(person_id, unlinked=str(person.id))


def _refusal(person_id: int, error: MergeError) -> Response:
    """Back to the person with the reason, or 404 for what one may not see."""
    if isinstance(error, SamePerson | LastAddress):
        return _back(person_id, error=error.code)
    raise console_not_found()


async def _carry_out(
    session: AsyncSession,
    person_id: int,
    work: Awaitable[_Done],
    back: Callable[[_Done], Response],
) -> Response:
    """Commit what ``work`` did and go where ``back`` says, or roll back and say why not."""
    try:
        done = await work
    except MergeError as error:
        await session.rollback()
        return _refusal(person_id, error)
    await session.commit()
    return back(done)


async def _seen(session: AsyncSession, principal: Principal, person_id: int) -> None:
    try:
        await visible_person(session, principal, person_id)
    except MergeError:
        raise console_not_found() from None


async def _audit(
    session: AsyncSession, request: Request, principal: Principal, action: str, *ids: int | None
) -> None:
    for object_id in ids:
        await record(
            session,
            staff_id=principal.id,
            action=action,
            object_type="beneficiary",
            object_id=object_id,
            at=runtime_of(request).clock(),
        )
    await session.commit()


@router.get("/people/{person_id}/merge", response_class=HTMLResponse)
async def merge_pick(
    person_id: Id, request: Request, session: SessionDep, principal: ConsoleStaff
) -> HTMLResponse:
    """Step one: find the other person by name, phone or reference."""
    await _seen(session, principal, person_id)
    q = (request.query_params.get("q") or "").strip()[:100] or None
    people, _ = await views.search(session, principal=principal, q=q, limit=PAGE_SIZE, offset=0)
    people = [p for p in people if p.id != person_id]
    found = await views.summaries(session, principal=principal, ids=[p.id for p in people])
    await _audit(session, request, principal, "search", None)
    tr = translator_of(request)
    return render(
        request,
        "people/merge_pick.html",
        title=tr.gettext("Merge with another person"),
        person_id=person_id,
        q=q or "",
        people=[(p, found[p.id]) for p in people],
    )


@router.get("/people/{person_id}/merge/{other_id}", response_class=HTMLResponse)
async def merge_preview(
    person_id: Id, other_id: Id, request: Request, session: SessionDep, principal: ConsoleStaff
) -> Response:
    """Step two: both people's answers side by side, a choice for each disagreement."""
    if other_id == person_id:
        return _back(person_id, error=SamePerson.code)
    try:
        seen = await preview(
            session, principal=principal, survivor_id=person_id, absorbed_id=other_id
        )
    except MergeError:
        raise console_not_found() from None
    names = await views.summaries(session, principal=principal, ids=[person_id, other_id])
    await _audit(session, request, principal, "read", person_id, other_id)
    runtime, tr = runtime_of(request), translator_of(request)

    def label(answer: Answer, value: object) -> str:
        if value is None:
            return ""
        shown = profile_labels(runtime.content, tr, profile={answer.field: value})
        return shown[0].value if shown else str(value)

    def question(answer: Answer) -> str:
        shown = profile_labels(runtime.content, tr, profile={answer.field: "x"})
        return shown[0].question if shown else answer.field

    return render(
        request,
        "people/merge_preview.html",
        title=tr.gettext("Merge with another person"),
        seen=seen,
        label=label,
        question=question,
        names=names,
        keep_prefix=KEEP_PREFIX,
    )


@router.post("/people/{person_id}/merge/{other_id}")
async def merge_confirm(
    person_id: Id, other_id: Id, request: Request, session: SessionDep, principal: ConsoleStaff
) -> Response:
    """Step three: merge, keeping the answers chosen."""
    form = await request.form()
    keep: dict[str, Literal["survivor", "absorbed"]] = {}
    for name, value in form.multi_items():
        if name.startswith(KEEP_PREFIX) and value in ("survivor", "absorbed"):
            keep[name.removeprefix(KEEP_PREFIX)[:40]] = (
                "survivor" if value == "survivor" else "absorbed"
            )
    merging = merge_as_staff(
        session,
        principal=principal,
        survivor_id=person_id,
        absorbed_id=other_id,
        keep=keep,
        now=runtime_of(request).clock(),
    )
    return await _carry_out(
        session, person_id, merging, lambda _: _back(person_id, merged=str(other_id))
    )


@router.get("/people/{person_id}/addresses/{address_id}/unlink", response_class=HTMLResponse)
async def unlink_ask(
    person_id: Id, address_id: Id, request: Request, session: SessionDep, principal: ConsoleStaff
) -> HTMLResponse:
    """Confirm before an address leaves the person."""
    await _seen(session, principal, person_id)
    address = await session.get(Address, address_id)
    if address is None or address.beneficiary_id != person_id:
        raise console_not_found()
    tr = translator_of(request)
    return render(
        request,
        "people/unlink_confirm.html",
        title=tr.gettext("Unlink this address"),
        person_id=person_id,
        address=address,
        count=len(await addresses_of(session, beneficiary_id=person_id)),
    )


@router.post("/people/{person_id}/addresses/{address_id}/unlink")
async def unlink_confirm(
    person_id: Id, address_id: Id, request: Request, session: SessionDep, principal: ConsoleStaff
) -> Response:
    """Unlink: the address's own person again (an undone merge), or a new person."""
    work = unlink_as_staff(
        session,
        principal=principal,
        person_id=person_id,
        address_id=address_id,
        now=runtime_of(request).clock(),
    )
    return await _carry_out(session, person_id, work, _unlinked_to(person_id))


@router.get("/people/{person_id}/merges/{merge_id}/undo", response_class=HTMLResponse)
async def undo_ask(
    person_id: Id, merge_id: Id, request: Request, session: SessionDep, principal: ConsoleStaff
) -> HTMLResponse:
    """Confirm before a merge is undone."""
    await _seen(session, principal, person_id)
    tr = translator_of(request)
    return render(
        request,
        "people/undo_confirm.html",
        title=tr.gettext("Undo this merge"),
        person_id=person_id,
        merge_id=merge_id,
    )


@router.post("/people/{person_id}/merges/{merge_id}/undo")
async def undo_confirm(
    person_id: Id, merge_id: Id, request: Request, session: SessionDep, principal: ConsoleStaff
) -> Response:
    """Undo: the absorbed person back, under their number, with what the merge moved."""
    work = undo_as_staff(
        session,
        principal=principal,
        person_id=person_id,
        merge_id=merge_id,
        now=runtime_of(request).clock(),
    )
    return await _carry_out(session, person_id, work, _unlinked_to(person_id))
