"""/api/v1/config: validate, diff, publish (now or later), 422 with every problem, 409 on a stale
base, rollback, history."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from hotline.db.models import Skill
from hotline.db.session import transaction
from hotline.roles import Role
from tests.fixtures.app import FixedClock, Users

from .helpers import EXAMPLE, example, staff_every_line

pytestmark = pytest.mark.asyncio


async def _publish(
    client: httpx.AsyncClient, users: Users, base: int | None, **extra: Any
) -> httpx.Response:
    body = {
        "source": EXAMPLE.read_text(encoding="utf-8"),
        "name": "centre.yaml",
        "reason": "first version",
        "base_version": base,
        **extra,
    }
    return await client.post(
        "/api/v1/config/versions", json=body, headers=users.headers(Role.ADMIN)
    )


async def test_publish_diff_rollback(
    app: FastAPI, client: httpx.AsyncClient, users: Users, clock: FixedClock
) -> None:
    await staff_every_line(app.state.hotline.sessionmaker)
    first = await _publish(client, users, None)
    assert first.status_code == 201, first.text
    assert first.json()["version"] == 1
    assert first.json()["published_by"] == "admin-user"

    changed = example()
    changed["routing"]["default"]["max_wait_s"] = 300
    diff = await client.post(
        "/api/v1/config/diff", json={"document": changed}, headers=users.headers(Role.OPS)
    )
    assert diff.status_code == 200, diff.text
    assert diff.json()["in_force"] == 1
    assert diff.json()["changes"] == [
        {"path": "routing.default.max_wait_s", "old": 600, "new": 300}
    ]
    assert "-    max_wait_s: 600" in diff.json()["diff"]

    second = await client.post(
        "/api/v1/config/versions",
        json={"document": changed, "reason": "shorter waits", "base_version": 1},
        headers=users.headers(Role.ADMIN),
    )
    assert second.status_code == 201, second.text
    overview = (await client.get("/api/v1/config", headers=users.headers(Role.OPS))).json()
    assert overview["in_force"]["version"] == 2

    back = await client.post(
        "/api/v1/config/versions/1/rollback",
        json={"reason": "too short"},
        headers=users.headers(Role.ADMIN),
    )
    assert back.status_code == 201, back.text
    assert back.json()["rollback_of"] == 1
    detail = await client.get("/api/v1/config/versions/3", headers=users.headers(Role.OPS))
    assert detail.json()["in_force"] is True
    assert detail.json()["document"]["routing"]["default"]["max_wait_s"] == 600

    page = await client.get("/api/v1/config/versions?limit=2", headers=users.headers(Role.OPS))
    assert [v["version"] for v in page.json()["items"]] == [3, 2]
    assert page.json()["total"] == 3
    rest = await client.get(page.json()["next"], headers=users.headers(Role.OPS))
    assert [v["version"] for v in rest.json()["items"]] == [1]


async def test_two_admins_at_once_the_second_gets_a_409(
    app: FastAPI, client: httpx.AsyncClient, users: Users
) -> None:
    await staff_every_line(app.state.hotline.sessionmaker)
    assert (await _publish(client, users, None)).status_code == 201
    assert (await _publish(client, users, 1)).status_code == 201
    stale = await _publish(client, users, 1)
    assert stale.status_code == 409
    assert "version 2 is in force but this edit started from version 1" in stale.json()["detail"]


async def test_a_bad_document_is_a_422_listing_every_problem_and_nothing_changes(
    app: FastAPI, client: httpx.AsyncClient, users: Users
) -> None:
    await staff_every_line(app.state.hotline.sessionmaker)
    assert (await _publish(client, users, None)).status_code == 201
    bad = example()
    bad["routing"]["default"]["stages"][2]["after_s"] = 10
    bad["ivr"]["default_line"] = "customs"
    response = await client.post(
        "/api/v1/config/versions",
        json={"document": bad, "reason": "oops", "base_version": 1, "name": "edited.yaml"},
        headers=users.headers(Role.ADMIN),
    )
    assert response.status_code == 422
    messages = [item["msg"] for item in response.json()["detail"]]
    assert messages == [
        "edited.yaml: routing.default.stages[2].after_s: must be > stages[1].after_s",
        "edited.yaml: ivr.default_line: unknown line 'customs' (not in lines)",
    ]
    overview = (await client.get("/api/v1/config", headers=users.headers(Role.ADMIN))).json()
    assert overview["in_force"]["version"] == 1


async def test_a_line_the_directory_cannot_serve_is_refused(
    app: FastAPI, client: httpx.AsyncClient, users: Users
) -> None:
    response = await client.post(
        "/api/v1/config/validate", json={"document": example()}, headers=users.headers(Role.OPS)
    )
    assert response.status_code == 422
    messages = [item["msg"] for item in response.json()["detail"]]
    assert (
        "lines.national_tax: unknown skill national_tax/zh (the directory has no such skill: "
        "add it, or list it under unserved)" in messages
    )
    async with transaction(app.state.hotline.sessionmaker) as session:
        session.add(Skill(business_line="national_tax", language="zh", name="国税"))
    response = await client.post(
        "/api/v1/config/validate", json={"document": example()}, headers=users.headers(Role.OPS)
    )
    messages = [item["msg"] for item in response.json()["detail"]]
    assert (
        "lines.national_tax: no agent group can ever serve national_tax/zh (no active agent "
        "with the skill at level <= 3 or in the overflow pool)" in messages
    )


async def test_publish_at_a_later_time_waits_for_it(
    app: FastAPI, client: httpx.AsyncClient, users: Users, clock: FixedClock
) -> None:
    await staff_every_line(app.state.hotline.sessionmaker)
    assert (await _publish(client, users, None)).status_code == 201
    later = clock.now().replace(hour=clock.now().hour + 2)
    scheduled = await _publish(client, users, 1, at=later.isoformat())
    assert scheduled.status_code == 201, scheduled.text
    overview = (await client.get("/api/v1/config", headers=users.headers(Role.ADMIN))).json()
    assert overview["in_force"]["version"] == 1
    assert [v["version"] for v in overview["scheduled"]] == [2]
    clock.advance(hours=2)
    overview = (await client.get("/api/v1/config", headers=users.headers(Role.ADMIN))).json()
    assert overview["in_force"]["version"] == 2
    past = await _publish(client, users, 2, at="2020-01-01T00:00:00+00:00")
    assert past.status_code == 422
    assert "at: 2020-01-01T00:00:00+00:00 is in the past" in past.json()["detail"][0]["msg"]


async def test_neither_or_both_forms_of_the_document_is_a_422(
    client: httpx.AsyncClient, users: Users
) -> None:
    response = await client.post(
        "/api/v1/config/validate", json={}, headers=users.headers(Role.ADMIN)
    )
    assert response.status_code == 422
    assert "exactly one of source" in response.text
