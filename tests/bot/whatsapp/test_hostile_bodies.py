"""A signed body nested a thousand deep is a 400, not a crash."""

from __future__ import annotations

import httpx

from tests.bot.whatsapp.driver import post_signed


async def test_json_nested_a_thousand_deep_is_a_400(wa_client: httpx.AsyncClient) -> None:
    deep = b'{"object": "whatsapp_business_account", "entry": ' + b"[" * 1000 + b"]" * 1000
    response = await post_signed(wa_client, deep + b"}")
    assert response.status_code == 400
    assert (await post_signed(wa_client, b"{" * 50_000)).status_code == 400
