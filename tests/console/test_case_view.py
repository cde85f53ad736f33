"""What the case page says about WhatsApp's 24-hour window, from the dispatcher's own rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.channels.whatsapp.window import MARGIN, WINDOW
from backend.console.case_view import whatsapp_window
from backend.people.models import Beneficiary

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _person(channel: str, last: datetime | None) -> Beneficiary:
    return Beneficiary(channel=channel, address="21620000000", language="fr", last_inbound_at=last)


def test_the_window_is_open_until_the_margin_before_24_hours() -> None:
    assert whatsapp_window(_person("whatsapp", NOW - timedelta(hours=2)), NOW).open
    closing = NOW - (WINDOW - MARGIN) - timedelta(seconds=1)
    window = whatsapp_window(_person("whatsapp", closing), NOW)
    assert window.applies and not window.open, "the reply will go as the template"
    assert not whatsapp_window(_person("whatsapp", None), NOW).open


def test_other_channels_have_no_window() -> None:
    window = whatsapp_window(_person("telegram", None), NOW)
    assert not window.applies and window.open
    assert not whatsapp_window(None, NOW).applies
