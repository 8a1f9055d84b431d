"""The ops pages over HTTP (both databases): who may open them, problems named by field, and a
small simulation and staffing search run to their result pages in another process."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.roles import Role
from tests.fixtures.app import create_user
from tests.hotline.web.test_pages import _sign_in

pytestmark = pytest.mark.asyncio
SCENARIOS = Path(__file__).resolve().parents[3] / "simulations" / "scenarios"


def small_scenario(**changes: object) -> str:
    """The Erlang check cut to two quiet hours: a run takes seconds."""
    data = yaml.safe_load((SCENARIOS / "erlang-check.yaml").read_text(encoding="utf-8"))
    data.update(intervals={"count": 2, "minutes": 60, "start": "09:00"}, warmup_minutes=0)
    data["traffic"][0]["calls_per_interval"] = 60
    data["agents"][0]["count"] = 8
    data.update(changes)
    return yaml.safe_dump(data)


def _form(source: str, **fields: str) -> dict[str, str]:
    return {"source": source, "kind": "simulate", "replications": "2", "target": "80/20",
            "max_abandon": "0.05", "days": "7"} | fields  # fmt: skip


async def _as_ops(
    client: httpx.AsyncClient, maker: async_sessionmaker[AsyncSession]
) -> dict[str, str]:
    await create_user(maker, "planner", Role.OPS)
    await _sign_in(client, "planner")
    return {"X-CSRF-Token": client.cookies.get("hotline_csrf", ""), "HX-Request": "true"}


async def _finished(client: httpx.AsyncClient, location: str) -> httpx.Response:
    # Waits for the run (polling as the page does), then reads its page; no time is asserted.
    for _ in range(600):
        progress = await client.get(location + "/progress")
        if progress.headers.get("HX-Refresh") == "true":
            return await client.get(location)
        assert progress.status_code == 200
        await asyncio.sleep(0.5)
    raise AssertionError("the run did not finish")


@pytest.mark.parametrize(
    ("role", "status"), [(Role.OPS, 200), (Role.DIRECTOR, 303), (Role.AGENT, 303)]
)
async def test_only_ops_open_the_page(
    client: httpx.AsyncClient,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    role: Role,
    status: int,
) -> None:
    await create_user(app_sessionmaker, "someone", role)
    await _sign_in(client, "someone")
    page = await client.get("/ops", follow_redirects=False)
    assert page.status_code == status
    if status == 200:
        assert "hangzhou-weekday" in page.text  # the example, ready to change
        assert 'href="/ops"' in page.text  # in the navigation
    else:
        start = await client.post("/ops/runs", data=_form(small_scenario()), follow_redirects=False)
        assert start.status_code in (303, 403)


async def test_problems_are_named_by_field_in_chinese_by_default(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    # The file and the field stay as written (what ops must find in the YAML); what is wrong
    # is said in the page's language, zh-CN unless the switch chose English.
    headers = await _as_ops(client, app_sessionmaker)
    broken = yaml.safe_load(small_scenario())
    broken["traffic"][0]["handle_time"]["mean_s"] = -5
    broken["agents"][0]["skills"]["nationl_tax"] = 1
    broken["routing"] = {"default": {"stages": []}}
    answer = await client.post("/ops/runs", data=_form(yaml.safe_dump(broken)), headers=headers)
    assert answer.status_code == 422
    assert "scenario.yaml: traffic[0].handle_time.mean_s: 必须大于 0" in answer.text
    assert (
        "scenario.yaml: agents[0].skills.nationl_tax: 坐席组 &#39;national&#39; 的技能 "
        "&#39;nationl_tax&#39; 没有对应的话务业务线"
    ) in answer.text
    # the routing policy's own problems, in the words of the configuration pages
    assert "scenario.yaml: routing.default.stages: 必须是非空的阶段列表" in answer.text
    assert "must be" not in answer.text
    answer = await client.post(
        "/ops/runs",
        data=_form(small_scenario(), replications="500", target="eighty", max_abandon="2"),
        headers=headers,
    )
    assert answer.status_code == 422
    assert "replications: 必须是 1 到 30 之间的整数（填写的是 &#39;500&#39;）" in answer.text
    assert "target: 目标 &#39;eighty&#39;：应为 百分比/秒数，例如 80/20" in answer.text
    assert "max_abandon: 必须是 0 到 1 之间的比例" in answer.text
    answer = await client.post(
        "/ops/runs", data=_form(small_scenario(), from_history="true"), headers=headers
    )
    assert answer.status_code == 422
    assert "之间没有进入队列的来电" in answer.text
    answer = await client.post(
        "/ops/runs", data=_form(small_scenario(), routing_in_force="true"), headers=headers
    )
    assert "routing: 设为 live，但当前没有生效的配置版本" in answer.text
    huge = small_scenario(intervals={"count": 200, "minutes": 5})
    answer = await client.post("/ops/runs", data=_form(huge), headers=headers)
    assert "intervals.count: 从浏览器运行最多 96 个时段" in answer.text


async def test_problems_are_named_by_field(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    from hotline.web.i18n import LANG_COOKIE

    headers = await _as_ops(client, app_sessionmaker)
    client.cookies.set(LANG_COOKIE, "en")
    broken = yaml.safe_load(small_scenario())
    broken["traffic"][0]["handle_time"]["mean_s"] = -5
    answer = await client.post("/ops/runs", data=_form(yaml.safe_dump(broken)), headers=headers)
    assert answer.status_code == 422
    assert "scenario.yaml: traffic[0].handle_time.mean_s: must be &gt; 0" in answer.text
    answer = await client.post(
        "/ops/runs",
        data=_form(small_scenario(), replications="500", target="eighty", max_abandon="2"),
        headers=headers,
    )
    assert answer.status_code == 422
    assert "replications: must be a whole number from 1 to 30" in answer.text
    assert "target: target &#39;eighty&#39;: expected PERCENT/SECONDS" in answer.text
    assert "max_abandon: must be a share from 0 to 1" in answer.text
    answer = await client.post("/ops/runs", data=_form("traffic: [unclosed"), headers=headers)
    assert answer.status_code == 422
    assert "scenario.yaml: not valid YAML" in answer.text
    # the recorded history is empty in this database: said in words, not an empty day
    answer = await client.post(
        "/ops/runs", data=_form(small_scenario(), from_history="true"), headers=headers
    )
    assert answer.status_code == 422
    assert "no call reached the queue" in answer.text
    answer = await client.post(
        "/ops/runs", data=_form(small_scenario(), routing_in_force="true"), headers=headers
    )
    assert answer.status_code == 422
    assert "no configuration version is in force" in answer.text
    huge = small_scenario(intervals={"count": 200, "minutes": 5})
    answer = await client.post("/ops/runs", data=_form(huge), headers=headers)
    assert answer.status_code == 422
    assert "intervals.count: at most 96 from the browser" in answer.text


async def test_a_simulation_and_a_staffing_search_run_to_their_results(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    headers = await _as_ops(client, app_sessionmaker)
    started = await client.post("/ops/runs", data=_form(small_scenario()), headers=headers)
    assert started.status_code == 200, started.text
    location = started.headers["HX-Redirect"]
    # one run at a time per person: a second start is refused while the first goes on
    again = await client.post("/ops/runs", data=_form(small_scenario()), headers=headers)
    assert again.status_code == 409
    assert "您已有一次运行正在进行" in again.text
    page = await _finished(client, location)
    assert page.status_code == 200
    assert 'data-chart="chart-day"' in page.text
    assert page.text.count("<tr><td>09:00-10:00</td>") == 1
    assert "平均应答速度" in page.text

    staffed = await client.post(
        "/ops/runs", data=_form(small_scenario(), kind="staff", replications="2"), headers=headers
    )
    assert staffed.status_code == 200, staffed.text
    plan = await _finished(client, staffed.headers["HX-Redirect"])
    assert 'data-chart="chart-staff"' in plan.text
    assert 'id="ops-plan"' in plan.text

    listing = await client.get("/ops")
    ids = [location.rsplit("/", 1)[1], staffed.headers["HX-Redirect"].rsplit("/", 1)[1]]
    assert all(run_id in listing.text for run_id in ids)
    side_by_side = await client.get("/ops/compare", params={"run": ids})
    assert side_by_side.text.count('<th scope="col"><a href="/ops/runs/') == 2


async def test_another_persons_run_is_not_found(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _as_ops(client, app_sessionmaker)
    missing = await client.get("/ops/runs/0123456789ab")
    assert missing.status_code == 404
    assert "找不到这次运行" in missing.text


async def test_the_routing_in_force_runs_and_the_page_says_which_version(
    client: httpx.AsyncClient,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    clock: Any,
    settings: Any,
) -> None:
    from hotline.centre import store
    from hotline.centre.files import parse_data
    from hotline.demo.runner import import_centre
    from tests.hotline.centre.test_live import SPECIALISTS_ONLY, _centre

    await import_centre(settings, _centre("http://127.0.0.1:9"))
    async with app_sessionmaker() as session:
        config = parse_data(SPECIALISTS_ONLY, "v1")
        publication = store.Publication(config, "", "specialists only", "test", None)
        await store.publish(session, publication, now=clock.now() - timedelta(hours=1))
        await session.commit()
    headers = await _as_ops(client, app_sessionmaker)
    started = await client.post(
        "/ops/runs", data=_form(small_scenario(), routing_in_force="true"), headers=headers
    )
    assert started.status_code == 200, started.text
    page = await _finished(client, started.headers["HX-Redirect"])
    assert "路由取自配置版本 1" in page.text
    assert 'data-chart="chart-day"' in page.text


async def test_a_run_stopped_for_taking_too_long_says_so_in_the_readers_language(
    app: Any, client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    from hotline.web.i18n import LANG_COOKIE
    from hotline.web.ops.routes import _runs

    # No time at all to run: the run is stopped before its process starts, whatever the load.
    _runs(app.state.hotline).timeout_s = 0.0
    headers = await _as_ops(client, app_sessionmaker)
    started = await client.post("/ops/runs", data=_form(small_scenario()), headers=headers)
    assert started.status_code == 200, started.text
    location = started.headers["HX-Redirect"]
    page = await _finished(client, location)
    assert "运行超过 0 分钟被停止：请减少重复次数、时段或来电量" in page.text
    client.cookies.set(LANG_COOKIE, "en")
    english = await client.get(location)
    assert "stopped after 0 minutes: run fewer replications, intervals or calls" in english.text


async def test_runs_and_their_results_outlive_a_restart(
    client: httpx.AsyncClient,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    settings: Any,
    clock: Any,
) -> None:
    from hotline.main import create_app
    from hotline.web.i18n import LANG_COOKIE

    headers = await _as_ops(client, app_sessionmaker)
    started = await client.post("/ops/runs", data=_form(small_scenario()), headers=headers)
    assert started.status_code == 200, started.text
    location = started.headers["HX-Redirect"]
    before = await _finished(client, location)
    assert 'data-chart="chart-day"' in before.text
    run_id = location.rsplit("/", 1)[1]

    # Another server process on the same database: nothing of the first one's memory.
    restarted = create_app(settings, clock=clock)
    async with restarted.router.lifespan_context(restarted):
        transport = httpx.ASGITransport(app=restarted)
        async with httpx.AsyncClient(transport=transport, base_url="http://hotline.test") as other:
            await _sign_in(other, "planner")
            listing = await other.get("/ops")
            assert run_id in listing.text
            assert "已完成" in listing.text  # done, with its figures in the list
            page = await other.get(location)
            assert page.status_code == 200
            assert 'data-chart="chart-day"' in page.text
            assert page.text.count("<tr><td>09:00-10:00</td>") == 1
            other.cookies.set(LANG_COOKIE, "en")
            english = await other.get(location)  # the chart kept in English as well
            assert "Average speed of answer (s)" in english.text
            side = await other.get("/ops/compare", params={"run": [run_id]})
            assert side.text.count('<th scope="col"><a href="/ops/runs/') == 1


async def test_a_run_cut_short_by_a_restart_says_so(
    client: httpx.AsyncClient,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    clock: Any,
) -> None:
    from sqlalchemy import select

    from hotline.db.models import OpsRunRow, User

    await _as_ops(client, app_sessionmaker)
    async with app_sessionmaker() as session, session.begin():
        user_id = (await session.scalars(select(User.id).where(User.username == "planner"))).one()
        session.add(
            OpsRunRow(
                id="cut0short000",
                user_id=user_id,
                kind="simulate",
                name="erlang-check",
                status="running",
                started_at=clock.now(),
                replications=5,
                done=2,
                target="80/20",
                notes=[],
            )
        )
    # No process follows it (the one that did is gone): failed, and the page says why.
    progress = await client.get("/ops/runs/cut0short000/progress")
    assert progress.headers.get("HX-Refresh") == "true"
    page = await client.get("/ops/runs/cut0short000")
    assert "服务在运行结束前重启" in page.text
    assert "失败" in (await client.get("/ops")).text
