"""``hotline config dry-run``: the recorded hours replayed under the version in force and under a
candidate; a candidate that lets electives answer serves more of the same traffic."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from hotline.centre import store
from hotline.centre.files import parse_data
from hotline.cli import app
from hotline.clock import utc_now
from hotline.config import Settings
from hotline.db.models import Agent, AgentStateLog, Call, Site
from hotline.db.session import create_engine, create_sessionmaker, transaction
from hotline.demo.runner import import_centre
from hotline.roles import Role

from .test_live import EVERYONE_AND_SWAPPED_DIGITS, SPECIALISTS_ONLY, _centre


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """The locale words what the command prints: these tests read English."""
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)


async def _record_two_busy_hours(database_url: str) -> None:
    """A001 (specialist) and A002 (elective) logged in; 60 national-tax calls an hour."""
    await import_centre(Settings(database_url=database_url), _centre("http://127.0.0.1:9"))
    engine = create_engine(database_url)
    now = utc_now()
    start = now - timedelta(hours=2)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            site = (await session.scalars(select(Site))).one()
            for agent in await session.scalars(select(Agent)):
                session.add(AgentStateLog(agent_id=agent.id, at=start, status="idle"))
            for n in range(120):
                at = start + timedelta(seconds=30 + 60 * n)
                session.add(
                    Call(site_id=site.id, channel_id=f"c{n}", caller_number="13900000000",
                         language="zh", business_line="national_tax", arrived_at=at,
                         queued_at=at, wait_s=30.0, talk_s=240.0,
                         outcome="abandoned_queue" if n % 5 == 0 else "answered")
                )  # fmt: skip
            config = parse_data(SPECIALISTS_ONLY, "v1")
            publication = store.Publication(config, "", "specialists only", "test", None)
            await store.publish(session, publication, now=now)
    finally:
        await engine.dispose()


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("HOTLINE_DATABASE_URL", database_url)
    asyncio.run(_record_two_busy_hours(database_url))


def test_both_versions_side_by_side(recorded: None, tmp_path: Path) -> None:
    candidate = tmp_path / "candidate.yaml"
    candidate.write_text(yaml.safe_dump(EVERYONE_AND_SWAPPED_DIGITS), encoding="utf-8")
    args = ["config", "dry-run", str(candidate), "--hours", "2", "--replications", "3"]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert (figures["calls"], figures["in_force"]) == (120, 1)
    old, new = figures["old"]["overall"], figures["new"]["overall"]
    assert new["answered"] > old["answered"]
    assert new["abandon_rate"] < old["abandon_rate"]
    table = CliRunner().invoke(app, args)
    assert "version 1 (in force)" in table.output
    assert "candidate.yaml (candidate)" in table.output
    assert "3 replications" in table.output
    assert "By interval" in table.output
    # The tables speak the command's language too, the figures the same.
    chinese = CliRunner().invoke(app, [*args, "--lang", "zh"])
    assert chinese.exit_code == 0, chinese.output
    assert "版本 1（当前生效）：3 次重复模拟" in chinese.output
    assert "candidate.yaml（待发布）：3 次重复模拟" in chinese.output
    assert "按时段" in chinese.output
    assert "replications" not in chinese.output


def test_no_recorded_traffic_says_so(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("HOTLINE_DATABASE_URL", database_url)
    example = Path(__file__).resolve().parents[3] / "examples" / "centre.yaml"
    result = CliRunner().invoke(app, ["config", "dry-run", str(example), "--hours", "3"])
    assert result.exit_code == 2
    assert "no recorded call reached a queue in the last 3 hours" in result.output


def _live_scenario(tmp_path: Path) -> Path:
    scenarios = Path(__file__).resolve().parents[3] / "simulations" / "scenarios"
    data = yaml.safe_load((scenarios / "erlang-check.yaml").read_text(encoding="utf-8"))
    data.update(routing="live", replications=2, intervals={"count": 2, "minutes": 60})
    scenario = tmp_path / "live-check.yaml"
    scenario.write_text(yaml.safe_dump(data), encoding="utf-8")
    return scenario


def test_a_scenario_can_run_the_live_routing(recorded: None, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["simulate", str(_live_scenario(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scenario"] == "erlang-check"


def test_live_routing_without_a_version_in_force_is_refused(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOTLINE_DATABASE_URL", database_url)
    result = CliRunner().invoke(app, ["simulate", str(_live_scenario(tmp_path))])
    assert result.exit_code == 2
    assert "routing: live, but no configuration version is in force" in result.output


@pytest.mark.asyncio
async def test_the_api_dry_run_for_ops(database_url: str) -> None:
    import httpx

    from hotline.main import create_app
    from tests.fixtures.app import create_user, login

    await _record_two_busy_hours(database_url)
    app = create_app(Settings(database_url=database_url))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        await create_user(app.state.hotline.sessionmaker, "ops-user", Role.OPS)
        headers = {"Authorization": f"Bearer {await login(http, 'ops-user')}"}
        body = {"document": EVERYONE_AND_SWAPPED_DIGITS, "hours": 2, "replications": 2}
        response = await http.post("/api/v1/config/dry-run", json=body, headers=headers)
        assert response.status_code == 200, response.text
        found = response.json()
        assert (found["calls"], found["in_force"]) == (120, 1)
        assert found["new"]["overall"]["answered"] > found["old"]["overall"]["answered"]
        assert "national_tax/zh" in found["new"]["by_skill"]
        bad = await http.post("/api/v1/config/dry-run", json={**body, "hours": 0}, headers=headers)
        assert bad.status_code == 422
        assert bad.json()["detail"][0]["loc"] == ["body", "hours"]
