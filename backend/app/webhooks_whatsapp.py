"""Webhook endpoints of the Whatsapp channel (see backend/channels/whatsapp.py)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["webhooks"])
