"""A local Bot API server that speaks Telegram's HTTP protocol, for the real client libraries.

It serves ``/bot<token>/<method>`` on 127.0.0.1 with JSON, URL-encoded and multipart bodies,
answers ``{"ok": true, "result": ...}`` with realistic objects, long-polls ``getUpdates`` with
its offset semantics, records every call, and fails on demand the way Telegram does (429 with
``parameters.retry_after``, 5xx, 403 for a blocked bot, a dropped connection).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

METHODS = (
    "getMe", "getUpdates", "setWebhook", "deleteWebhook", "getWebhookInfo", "sendMessage",
    "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery", "setMyCommands",
    "getMyCommands", "deleteMyCommands", "close", "logOut", "getFile",
)  # fmt: skip
#: Bots may download files of up to 20 MB with getFile.
MAX_DOWNLOAD = 20 * 1024 * 1024
_CANONICAL = {m.lower(): m for m in METHODS}
#: Parameters the Bot API reads as JSON or as integers when they come as form fields.
_JSON_FIELDS = {
    "reply_markup", "allowed_updates", "commands", "scope", "entities", "reply_parameters",
    "link_preview_options",
}  # fmt: skip
_INT_FIELDS = {"offset", "limit", "timeout", "message_id", "max_connections"}


class ApiFailure(Exception):
    """A method's answer as a Bot API error (400 ``invalid file_id``...)."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    403: "Forbidden: bot was blocked by the user",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass
