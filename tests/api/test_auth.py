"""Login, throttling, logout, revoked tokens, and tokens stored only as hashes."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from backend.runtime import Runtime
from backend.staff.models import ApiToken, Staff
from backend.staff.service import hash_token
from tests.api.conftest import make_staff
from tests.support import FakeClock

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account


async def _login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/login", json={"email": email, "password": password})


async def test_login_gives_a_working_token_stored_only_as_a_hash(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    staff = await make_staff(runtime, client, role="agent", programs=("iess",), password=PASSWORD)
    response = await _login(client, staff.email.upper(), PASSWORD)
    assert response.status_code == 200, response.text
    token = response.json()["token"]
    assert token.startswith("mst_") and len(token) >= 4 + 43, "at least 256 random bits"
    assert response.json()["staff"] == {
        "id": staff.id,
        "email": staff.email,
        "name": "Agent Test",
        "role": "agent",
        "programs": ["iess"],
        "active": True,
    }
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["id"] == staff.id
    async with runtime.sessions() as session:
        hashes = (await session.scalars(select(ApiToken.token_hash))).all()
        account = await session.get(Staff, staff.id)
        used = await session.scalar(
            select(ApiToken.last_used_at).where(ApiToken.token_hash == hash_token(token))
        )
    assert hash_token(token) in hashes and token not in hashes
    assert account is not None and account.password_hash is not None
    assert account.password_hash.startswith("$argon2id$") and PASSWORD not in account.password_hash
    assert used == runtime.clock()


async def test_wrong_password_and_unknown_email_look_the_same(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    staff = await make_staff(runtime, client, role="agent", programs=("iess",), password=PASSWORD)
    wrong = await _login(client, staff.email, "not the password")
    unknown = await _login(client, "nobody@massar.test", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    no_password = await make_staff(runtime, client, role="agent", programs=("iess",))
    assert (await _login(client, no_password.email, "")).status_code == 422
    assert (await _login(client, no_password.email, "anything")).status_code == 401


async def test_repeated_failures_are_throttled_then_forgiven(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    staff = await make_staff(runtime, client, role="agent", programs=("iess",), password=PASSWORD)
    for _ in range(5):
        assert (await _login(client, staff.email, "guess")).status_code == 401
    blocked = await _login(client, staff.email, PASSWORD)
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60 + 1
    other = await make_staff(runtime, client, role="agent", programs=("iess",), password=PASSWORD)
    assert (await _login(client, other.email, PASSWORD)).status_code == 200, "per email"
    clock.advance(timedelta(minutes=16))
    assert (await _login(client, staff.email, PASSWORD)).status_code == 200


async def test_one_address_guessing_many_emails_is_throttled(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    for number in range(20):
        response = await _login(client, f"guess{number}@massar.test", "guess")
        assert response.status_code == 401
    assert (await _login(client, "guess99@massar.test", "guess")).status_code == 429


async def test_logout_revokes_the_token_used_and_only_it(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    staff = await make_staff(runtime, client, role="agent", programs=("iess",), password=PASSWORD)
    other = (await _login(client, staff.email, PASSWORD)).json()["token"]
    assert (await staff.post("/auth/logout")).status_code == 204
    assert (await staff.get("/me")).status_code == 401, "revoked"
    assert (await staff.post("/auth/logout")).status_code == 401
    again = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"})
    assert again.status_code == 200


async def test_inactive_accounts_and_malformed_headers_are_refused(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    staff = await make_staff(runtime, client, role="admin")
    assert (await staff.get("/me")).status_code == 200
    for header in (f"Basic {staff.token}", staff.token, f"Bearer {staff.token}x", "Bearer "):
        response = await client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header
    async with runtime.sessions() as session, session.begin():
        account = await session.get(Staff, staff.id)
        assert account is not None
        account.active = False
    assert (await staff.get("/me")).status_code == 401


async def test_login_refuses_unknown_fields(client: httpx.AsyncClient, runtime: Runtime) -> None:
    response = await client.post(
        "/api/v1/auth/login", json={"email": "a@b.c", "password": "x", "role": "admin"}
    )
    assert response.status_code == 422
