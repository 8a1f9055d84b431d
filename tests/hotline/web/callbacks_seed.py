"""Callbacks in every state, for the callbacks page's browser test and its screenshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import Agent, Call, Callback, Site
from hotline.db.session import transaction

# Far above the ids the running service reserves for its own calls and callbacks.
FIRST_ID = 900_001
NUMBERS = ("13905710011", "13905710012", "13905710013", "13905710014")


async def seed_callbacks(maker: async_sessionmaker[AsyncSession]) -> list[int]:
    """A due one, a pending one (in two hours), a failed one with three attempts, a done one."""
    now = datetime.now(UTC)
    async with transaction(maker) as session:
        site_id = await session.scalar(select(Site.id).where(Site.code == "hz"))
        agent_id = await session.scalar(select(Agent.id).order_by(Agent.id).limit(1))
        assert site_id is not None
        plan = [
            ("pending", now - timedelta(minutes=10), 0, None),
            ("pending", now + timedelta(hours=2), 1, "no_answer"),
            ("failed", None, 3, "no_answer"),
            ("done", None, 1, "answered"),
        ]
        ids = []
        for index, (status, due, attempts, last) in enumerate(plan):
            callback_id = FIRST_ID + index
            asked = now - timedelta(hours=3 - index * 0.5)
            session.add(
                Call(
                    id=callback_id, site_id=site_id, channel_id=f"seed-origin-{callback_id}",
                    caller_number=NUMBERS[index], arrived_at=asked, business_line="national_tax",
                    language="zh", outcome="callback_requested",
                )
            )  # fmt: skip
            await session.flush()
            session.add(
                Callback(
                    id=callback_id, origin_call_id=callback_id, site_id=site_id,
                    number=NUMBERS[index], business_line="national_tax", language="zh",
                    arrived_at=asked, requested_at=asked, status=status, attempts=attempts,
                    next_attempt_at=due, last_outcome=last,
                )
            )  # fmt: skip
            await session.flush()
            for attempt in range(attempts):
                answered = last == "answered"
                session.add(
                    Call(
                        id=callback_id * 10 + attempt, site_id=site_id, kind="callback",
                        channel_id=f"callback-{callback_id}-{attempt + 1}-0",
                        caller_number=NUMBERS[index], callback_id=callback_id, agent_id=agent_id,
                        arrived_at=asked + timedelta(minutes=10 * (attempt + 1)),
                        outcome="answered" if answered else "failed",
                        ended_by=None if answered else "no_answer",
                    )
                )  # fmt: skip
            ids.append(callback_id)
        return ids
