"""Webhook endpoints of the WhatsApp channel (see backend/channels/whatsapp.py).

``GET`` answers Meta's verification handshake. ``POST`` checks, in this order, before anything
is stored: the size (413), the ``X-Hub-Signature-256`` HMAC over the raw bytes (403), the JSON
(400). Then each message goes to the inbound service (which dedupes by wamid), each «More…»
press to the paging service, each status to the status service, and anything else is logged by
type and acknowledged: a payload we do not understand is never an error.

If our own side fails (the database is down), the answer is 503 so that Meta delivers the
batch again later: redelivery is harmless, because messages are deduped by wamid and statuses
only move forward, whereas a 200 would lose the message for good.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from backend.app.deps import RuntimeDep
from backend.app.json_guard import loads
from backend.channels.whatsapp.paging import fallback, show_more
from backend.channels.whatsapp.status import record_statuses
from backend.channels.whatsapp.window import release_held
from backend.runtime import Runtime
from bot.whatsapp.adapter import WhatsAppAdapter
from bot.whatsapp.inbound import WebhookBatch, parse_webhook
from bot.whatsapp.signature import HEADER

logger = logging.getLogger(__name__)
router = APIRouter(tags=["webhooks"])
PATH = "/webhooks/whatsapp"
#: Meta's payloads are a few kilobytes; a much larger body is not from Meta.
MAX_BODY = 1024 * 1024


def _channel(runtime: Runtime) -> WhatsAppAdapter:
    channel = runtime.channels.get("whatsapp")
    if not isinstance(channel, WhatsAppAdapter):
        raise HTTPException(status_code=404, detail="WhatsApp is not configured")
    return channel


@router.get(PATH, response_class=PlainTextResponse, summary="Meta's verification handshake")
async def verify(
    runtime: RuntimeDep,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge")] = None,
) -> PlainTextResponse:
    """Echo ``hub.challenge`` when ``hub.verify_token`` is ours."""
    answer = _channel(runtime).handshake(mode, token, challenge)
    if answer is None:
        raise HTTPException(status_code=403, detail="verification failed")
    return PlainTextResponse(answer)


@router.post(PATH, summary="Messages and statuses from WhatsApp")
async def receive(request: Request, runtime: RuntimeDep) -> JSONResponse:
    """Check, parse and hand on one webhook POST."""
    channel = _channel(runtime)
    body = await _read_capped(request)
    if not channel.signature_ok(body, request.headers.get(HEADER)):
        raise HTTPException(status_code=403, detail="bad signature")
    try:
        payload = loads(body)
    except ValueError as exc:  # also bytes that are not UTF-8, and nesting too deep
        raise HTTPException(status_code=400, detail="malformed JSON") from exc
    batch = parse_webhook(payload)
    for note in batch.ignored:
        logger.info("WhatsApp webhook: %s", note)
    if not await handle_batch(runtime, channel, batch):
        return JSONResponse({"status": "try again"}, status_code=503)
    return JSONResponse({"status": "ok"})


async def _read_capped(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise HTTPException(status_code=413, detail="body too large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise HTTPException(status_code=413, detail="body too large")
    return bytes(body)


async def handle_batch(runtime: Runtime, channel: WhatsAppAdapter, batch: WebhookBatch) -> bool:
    """Hand on every part of the batch; ``False`` when one could not be stored."""
    ok = True
    now = runtime.clock()
    for envelope in batch.messages:
        try:
            await channel.on_message(envelope)
            if await release_held(runtime.sessions, address=envelope.address, now=now):
                runtime.dispatcher.kick()
        except Exception:
            logger.exception("a WhatsApp message could not be handled; Meta will resend it")
            ok = False
    for request in batch.more:
        try:
            shown = await show_more(runtime.sessions, request, now=now)
            if shown is None:
                await channel.on_message(fallback(request))
            elif shown:
                runtime.dispatcher.kick()
        except Exception:
            logger.exception("a WhatsApp «More…» press could not be handled")
            ok = False
    if batch.statuses:
        try:
            if await record_statuses(runtime.sessions, batch.statuses, now=now):
                runtime.dispatcher.kick()
        except Exception:
            logger.exception("WhatsApp statuses could not be recorded")
            ok = False
    return ok
