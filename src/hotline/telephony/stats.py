"""Today's call counters per skill, from the call table (KPI definitions: DOMAIN.md).

offered: inbound calls that reached a queue; answered; abandoned (in queue or while an agent
rang; IVR hang-ups are not offered calls); callbacks requested (not abandons); service level:
answered within `threshold_s` of entering the queue / offered, abandons counting as misses.
"Today" is the calendar day in China (UTC+8).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import Call
from hotline.db.session import transaction

CHINA = timezone(timedelta(hours=8))
SL_THRESHOLD_S = 20.0


@dataclass
class SkillCounters:
    offered: int = 0
    answered: int = 0
    answered_within: int = 0
    abandoned: int = 0
    callbacks_requested: int = 0

    @property
    def service_level(self) -> float | None:
        return None if self.offered == 0 else self.answered_within / self.offered


def day_start(now: datetime) -> datetime:
    local = now.astimezone(CHINA)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


async def today_counters(
    sessionmaker: async_sessionmaker[AsyncSession],
    now: datetime,
    *,
    threshold_s: float = SL_THRESHOLD_S,
) -> dict[tuple[str, str], SkillCounters]:
    start = day_start(now)
    async with transaction(sessionmaker) as session:
        rows = await session.execute(
            select(
                Call.business_line, Call.language, Call.queued_at, Call.answered_at, Call.outcome
            ).where(Call.kind == "inbound", Call.queued_at.is_not(None), Call.queued_at >= start)
        )
        counters: dict[tuple[str, str], SkillCounters] = {}
        for line, language, queued_at, answered_at, outcome in rows:
            skill = counters.setdefault((line or "", language or ""), SkillCounters())
            skill.offered += 1
            if answered_at is not None and queued_at is not None:
                skill.answered += 1
                if (answered_at - queued_at).total_seconds() <= threshold_s:
                    skill.answered_within += 1
            elif outcome in ("abandoned_queue", "abandoned_ringing"):
                skill.abandoned += 1
            elif outcome == "callback_requested":
                skill.callbacks_requested += 1
        return counters
