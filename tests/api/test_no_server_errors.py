"""Input that used to make the app answer 500 gets a 4xx that says what is wrong."""

from __future__ import annotations

import uuid

import httpx

from backend.runtime import Runtime
from tests.api.conftest import StaffClient

LONE = '"\\ud800"'


async def test_a_lone_surrogate_is_a_422_even_on_the_unauthenticated_login(
    client: httpx.AsyncClient,
) -> None:
    for body in (
        '{"email": ' + LONE + ', "password": "x"}',
        '{"email": "a@b.test", "password": ' + LONE + "}",
        "{" + LONE + ': "key"}',
    ):
        response = await client.post(
            "/api/v1/auth/login", content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422, (body, response.text)
        response.json()


async def test_a_lone_surrogate_in_an_authenticated_body_is_a_422(admin: StaffClient) -> None:
    body = '{"program": "iess", "title": ' + LONE + ', "starts_at": "2027-01-01T09:00:00Z"}'
    response = await admin.client.post(
        "/api/v1/trainings",
        content=body,
        headers={**admin.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "surrogate" in response.text


async def test_validation_errors_that_echo_unencodable_input_still_answer(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/auth/login",
        content=b'{"email": "\xff\xfe", "password": 1}',
        headers={"Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500


async def test_json_nested_deep_is_a_400_on_the_api_and_the_web_chat(
    client: httpx.AsyncClient, admin: StaffClient
) -> None:
    deep = b"[" * 1000 + b"]" * 1000
    for path, headers in (
        ("/api/v1/auth/login", {}),
        ("/api/v1/trainings", admin.headers),
        ("/chat/api/messages", {}),
    ):
        response = await client.post(
            path, content=deep, headers={**headers, "Content-Type": "application/json"}
        )
        assert response.status_code == 400, path


async def test_the_web_chats_after_is_bounded(client: httpx.AsyncClient) -> None:
    session = str(uuid.uuid4())
    too_big = 2**31  # ids are 32-bit on PostgreSQL
    for after in (too_big, 2**63, 2**64):
        response = await client.get(
            "/chat/api/messages", params={"session": session, "after": after}
        )
        assert response.status_code == 422
    ok = await client.get("/chat/api/messages", params={"session": session, "after": too_big - 1})
    assert ok.status_code == 200
    posted = await client.post(
        "/chat/api/messages",
        json={"session": session, "message_id": str(uuid.uuid4()), "text": "x", "after": too_big},
    )
    assert posted.status_code == 422


async def test_enrolling_someone_who_does_not_exist_is_a_404(
    admin: StaffClient, runtime: Runtime
) -> None:
    created = await admin.post(
        "/trainings",
        json={
            "program": "iess",
            "title": "Gestion",
            "starts_at": "2027-01-04T09:00:00Z",
            "location": "Kasserine",
        },
    )
    assert created.status_code == 201, created.text
    training = created.json()["id"]
    response = await admin.post(f"/trainings/{training}/enrollments", json={"beneficiary_id": 999})
    assert response.status_code == 404
    loan = await admin.post(
        "/loans",
        json={
            "beneficiary_id": 999,
            "principal": "100.000",
            "currency": "TND",
            "installments": 2,
            "frequency": "monthly",
            "first_due_date": "2027-02-01",
        },
    )
    assert loan.status_code in (404, 422), loan.text
