"""Webhook endpoints of the Telegram channel (see backend/channels/telegram.py)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["webhooks"])
