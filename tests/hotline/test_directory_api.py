"""CRUD of sites, skills, agents, departments and users through the ASGI app."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hotline.roles import Role
from tests.fixtures.app import Users

pytestmark = pytest.mark.asyncio

SITE = {
    "code": "hz",
    "name": "Hangzhou",
    "region": "Hangzhou",
    "ari_url": "http://pbx.example:8088",
    "ari_username": "hotline",
    "ari_password": "s3cret-ari",
}


async def _post(client: httpx.AsyncClient, users: Users, url: str, body: dict[str, Any]) -> Any:
    response = await client.post(url, json=body, headers=users.headers(Role.ADMIN))
    assert response.status_code == 201, response.text
    return response.json()


async def _seed(client: httpx.AsyncClient, users: Users) -> None:
    await _post(client, users, "/api/v1/sites", SITE)
    for line in ("national_tax", "local_tax"):
        await _post(
            client,
            users,
            "/api/v1/skills",
            {"business_line": line, "language": "zh", "name": f"{line} zh"},
        )


async def test_site_password_is_write_only(client: httpx.AsyncClient, users: Users) -> None:
    created = await _post(client, users, "/api/v1/sites", SITE)
    assert "ari_password" not in created
    listed = await client.get("/api/v1/sites", headers=users.headers(Role.SUPERVISOR))
    assert listed.status_code == 200
    assert "s3cret-ari" not in listed.text
    assert listed.json()[0]["code"] == "hz"


async def test_site_rejects_credentials_in_the_url(client: httpx.AsyncClient, users: Users) -> None:
    body = {**SITE, "ari_url": "http://hotline:pw@pbx:8088"}
    response = await client.post("/api/v1/sites", json=body, headers=users.headers(Role.ADMIN))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", "ari_url"]
    assert "credentials" in detail[0]["msg"]
    assert "pw@" not in response.text  # the submitted value is never echoed


async def test_site_callback_dialling_is_validated_and_kept(
    client: httpx.AsyncClient, users: Users
) -> None:
    created = await _post(client, users, "/api/v1/sites", SITE)
    assert created["callback_dial"] == "PJSIP/{number}@trunk"  # the default trunk
    assert created["callback_caller_id"] is None
    url = f"/api/v1/sites/{created['id']}"
    admin = users.headers(Role.ADMIN)
    bad = await client.patch(url, json={"callback_dial": "Locl/{number}@x"}, headers=admin)
    assert bad.status_code == 422
    body = bad.json()
    assert body["error"] == "validation_error"
    assert body["detail"][0]["loc"] == ["body", "callback_dial"]
    assert "unknown technology 'Locl'" in body["detail"][0]["msg"]
    changed = await client.patch(
        url,
        json={"callback_dial": "Local/{number}@callbacks", "callback_caller_id": "057112366"},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["callback_dial"] == "Local/{number}@callbacks"
    assert changed.json()["callback_caller_id"] == "057112366"
    cleared = await client.patch(url, json={"callback_dial": None}, headers=admin)
    assert cleared.status_code == 422
    assert cleared.json()["detail"][0]["loc"] == ["body", "callback_dial"]
    reset = await client.patch(url, json={"callback_caller_id": None}, headers=admin)
    assert reset.status_code == 200
    assert reset.json()["callback_caller_id"] is None
    assert reset.json()["callback_dial"] == "Local/{number}@callbacks"


async def test_duplicate_codes_conflict(client: httpx.AsyncClient, users: Users) -> None:
    await _post(client, users, "/api/v1/sites", SITE)
    again = await client.post("/api/v1/sites", json=SITE, headers=users.headers(Role.ADMIN))
    assert again.status_code == 409
    body = again.json()
    assert (body["error"], body["detail"]) == ("conflict", "site 'hz' already exists")


async def test_agent_with_skills_and_endpoints(client: httpx.AsyncClient, users: Users) -> None:
    await _seed(client, users)
    agent = await _post(
        client,
        users,
        "/api/v1/agents",
        {
            "code": "A001",
            "name": "王芳",
            "languages": ["zh"],
            "skills": [
                {"business_line": "national_tax", "language": "zh", "level": 1},
                {"business_line": "local_tax", "language": "zh", "level": 2},
            ],
            "endpoints": [{"site": "hz", "dial_string": "PJSIP/1001"}],
        },
    )
    assert [(s["business_line"], s["level"]) for s in agent["skills"]] == [
        ("national_tax", 1),
        ("local_tax", 2),
    ]
    assert agent["endpoints"] == [{"site": "hz", "dial_string": "PJSIP/1001"}]

    patched = await client.patch(
        f"/api/v1/agents/{agent['id']}",
        json={"skills": [{"business_line": "local_tax", "language": "zh", "level": 1}]},
        headers=users.headers(Role.ADMIN),
    )
    assert patched.status_code == 200, patched.text
    assert [(s["business_line"], s["level"]) for s in patched.json()["skills"]] == [
        ("local_tax", 1)
    ]
    assert patched.json()["endpoints"] == agent["endpoints"]  # untouched

    read = await client.get(f"/api/v1/agents/{agent['id']}", headers=users.headers(Role.OPS))
    assert read.json()["skills"] == patched.json()["skills"]


@pytest.mark.parametrize(
    ("change", "loc", "message"),
    [
        (
            {"skills": [{"business_line": "finance", "language": "zh", "level": 1}]},
            ["body", "skills", 0],
            "skill finance.zh does not exist",
        ),
        (
            {"endpoints": [{"site": "nowhere", "dial_string": "PJSIP/1"}]},
            ["body", "endpoints", 0, "site"],
            "site 'nowhere' does not exist",
        ),
        (
            {"skills": [{"business_line": "local_tax", "language": "zh", "level": 0}]},
            ["body", "skills", 0, "level"],
            "greater than or equal to 1",
        ),
        ({"languages": []}, ["body", "languages"], "at least 1"),
        ({"username": "ghost"}, ["body", "username"], "user 'ghost' does not exist"),
    ],
)
async def test_bad_agent_payloads_name_the_field_and_write_nothing(
    client: httpx.AsyncClient, users: Users, change: dict[str, Any], loc: list[Any], message: str
) -> None:
    await _seed(client, users)
    body = {"code": "A002", "name": "李强", "languages": ["zh"], **change}
    response = await client.post("/api/v1/agents", json=body, headers=users.headers(Role.ADMIN))
    assert response.status_code == 422, response.text
    error = response.json()
    assert error["error"] == "validation_error"
    assert error["detail"][0]["loc"] == loc
    assert message in error["detail"][0]["msg"]
    listed = await client.get("/api/v1/agents", headers=users.headers(Role.ADMIN))
    assert listed.json() == []


async def test_department_with_liaisons_and_users(client: httpx.AsyncClient, users: Users) -> None:
    department = await _post(
        client,
        users,
        "/api/v1/departments",
        {"code": "br-xihu", "name": "西湖区税务分局", "kind": "branch_bureau"},
    )
    liaison = await _post(
        client,
        users,
        "/api/v1/users",
        {
            "username": "xihu-liaison",
            "full_name": "赵敏",
            "password": "long enough pw",
            "roles": ["liaison"],
            "department": "br-xihu",
        },
    )
    assert liaison["department"] == "br-xihu"
    assert "password" not in liaison
    assert "password_hash" not in liaison
    patched = await client.patch(
        f"/api/v1/departments/{department['id']}",
        json={"head": "xihu-liaison", "liaisons": [{"username": "xihu-liaison", "phone": "1"}]},
        headers=users.headers(Role.ADMIN),
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["head"] == "xihu-liaison"
    assert patched.json()["liaisons"] == [
        {"username": "xihu-liaison", "full_name": "赵敏", "phone": "1"}
    ]
    # Its liaison keeps it (409); once no longer a liaison, a department still referenced by
    # users can be deleted: users keep working without one.
    kept = await client.delete(
        f"/api/v1/departments/{department['id']}", headers=users.headers(Role.ADMIN)
    )
    assert kept.status_code == 409
    assert "liaisons xihu-liaison" in kept.json()["detail"]
    await client.patch(
        f"/api/v1/departments/{department['id']}",
        json={"liaisons": []},
        headers=users.headers(Role.ADMIN),
    )
    deleted = await client.delete(
        f"/api/v1/departments/{department['id']}", headers=users.headers(Role.ADMIN)
    )
    assert deleted.status_code == 204
    user = await client.get(f"/api/v1/users/{liaison['id']}", headers=users.headers(Role.ADMIN))
    assert user.json()["department"] is None


async def test_unknown_kind_and_unknown_role_are_validation_errors(
    client: httpx.AsyncClient, users: Users
) -> None:
    bad_kind = await client.post(
        "/api/v1/departments",
        json={"code": "x", "name": "X", "kind": "embassy"},
        headers=users.headers(Role.ADMIN),
    )
    assert bad_kind.status_code == 422
    assert bad_kind.json()["detail"][0]["loc"] == ["body", "kind"]
    bad_role = await client.post(
        "/api/v1/users",
        json={"username": "u1", "full_name": "U", "password": "long enough", "roles": ["boss"]},
        headers=users.headers(Role.ADMIN),
    )
    assert bad_role.status_code == 422
    assert bad_role.json()["detail"][0]["loc"] == ["body", "roles", 0]
    assert "long enough" not in bad_role.text


async def test_missing_things_are_404(client: httpx.AsyncClient, users: Users) -> None:
    for url in ("/api/v1/sites/99", "/api/v1/skills/99", "/api/v1/agents/99"):
        response = await client.get(url, headers=users.headers(Role.ADMIN))
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


async def test_admin_cannot_lock_themselves_out(client: httpx.AsyncClient, users: Users) -> None:
    me = (await client.get("/api/v1/auth/me", headers=users.headers(Role.ADMIN))).json()
    response = await client.delete(f"/api/v1/users/{me['id']}", headers=users.headers(Role.ADMIN))
    assert response.status_code == 409


async def test_malformed_json_is_a_validation_error(
    client: httpx.AsyncClient, users: Users
) -> None:
    response = await client.post(
        "/api/v1/skills",
        content=b"{not json",
        headers={**users.headers(Role.ADMIN), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"


async def test_audit_trail_is_readable_by_the_director(
    client: httpx.AsyncClient, users: Users
) -> None:
    response = await client.get(
        "/api/v1/audit?action=login_succeeded", headers=users.headers(Role.DIRECTOR)
    )
    assert response.status_code == 200
    assert {e["actor_username"] for e in response.json()["items"]} >= {
        "admin-user",
        "director-user",
    }
