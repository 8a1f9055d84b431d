"""GET /api/v1/agent/softphone and the admin's softphone accounts, through the ASGI app."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from hotline.config import Settings
from hotline.roles import Role
from tests.fixtures.app import Users
from tests.hotline.robustness.captured_logs import production_logging

pytestmark = pytest.mark.asyncio

SIP_SECRET = "sip-Secret-9f3kq2-never-logged"
WS_URL = "wss://pbx-hz.example:8089/ws"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        metrics_token=SecretStr("scrape-token-for-tests"),
        softphone={
            "mode": "sip",
            "sites": {"hz": {"ws_url": WS_URL, "sip_domain": "pbx-hz.example"}},
            "ice_servers": [{"urls": ["stun:stun.intranet.example:3478"]}],
        },
    )


async def _agent(client: httpx.AsyncClient, users: Users, *sites: str) -> int:
    admin = users.headers(Role.ADMIN)
    for code in sites:
        site = {
            "code": code,
            "name": code.upper(),
            "ari_url": "http://pbx.example:8088",
            "ari_username": "hotline",
            "ari_password": "ari-secret",
        }
        assert (await client.post("/api/v1/sites", json=site, headers=admin)).status_code == 201
    agent = {
        "code": "A1001",
        "name": "Agent Wang",
        "languages": ["zh"],
        "username": "agent-user",
        "endpoints": [{"site": code, "dial_string": "PJSIP/1001"} for code in sites],
    }
    created = await client.post("/api/v1/agents", json=agent, headers=admin)
    assert created.status_code == 201, created.text
    agent_id: int = created.json()["id"]
    return agent_id


async def _set_account(
    client: httpx.AsyncClient, users: Users, agent_id: int, site: str = "hz"
) -> httpx.Response:
    return await client.put(
        f"/api/v1/agents/{agent_id}/softphone/{site}",
        json={"sip_user": "1001", "password": SIP_SECRET},
        headers=users.headers(Role.ADMIN),
    )


async def _mine(client: httpx.AsyncClient, users: Users, query: str = "") -> httpx.Response:
    return await client.get(f"/api/v1/agent/softphone{query}", headers=users.headers(Role.AGENT))


async def test_the_agent_gets_their_own_sip_account_and_nobody_caches_it(
    client: httpx.AsyncClient, users: Users
) -> None:
    agent_id = await _agent(client, users, "hz")
    stored = await _set_account(client, users, agent_id)
    assert stored.status_code == 200, stored.text
    assert SIP_SECRET not in stored.text
    assert stored.json() == {
        "agent_id": agent_id,
        "site": "hz",
        "sip_user": "1001",
        "password_set": True,
    }

    response = await _mine(client, users)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body: dict[str, Any] = response.json()
    assert body == {
        "mode": "sip",
        "reason": None,
        "site": "hz",
        "endpoint": "PJSIP/1001",
        "display_name": "Agent Wang",
        "ws_url": WS_URL,
        "sip_uri": "sip:1001@pbx-hz.example",
        "auth_user": "1001",
        "password": SIP_SECRET,
        "ice_servers": [{"urls": ["stun:stun.intranet.example:3478"]}],
    }
    # The agent listing never shows it.
    listed = await client.get("/api/v1/agents", headers=users.headers(Role.SUPERVISOR))
    assert listed.status_code == 200
    assert SIP_SECRET not in listed.text


async def test_an_endpoint_without_an_account_is_a_desk_phone(
    client: httpx.AsyncClient, users: Users
) -> None:
    agent_id = await _agent(client, users, "hz")
    body = (await _mine(client, users)).json()
    assert (body["mode"], body["reason"], body["password"]) == ("off", "desk_phone", None)
    assert body["endpoint"] == "PJSIP/1001"

    assert (await _set_account(client, users, agent_id)).status_code == 200
    removed = await client.delete(
        f"/api/v1/agents/{agent_id}/softphone/hz", headers=users.headers(Role.ADMIN)
    )
    assert removed.status_code == 204
    assert (await _mine(client, users)).json()["mode"] == "off"


async def test_a_site_without_softphone_settings_is_off_with_the_reason(
    client: httpx.AsyncClient, users: Users
) -> None:
    agent_id = await _agent(client, users, "nb")
    assert (await _set_account(client, users, agent_id, "nb")).status_code == 200
    body = (await _mine(client, users)).json()
    assert (body["mode"], body["reason"], body["password"]) == ("off", "site_not_configured", None)


async def test_several_sites_need_the_site_named(client: httpx.AsyncClient, users: Users) -> None:
    agent_id = await _agent(client, users, "hz", "nb")
    assert (await _set_account(client, users, agent_id)).status_code == 200
    ambiguous = await _mine(client, users)
    assert ambiguous.status_code == 422
    assert ambiguous.json()["error"] == "validation_error"
    assert "several sites (hz, nb): name one" in ambiguous.text
    assert ambiguous.json()["detail"][0]["loc"] == ["query", "site"]
    assert (await _mine(client, users, "?site=hz")).json()["mode"] == "sip"
    unknown = await _mine(client, users, "?site=sh")
    assert unknown.status_code == 404
    assert {k: v for k, v in unknown.json().items() if k in ("error", "detail")} == {
        "error": "not_found",
        "detail": "this agent has no endpoint on site 'sh'",
    }


async def test_only_agents_read_a_softphone_and_only_admins_write_one(
    client: httpx.AsyncClient, users: Users
) -> None:
    agent_id = await _agent(client, users, "hz")
    for role in Role:
        if role is not Role.AGENT:
            got = await client.get("/api/v1/agent/softphone", headers=users.headers(role))
            assert got.status_code == 403, role
        if role is not Role.ADMIN:
            put = await client.put(
                f"/api/v1/agents/{agent_id}/softphone/hz",
                json={"sip_user": "1001", "password": SIP_SECRET},
                headers=users.headers(role),
            )
            assert put.status_code == 403, role
    assert (await client.get("/api/v1/agent/softphone")).status_code == 401


async def test_bad_account_input_names_the_field(client: httpx.AsyncClient, users: Users) -> None:
    agent_id = await _agent(client, users, "hz")
    bad = await client.put(
        f"/api/v1/agents/{agent_id}/softphone/hz",
        json={"sip_user": "10 01", "password": "short"},
        headers=users.headers(Role.ADMIN),
    )
    assert bad.status_code == 422
    fields = {tuple(item["loc"]) for item in bad.json()["detail"]}
    assert fields == {("body", "sip_user"), ("body", "password")}
    short = await client.put(
        f"/api/v1/agents/{agent_id}/softphone/hz",
        json={"sip_user": "1001", "password": "Sh0rt!"},
        headers=users.headers(Role.ADMIN),
    )
    assert short.status_code == 422
    assert "Sh0rt!" not in short.text  # a refused password is not echoed back either
    missing = await client.put(
        "/api/v1/agents/999/softphone/hz",
        json={"sip_user": "1001", "password": SIP_SECRET},
        headers=users.headers(Role.ADMIN),
    )
    assert missing.status_code == 404
    assert missing.json()["detail"] == "agent 999 does not exist"


async def test_the_sip_password_never_reaches_the_logs(
    client: httpx.AsyncClient, users: Users, capsys: pytest.CaptureFixture[str]
) -> None:
    agent_id = await _agent(client, users, "hz")
    capsys.readouterr()
    with production_logging(json_output=True):
        assert (await _set_account(client, users, agent_id)).status_code == 200
        assert (await _mine(client, users)).json()["password"] == SIP_SECRET
        refused = await client.put(
            f"/api/v1/agents/{agent_id}/softphone/hz",
            json={"sip_user": "bad user", "password": SIP_SECRET},
            headers=users.headers(Role.ADMIN),
        )
        assert refused.status_code == 422
    captured = capsys.readouterr()
    logged = captured.out + captured.err
    assert logged.count("http_request") >= 3  # the requests were logged ...
    assert SIP_SECRET not in logged  # ... without the password
