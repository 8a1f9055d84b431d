"""``--from-history``: a scenario's traffic from the calls recorded in the last N whole days.

The expected figures are worked out by hand from the calls below (Asia/Shanghai times); the
scenario's day is 09:00-11:00 in half hours.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from hotline.cli import app
from hotline.db.models import Call, Site
from hotline.db.session import create_engine, create_sessionmaker, transaction
from hotline.scenarios.history import DayShape, HistoryError, traffic_from_history
from tests.hotline.telephony.builders import seed_directory

CST = timezone(timedelta(hours=8))
ZONE = ZoneInfo("Asia/Shanghai")
SHAPE = DayShape(count=4, minutes=30.0, start_minute=9 * 60)
NOW = datetime(2026, 3, 5, 10, 0, tzinfo=CST)


def _call(site: int, n: int, arrived: datetime, outcome: str, **fields: object) -> Call:
    call = Call(
        site_id=site,
        channel_id=f"h{n}",
        caller_number="13800138000",
        kind=str(fields.pop("kind", "inbound")),
        language=str(fields.pop("language", "zh")),
        business_line=str(fields.pop("line", "national_tax")),
        arrived_at=arrived,
        queued_at=fields.pop("queued", arrived + timedelta(seconds=10)),
        ended_at=arrived + timedelta(minutes=5),
        outcome=outcome,
    )
    for key, value in fields.items():
        setattr(call, key, value)
    return call


def _day(day: int, hh: int, mm: int) -> datetime:
    return datetime(2026, 3, day, hh, mm, tzinfo=CST)


async def _seed(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    site = (await seed_directory(sessionmaker, ("a1",))).site_id
    calls = [
        # 3 March: two answered and one abandoned in the first hour
        _call(site, 1, _day(3, 9, 10), "answered", wait_s=10.0, talk_s=100.0, hold_s=20.0),
        _call(site, 2, _day(3, 9, 40), "answered", wait_s=30.0, talk_s=200.0, hold_s=0.0),
        _call(site, 3, _day(3, 9, 50), "abandoned_queue", wait_s=60.0),
        # 4 March: one in the first half hour, an English local-tax call, one in the evening
        _call(site, 4, _day(4, 9, 5), "answered", wait_s=20.0, talk_s=300.0, hold_s=0.0),
        _call(site, 5, _day(4, 10, 15), "answered", wait_s=0.0, talk_s=50.0, hold_s=0.0,
              line="local_tax", language="en"),
        _call(site, 6, _day(4, 18, 0), "answered", wait_s=0.0, talk_s=100.0, hold_s=0.0),
        # not counted: before the period, today, hung up in the IVR, a callback, still live
        _call(site, 7, _day(2, 9, 10), "answered", wait_s=5.0, talk_s=999.0, hold_s=0.0),
        _call(site, 8, _day(5, 9, 10), "answered", wait_s=5.0, talk_s=999.0, hold_s=0.0),
        _call(site, 9, _day(4, 9, 20), "abandoned_ivr", queued=None),
        _call(site, 10, _day(4, 9, 20), "answered", kind="callback", talk_s=999.0),
        _call(site, 11, _day(4, 9, 25), None, wait_s=5.0),
    ]  # fmt: skip
    async with transaction(sessionmaker) as session:
        session.add_all(calls)


@pytest.mark.asyncio
async def test_traffic_is_the_average_recorded_day(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _seed(sessionmaker)
    async with sessionmaker() as session:
        history = await traffic_from_history(session, SHAPE, NOW, 2, ZONE)
    assert (history.calls, history.days_open, history.outside_day) == (6, 2, 1)
    assert (str(history.first_day), str(history.last_day)) == ("2026-03-03", "2026-03-04")
    local, national = history.traffic  # sorted by line
    assert (national["skill"], national["language"]) == ("national_tax", "zh")
    # 2 calls in 09:00-09:30 and 2 in 09:30-10:00 over two open days
    assert national["calls_per_interval"] == [1.0, 1.0, 0.0, 0.0]
    # talk + hold of 120, 200, 300, 100: mean 180, sample sd sqrt(24800 / 3) = 90.92
    assert national["handle_time"] == {"dist": "lognormal", "mean_s": 180.0, "cv": 0.505}
    # waits 10 + 30 + 60 + 20 + 0 = 120 s for one abandon
    assert national["patience"] == {"dist": "exponential", "mean_s": 120.0}
    assert (local["skill"], local["language"]) == ("local_tax", "en")
    assert local["calls_per_interval"] == [0.0, 0.0, 0.5, 0.0]
    assert local["handle_time"] == {"dist": "lognormal", "mean_s": 50.0, "cv": 1.0}
    assert "patience" not in local  # nobody abandoned: callers who never hang up


@pytest.mark.asyncio
async def test_no_calls_in_the_period_says_what_to_do(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _seed(sessionmaker)
    async with sessionmaker() as session:
        with pytest.raises(HistoryError, match=r"no call reached the queue.*choose more days"):
            await traffic_from_history(session, SHAPE, NOW + timedelta(days=30), 3, ZONE)
        with pytest.raises(HistoryError, match="days: must be between 1 and 92"):
            await traffic_from_history(session, SHAPE, NOW, 93, ZONE)


async def _seed_yesterday(database_url: str) -> None:
    """Forty national-tax calls yesterday morning (local time), relative to the real clock."""
    engine = create_engine(database_url)
    try:
        maker = create_sessionmaker(engine)
        await seed_directory(maker, ("a1",))
        yesterday = datetime.now(UTC).astimezone(ZONE) - timedelta(days=1)
        nine = yesterday.replace(hour=9, minute=0, second=0, microsecond=0)
        async with transaction(maker) as session:
            site = (await session.scalars(select(Site.id))).one()
            session.add_all(
                _call(site, n, nine + timedelta(minutes=3 * n), "answered",
                      wait_s=5.0, talk_s=240.0, hold_s=0.0)
                for n in range(40)
            )  # fmt: skip
    finally:
        await engine.dispose()


def test_the_cli_simulates_the_recorded_day(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOTLINE_DATABASE_URL", database_url)
    asyncio.run(_seed_yesterday(database_url))
    scenarios = Path(__file__).resolve().parents[3] / "simulations" / "scenarios"
    data = yaml.safe_load((scenarios / "erlang-check.yaml").read_text(encoding="utf-8"))
    data.update(replications=2, intervals={"count": 2, "minutes": 60, "start": "09:00"})
    data["warmup_minutes"] = 0
    scenario = tmp_path / "from-history.yaml"
    scenario.write_text(yaml.safe_dump(data), encoding="utf-8")
    args = ["simulate", str(scenario), "--from-history", "--days", "3", "--json", "-w", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    # 40 calls one day: 20 an hour, not the scenario's 324
    offered = figures["overall"]["offered"]["mean"]
    assert 20 <= offered <= 70, offered
    assert "traffic from 40 calls on 1 days" in result.stderr


def test_the_cli_says_when_there_is_no_history(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOTLINE_DATABASE_URL", database_url)
    scenarios = Path(__file__).resolve().parents[3] / "simulations" / "scenarios"
    result = CliRunner().invoke(
        app, ["simulate", str(scenarios / "erlang-check.yaml"), "--from-history", "--days", "2"]
    )
    assert result.exit_code == 2
    assert "no call reached the queue" in result.output


def test_the_cli_staffs_the_recorded_day(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOTLINE_DATABASE_URL", database_url)
    asyncio.run(_seed_yesterday(database_url))
    scenarios = Path(__file__).resolve().parents[3] / "simulations" / "scenarios"
    data = yaml.safe_load((scenarios / "erlang-check.yaml").read_text(encoding="utf-8"))
    data.update(intervals={"count": 2, "minutes": 60, "start": "09:00"})
    data["warmup_minutes"] = 0
    scenario = tmp_path / "from-history.yaml"
    scenario.write_text(yaml.safe_dump(data), encoding="utf-8")
    # The Erlang estimate alone: the staffing of the recorded traffic, without the search.
    args = ["staff", str(scenario), "--from-history", "--days", "3", "--erlang", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["erlang"]
    # 40 calls of 4 minutes one morning, 20 an hour: under 2 erlangs, not the scenario's 324
    # calls an hour, which need dozens of agents.
    assert [row["clock"] for row in rows] == ["09:00-10:00", "10:00-11:00"]
    assert all(1 <= row["agents"] <= 6 for row in rows), rows
    assert "traffic from 40 calls on 1 days" in result.stderr
    plain = CliRunner().invoke(app, ["staff", str(scenario), "--erlang", "--json"])
    assert plain.exit_code == 0, plain.output
    assert max(r["agents"] for r in json.loads(plain.stdout)["erlang"]) > 6


def test_staff_says_when_there_is_no_history(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("HOTLINE_DATABASE_URL", database_url)
    scenarios = Path(__file__).resolve().parents[3] / "simulations" / "scenarios"
    result = CliRunner().invoke(
        app, ["staff", str(scenarios / "erlang-check.yaml"), "--from-history", "--days", "2"]
    )
    assert result.exit_code == 2
    assert "no call reached the queue" in result.output
