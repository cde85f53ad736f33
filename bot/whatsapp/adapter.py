"""The WhatsApp channel adapter: checks and reads webhooks, sends messages and templates.

It keeps no state between calls. The backend decides *how* a message goes (inside the 24-hour
window as itself, outside as a template) and calls :meth:`WhatsAppAdapter.send` or
:meth:`WhatsAppAdapter.send_template`; the webhook route uses :meth:`handshake`,
:meth:`signature_ok` and :func:`~bot.whatsapp.inbound.parse_webhook`.
"""

from __future__ import annotations

import hmac
from typing import Any

from bot.base import OnMessage, SendResult
from bot.whatsapp.client import GraphClient
from bot.whatsapp.inbound import CHANNEL
from bot.whatsapp.render import Labels, TemplateRef, render, render_template
from bot.whatsapp.signature import is_valid
from conversations.i18n import Catalogs
from conversations.messages import Outgoing


class WhatsAppAdapter:
    """One WhatsApp Business phone number on the Cloud API."""

    name = CHANNEL

    def __init__(
        self,
        *,
        client: GraphClient,
        catalogs: Catalogs,
        app_secret: str,
        verify_token: str,
        on_message: OnMessage,
    ) -> None:
        self._client = client
        self._catalogs = catalogs
        self._app_secret = app_secret
        self._verify_token = verify_token
        self.on_message = on_message

    def __repr__(self) -> str:
        return "WhatsAppAdapter()"  # never the secrets

    def handshake(self, mode: str | None, token: str | None, challenge: str | None) -> str | None:
        """The challenge to echo when Meta's verification request is genuine, else ``None``."""
        if mode != "subscribe" or token is None or challenge is None:
            return None
        if not hmac.compare_digest(token.encode(), self._verify_token.encode()):
            return None
        return challenge

    def signature_ok(self, body: bytes, header: str | None) -> bool:
        """Whether ``body`` was signed with our app secret."""
        return is_valid(self._app_secret, body, header)

    def labels(self, language: str) -> Labels:
        """The channel's own words («More…», «Choose») in ``language``."""
        tr = self._catalogs.get(language)
        return Labels(more=tr.gettext("More…"), choose=tr.gettext("Choose"))

    async def send(self, address: str, message: Outgoing) -> SendResult:
        """Send ``message`` as itself (inside the 24-hour window)."""
        return await self._post_all(render(address, message, self.labels(message.language)))

    async def send_template(self, address: str, template: TemplateRef, text: str) -> SendResult:
        """Send ``text`` inside an approved template (outside the window)."""
        return await self._post_all(render_template(address, template, text))

    async def _post_all(self, payloads: list[dict[str, Any]]) -> SendResult:
        """Post each part in order; the last part's id is the one statuses are matched on."""
        wamid: str | None = None
        for payload in payloads:
            wamid = await self._client.post_message(payload)
        return SendResult(external_id=wamid)

    async def start(self) -> None:
        """Open the HTTP connection pool."""
        await self._client.start()

    async def stop(self) -> None:
        """Close it."""
        await self._client.stop()
