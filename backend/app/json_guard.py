"""Bodies that no input can turn into a 500.

Three things the standard stack lets through: JSON nested so deep that parsing or validating it
overflows the stack; strings with a lone UTF-16 surrogate (``"\\ud800"`` is valid JSON, but no
database and no UTF-8 response can hold it); and validation errors that echo such input back and
then fail to encode it. The middleware refuses the first two on every JSON body the API and the
web chat take; the webhooks, which must read their raw bytes for the signature, call
:func:`loads` themselves (a person's message keeps its text, with U+FFFD for a lone surrogate).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

#: Deeper than any body we accept (Telegram updates and Meta payloads nest under 10).
MAX_DEPTH = 64
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_GUARDED_METHODS = frozenset({"POST", "PUT", "PATCH"})

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class UnsafeJSON(ValueError):
    """The body is JSON we will not parse (nested too deep)."""


def too_deep(body: bytes, max_depth: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects nest deeper than ``max_depth`` (strings are skipped)."""
    depth = 0
    for match in _BRACKETS.finditer(_STRINGS.sub(b'""', body)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


def scrub(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (and keys) replaced by U+FFFD."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return value
    if isinstance(value, list):
        return [scrub(item) for item in value]
    if isinstance(value, dict):
        return {scrub(key): scrub(item) for key, item in value.items()}
    return value


def has_lone_surrogate(value: Any) -> bool:
    """Whether any string (or key) in ``value`` cannot be written as UTF-8."""
    return bool(scrub(value) != value)


def loads(body: bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` that refuses deep nesting and replaces lone surrogates.

    Raises:
        UnsafeJSON: nested deeper than ``max_depth``.
        ValueError: not JSON, or not UTF-8.
    """
    if too_deep(body, max_depth):
        raise UnsafeJSON("JSON nested too deeply")
    try:
        data = json.loads(body)
    except RecursionError as exc:  # a stack smaller than the depth check assumes
        raise UnsafeJSON("JSON nested too deeply") from exc
    return scrub(data)


def _safe_error(error: dict[str, Any]) -> dict[str, Any]:
    safe: dict[str, Any] = {
        "loc": [scrub(part) if isinstance(part, str) else part for part in error.get("loc", ())],
        "msg": scrub(str(error.get("msg", ""))),
        "type": str(error.get("type", "value_error")),
    }
    for key in ("input", "ctx"):
        if key not in error:
            continue
        try:
            encoded = scrub(jsonable_encoder(error[key]))
            json.dumps(encoded, ensure_ascii=False, allow_nan=False).encode("utf-8")
        except (ValueError, TypeError, UnicodeError, RecursionError):
            continue  # input we cannot show is left out rather than turned into a 500
        safe[key] = encoded
    return safe


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422, but never failing on input it cannot encode."""
    assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for this type
    return JSONResponse(
        status_code=422, content={"detail": [_safe_error(e) for e in exc.errors()]}
    )


def _refusal(status: int, detail: Any) -> Message:
    return {"status": status, "body": json.dumps({"detail": detail}).encode()}


class JsonBodyGuard:
    """ASGI middleware: 400 for JSON nested too deep, 422 for a lone surrogate, on every JSON
    body outside ``/webhooks/`` (those parse with :func:`loads`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") not in _GUARDED_METHODS
            or str(scope.get("path", "")).startswith("/webhooks/")
            or b"json" not in dict(scope.get("headers") or []).get(b"content-type", b"")
        ):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, receive, send)  # the client went away
                return
            chunks.append(message.get("body", b""))
            more = bool(message.get("more_body"))
        body = b"".join(chunks)
        refusal = _check(body)
        if refusal is not None:
            await send(
                {
                    "type": "http.response.start",
                    "status": refusal["status"],
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": refusal["body"]})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _check(body: bytes) -> Message | None:
    if too_deep(body):
        return _refusal(400, "JSON nested too deeply")
    if _SURROGATE_ESCAPE.search(body) is None:
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None  # not JSON: FastAPI answers that itself
    if has_lone_surrogate(data):
        return _refusal(
            422,
            [
                {
                    "loc": ["body"],
                    "msg": "text must be valid Unicode (a lone surrogate was sent)",
                    "type": "value_error",
                }
            ],
        )
    return None
