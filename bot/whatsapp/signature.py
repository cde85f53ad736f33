"""Meta signs every webhook POST: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>``.

The HMAC is computed over the raw bytes exactly as received. Parsing and re-serialising the JSON
first would change them (escapes, spacing, key order of Arabic text and emoji) and every real
signature would fail, so the check runs before anything else reads the body.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def sign(app_secret: str, body: bytes) -> str:
    """The header value Meta sends for ``body`` (tests and the Graph API double use it)."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"{_PREFIX}{digest}"


def is_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is the signature of ``body``, compared in constant time."""
    if not header or not header.isascii() or not header.startswith(_PREFIX):
        return False
    expected = sign(app_secret, body).encode()
    return hmac.compare_digest(expected, header.strip().lower().encode())
