"""The topics report through the API on SQLite and PostgreSQL: summaries of the seeded morning
filed under a small taxonomy, and knowledge-base searches that found nothing."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import CallSummaryRow, KbSearchMiss, Topic
from hotline.roles import Role
from tests.fixtures.app import Users
from tests.hotline.reports.floor_day import Day, at, seed_day

pytestmark = pytest.mark.asyncio

TWO_DAYS = "from=2026-03-02T00:00:00%2B08:00&to=2026-03-04T00:00:00%2B08:00"
URL = "/api/v1/reports/topics"


async def seed_topics(sessionmaker: async_sessionmaker[AsyncSession], day: Day) -> None:
    async with sessionmaker() as session, session.begin():
        for code, parent, zh, en in (
            ("T_IIT", None, "个人所得税", "Individual income tax"),
            ("T_IIT.DEDUCT", "T_IIT", "专项附加扣除", "Special deductions"),
            ("T_IIT.ANNUAL", "T_IIT", "年度汇算", "Annual reconciliation"),
            ("T_VAT", None, "增值税", "VAT"),
            ("T_VAT.INVOICE", "T_VAT", "发票", "Invoices"),
        ):
            if await session.get(Topic, code) is None:
                session.add(Topic(code=code, parent_code=parent, name_zh=zh, name_en=en))
        await session.flush()
        a1, a2 = day.agents["a1"], day.agents["a2"]
        for call, agent, topic in (
            ("c1", a1, "T_IIT.DEDUCT"),
            ("c2", a2, "T_IIT.DEDUCT"),
            ("c9", a1, "T_VAT.INVOICE"),
            ("c8", a2, "T_IIT.ANNUAL"),  # the centre's callback: its summary counts too
        ):
            session.add(
                CallSummaryRow(
                    call_id=day.calls[call],
                    agent_id=agent,
                    topic_code=topic,
                    question="?",
                    result="answered",
                )
            )
        for query, when in (
            ("留抵退税", at(9, 30)),
            ("留抵退税", at(10, 30) + timedelta(days=1)),
            ("数电发票 红冲", at(9, 40)),
            ("outside", at(9, 0) + timedelta(days=3)),  # after the period
        ):
            session.add(KbSearchMiss(query=query, asked_by="a1", at=when))


async def test_topics_ranked_by_area_and_day_with_searches_that_found_nothing(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    day = await seed_day(app_sessionmaker)
    await seed_topics(app_sessionmaker, day)
    response = await client.get(f"{URL}?{TWO_DAYS}", headers=users.headers(Role.OPS))
    assert response.status_code == 200, response.text
    report = response.json()
    assert "unanswered_searches" in report["definitions"]
    assert report["total"] == 4
    assert [(t["code"], t["calls"], t["area"]["code"]) for t in report["topics"]] == [
        ("T_IIT.DEDUCT", 2, "T_IIT"),
        ("T_IIT.ANNUAL", 1, "T_IIT"),
        ("T_VAT.INVOICE", 1, "T_VAT"),
    ]
    assert report["topics"][0]["name_zh"] == "专项附加扣除"
    assert report["topics"][0]["share"] == 0.5
    assert [(a["code"], a["calls"], a["name_en"]) for a in report["areas"]] == [
        ("T_IIT", 3, "Individual income tax"),
        ("T_VAT", 1, "VAT"),
    ]
    assert [(d["day"], d["calls"]) for d in report["trend"]] == [
        ("2026-03-02", 4),
        ("2026-03-03", 0),
    ]
    assert report["trend"][0]["topics"] == {
        "T_IIT.ANNUAL": 1,
        "T_IIT.DEDUCT": 2,
        "T_VAT.INVOICE": 1,
    }
    assert report["unanswered_searches"] == [
        {"query": "留抵退税", "searches": 2, "last_day": "2026-03-03"},
        {"query": "数电发票 红冲", "searches": 1, "last_day": "2026-03-02"},
    ]
    sheet = await client.get(
        f"{URL}?{TWO_DAYS}&format=csv&lang=en", headers=users.headers(Role.DIRECTOR)
    )
    assert sheet.status_code == 200, sheet.text
    rows = list(csv.DictReader(io.StringIO(sheet.text)))
    first = rows[0]
    assert (first["code"], first["area"], first["calls"]) == (
        "T_IIT.DEDUCT",
        "Individual income tax",
        "2",
    )


async def test_topics_filtered_by_language_and_bad_periods(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    day = await seed_day(app_sessionmaker)
    await seed_topics(app_sessionmaker, day)
    headers = users.headers(Role.SUPERVISOR)
    chinese = await client.get(f"{URL}?{TWO_DAYS}&language=zh&line=national_tax", headers=headers)
    assert chinese.status_code == 200, chinese.text
    assert chinese.json()["total"] == 3  # c9 is on the local-tax line: its VAT topic drops
    assert "T_VAT.INVOICE" not in {t["code"] for t in chinese.json()["topics"]}
    assert chinese.json()["filters"]["language"] == "zh"
    assert len(chinese.json()["unanswered_searches"]) == 2  # searches carry no language
    english = await client.get(f"{URL}?{TWO_DAYS}&language=en", headers=headers)
    assert english.status_code == 422  # no such language on this floor: named, not empty
    assert "language" in english.text
    reversed_ = await client.get(
        f"{URL}?from=2026-03-04T00:00:00%2B08:00&to=2026-03-02T00:00:00%2B08:00", headers=headers
    )
    assert reversed_.status_code == 422
    assert "to" in reversed_.text
    unknown = await client.get(f"{URL}?{TWO_DAYS}&line=nowhere", headers=headers)
    assert unknown.status_code == 422
    assert "line" in unknown.text
    assert (
        await client.get(f"{URL}?{TWO_DAYS}", headers=users.headers(Role.AGENT))
    ).status_code == 403


async def test_topics_exports_carry_the_trend_per_day(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    day = await seed_day(app_sessionmaker)
    await seed_topics(app_sessionmaker, day)
    headers = users.headers(Role.OPS)
    sheet = await client.get(f"{URL}?{TWO_DAYS}&format=csv&lang=en", headers=headers)
    rows = list(csv.DictReader(io.StringIO(sheet.text)))
    by_code = {row["code"]: row for row in rows}
    assert by_code["T_IIT.DEDUCT"]["day:2026-03-02"] == "2"
    assert by_code["T_IIT.DEDUCT"]["day:2026-03-03"] == "0"
    assert by_code["T_VAT.INVOICE"]["day:2026-03-02"] == "1"
    assert by_code["total"]["day:2026-03-02"] == "4"  # every topic's summaries that day
    assert by_code["total"]["calls"] == "4"
    workbook = await client.get(f"{URL}?{TWO_DAYS}&format=xlsx&lang=zh", headers=headers)
    assert workbook.status_code == 200, workbook.text
    from openpyxl import load_workbook

    sheet_rows = list(
        load_workbook(io.BytesIO(workbook.content)).active.iter_rows(values_only=True)
    )
    assert sheet_rows[0][-2:] == ("2026-03-02", "2026-03-03")  # the day columns, labelled
    assert sheet_rows[-1][-2:] == (4, 0)
