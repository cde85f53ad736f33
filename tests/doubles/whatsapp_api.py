"""A local Graph API that speaks the WhatsApp Cloud API's messages endpoint.

It serves ``POST /{version}/{phone_number_id}/messages`` on 127.0.0.1, checks the bearer token
and the payload as strictly as Meta does (button and row counts, title, description, body and
parameter lengths, unique ids and titles), answers ``{"messaging_product", "contacts",
"messages": [{"id": "wamid..."}]}``, records every call, and fails on demand with Meta's error
JSON: throughput (130429, as HTTP 400 or as a bare 429 with Retry-After), a 500, re-engagement
(131047), undeliverable (131026).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from conversations.labels import display_length

ERRORS: dict[str, tuple[int, int, str, str]] = {
    "throughput": (
        400,
        130429,
        "Rate limit hit",
        "Cloud API message throughput has been reached.",
    ),
    "server": (500, 131000, "Something went wrong", "Something went wrong."),
    "reengagement": (
        400,
        131047,
        "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer "
        "last replied to this number.",
    ),
    "undeliverable": (400, 131026, "Message undeliverable", "Unable to deliver message."),
    "template": (400, 132001, "Template name does not exist in the translation", "unknown"),
}


@dataclass
class Call:
    """One request: its payload and the status answered."""

    payload: dict[str, Any]
    status: int


@dataclass
class GraphApiDouble:
    """The server; use as ``async with GraphApiDouble(token, phone_number_id) as api``."""

    token: str
    phone_number_id: str
    version: str = "v21.0"
    #: Template (name, language code) pairs that exist; ``None`` accepts any.
    templates: set[tuple[str, str]] | None = None
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._failures: list[tuple[str, float | None]] = []
        self._runner: web.AppRunner | None = None
        self._count = 0
        self.url = ""
        self._root = ""
        #: Media people sent, by media id: (content, mime_type); see :meth:`add_media`.
        self.media: dict[str, tuple[bytes, str]] = {}
        self.downloads: list[str] = []

    async def __aenter__(self) -> GraphApiDouble:
        app = web.Application()
        app.router.add_post("/{version}/{phone}/messages", self._messages)
        app.router.add_get("/{version}/{media_id:[0-9]+}", self._media_url)
        app.router.add_get("/whatsapp_business/attachments/", self._media_download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._root = f"http://127.0.0.1:{port}"
        self.url = f"{self._root}/{self.version}"
        return self

    def add_media(self, media_id: str, content: bytes, mime_type: str) -> None:
        """A file a person sent: ``GET /{media-id}`` describes it, its ``url`` serves it."""
        self.media[media_id] = (content, mime_type)

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.token}"

    async def _media_url(self, request: web.Request) -> web.Response:
        """Meta's media endpoint: url (valid 5 minutes), mime_type, sha256, file_size (text)."""
        if not self._authorized(request):
            return self._error(401, 190, "Invalid OAuth access token", "token", None)
        media_id = request.match_info["media_id"]
        if media_id not in self.media:
            details = f"Object with ID '{media_id}' does not exist"
            return self._error(400, 100, "Unsupported get request", details, None)
        content, mime_type = self.media[media_id]
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "url": f"{self._root}/whatsapp_business/attachments/?mid={media_id}&ext=1",
                "mime_type": mime_type,
                "sha256": hashlib.sha256(content).hexdigest(),
                "file_size": str(len(content)),
                "id": media_id,
            }
        )

    async def _media_download(self, request: web.Request) -> web.Response:
        """The media URL: only with the bearer token, as Meta requires."""
        if not self._authorized(request):
            return web.Response(status=401)
        media_id = request.query.get("mid", "")
        if media_id not in self.media:
            return web.Response(status=404)
        self.downloads.append(media_id)
        content, mime_type = self.media[media_id]
        return web.Response(body=content, headers={"Content-Type": mime_type})

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail_next(self, kind: str, *, times: int = 1, retry_after: float | None = None) -> None:
        """Answer the next ``times`` calls with error ``kind`` (a key of ``ERRORS``, or
        ``"429"`` for a bare HTTP 429 with ``Retry-After``)."""
        self._failures += [(kind, retry_after)] * times

    @property
    def delivered(self) -> list[dict[str, Any]]:
        """Payloads accepted, in order."""
        return [c.payload for c in self.calls if c.status == 200]

    def to(self, wa_id: str) -> list[dict[str, Any]]:
        """Payloads accepted for one person."""
        return [p for p in self.delivered if p.get("to") == wa_id]

    async def _messages(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return self._error(401, 190, "Invalid OAuth access token", "token", None)
        if request.match_info["phone"] != self.phone_number_id:
            return self._error(400, 100, "Unsupported post request", "unknown phone id", None)
        try:
            payload = await request.json()
        except ValueError:
            return self._error(400, 100, "Invalid parameter", "body is not JSON", None)
        problem = check_payload(payload, self.templates)
        if problem:
            self.calls.append(Call(payload, 400))
            return self._error(400, problem[0], "Invalid parameter", problem[1], None)
        if self._failures:
            kind, retry_after = self._failures.pop(0)
            self.calls.append(Call(payload, 429 if kind == "429" else ERRORS[kind][0]))
            if kind == "429":
                headers = {"Retry-After": str(retry_after or 1)}
                return web.json_response({}, status=429, headers=headers)
            status, code, title, details = ERRORS[kind]
            return self._error(status, code, title, details, retry_after)
        self.calls.append(Call(payload, 200))
        self._count += 1
        to = payload["to"]
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": f"wamid.TEST{self._count:06d}"}],
            }
        )

    def _error(
        self, status: int, code: int, title: str, details: str, retry_after: float | None
    ) -> web.Response:
        body = {
            "error": {
                "message": f"(#{code}) {title}",
                "type": "OAuthException",
                "code": code,
                "error_data": {"messaging_product": "whatsapp", "details": details},
                "fbtrace_id": "AbCdEfGhIjK",
            }
        }
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return web.json_response(body, status=status, headers=headers)


