"""Errors say what happened: a database out of reach is a 503 with Retry-After, a null for a
required field and a date that is not a date are 422s naming the field, and the OpenAPI document
declares the security scheme and the error statuses each operation can answer.

Runs on SQLite and PostgreSQL; the unreachable database is a real one of the same kind that
cannot be opened (a closed TCP port; a file in a directory that does not exist).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from hotline.db.session import create_engine
from hotline.roles import Role
from tests.fixtures.app import TEST_PASSWORD, Users

pytestmark = pytest.mark.asyncio

SITE = {
    "code": "hz",
    "name": "Hangzhou",
    "ari_url": "http://pbx:8088",
    "ari_username": "u",
    "ari_password": "p",
}


def _unreachable_url(database_url: str, tmp_path: Path) -> str:
    if database_url.startswith("sqlite"):
        return f"sqlite+aiosqlite:///{tmp_path}/no-such-dir/hotline.db"
    return "postgresql+asyncpg://postgres@127.0.0.1:1/hotline"  # port 1: nothing listens


async def test_an_unreachable_database_is_a_503_with_retry_after(
    app: FastAPI, client: httpx.AsyncClient, users: Users, database_url: str, tmp_path: Path
) -> None:
    dead = create_engine(_unreachable_url(database_url, tmp_path))
    app.state.hotline.sessionmaker.configure(bind=dead)
    try:
        for method, url in (
            ("GET", "/api/v1/skills"),
            ("POST", "/api/v1/auth/token"),
        ):
            kwargs: dict[str, Any] = {"headers": users.headers(Role.ADMIN)}
            if url.endswith("token"):
                kwargs = {"data": {"username": "admin-user", "password": TEST_PASSWORD}}
            response = await client.request(method, url, **kwargs)
            assert response.status_code == 503, (url, response.text)
            assert response.headers["Retry-After"] == "5"
            body = response.json()
            assert body["error"] == "database_unavailable"
            assert "retry in 5 seconds" in body["detail"]
            assert "127.0.0.1" not in response.text  # no connection details leak
    finally:
        await dead.dispose()


async def test_a_null_for_a_field_that_cannot_be_cleared_is_a_422(
    client: httpx.AsyncClient, users: Users
) -> None:
    admin = users.headers(Role.ADMIN)
    site = (await client.post("/api/v1/sites", json=SITE, headers=admin)).json()
    for change, field in (({"name": None}, "name"), ({"enabled": None}, "enabled")):
        response = await client.patch(f"/api/v1/sites/{site['id']}", json=change, headers=admin)
        assert response.status_code == 422, response.text
        error = response.json()
        assert error["error"] == "validation_error"
        assert error["detail"][0]["loc"] == ["body", field]
        assert "must not be null" in error["detail"][0]["msg"]
    department = await client.post(
        "/api/v1/departments",
        json={"code": "bo", "name": "Back office", "kind": "back_office", "region": "Xihu"},
        headers=admin,
    )
    url = f"/api/v1/departments/{department.json()['id']}"
    refused = await client.patch(url, json={"name": None}, headers=admin)
    assert refused.status_code == 422, refused.text  # was silently ignored (200)
    cleared = await client.patch(url, json={"region": None}, headers=admin)
    assert cleared.status_code == 200, cleared.text  # an optional column may be cleared
    assert cleared.json()["region"] is None


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/calls?arrived_from=2026-03-02", "arrived_from"),
        ("/api/v1/calls?arrived_to=2026-03-02T08:00:00", "arrived_to"),
        ("/api/v1/calls?arrived_from=20260302", "arrived_from"),
        ("/api/v1/calls?arrived_from=yesterday", "arrived_from"),
        ("/api/v1/reports/on-time?from=1772409600&to=2026-04-01T00:00:00%2B08:00", "from"),
    ],
)
async def test_a_date_parameter_that_is_not_a_moment_is_a_422(
    client: httpx.AsyncClient, users: Users, url: str, parameter: str
) -> None:
    who = Role.DIRECTOR if "reports" in url else Role.SUPERVISOR
    response = await client.get(url, headers=users.headers(who))
    assert response.status_code == 422, response.text
    error = response.json()
    assert error["error"] == "validation_error"
    assert error["detail"][0]["loc"] == ["query", parameter]


async def test_an_offset_date_time_is_accepted(client: httpx.AsyncClient, users: Users) -> None:
    response = await client.get(
        "/api/v1/calls",
        params={"arrived_from": "2026-03-02T00:00:00+08:00"},
        headers=users.headers(Role.SUPERVISOR),
    )
    assert response.status_code == 200, response.text


def _ref(response: dict[str, Any]) -> str:
    ref: str = response["content"]["application/problem+json"]["schema"]["$ref"]
    return ref


async def test_openapi_declares_the_security_scheme_and_the_error_statuses(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()
    scheme = document["components"]["securitySchemes"]["OAuth2PasswordBearer"]
    token_url = scheme["flows"]["password"]["tokenUrl"]
    assert scheme["type"] == "oauth2"
    token_operation = document["paths"][token_url]["post"]
    assert "application/x-www-form-urlencoded" in token_operation["requestBody"]["content"]
    assert "401" in token_operation["responses"]
    secured = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            responses = operation["responses"]
            if path.startswith("/api/v1/") and path != token_url:
                assert operation.get("security") == [{"OAuth2PasswordBearer": []}], where
                assert {"401", "503"} <= set(responses), where
                assert responses["503"]["headers"]["Retry-After"], where
                secured += 1
            if "{" in path:
                assert "404" in responses, where
            if method in {"post", "put", "patch", "delete"} and "security" in operation:
                assert "409" in responses, where
            for status in ("401", "403", "404", "409", "422", "503"):
                if status in responses:
                    assert _ref(responses[status]) == "#/components/schemas/Error", where
    assert secured > 40
    admin_only = document["paths"]["/api/v1/skills/{skill_id}"]["delete"]["responses"]
    assert "403" in admin_only


async def test_the_authorize_button_flow_gets_a_token_that_the_api_takes(
    client: httpx.AsyncClient, users: Users
) -> None:
    """What Swagger UI does with the password flow: a form POST to tokenUrl with grant_type,
    then the access_token as a Bearer header."""
    document = (await client.get("/openapi.json")).json()
    token_url = document["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"][
        "password"
    ]["tokenUrl"]
    issued = await client.post(
        token_url,
        data={"grant_type": "password", "username": "admin-user", "password": TEST_PASSWORD},
    )
    assert issued.status_code == 200, issued.text
    assert issued.json()["token_type"] == "bearer"
    me = await client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {issued.json()['access_token']}"}
    )
    assert me.status_code == 200
    docs = await client.get("/docs")
    assert docs.status_code == 200
