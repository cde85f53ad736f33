"""Every admin route needs a token, and the OpenAPI describes every route, body and error."""

from __future__ import annotations

import re

import httpx
from fastapi.routing import APIRoute

try:  # FastAPI >= 0.16x keeps included routers lazily; this flattens them
    from fastapi.routing import iter_route_contexts
except ImportError:  # older FastAPI: app.routes is already flat
    iter_route_contexts = None

from backend.app.main import create_app
from backend.runtime import Runtime

PUBLIC = {"/api/v1/auth/login"}


def _api_routes(runtime: Runtime) -> list[tuple[str, str]]:
    app = create_app(runtime=runtime, background=False)
    routes = list(iter_route_contexts(app.routes)) if iter_route_contexts else app.routes
    found = []
    for route in routes:
        original = getattr(route, "original_route", route)
        if isinstance(original, APIRoute) and (route.path or "").startswith("/api/v1"):
            found += [(method, route.path) for method in sorted(route.methods or ())]
    return found


async def test_every_route_but_login_answers_401_without_a_valid_token(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    routes = _api_routes(runtime)
    assert len(routes) >= 18
    open_doors = []
    for method, path in routes:
        if path in PUBLIC:
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        for headers in ({}, {"Authorization": "Bearer mst_not-a-token"}, {"Authorization": "x"}):
            response = await client.request(method, url, headers=headers, json={})
            if response.status_code != 401:
                open_doors.append(f"{method} {path} {headers} -> {response.status_code}")
            elif response.headers.get("www-authenticate") != "Bearer":
                open_doors.append(f"{method} {path}: 401 without WWW-Authenticate")
    assert open_doors == []


async def test_openapi_lists_every_route_with_its_errors_and_strict_bodies(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    spec = (await client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    for method, path in _api_routes(runtime):
        operation = spec["paths"][path][method.lower()]
        codes = set(operation["responses"])
        assert operation.get("summary") and operation.get("description"), path
        if path not in PUBLIC:
            assert "401" in codes, f"{method} {path} does not declare 401"
        if "{" in path:
            assert "404" in codes, f"{method} {path} does not declare 404"
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            refs = [body["schema"].get("$ref")] + [
                each["$ref"] for each in body["schema"].get("anyOf", []) if "$ref" in each
            ]
            for ref in filter(None, refs):
                model = schemas[ref.rsplit("/", 1)[1]]
                assert model.get("additionalProperties") is False, f"{ref} accepts unknown fields"
    assert "HTTPBearer" in spec["components"]["securitySchemes"]


async def test_unknown_query_parameters_are_refused(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    from tests.api.conftest import make_staff

    admin = await make_staff(runtime, client, role="admin")
    assert (await admin.get("/cases", params={"status": "open"})).status_code == 200
    misspelt = await admin.get("/cases", params={"stauts": "open"})
    assert misspelt.status_code == 422
    assert misspelt.json()["detail"][0]["loc"] == ["query", "stauts"]