def check_payload(
    payload: Any, templates: set[tuple[str, str]] | None = None
) -> tuple[int, str] | None:
    """Meta's validation of a message payload: ``(code, details)`` of the first problem."""
    if not isinstance(payload, dict) or payload.get("messaging_product") != "whatsapp":
        return 100, "messaging_product must be whatsapp"
    if not str(payload.get("to", "")).isdigit():
        return 100, "to must be a phone number"
    kind = payload.get("type")
    if kind == "text":
        body = payload["text"].get("body", "")
        return _length("text.body", body, 1, 4096)
    if kind == "template":
        return _template(payload["template"], templates)
    if kind != "interactive":
        return 100, f"unsupported type {kind}"
    interactive = payload["interactive"]
    if interactive["type"] == "button":
        return _length("body.text", interactive["body"]["text"], 1, 1024) or _buttons(
            interactive["action"]["buttons"]
        )
    if interactive["type"] == "list":
        return _length("body.text", interactive["body"]["text"], 1, 4096) or _list(
            interactive["action"]
        )
    return 100, "unknown interactive type"


def _length(what: str, text: Any, low: int, high: int) -> tuple[int, str] | None:
    if not isinstance(text, str) or not low <= display_length(text) <= high:
        return 131009, f"{what} must have {low} to {high} characters"
    return None


def _buttons(buttons: list[dict[str, Any]]) -> tuple[int, str] | None:
    if not 1 <= len(buttons) <= 3:
        return 131009, "buttons: 1 to 3"
    titles = [b["reply"]["title"] for b in buttons]
    ids = [b["reply"]["id"] for b in buttons]
    if len(set(titles)) != len(titles) or len(set(ids)) != len(ids):
        return 131009, "button titles and ids must be unique"
    for button in buttons:
        problem = _length("button title", button["reply"]["title"], 1, 20)
        problem = problem or _length("button id", button["reply"]["id"], 1, 256)
        if problem:
            return problem
    return None


def _list(action: dict[str, Any]) -> tuple[int, str] | None:
    problem = _length("action.button", action.get("button"), 1, 20)
    sections = action.get("sections", [])
    rows = [row for section in sections for row in section.get("rows", [])]
    if problem:
        return problem
    if not 1 <= len(sections) <= 10 or not 1 <= len(rows) <= 10:
        return 131009, "a list has 1 to 10 rows"
    if len(sections) > 1 and any("title" not in s for s in sections):
        return 131009, "sections need titles"
    if len({row["id"] for row in rows}) != len(rows):
        return 131009, "row ids must be unique"
    for row in rows:
        problem = _length("row title", row["title"], 1, 24)
        problem = problem or _length("row id", row["id"], 1, 200)
        if "description" in row:
            problem = problem or _length("row description", row["description"], 1, 72)
        if problem:
            return problem
    return None


def _template(
    template: dict[str, Any], known: set[tuple[str, str]] | None
) -> tuple[int, str] | None:
    key = (template.get("name"), template.get("language", {}).get("code"))
    if known is not None and key not in known:
        return 132001, f"template {key} does not exist"
    for component in template.get("components", []):
        for parameter in component.get("parameters", []):
            text = parameter.get("text", "")
            if "\n" in text or "\t" in text or "     " in text:
                return 132018, "parameter text has new lines, tabs or 5 spaces"
            problem = _length("parameter", text, 1, 1024)
            if problem:
                return problem
    return None
