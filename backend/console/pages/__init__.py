"""Every console page's router. A page is a module here exposing ``router``; add it to
:data:`PAGE_ROUTERS` and it is served under ``/console``."""

from __future__ import annotations

from fastapi import APIRouter

from backend.console.pages import (
    accounts,
    applications,
    audit,
    broadcasts,
    case,
    dashboard,
    events,
    inbox,
    loans,
    media,
    merges,
    people,
    signin,
    trainings,
)

PAGE_ROUTERS: list[APIRouter] = [
    signin.router,
    inbox.router,
    events.router,
    case.router,
    accounts.router,
    applications.router,
    people.router,
    merges.router,
    media.router,
    audit.router,
    loans.router,
    trainings.router,
    broadcasts.router,
    dashboard.router,
]
