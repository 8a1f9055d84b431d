from __future__ import annotations

import httpx
import pytest

from hotline.roles import Role
from tests.fixtures.app import Users

pytestmark = pytest.mark.asyncio


async def test_healthz_answers_without_login(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["x-request-id"]


SCRAPER = {"Authorization": "Bearer scrape-token-for-tests"}


async def test_readyz_without_login_says_only_ready_or_not(
    client: httpx.AsyncClient,
    users: Users,
    app,  # type: ignore[no-untyped-def]
) -> None:
    for headers in ({}, {"Authorization": "Bearer forged"}, users.headers(Role.AGENT)):
        response = await client.get("/readyz", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json() == {"status": "ready"}
    app.state.hotline.health_checks["site:hz"] = lambda: {"ok": False, "error": "disconnected"}
    down = await client.get("/readyz")
    assert (down.status_code, down.json()) == (503, {"status": "not_ready"})
    detailed = await client.get("/readyz", headers=users.headers(Role.OPS))
    assert detailed.json()["checks"]["site:hz"] == {"ok": False, "error": "disconnected"}


async def test_readyz_reports_a_migrated_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz", headers=SCRAPER)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["database"]["revision"] == body["checks"]["database"]["head"]


async def test_readyz_fails_when_a_component_is_down(client: httpx.AsyncClient, app) -> None:  # type: ignore[no-untyped-def]
    app.state.hotline.health_checks["site:hz"] = lambda: {"ok": False, "error": "disconnected"}
    response = await client.get("/readyz", headers=SCRAPER)
    assert response.status_code == 503
    assert response.json()["checks"]["site:hz"] == {"ok": False, "error": "disconnected"}


async def test_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


async def test_metrics_need_the_scrape_token_or_a_permitted_role(
    client: httpx.AsyncClient, users: Users
) -> None:
    assert (await client.get("/metrics")).status_code == 401
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    scraped = await client.get(
        "/metrics", headers={"Authorization": "Bearer scrape-token-for-tests"}
    )
    assert scraped.status_code == 200
    assert "hotline_http_requests_total" in scraped.text
    assert (await client.get("/metrics", headers=users.headers(Role.OPS))).status_code == 200
    assert (await client.get("/metrics", headers=users.headers(Role.AGENT))).status_code == 403


async def test_unknown_route_uses_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nowhere")
    assert response.status_code == 404
    body = response.json()
    assert (body["error"], body["detail"], body["status"]) == ("not_found", "Not Found", 404)


async def test_openapi_lists_the_api(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert "/api/v1/agents" in spec["paths"]
    assert "/api/v1/auth/token" in spec["paths"]