class Call:
    """One request the bot made: the method, its decoded parameters, when, and the status."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 200
    result: Any = None
    #: How the parameters came: ``application/json``, a form, or multipart.
    content_type: str = ""


@dataclass
class Failure:
    """An error to answer instead of the next matching call(s)."""

    method: str
    status: int
    description: str
    retry_after: int | None = None
    chat_id: str | None = None
    times: int = 1
    after: int = 0


@dataclass
class TelegramApiDouble:
    """The server; use as ``async with TelegramApiDouble(token) as api``."""

    token: str
    username: str = "massar_test_bot"
    max_poll: float = 2.0
    calls: list[Call] = field(default_factory=list)
    webhook: dict[str, Any] = field(default_factory=dict)
    commands: dict[str | None, list[dict[str, str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._forced: list[dict[str, Any]] = []
        self._forced_served_by: int | None = None
        self._failures: list[Failure] = []
        self._changed = asyncio.Condition()
        self._next_message_id = 1000
        self.confirmed = 0
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.url = ""
        #: Files people sent, by file_id: (content, file_path); see :meth:`add_file`.
        self.files: dict[str, tuple[bytes, str]] = {}
        self.downloads: list[str] = []
        #: When each update became available to getUpdates (``time.monotonic()``), by id.
        self.available_at: dict[int, float] = {}

    async def __aenter__(self) -> TelegramApiDouble:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing = True
        await self._notify()  # end pending long polls now rather than at their timeout
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests do -------------------------------------------------------------------
    def add_file(self, file_id: str, content: bytes, file_path: str) -> None:
        """A file a person sent, served by getFile and ``/file/bot<token>/<file_path>``."""
        self.files[file_id] = (content, file_path)

    def queue_update(self, update: dict[str, Any]) -> None:
        """Make an update available to getUpdates."""
        self.queue_updates([update])

    def queue_updates(self, updates: list[dict[str, Any]]) -> None:
        """Make several updates available at once (a burst, or one tick of a paced stream),
        noting when, for measuring the time to the first reply."""
        now = time.monotonic()
        for update in updates:
            self.available_at[int(update["update_id"])] = now
        self._updates.extend(updates)
        asyncio.get_running_loop().create_task(self._notify())

    def redeliver(self, update: dict[str, Any]) -> None:
        """Serve an update again even though it was confirmed (Telegram is at-least-once)."""
        self._forced.append(update)
        self._forced_served_by = None
        asyncio.get_running_loop().create_task(self._notify())

    def redelivery_handled(self) -> bool:
        """Whether the bot asked for more updates after the redelivered one was served."""
        index = self._forced_served_by
        return index is not None and any(c.method == "getUpdates" for c in self.calls[index + 1 :])

    def fail(
        self,
        method: str,
        status: int,
        *,
        retry_after: int | None = None,
        description: str | None = None,
        chat_id: str | None = None,
        times: int = 1,
        after: int = 0,
    ) -> None:
        """Answer ``times`` calls of ``method`` (to ``chat_id``) with an error, once ``after``
        more such calls have gone through.

        ``status=0`` drops the connection without an answer, as a network failure does.
        """
        text = (description or _DESCRIPTIONS.get(status, "Error")).format(retry_after=retry_after)
        self._failures.append(Failure(method, status, text, retry_after, chat_id, times, after))

    def of(self, method: str, chat_id: str | None = None, *, ok: bool = True) -> list[Call]:
        """The calls of ``method`` (to ``chat_id``), successful ones only unless ``ok=False``."""
        return [
            c
            for c in self.calls
            if c.method == method
            and (chat_id is None or str(c.params.get("chat_id")) == chat_id)
            and (not ok or c.status == 200)
        ]

    async def wait_for(self, check: Callable[[], bool], within: float = 5.0) -> None:
        """Wait until ``check()`` holds, or fail the test."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(check)

    async def wait_confirmed(self, update_id: int, within: float = 5.0) -> None:
        """Wait until the bot asked for updates after ``update_id``: it has handled it."""
        await self.wait_for(lambda: self.confirmed > update_id, within)

    # --- the server ----------------------------------------------------------------------
    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = _CANONICAL.get(request.match_info["method"].lower())
        if method is None:
            return _error(404, "Not Found")
        params = await _params(request)
        call = Call(method, params, time.monotonic(), content_type=request.content_type)
        self.calls.append(call)
        try:
            failure = self._take_failure(method, params)
            if failure is not None:
                call.status = failure.status
                if failure.status == 0:
                    assert request.transport is not None
                    request.transport.close()
                    return web.Response(status=500)
                extra = {"retry_after": failure.retry_after} if failure.retry_after else None
                return _error(failure.status, failure.description, extra)
            if method == "getUpdates":
                return await self._get_updates(call, params)
            try:
                call.result = self._result(method, params)
            except ApiFailure as failed:
                call.status = failed.status
                return _error(failed.status, failed.description)
            return _ok(call.result)
        finally:
            await self._notify()

    def _take_failure(self, method: str, params: Mapping[str, Any]) -> Failure | None:
        for failure in self._failures:
            chat = failure.chat_id
            if failure.method == method and (chat is None or str(params.get("chat_id")) == chat):
                if failure.after > 0:
                    failure.after -= 1
                    continue
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    async def _get_updates(self, call: Call, params: Mapping[str, Any]) -> web.Response:
        if self.webhook.get("url"):
            return _error(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        if offset:
            self.confirmed = max(self.confirmed, offset)
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        await self._notify()
        wait = min(float(params.get("timeout") or 0), self.max_poll)
        try:
            async with asyncio.timeout(wait), self._changed:
                await self._changed.wait_for(
                    lambda: bool(self._updates or self._forced or self._closing)
                )
        except TimeoutError:
            pass
        if self._forced:
            self._forced_served_by = self.calls.index(call)
        served, self._forced = [*self._forced, *self._updates], []
        return _ok(served[: int(params.get("limit") or 100)])

    def _result(self, method: str, params: Mapping[str, Any]) -> Any:
        me = {"id": int(self.token.split(":")[0]), "is_bot": True, "first_name": "massar"}
        if method == "getMe":
            return me | {
                "username": self.username,
                "can_join_groups": False,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if method == "setWebhook":
            self.webhook = dict(params)
        elif method == "deleteWebhook":
            self.webhook = {}
        elif method == "getWebhookInfo":
            return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                    "pending_update_count": len(self._updates)}  # fmt: skip
        elif method == "setMyCommands":
            self.commands[params.get("language_code") or None] = list(params["commands"])
        elif method == "getMyCommands":
            return self.commands.get(params.get("language_code") or None, [])
        elif method in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            return self._message(me, params)
        elif method == "getFile":
            return self._file(str(params.get("file_id") or ""))
        return True

    def _file(self, file_id: str) -> dict[str, Any]:
        """A File object; too large files have no file_path, as Telegram refuses them."""
        if file_id not in self.files:
            raise ApiFailure(400, "Bad Request: invalid file_id")
        content, path = self.files[file_id]
        if len(content) > MAX_DOWNLOAD:
            raise ApiFailure(400, "Bad Request: file is too big")
        unique = f"U{abs(hash(file_id)) % 10**8}"
        return {"file_id": file_id, "file_unique_id": unique, "file_size": len(content),
                "file_path": path}  # fmt: skip

    async def _download(self, request: web.Request) -> web.StreamResponse:
        """The file download URL: the bytes, as application/octet-stream like Telegram."""
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        path = request.match_info["path"]
        for content, file_path in self.files.values():
            if file_path == path:
                self.downloads.append(path)
                return web.Response(body=content, content_type="application/octet-stream")
        return web.Response(status=404, text="Not Found")

    def _message(self, me: dict[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
        if "message_id" in params:
            message_id = int(params["message_id"])
        else:
            self._next_message_id += 1
            message_id = self._next_message_id
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": me,
            "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
            "date": int(time.time()),
            "text": params.get("text", ""),
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message


async def _params(request: web.Request) -> dict[str, Any]:
    """The call's parameters, decoded as the Bot API does from any of its body formats."""
    raw: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        raw.update(await request.json())
    elif request.can_read_body:
        form = await request.post()
        raw.update({k: v for k, v in form.items() if isinstance(v, str)})
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and key in _JSON_FIELDS:
            value = json.loads(value)
        elif isinstance(value, str) and key in _INT_FIELDS:
            value = int(value)
        params[key] = value
    return params


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(
    status: int, description: str, parameters: dict[str, Any] | None = None
) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)
