"""Headers every console response carries, and the cookie's flags over HTTPS."""

from __future__ import annotations

import re

import httpx

from backend.runtime import Runtime
from backend.staff.service import create_staff

PASSWORD = "a-long-test-password"  # noqa: S105 - a test value


async def test_console_pages_forbid_inline_scripts_framing_and_referrers(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/console/login", "/console/static/console.js", "/console/nowhere"):
        response = await client.get(path, headers={"Accept": "text/html"})
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, path
        assert "frame-ancestors 'none'" in policy
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["x-content-type-options"] == "nosniff"
    api = await client.get("/health")
    assert "x-frame-options" not in api.headers, "the API and web chat keep their own headers"


async def test_the_session_cookie_is_secure_over_https(runtime: Runtime) -> None:
    from backend.app.main import create_app

    async with runtime.sessions() as session, session.begin():
        await create_staff(
            session, email="a@m.test", name="A", role="admin", programs=[], password=PASSWORD,
            now=runtime.clock(),
        )  # fmt: skip
    app = create_app(runtime=runtime, background=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://massar.test") as http:
        form = await http.get("/console/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        signed = await http.post(
            "/console/login",
            data={"email": "a@m.test", "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert signed.status_code == 303
        cookie = next(c for c in signed.headers.get_list("set-cookie") if "massar_console=" in c)
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
