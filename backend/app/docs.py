"""``/docs`` and ``/redoc`` with Swagger UI and ReDoc served by massar itself (the files ship
in the ``fastapi-offline`` package), so the API's documentation works without internet."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
PREFIX = "/docs-static"
REDOC_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; font-src 'self'"
)


#: ReDoc shows its vendor's logo from a CDN; massar's copy points at an empty inline image.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_IMAGE = "data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E"


@lru_cache(maxsize=1)
def redoc_script() -> bytes:
    """ReDoc's bundle with nothing left that reaches another host by itself."""
    text = (ASSETS / "redoc.standalone.js").read_text(encoding="utf-8")
    return text.replace(REDOC_LOGO, EMPTY_IMAGE).encode("utf-8")


def install(app: FastAPI) -> None:
    """Serve the documentation pages and their assets locally."""

    @app.get("/docs-local/redoc.js", include_in_schema=False)
    async def redoc_js() -> Response:
        return Response(
            redoc_script(),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.mount(PREFIX, StaticFiles(directory=ASSETS), name="docs-static")
    title = app.title

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{title} – API",
            swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
            swagger_css_url=f"{PREFIX}/swagger-ui.css",
            swagger_favicon_url=f"{PREFIX}/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{title} – API",
            redoc_js_url="/docs-local/redoc.js",
            redoc_favicon_url=f"{PREFIX}/favicon.png",
            with_google_fonts=False,
        )
        # Should any other remote image remain in ReDoc, the browser does not fetch it.
        page.headers["Content-Security-Policy"] = REDOC_CSP
        return page
