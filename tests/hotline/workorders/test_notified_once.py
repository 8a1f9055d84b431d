"""A person reached through two routes by one escalation step is notified once.

Bureau B has no liaison, so the "not acknowledged" step's liaison route falls back to the centre's
supervisors, and its dispatcher route names the supervisor who dispatched: the same person. Runs
on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from hotline.db.models import NotificationRow, User
from hotline.db.session import transaction
from hotline.workorders.rules import RulesCache
from hotline.workorders.sweeper import sweep_once
from tests.fixtures.app import FixedClock
from tests.hotline.workorders.conftest import Centre

pytestmark = pytest.mark.asyncio

# Tuesday 14:00 in Shanghai: past the 4-hour acknowledgement limit of Monday's dispatch.
TUESDAY_AFTERNOON = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)


async def _recipients(centre: Centre, kind: str) -> list[str]:
    async with transaction(centre.sessionmaker) as session:
        rows = await session.scalars(
            select(User.username)
            .join(NotificationRow, NotificationRow.recipient_user_id == User.id)
            .where(NotificationRow.kind == kind)
            .order_by(User.username)
        )
        return list(rows)


async def test_the_dispatcher_who_is_also_the_fallback_liaison_hears_once(
    centre: Centre, clock: FixedClock
) -> None:
    await centre.dispatched(to="dept_b")
    clock.current = TUESDAY_AFTERNOON
    result = await sweep_once(centre.sessionmaker, clock, RulesCache(centre.sessionmaker))
    assert result.applied == 2  # not_acknowledged and remind_handler
    assert await _recipients(centre, "escalation:not_acknowledged") == ["supervisor-user"]


async def test_different_people_and_different_orders_still_hear_each(
    centre: Centre, clock: FixedClock
) -> None:
    await centre.dispatched(to="dept_a")
    await centre.dispatched(to="dept_b")
    clock.current = TUESDAY_AFTERNOON
    await sweep_once(centre.sessionmaker, clock, RulesCache(centre.sessionmaker))
    # Bureau A: its liaison and the dispatcher; bureau B: the dispatcher once.
    assert await _recipients(centre, "escalation:not_acknowledged") == [
        "liaison-a",
        "supervisor-user",
        "supervisor-user",
    ]
