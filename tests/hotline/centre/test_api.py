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
    assert stale.json()["code"] == "stale_base"
    assert stale.json()["params"] == {"in_force": 2, "base_version": 1}


async def test_the_409_says_what_to_do_in_the_request_s_language(
    app: FastAPI, client: httpx.AsyncClient, users: Users
) -> None:
    await staff_every_line(app.state.hotline.sessionmaker)
    assert (await _publish(client, users, None)).status_code == 201
    assert (await _publish(client, users, 1)).status_code == 201
    body = {"document": example(), "reason": "mine", "base_version": 1}
    answers: dict[str, httpx.Response] = {}
    for language in ("zh-CN", "en-GB, zh;q=0.5"):
        answers[language] = await client.post(
            "/api/v1/config/versions",
            json=body,
            headers={**users.headers(Role.ADMIN), "Accept-Language": language},
        )
        assert answers[language].status_code == 409
    chinese, english = answers["zh-CN"], answers["en-GB, zh;q=0.5"]
    assert chinese.headers["Content-Language"] == "zh-CN"
    assert chinese.json()["message"] == (
        "在你编辑期间已有他人发布了版本 2（你的编辑基于版本 1）：请查看与版本 2 的差异，"
        "再以 base_version 2 重新发布"
    )
    assert english.headers["Content-Language"] == "en"
    assert english.json()["message"] == (
        "someone published version 2 while you edited (your edit started from version 1): "
        "look at the differences from version 2, then publish again with base_version 2"
    )
    # What clients read before stays, in English, whatever the language.
    for answer in (chinese, english):
        assert answer.json()["error"] == "conflict"
        assert answer.json()["detail"].startswith("version 2 is in force but this edit started")


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


async def test_each_problem_is_data_with_a_message_in_the_request_s_language(
    client: httpx.AsyncClient, users: Users
) -> None:
    bad = example()
    bad["routing"]["default"]["stages"][2]["after_s"] = 10
    bad["ivr"]["default_line"] = "customs"
    bad["hours"]["calendar"] = "lunar"
    body = {"document": bad, "name": "edited.yaml"}
    chinese = await client.post(
        "/api/v1/config/validate", json=body, headers=users.headers(Role.OPS)
    )
    assert chinese.status_code == 422
    assert chinese.json()["error"] == "validation_error"
    assert chinese.headers["content-language"] == "zh-CN"
    detail = chinese.json()["detail"]
    assert detail[0] == {
        "loc": ["body", "routing", "default", "stages[2]", "after_s"],
        "msg": "edited.yaml: routing.default.stages[2].after_s: must be > stages[1].after_s",
        "type": "config",
        "path": "routing.default.stages[2].after_s",
        "code": "stage_not_later",
        "params": {"previous": 1},
        "message": "必须大于 stages[1].after_s",
    }
    by_path = {item["path"]: item for item in detail}
    assert by_path["hours.calendar"]["code"] == "unknown_calendar"
    assert by_path["hours.calendar"]["params"] == {"calendar": "lunar"}
    assert by_path["hours.calendar"]["message"] == "未知的日历 'lunar'：应为 chinese 或 weekdays"
    assert by_path["ivr.default_line"]["message"] == "未知的业务线 'customs'（不在 lines 中）"

    english = await client.post(
        "/api/v1/config/validate",
        json=body,
        headers={**users.headers(Role.OPS), "Accept-Language": "fr, en-GB;q=0.9, zh;q=0.5"},
    )
    assert english.status_code == 422
    assert english.headers["content-language"] == "en"
    assert [item["message"] for item in english.json()["detail"]] == [
        "must be > stages[1].after_s",
        "unknown calendar 'lunar': chinese or weekdays",
        "unknown line 'customs' (not in lines)",
    ]
    # What older clients read is unchanged whatever the language.
    assert [item["msg"] for item in english.json()["detail"]] == [item["msg"] for item in detail]


async def test_field_errors_and_the_directory_s_problems_are_worded_too(
    client: httpx.AsyncClient, users: Users
) -> None:
    typed = example()
    typed["ivr"]["retries"] = "twice"
    answer = await client.post(
        "/api/v1/config/validate",
        json={"document": typed},
        headers={**users.headers(Role.OPS), "Accept-Language": "zh-CN"},
    )
    assert answer.status_code == 422
    [problem] = answer.json()["detail"]
    assert (problem["path"], problem["code"], problem["message"]) == (
        "ivr.retries",
        "must_be_integer",
        "必须是整数",
    )

    nobody = await client.post(
        "/api/v1/config/validate",
        json={"document": example()},
        headers={**users.headers(Role.OPS), "Accept-Language": "en"},
    )
    assert nobody.status_code == 422
    skill = next(p for p in nobody.json()["detail"] if p["path"] == "lines.national_tax")
    assert skill["code"] == "unknown_skill"
    assert skill["params"] == {"line": "national_tax", "language": "zh"}
    assert skill["message"] == (
        "unknown skill national_tax/zh (the directory has no such skill: add it, or list it "
        "under unserved)"
    )
    chinese = await client.post(
        "/api/v1/config/validate", json={"document": example()}, headers=users.headers(Role.OPS)
    )
    skill = next(p for p in chinese.json()["detail"] if p["path"] == "lines.national_tax")
    assert skill["message"] == (
        "未知技能 national_tax/zh（坐席目录中没有该技能：请添加，或将其列入 unserved）"
    )
