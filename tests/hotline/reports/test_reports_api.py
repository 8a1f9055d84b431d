"""The interval and abandoned-call reports through the API, on SQLite and PostgreSQL, checked
against figures worked out by hand from ``floor_day`` and against the call list."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import AgentStateLog, AuditLog, Call, CallEvent
from hotline.roles import Role
from tests.fixtures.app import Users
from tests.hotline.reports.floor_day import at, seed_day

pytestmark = pytest.mark.asyncio

MORNING = "from=2026-03-02T09:00:00%2B08:00&to=2026-03-02T11:00:00%2B08:00"
URL = "/api/v1/reports/interval"


async def test_interval_report_by_half_hour(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_day(app_sessionmaker)
    response = await client.get(
        f"{URL}?{MORNING}&interval=30m&threshold=20", headers=users.headers(Role.DIRECTOR)
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert "service_level" in report["definitions"]
    rows = {row["interval_start"][11:16]: row for row in report["rows"]}
    assert list(rows) == ["09:00", "09:30", "10:00", "10:30"]
    first = rows["09:00"]
    assert first["arrived"] == 5
    assert first["abandoned_ivr"] == 1
    assert first["offered"] == 4
    assert first["answered"] == 2
    assert first["answered_within"] == 1  # c1 after 15 s; c2 after 50 s
    assert first["abandoned_queue"] == 2
    assert first["short_abandons"] == 1
    assert first["service_level"] == 0.25
    assert first["service_level_answered"] == 0.5
    assert first["service_level_no_short"] == round(1 / 3, 4)
    assert first["abandon_rate"] == 0.5
    assert first["asa_s"] == 32.5
    assert first["aht_s"] == 120.0  # (120 + 10 + 30 + 60 + 0 + 20) / 2
    # Staffing, agent-seconds / 1800: a1 idle 70 + 1555, ringing 15, talk 130, wrap 30;
    # a2 idle 360, talk 60, wrap 20, break 1360.
    assert first["agents_logged_in"] == 2
    assert first["staffed"] == 2.0
    assert first["ready"] == round(1985 / 1800, 2)
    assert first["on_call"] == round(190 / 1800, 2)
    assert first["not_ready"] == round(1360 / 1800, 2)
    assert first["not_ready_by_reason"] == {"break": round(1360 / 1800, 2)}
    assert first["occupancy"] == round(255 / 2240, 4)
    second = rows["09:30"]
    assert (second["offered"], second["callbacks"], second["abandoned_ringing"]) == (2, 1, 1)
    assert second["callback_calls"] == 1
    assert second["service_level"] == 0.0
    assert second["staffed"] == round((1800 + 900) / 1800, 2)  # a2 logged out at 09:45
    assert rows["10:30"]["offered"] == 0
    assert rows["10:30"]["service_level"] is None
    assert rows["10:30"]["staffed"] == 0.0  # a1 logged out at 10:00
    total = report["total"]
    assert (total["arrived"], total["offered"], total["answered"]) == (8, 7, 3)
    assert total["answered_within"] == 2
    assert total["service_level"] == round(2 / 7, 4)


async def test_totals_reconcile_with_the_call_list(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_day(app_sessionmaker)
    headers = users.headers(Role.DIRECTOR)
    for extra, listed in (("", ""), ("&line=national_tax", "&business_line=national_tax")):
        report = (await client.get(f"{URL}?{MORNING}&interval=60m{extra}", headers=headers)).json()
        calls = (await client.get(f"/api/v1/calls?{MORNING}{listed}&limit=200",
                                  headers=headers)).json()["items"]  # fmt: skip
        total = report["total"]
        assert total["arrived"] + total["callback_calls"] == len(calls)
        inbound = [c for c in calls if c["kind"] == "inbound"]
        assert total["answered"] == sum(c["outcome"] == "answered" for c in inbound)
        assert total["abandoned_queue"] == sum(c["outcome"] == "abandoned_queue" for c in inbound)
        assert total["abandoned_ivr"] == sum(c["outcome"] == "abandoned_ivr" for c in inbound)
        assert total["callbacks"] == sum(c["outcome"] == "callback_requested" for c in inbound)
        assert sum(row["offered"] for row in report["rows"]) == total["offered"]


async def test_filters_and_agent_groups(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_day(app_sessionmaker)
    headers = users.headers(Role.OPS)
    local = await client.get(f"{URL}?{MORNING}&interval=day&line=local_tax", headers=headers)
    assert local.status_code == 200, local.text
    day = local.json()["rows"]
    assert len(day) == 1
    assert day[0]["offered"] == 1
    assert day[0]["answered_within"] == 1
    assert day[0]["staffed"] == 0.0  # nobody holds the local-tax skill
    overflow = (await client.get(f"{URL}?{MORNING}&group=overflow", headers=headers)).json()
    assert overflow["total"]["staffed"] == 0.0
    assert overflow["total"]["offered"] == 7
    site = (await client.get(f"{URL}?{MORNING}&site=hz", headers=headers)).json()
    assert site["total"]["offered"] == 7


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-03-02T11:00:00%2B08:00&to=2026-03-02T09:00:00%2B08:00", "to"),
        ("from=2026-01-01T00:00:00%2B08:00&to=2026-03-02T00:00:00%2B08:00&interval=15m", "to"),
        (f"{MORNING}&line=customs", "line"),
        (f"{MORNING}&site=nowhere", "site"),
        (f"{MORNING}&language=xx", "language"),
        (f"{MORNING}&interval=7m", "interval"),
        (f"{MORNING}&group=heroes", "group"),
        ("from=2026-03-02T09:00:00&to=2026-03-02T11:00:00%2B08:00", "from"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field(
    client: httpx.AsyncClient,
    users: Users,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    query: str,
    field: str,
) -> None:
    await seed_day(app_sessionmaker)
    response = await client.get(f"{URL}?{query}", headers=users.headers(Role.DIRECTOR))
    assert response.status_code == 422, response.text
    assert field in {err["loc"][-1] for err in response.json()["detail"]}


async def test_interval_exports_csv_and_xlsx(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_day(app_sessionmaker)
    headers = users.headers(Role.SUPERVISOR)
    as_csv = await client.get(f"{URL}?{MORNING}&interval=60m&format=csv", headers=headers)
    assert as_csv.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [row["offered"] for row in table] == ["6", "1", "7"]
    assert table[-1]["interval_start"] == "total"
    assert "not_ready:break" in table[0]
    as_xlsx = await client.get(f"{URL}?{MORNING}&interval=60m&format=xlsx", headers=headers)
    assert as_xlsx.status_code == 200
    assert (
        'filename="interval-2026-03-02-2026-03-02.xlsx"' in as_xlsx.headers["content-disposition"]
    )
    book = load_workbook(io.BytesIO(as_xlsx.content))
    sheet = book.worksheets[0]
    assert sheet.cell(row=1, column=4).value == "IVR 放弃"
    header = [cell.value for cell in sheet[1]]
    offered = header.index("受理量") + 1
    assert [sheet.cell(row=r, column=offered).value for r in (2, 3, 4)] == [6, 1, 7]
    assert book.worksheets[1].title == "定义"


async def test_abandons_with_the_floor_masked_and_audited(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    day = await seed_day(app_sessionmaker)
    url = f"/api/v1/reports/abandons?{MORNING}"
    masked = await client.get(url, headers=users.headers(Role.OPS))
    assert masked.status_code == 200, masked.text
    report = masked.json()
    assert report["numbers"] == "masked"
    assert report["summary"] == {
        "abandons": 3,
        "with_eligible_idle": 3,
        "with_eligible_away": 2,
        "with_eligible_idle_or_away": 3,
        "understaffed": 0,
    }
    first = report["rows"][0]
    assert first["call_id"] == day.calls["c3"]
    assert first["caller_number"] == "139****5678"
    assert (first["where"], first["wait_s"], first["position"]) == ("queue", 30.0, 1)
    floor = {seat["agent"]: seat for seat in first["floor"]}
    assert floor["a1"]["status"] == "idle"
    assert floor["a1"]["eligible"]
    assert floor["a2"]["status"] == "not_ready"
    assert floor["a2"]["reason"] == "break"
    last = report["rows"][-1]
    assert last["where"] == "ringing"
    assert [seat["agent"] for seat in last["floor"]] == ["a1"]  # a2 logged out at 09:45

    refused = await client.get(f"{url}&full=true", headers=users.headers(Role.OPS))
    assert refused.status_code == 403

    full = await client.get(f"{url}&full=true&format=csv", headers=users.headers(Role.DIRECTOR))
    assert full.status_code == 200
    rows = list(csv.DictReader(io.StringIO(full.text)))
    assert rows[0]["caller_number"] == "13912345678"
    async with app_sessionmaker() as session:
        audited = (await session.scalars(select(AuditLog).where(
            AuditLog.subject_id == "abandons"))).all()  # fmt: skip
    assert [(a.action, a.actor_username) for a in audited] == [
        ("personal_data_read", "director-user")
    ]


async def test_abandons_without_the_floor_keep_their_counts(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_day(app_sessionmaker)
    url = f"/api/v1/reports/abandons?{MORNING}"
    whole = (await client.get(url, headers=users.headers(Role.OPS))).json()
    lean = await client.get(f"{url}&floor=false", headers=users.headers(Role.OPS))
    assert lean.status_code == 200, lean.text
    report = lean.json()
    assert report["summary"] == whole["summary"]
    assert all("floor" not in row for row in report["rows"])
    assert [{k: v for k, v in row.items() if k != "floor"} for row in whole["rows"]] == report[
        "rows"
    ]
    assert [row["floor_logged_in"] for row in report["rows"]] == [
        len(row["floor"]) for row in whole["rows"]
    ]
    bad = await client.get(f"{url}&floor=maybe", headers=users.headers(Role.OPS))
    assert bad.status_code == 422
    assert "floor" in bad.text

    # Past a day the floor is left out unless asked for, and refused over a longer period.
    two_days = (
        "/api/v1/reports/abandons?from=2026-03-02T00:00:00%2B08:00&to=2026-03-04T00:00:00%2B08:00"
    )
    longer = (await client.get(two_days, headers=users.headers(Role.OPS))).json()
    assert longer["floor"] is False
    assert longer["summary"] == whole["summary"]
    assert longer["rows"] == report["rows"]
    refused = await client.get(f"{two_days}&floor=true", headers=users.headers(Role.OPS))
    assert refused.status_code == 422
    assert "floor" in refused.text


async def test_agent_performance(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    day = await seed_day(app_sessionmaker)
    async with app_sessionmaker() as session, session.begin():
        session.add_all(
            [
                # a2 handed c2 back to a queue; a1 let an offer ring out at 09:55
                CallEvent(call_id=day.calls["c2"], seq=1, at=at(9, 6, 30), kind="requeued",
                          data={"from": str(day.agents["a2"]), "line": "local_tax"}),
                AgentStateLog(agent_id=day.agents["a1"], at=at(9, 55), status="not_ready",
                              reason="rona", site_id=day.site_id),
                AgentStateLog(agent_id=day.agents["a1"], at=at(9, 56), status="idle",
                              site_id=day.site_id),
            ]
        )  # fmt: skip
        c1 = await session.get(Call, day.calls["c1"])
        assert c1 is not None
        c1.survey_score = 4
    url = f"/api/v1/reports/agents?{MORNING}"
    response = await client.get(url, headers=users.headers(Role.DIRECTOR))
    assert response.status_code == 200, response.text
    report = response.json()
    rows = {row["agent"]: row for row in report["rows"]}
    a1, a2 = rows["a1"], rows["a2"]
    assert (a1["calls"], a1["talk_s"], a1["wrap_up_s"], a1["hold_s"]) == (1, 130.0, 30.0, 10.0)
    assert a1["rona"] == 1
    assert a1["not_ready_by_reason"] == {"rona": 60.0}
    assert a1["logged_in_s"] == 3600.0  # 09:00 to the 10:00 logout
    assert a1["survey_average"] == 4.0
    assert (a2["calls"], a2["transfers"], a2["not_ready_by_reason"]) == (1, 1, {"break": 1360.0})
    assert a2["logged_in_s"] == 2700.0  # 09:00 to 09:45
    assert report["total"]["calls"] == 2
    one = await client.get(f"{url}&agent=a2&format=csv", headers=users.headers(Role.OPS))
    table = list(csv.DictReader(io.StringIO(one.text)))
    assert [row["agent"] for row in table] == ["a2", "total"]
    unknown = await client.get(f"{url}&agent=nobody", headers=users.headers(Role.OPS))
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["query", "agent"]


async def test_service_standards_red_and_green_per_day(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_day(app_sessionmaker)
    two_days = "from=2026-03-01T00:00:00%2B08:00&to=2026-03-03T00:00:00%2B08:00"
    response = await client.get(
        f"/api/v1/reports/standards?{two_days}", headers=users.headers(Role.DIRECTOR)
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert [row["day"] for row in report["rows"]] == ["2026-03-01", "2026-03-02"]
    quiet, busy = (row["standards"] for row in report["rows"])
    assert quiet["sl_120"] == {"value": None, "met": None}  # no call: not measured, not red
    assert busy["sl_120"] == {"value": round(3 / 7, 4), "met": False}  # c1, c2, c9 of 7
    assert busy["sl_15"] == {"value": round(2 / 7, 4), "met": False}  # c1 (15 s) and c9
    assert busy["abandon_5"]["met"] is False
    assert busy["asa_30"] == {"value": round(70 / 3, 1), "met": True}
    assert busy["on_time_95"] == {"value": None, "met": None}  # no work order due
    assert report["overall"]["sl_120"]["value"] == round(3 / 7, 4)
    assert report["days_met"]["asa_30"] == 1
    assert report["days_measured"]["sl_120"] == 1
    as_csv = await client.get(
        f"/api/v1/reports/standards?{two_days}&format=csv", headers=users.headers(Role.OPS)
    )
    table = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [row["day"] for row in table] == ["2026-03-01", "2026-03-02", "period"]
    assert table[1]["asa_30:met"] == "True"
    too_long = await client.get(
        "/api/v1/reports/standards?from=2025-01-01T00:00:00%2B08:00&to=2026-03-01T00:00:00%2B08:00",
        headers=users.headers(Role.DIRECTOR),
    )
    assert too_long.status_code == 422


async def test_the_balanced_scorecard(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    day = await seed_day(app_sessionmaker)
    async with app_sessionmaker() as session, session.begin():
        for name, score in (("c1", 5), ("c2", 2)):
            call = await session.get(Call, day.calls[name])
            assert call is not None
            call.survey_score = score
    response = await client.get(
        f"/api/v1/reports/scorecard?{MORNING}", headers=users.headers(Role.DIRECTOR)
    )
    assert response.status_code == 200, response.text
    card = response.json()["scorecard"]
    assert (card["satisfaction"], card["surveys"]) == (3.5, 2)
    assert card["complaint_rate"] == 0.0  # no complaint over 3 answered calls
    assert card["completion_rate"] is None  # no work order raised: nothing to divide
    assert card["service_level"] == round(2 / 7, 4)  # c1 (15 s) and c9 (5 s) within 20 s
    assert "complaint_rate" in response.json()["definitions"]


async def test_heavy_callers_masked_unless_asked_and_audited(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_day(app_sessionmaker)
    url = f"/api/v1/reports/heavy-callers?{MORNING}&threshold=5"
    masked = await client.get(url, headers=users.headers(Role.SUPERVISOR))
    assert masked.status_code == 200, masked.text
    rows = masked.json()["rows"]
    # 138… called seven times (c8 is the centre calling back: not counted); 139… once.
    assert [(r["number"], r["calls"], r["answered"]) for r in rows] == [("138****8000", 7, 3)]
    assert rows[0]["first_call"].startswith("2026-03-02T09:01")
    assert (
        await client.get(f"{url}&full=true", headers=users.headers(Role.OPS))
    ).status_code == 403
    full = await client.get(f"{url}&full=true", headers=users.headers(Role.DIRECTOR))
    assert full.json()["rows"][0]["number"] == "13800138000"
    async with app_sessionmaker() as session:
        audited = (
            await session.scalars(select(AuditLog).where(AuditLog.subject_id == "heavy_callers"))
        ).all()
    assert len(audited) == 1
    none = await client.get(
        f"/api/v1/reports/heavy-callers?{MORNING}&threshold=50", headers=users.headers(Role.OPS)
    )
    assert none.json()["rows"] == []
    bad = await client.get(f"{url[:-1]}1", headers=users.headers(Role.OPS))
    assert bad.status_code == 422  # a threshold of 1 lists everyone: refused


async def test_scorecard_origin_and_heavy_callers_as_csv_and_xlsx(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_day(app_sessionmaker)
    headers = users.headers(Role.DIRECTOR)
    card = await client.get(f"/api/v1/reports/scorecard?{MORNING}&format=csv", headers=headers)
    assert card.status_code == 200, card.text
    assert card.headers["content-type"].startswith("text/csv")
    (row,) = list(csv.DictReader(io.StringIO(card.text)))
    assert float(row["service_level"]) == round(2 / 7, 4)
    assert row["completion_rate"] == ""  # nothing to divide: empty, not zero
    origin = await client.get(f"/api/v1/reports/origin?{MORNING}&format=csv", headers=headers)
    assert origin.status_code == 200, origin.text
    places = list(csv.DictReader(io.StringIO(origin.text)))
    assert sum(int(p["calls"]) for p in places) == origin_total(
        (await client.get(f"/api/v1/reports/origin?{MORNING}", headers=headers)).json()
    )
    heavy_url = f"/api/v1/reports/heavy-callers?{MORNING}&threshold=5"
    heavy = await client.get(f"{heavy_url}&format=csv", headers=users.headers(Role.OPS))
    (caller,) = list(csv.DictReader(io.StringIO(heavy.text)))
    assert (caller["number"], caller["calls"], caller["answered"]) == ("138****8000", "7", "3")
    book = await client.get(f"{heavy_url}&format=xlsx&lang=en", headers=headers)
    assert book.status_code == 200, book.text
    sheets = load_workbook(io.BytesIO(book.content))
    first = sheets.worksheets[0]
    assert [c.value for c in first[1]][:3] == ["Number", "Taxpayer id", "Calls"]
    assert first.cell(row=2, column=3).value == 7
    assert sheets.worksheets[1].title == "Definitions"
    bad = await client.get(f"/api/v1/reports/origin?{MORNING}&format=pdf", headers=headers)
    assert bad.status_code == 422


def origin_total(report: dict[str, object]) -> int:
    total = report["total"]
    assert isinstance(total, int)
    return total


async def test_heavy_callers_default_to_the_live_alert_threshold(
    app: Any,
    client: httpx.AsyncClient,
    users: Users,
    app_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Unasked, the report's threshold is the live alert's (HOTLINE_FLOOR__HEAVY_CALLER_CALLS):
    the report lists exactly whom the alert would name."""
    await seed_day(app_sessionmaker)
    floor = app.state.hotline.settings.floor
    url = f"/api/v1/reports/heavy-callers?{MORNING}"
    headers = users.headers(Role.OPS)
    floor.heavy_caller_calls = 7  # 138… called seven times
    named = (await client.get(url, headers=headers)).json()
    assert named["filters"]["threshold"] == 7
    assert [r["calls"] for r in named["rows"]] == [7]
    floor.heavy_caller_calls = 8
    quiet = (await client.get(url, headers=headers)).json()
    assert (quiet["filters"]["threshold"], quiet["rows"]) == (8, [])
    floor.heavy_caller_calls = 0  # the alert off: the report still asks for at least 2 calls
    assert (await client.get(url, headers=headers)).json()["filters"]["threshold"] == 2
    asked = (await client.get(f"{url}&threshold=5", headers=headers)).json()
    assert asked["filters"]["threshold"] == 5  # an explicit threshold still wins
