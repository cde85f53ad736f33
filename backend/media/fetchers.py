"""Downloading a file from the channel that received it.

Telegram: ``getFile`` gives a ``file_path``, downloaded from ``{api}/file/bot<token>/<path>``
(bots may download 20 MB at most). WhatsApp: ``GET /{media-id}`` gives a short-lived ``url``
with the ``mime_type`` and ``file_size``, downloaded with the same bearer token. Errors never
carry the token: they name the status or the kind of network failure only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx

#: Telegram's own limit for bots downloading with getFile.
TELEGRAM_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Fetched:
    """A downloaded file, with what the channel said about it."""

    content: bytes
    content_type: str | None
    name: str | None


class FetchError(Exception):
    """A download that failed; ``transient`` ones are tried again later."""

    def __init__(self, reason: str, *, transient: bool) -> None:
        super().__init__(reason)
        self.transient = transient


class TooLarge(FetchError):
    """Larger than the limit: never fetched."""

    def __init__(self, size: int | None, limit: int) -> None:
        shown = f"{size} bytes" if size is not None else "more"
        super().__init__(f"file too large: {shown} > {limit} bytes", transient=False)


class Fetcher(Protocol):
    """Downloads one file by the channel's reference."""

    async def fetch(self, reference: str, *, max_bytes: int) -> Fetched:
        """The file, or :class:`FetchError`."""
        ...


def _status_error(response: httpx.Response) -> FetchError:
    status = response.status_code
    transient = status in (401, 408, 429) or status >= 500
    return FetchError(f"HTTP {status}", transient=transient)


async def download(
    http: httpx.AsyncClient, url: str, *, max_bytes: int, headers: dict[str, str] | None = None
) -> tuple[bytes, str | None]:
    """GET ``url`` without reading more than ``max_bytes``; the body and its Content-Type."""
    try:
        async with http.stream("GET", url, headers=headers) as response:
            if response.status_code != 200:
                raise _status_error(response)
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise TooLarge(int(declared), max_bytes)
            chunks: list[bytes] = []
            total = 0
            async for chunk in response.aiter_bytes():
                total += len(chunk)
                if total > max_bytes:
                    raise TooLarge(None, max_bytes)
                chunks.append(chunk)
            return b"".join(chunks), response.headers.get("Content-Type")
    except httpx.HTTPError as exc:
        raise FetchError(f"network: {type(exc).__name__}", transient=True) from None


def _size(value: Any) -> int | None:
    """WhatsApp gives ``file_size`` as a string, Telegram as a number."""
    text = str(value) if value is not None else ""
    return int(text) if text.isdigit() else None


class TelegramFetcher:
    """Files sent to the bot, through the Bot API."""

    def __init__(self, *, api_url: str, token: str, timeout: float = 30.0) -> None:
        self._api = api_url.rstrip("/")
        self._token = token
        self._timeout = timeout

    async def fetch(self, reference: str, *, max_bytes: int) -> Fetched:
        limit = min(max_bytes, TELEGRAM_MAX_BYTES)
        async with httpx.AsyncClient(timeout=self._timeout) as http:
            try:
                response = await http.post(
                    f"{self._api}/bot{self._token}/getFile", json={"file_id": reference}
                )
            except httpx.HTTPError as exc:
                raise FetchError(f"network: {type(exc).__name__}", transient=True) from None
            body = _json(response)
            if response.status_code != 200 or not body.get("ok"):
                if "too big" in str(body.get("description", "")).lower():
                    raise TooLarge(None, TELEGRAM_MAX_BYTES)
                raise _status_error(response)
            result = body.get("result") or {}
            size = _size(result.get("file_size"))
            if size is not None and size > limit:
                raise TooLarge(size, limit)
            path = str(result.get("file_path") or "")
            if not path:
                raise FetchError("getFile gave no file_path", transient=False)
            url = f"{self._api}/file/bot{self._token}/{path}"
            content, content_type = await download(http, url, max_bytes=limit)
        return Fetched(content, content_type, path.rsplit("/", 1)[-1])


class WhatsAppFetcher:
    """Files sent to the WhatsApp number, through the Graph API's media endpoint."""

    def __init__(self, *, api_url: str, token: str, timeout: float = 30.0) -> None:
        self._api = api_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = timeout

    async def fetch(self, reference: str, *, max_bytes: int) -> Fetched:
        if not reference.isdigit():
            raise FetchError("not a media id", transient=False)
        async with httpx.AsyncClient(timeout=self._timeout, headers=self._headers) as http:
            try:
                response = await http.get(f"{self._api}/{reference}")
            except httpx.HTTPError as exc:
                raise FetchError(f"network: {type(exc).__name__}", transient=True) from None
            if response.status_code != 200:
                raise _status_error(response)
            body = _json(response)
            size = _size(body.get("file_size"))
            if size is not None and size > max_bytes:
                raise TooLarge(size, max_bytes)
            url = str(body.get("url") or "")
            if not url.startswith(("https://", "http://")):
                raise FetchError("media endpoint gave no url", transient=False)
            content, served_type = await download(http, url, max_bytes=max_bytes)
        return Fetched(content, str(body.get("mime_type") or served_type or "") or None, None)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
