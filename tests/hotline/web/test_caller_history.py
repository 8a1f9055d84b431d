"""A caller's history (both databases): reached from the heavy-callers report by one of the
caller's calls, masked for ops, in full for supervisors on request with the read audited."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import AuditLog, Call
from hotline.db.session import transaction
from hotline.roles import Role
from tests.fixtures.app import FixedClock, create_user
from tests.hotline.reports.topics_seed import summarise_answered_calls
from tests.hotline.telephony.builders import seed_directory
from tests.hotline.web.test_pages import _sign_in

pytestmark = pytest.mark.asyncio
HEAVY = "13957112366"


async def _seed(maker: async_sessionmaker[AsyncSession], clock: FixedClock) -> int:
    seeded = await seed_directory(maker)
    agent = seeded.agents["a1"]
    async with transaction(maker) as session:
        calls = [
            Call(site_id=seeded.site_id, channel_id=f"h{n}", caller_number=HEAVY,
                 arrived_at=clock.now() - timedelta(hours=n + 1),
                 answered_at=clock.now() - timedelta(hours=n + 1) + timedelta(seconds=20),
                 agent_id=agent, outcome="answered", wait_s=20.0, talk_s=90.0,
                 business_line="national_tax", language="zh")
            for n in range(4)
        ]  # fmt: skip
        calls.append(
            Call(site_id=seeded.site_id, channel_id="other", caller_number="13800000001",
                 arrived_at=clock.now() - timedelta(hours=1), outcome="abandoned_ivr")
        )  # fmt: skip
        session.add_all(calls)
        await session.flush()
        newest = calls[3].id  # the link names the caller by their latest call row
    await summarise_answered_calls(maker)
    return newest


async def test_the_report_links_to_a_masked_history_and_supervisors_read_it_in_full(
    client: httpx.AsyncClient,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
) -> None:
    newest = await _seed(app_sessionmaker, clock)
    await create_user(app_sessionmaker, "planner", Role.OPS)
    await _sign_in(client, "planner")
    day = clock.now().date().isoformat()
    report = await client.get(
        "/reports/heavy-callers", params={"start": day, "end": day, "threshold": "3"}
    )
    assert report.status_code == 200
    assert f'href="/callers/history?call={newest}"' in report.text

    page = await client.get("/callers/history", params={"call": newest})
    assert page.status_code == 200
    assert "139****2366" in page.text
    assert HEAVY not in page.text
    assert page.text.count('<a href="/calls/') == 4 + 4  # four calls, four summaries
    assert "138****0001" not in page.text  # another caller
    # ops may not read the number in full: full=true is ignored and nothing is audited
    page = await client.get("/callers/history", params={"call": newest, "full": "true"})
    assert HEAVY not in page.text
    assert 'id="caller-full"' not in page.text

    await client.post("/logout", data={"csrf_token": client.cookies.get("hotline_csrf", "")})
    await create_user(app_sessionmaker, "lead", Role.SUPERVISOR)
    await _sign_in(client, "lead")
    masked = await client.get("/callers/history", params={"call": newest})
    assert 'id="caller-full"' in masked.text
    assert HEAVY not in masked.text
    full = await client.get("/callers/history", params={"call": newest, "full": "true"})
    assert HEAVY in full.text
    async with app_sessionmaker() as session:
        reads = (
            await session.scalars(select(AuditLog).where(AuditLog.action == "personal_data_read"))
        ).all()
    assert [(r.actor_username, r.subject_id, r.detail["via"]) for r in reads] == [
        ("lead", str(newest), "caller_history")
    ]


@pytest.mark.parametrize("call", ["999999", "x", "99999999999999999999999"])
async def test_an_unknown_call_is_a_404_in_words(
    client: httpx.AsyncClient,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    call: str,
) -> None:
    await create_user(app_sessionmaker, "lead", Role.SUPERVISOR)
    await _sign_in(client, "lead")
    page = await client.get("/callers/history", params={"call": call})
    assert page.status_code == 404
    assert "找不到这通来电" in page.text


async def test_agents_are_sent_home(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await create_user(app_sessionmaker, "agent", Role.AGENT)
    await _sign_in(client, "agent")
    page = await client.get("/callers/history", params={"call": "1"}, follow_redirects=False)
    assert page.status_code == 303
