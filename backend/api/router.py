"""All admin API routers in one place. Everything but the login needs a valid token, and
unknown query parameters are refused: the dependencies are on the router, so a new route
cannot forget them. Every route with a body also declares the 400 FastAPI answers for a body
that is not JSON, so the OpenAPI stays complete."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.routing import APIRoute

from backend.api.deps import current_staff, known_query_only
from backend.api.errors import responses
from backend.applications import api as applications
from backend.broadcasts import api as broadcasts
from backend.cases import api as cases
from backend.conversations import api as outbox
from backend.loans import api as loans
from backend.people import api as beneficiaries
from backend.reminders import api as reminders
from backend.staff import api as auth
from backend.staff import audit_api as audit
from backend.stats import api as stats
from backend.surveys import api as surveys
from backend.trainings import api as trainings


def _declare_unreadable_bodies(router: APIRouter) -> APIRouter:
    """Add the 400 for an unreadable body to each route of ``router`` that takes one."""
    for route in router.routes:
        if isinstance(route, APIRoute) and route.dependant.body_params:
            route.responses.setdefault(400, responses(400)[400])
    return router


protected = APIRouter(dependencies=[Depends(current_staff), Depends(known_query_only)])
for module in (auth, cases, applications, beneficiaries, audit, stats):
    protected.include_router(_declare_unreadable_bodies(module.router))
for module in (loans, trainings, broadcasts, reminders, surveys, outbox):
    protected.include_router(_declare_unreadable_bodies(module.router))

api_router = APIRouter()
api_router.include_router(
    _declare_unreadable_bodies(auth.public), dependencies=[Depends(known_query_only)]
)
api_router.include_router(protected)
