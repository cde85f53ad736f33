"""Calls to the Graph API's messages endpoint, and Meta's errors as our send errors.

Meta answers errors as ``{"error": {"message", "type", "code", "error_data": {"details"},
"fbtrace_id"}}``. The code decides what the dispatcher does:

* throughput (130429 per number, 131056 per person, 4 and 80007 per app or account), HTTP 429,
  HTTP 5xx, Meta's temporary errors and network errors: try again later;
* 131047, the 24-hour window closed: :class:`ReEngagementRequired`, so the backend sends the
  message as a template instead;
* 131026, undeliverable: the person cannot be reached on WhatsApp;
* a refused access token: try again later too, so a token renewed within the hour loses
  nothing; anything else fails for good with Meta's code and reason recorded.

The access token travels only in the ``Authorization`` header; it is never in a URL, a log
line or an error message.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from bot.base import PermanentSendError, SendError, TransientSendError
from bot.ratelimit import Limiter, RateLimiter
from bot.whatsapp.inbound import MetaError

RE_ENGAGEMENT = 131047
THROUGHPUT_CODES = frozenset({4, 80007, 130429, 131056})
TEMPORARY_CODES = frozenset({1, 2, 131000, 133004})
TOKEN_CODES = frozenset({0, 190})
UNREACHABLE_CODES = frozenset({131026})
_CODE_PREFIX = re.compile(r"^\(#\d+\)\s*")


class ReEngagementRequired(PermanentSendError):
    """Error 131047: more than 24 hours since the person last wrote; only a template may go."""


class GraphClient:
    """POSTs payloads to ``{api_url}/{phone_number_id}/messages`` within the throughput limit."""

    def __init__(
        self,
        *,
        api_url: str,
        phone_number_id: str,
        token: str,
        rate_per_second: float,
        timeout: float = 20.0,
        limiter: Limiter | None = None,
    ) -> None:
        self._url = f"{api_url.rstrip('/')}/{phone_number_id}/messages"
        self._token = token
        self._timeout = timeout
        self.limiter: Limiter = limiter or RateLimiter(per_second=rate_per_second)
        self._http: httpx.AsyncClient | None = None

    async def start(self) -> None:
        """Open the connection pool (also opened on first use)."""
        if self._http is None:
            self._http = httpx.AsyncClient(
                timeout=self._timeout, headers={"Authorization": f"Bearer {self._token}"}
            )

    async def stop(self) -> None:
        """Close the connection pool."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def post_message(self, payload: dict[str, Any]) -> str:
        """Send one message; returns its ``wamid`` or raises a :class:`SendError`."""
        await self.limiter.wait()
        await self.start()
        assert self._http is not None  # noqa: S101 - opened just above
        try:
            response = await self._http.post(self._url, json=payload)
        except httpx.HTTPError as exc:
            raise TransientSendError(f"network error: {type(exc).__name__}") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.is_success:
            messages = body.get("messages") if isinstance(body, dict) else None
            if isinstance(messages, list) and messages and isinstance(messages[0], dict):
                return str(messages[0].get("id", ""))
            raise TransientSendError("the Graph API answered without a message id")
        raise error_for(response.status_code, body, _retry_after(response))


def error_for(status: int, body: Any, retry_after: float | None = None) -> SendError:
    """The send error for a Graph API error answer."""
    data = body.get("error") if isinstance(body, dict) else None
    error = MetaError.from_json(data)
    reason = _CODE_PREFIX.sub("", error.title) or f"HTTP {status}"
    if error.details and error.details not in reason:
        reason = f"{reason} ({error.details})"
    code = error.code
    label = str(code) if code is not None else str(status)
    if code == RE_ENGAGEMENT:
        return ReEngagementRequired(reason, code=label)
    if status == 429 or code in THROUGHPUT_CODES:
        return TransientSendError(reason, code=label, retry_after=retry_after)
    if status >= 500 or code in TEMPORARY_CODES:
        return TransientSendError(reason, code=label, retry_after=retry_after)
    if status == 401 or code in TOKEN_CODES:
        return TransientSendError(f"access token refused: {reason}", code=label)
    return PermanentSendError(reason, code=label, unreachable=code in UNREACHABLE_CODES)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 <= seconds <= 3600 else None
