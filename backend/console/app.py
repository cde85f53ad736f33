"""The console's router and how it joins the app: pages, static files, headers, and the
redirect to the sign-in page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.console.auth import NotSignedIn
from backend.console.pages import PAGE_ROUTERS
from backend.console.render import render
from backend.console.security import ConsoleHeaders

STATIC = Path(__file__).resolve().parent / "static"

router = APIRouter(prefix="/console", include_in_schema=False)
for page in PAGE_ROUTERS:
    router.include_router(page)


def _wants_page(request: Request) -> bool:
    """A browser navigating (rather than a script's fetch or an event stream)."""
    accept = request.headers.get("accept", "")
    return request.method == "GET" and "text/html" in accept


async def _not_signed_in(request: Request, exc: Exception) -> Response:
    if _wants_page(request):
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        return RedirectResponse(f"/console/login?next={quote(target, safe='')}", status_code=303)
    return JSONResponse({"detail": "sign in first"}, status_code=401)


async def _http_error(request: Request, exc: Exception) -> Response:
    """A console page's error as a page in the staff member's language; the API's stay JSON."""
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - registered for it
    path = request.url.path
    html = "text/html" in request.headers.get("accept", "")
    if (path == "/console" or path.startswith("/console/")) and html:
        return render(request, "error.html", status_code=exc.status_code, code=exc.status_code)
    return await http_exception_handler(request, exc)


def install(app: FastAPI) -> None:
    """Serve the console under ``/console`` with its static files at ``/console/static``."""
    app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
    app.add_exception_handler(NotSignedIn, _not_signed_in)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_middleware(ConsoleHeaders)
