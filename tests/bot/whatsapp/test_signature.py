"""X-Hub-Signature-256: an HMAC-SHA256 of the raw body, checked before anything else."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.whatsapp.signature import is_valid, sign
from tests.bot.whatsapp.driver import APP_SECRET, FIXTURES


def test_a_signature_made_with_the_app_secret_is_accepted() -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    assert is_valid(APP_SECRET, body, sign(APP_SECRET, body))
    assert is_valid(APP_SECRET, body, sign(APP_SECRET, body).upper().replace("SHA256=", "sha256="))


def test_missing_wrong_or_malformed_signatures_are_refused() -> None:
    body = b'{"object":"whatsapp_business_account"}'
    good = sign(APP_SECRET, body)
    for header in [
        None,
        "",
        good.removeprefix("sha256="),
        good.replace("sha256=", "sha1="),
        sign("another-secret", body),
        good[:-1] + ("0" if good[-1] != "0" else "1"),
        good + "00",
        "sha256=é" + good[8:],
    ]:
        assert not is_valid(APP_SECRET, body, header), header


def test_arabic_and_emoji_are_verified_over_the_raw_bytes_not_a_reserialisation() -> None:
    raw = (FIXTURES / "arabic_emoji.raw.json").read_bytes()
    header = sign(APP_SECRET, raw)  # what Meta computes over the bytes it sends
    assert is_valid(APP_SECRET, raw, header)
    parsed = json.loads(raw)
    assert "👋🏽" in parsed["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"]
    for reserialised in [
        json.dumps(parsed).encode(),
        json.dumps(parsed, ensure_ascii=False).encode(),
        json.dumps(parsed, separators=(",", ":")).encode(),
    ]:
        assert reserialised != raw
        assert not is_valid(APP_SECRET, reserialised, header)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.text(min_size=1, max_size=64), st.data())
def test_any_body_verifies_with_its_own_signature_and_not_once_altered(
    body: bytes, secret: str, data: st.DataObject
) -> None:
    header = sign(secret, body)
    assert is_valid(secret, body, header)
    if body:
        index = data.draw(st.integers(0, len(body) - 1))
        altered = body[:index] + bytes([body[index] ^ 1]) + body[index + 1 :]
        assert not is_valid(secret, altered, header)
    assert not is_valid(secret + "x", body, header)
