"""Webhook endpoint of the Telegram channel (see backend/channels/telegram.py).

Telegram sends the secret given to ``setWebhook`` in ``X-Telegram-Bot-Api-Secret-Token``;
without it, anyone who guesses the URL could speak for any person, so nothing is read or
stored before the header matches. Telegram redelivers an update until it gets a 2xx, so a
temporary failure of our own answers 503 (retried; the inbound key dedupes), never 500.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from backend.app.json_guard import UnsafeJSON, loads
from backend.settings import TELEGRAM_WEBHOOK_PATH
from bot.telegram.common import InvalidUpdate

logger = logging.getLogger(__name__)

router = APIRouter(tags=["webhooks"])

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
#: Updates are a few kilobytes; anything much larger is not from Telegram.
MAX_BODY = 1_000_000


def _answer(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"ok": status == 200, "detail": detail}, status_code=status)


@router.post(
    TELEGRAM_WEBHOOK_PATH,
    summary="Telegram updates (webhook mode)",
    responses={
        400: {"description": "Malformed JSON, or not a Telegram update"},
        403: {"description": "Missing or wrong X-Telegram-Bot-Api-Secret-Token"},
        404: {"description": "Telegram is off, or in polling mode"},
        413: {"description": "Body too large for an update"},
        503: {"description": "Not handled now; Telegram delivers it again"},
    },
)
async def telegram_webhook(request: Request) -> JSONResponse:
    """Check the secret header, then handle one update (webhook mode only)."""
    runtime = request.app.state.runtime
    channel: Any = runtime.channels.get("telegram")
    settings = runtime.settings
    if channel is None or settings.telegram_mode != "webhook":
        return _answer(404, "Telegram webhook mode is not enabled")
    secret = settings.telegram_webhook_secret
    given = request.headers.get(SECRET_HEADER, "")
    if secret is None or not hmac.compare_digest(
        given.encode(), secret.get_secret_value().encode()
    ):
        return _answer(403, "wrong or missing secret token")
    body = await request.body()
    if len(body) > MAX_BODY:
        return _answer(413, "update too large")
    try:
        data = loads(body)
    except UnsafeJSON:
        return _answer(400, "JSON nested too deeply for an update")
    except (ValueError, UnicodeDecodeError):
        return _answer(400, "body is not JSON")
    update_id = data.get("update_id") if isinstance(data, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return _answer(400, "body is not a Telegram update")
    try:
        await channel.feed_webhook_update(data)
    except InvalidUpdate as exc:
        return _answer(400, str(exc))
    except Exception:
        logger.exception("Telegram update %s could not be handled now", update_id)
        return _answer(503, "try again later")
    return _answer(200, "ok")
