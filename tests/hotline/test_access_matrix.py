"""Every API endpoint refuses anonymous callers and every role it does not admit."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from hotline.api import API_PREFIX, ROUTERS
from hotline.auth.principal import RoleGuard
from hotline.config import Settings
from hotline.main import create_app
from hotline.roles import Role
from tests.fixtures.app import Users, login

# Open by design: the login itself.
PUBLIC = {("POST", "/api/v1/auth/token")}
# Allowed calls that revoke the caller's tokens: the role signs in again afterwards.
REVOKING = {("POST", "/api/v1/auth/logout")}


def _guards(dependant: Dependant) -> Iterator[RoleGuard]:
    for sub in dependant.dependencies:
        if isinstance(sub.call, RoleGuard):
            yield sub.call
        yield from _guards(sub)


def _api_routes() -> list[tuple[str, str, frozenset[Role]]]:
    table = []
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            path = API_PREFIX + route.path
            for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
                if (method, path) in PUBLIC:
                    continue
                guards = list(_guards(route.dependant))
                roles = (
                    frozenset.intersection(*(g.roles for g in guards)) if guards else frozenset()
                )
                table.append((method, path, roles))
    return table


def test_every_api_route_has_a_role_guard() -> None:
    unguarded = [(m, p) for m, p, roles in _api_routes() if not roles]
    assert unguarded == []
    assert len(_api_routes()) >= 25


def test_the_matrix_sees_every_api_operation_the_app_serves() -> None:
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    served = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/")
        for method in operations
    }
    walked = {(m, p) for m, p, _ in _api_routes()} | PUBLIC
    assert served == walked


def _concrete(path: str) -> str:
    # An id that does not exist: allowed roles reach the handler (404) without changing anything.
    return re.sub(r"\{[^}]+\}", "999999", path)


@pytest.mark.asyncio
async def test_anonymous_and_unlisted_roles_are_refused(
    app: FastAPI, client: httpx.AsyncClient, users: Users
) -> None:
    checked = 0
    for method, path, allowed in _api_routes():
        url = _concrete(path)
        body = {} if method in {"POST", "PUT", "PATCH"} else None
        anonymous = await client.request(method, url, json=body)
        assert anonymous.status_code == 401, (method, path, anonymous.text)
        assert anonymous.json()["error"] == "not_authenticated"
        for role in Role:
            response = await client.request(method, url, json=body, headers=users.headers(role))
            if role in allowed:
                assert response.status_code not in (401, 403), (method, path, role)
                if (method, path) in REVOKING:
                    users.tokens[role] = await login(client, f"{role.value}-user")
            else:
                assert response.status_code == 403, (method, path, role, response.text)
                assert response.json()["error"] == "forbidden"
            checked += 1
    assert checked >= 25 * len(Role)


def test_the_work_order_console_endpoints_admit_the_console_roles() -> None:
    """Lookup by reference reads like the list and the detail; acting stays with the actors."""
    table = {(m, p): roles for m, p, roles in _api_routes()}
    readers = table[("GET", "/api/v1/workorders/{order_id}")]
    assert table[("GET", "/api/v1/workorders/by-reference/{reference}")] == readers
    assert table[("GET", "/api/v1/workorders")] == readers
    assert {Role.SPECIALIST, Role.LIAISON, Role.SUPERVISOR, Role.DIRECTOR} <= readers
    actors = table[("POST", "/api/v1/workorders/{order_id}/actions/{action}")]
    assert Role.DIRECTOR not in actors
    assert {Role.SPECIALIST, Role.LIAISON} <= actors


def test_the_floor_is_read_by_supervisors_directors_and_hall_screens() -> None:
    table = {(m, p): roles for m, p, roles in _api_routes()}
    floor = frozenset({Role.SUPERVISOR, Role.DIRECTOR, Role.WALLBOARD})
    assert table[("GET", "/api/v1/agents/roster")] == floor
    assert table[("GET", "/api/v1/wallboard/events")] == floor
    assert table[("PUT", "/api/v1/agents/{agent_id}/state")] == frozenset({Role.SUPERVISOR})
    # A hall screen's login reads the floor and nothing else of the API's telephony.
    assert Role.WALLBOARD not in table[("GET", "/api/v1/queues")]
    assert Role.WALLBOARD not in table[("GET", "/api/v1/calls")]


def test_call_reports_are_for_directors_ops_and_supervisors() -> None:
    table = {(method, path): roles for method, path, roles in _api_routes()}
    for report in (
        "interval",
        "abandons",
        "agents",
        "standards",
        "scorecard",
        "origin",
        "heavy-callers",
        "topics",
        "surveys",
    ):
        path = f"/api/v1/reports/{report}"
        assert table[("GET", path)] == {Role.DIRECTOR, Role.OPS, Role.SUPERVISOR}


def test_only_admins_publish_the_configuration_and_ops_may_check_it() -> None:
    roles = {(m, p): r for m, p, r in _api_routes() if p.startswith(API_PREFIX + "/config")}
    publish = {
        ("POST", API_PREFIX + "/config/versions"),
        ("POST", API_PREFIX + "/config/versions/{version}/rollback"),
    }
    assert len(roles) == 9
    assert ("POST", API_PREFIX + "/config/check-sounds") in roles
    for key, allowed in roles.items():
        expected = {Role.ADMIN} if key in publish else {Role.ADMIN, Role.OPS}
        assert allowed == expected, key
