"""Persistence of calls, their journal, agent sessions and state log, and callbacks.

Every write is its own short transaction, so a slow request never holds a call's write behind it,
and every write is idempotent: a duplicated notification finds the row it already made, and a
final outcome is never overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.ports import InboundCall
from hotline.db.models import (
    AgentSession,
    AgentStateLog,
    Call,
    Callback,
    CallEvent,
    Site,
)
from hotline.db.session import transaction

PREVIOUS_CALLS = 5
_JOURNAL_RETRIES = 5


class Recorder:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    # ------------------------------------------------------------------ sites

    async def site_ids(self) -> dict[str, int]:
        async with transaction(self._sessionmaker) as session:
            rows = await session.execute(select(Site.code, Site.id))
            return {code: site_id for code, site_id in rows}

    # ------------------------------------------------------------------ calls

    async def open_call(
        self, call: InboundCall, *, site_id: int, region: str, kind: str = "inbound", **extra: Any
    ) -> int:
        """The call's row id; a repeated arrival of the same channel finds the first row."""
        found = await self._call_id(site_id, call.key.call_id)
        if found is not None:
            return found
        try:
            async with transaction(self._sessionmaker) as session:
                row = Call(
                    site_id=site_id,
                    channel_id=call.key.call_id,
                    kind=kind,
                    caller_number=call.caller_number,
                    caller_name=call.caller_name,
                    dialled=call.dialled,
                    region=region,
                    arrived_at=call.arrived_at,
                    ivr_choices={},
                    priority=0,
                    **extra,
                )
                session.add(row)
                await session.flush()
                return row.id
        except IntegrityError:
            found = await self._call_id(site_id, call.key.call_id)
            if found is None:
                raise
            return found

    async def _call_id(self, site_id: int, channel_id: str) -> int | None:
        async with transaction(self._sessionmaker) as session:
            return await session.scalar(
                select(Call.id).where(Call.site_id == site_id, Call.channel_id == channel_id)
            )

    async def update_call(self, call_id: int, values: Mapping[str, Any]) -> None:
        """Change a live call; a call that already has its outcome is left alone."""
        async with transaction(self._sessionmaker) as session:
            await session.execute(
                update(Call)
                .where(Call.id == call_id, Call.outcome.is_(None))
                .values(**dict(values))
            )

    async def set_outcome(self, call_id: int, outcome: str, values: Mapping[str, Any]) -> bool:
        """Set the outcome (and `values`) unless one is set already; True if this call set it."""
        async with transaction(self._sessionmaker) as session:
            result = await session.execute(
                update(Call)
                .where(Call.id == call_id, Call.outcome.is_(None))
                .values(outcome=outcome, **dict(values))
            )
            return bool(getattr(result, "rowcount", 0))

    async def close_call(self, call_id: int, outcome: str, values: Mapping[str, Any]) -> None:
        """Write the end of a call (durations, ended_at) once, and its outcome if it has none.

        One transaction: a reader never sees a call with its final outcome but no end time.
        """
        async with transaction(self._sessionmaker) as session:
            await session.execute(
                update(Call)
                .where(Call.id == call_id, Call.outcome.is_(None))
                .values(outcome=outcome)
            )
            await session.execute(
                update(Call)
                .where(Call.id == call_id, Call.ended_at.is_(None))
                .values(live_state=None, **dict(values))
            )

    async def set_survey(self, call_id: int, score: int) -> None:
        async with transaction(self._sessionmaker) as session:
            await session.execute(update(Call).where(Call.id == call_id).values(survey_score=score))

    async def get_call(self, call_id: int) -> Call | None:
        async with transaction(self._sessionmaker) as session:
            return await session.get(Call, call_id)

    async def live_calls(self) -> Sequence[Call]:
        async with transaction(self._sessionmaker) as session:
            rows = await session.scalars(
                select(Call).where(Call.outcome.is_(None)).order_by(Call.id)
            )
            return rows.all()

    async def previous_calls(self, number: str, *, before_id: int) -> list[dict[str, Any]]:
        """The caller's last calls before this one, newest first, for the screen pop."""
        async with transaction(self._sessionmaker) as session:
            rows = await session.scalars(
                select(Call)
                .where(Call.caller_number == number, Call.id < before_id)
                .order_by(Call.id.desc())
                .limit(PREVIOUS_CALLS)
            )
            return [
                {
                    "call_id": row.id,
                    "arrived_at": row.arrived_at.isoformat(),
                    "business_line": row.business_line,
                    "outcome": row.outcome,
                    "agent_id": row.agent_id,
                }
                for row in rows
            ]

    # ---------------------------------------------------------------- journal

    async def journal(self, call_id: int, at: datetime, kind: str, data: Mapping[str, Any]) -> None:
        """Append one entry; two writers racing for a sequence number retry with the next."""
        for _ in range(_JOURNAL_RETRIES):
            try:
                async with transaction(self._sessionmaker) as session:
                    last = await session.scalar(
                        select(func.max(CallEvent.seq)).where(CallEvent.call_id == call_id)
                    )
                    session.add(
                        CallEvent(
                            call_id=call_id, seq=(last or 0) + 1, at=at, kind=kind, data=dict(data)
                        )
                    )
                return
            except IntegrityError:
                continue
        raise RuntimeError(f"call {call_id}: could not append journal entry {kind!r}")

    async def journal_entries(self, call_id: int) -> Sequence[CallEvent]:
        async with transaction(self._sessionmaker) as session:
            rows = await session.scalars(
                select(CallEvent).where(CallEvent.call_id == call_id).order_by(CallEvent.seq)
            )
            return rows.all()

    # ----------------------------------------------------------------- agents

    async def log_agent_state(
        self,
        agent_id: int,
        at: datetime,
        status: str,
        *,
        reason: str | None = None,
        site_id: int | None = None,
        call_id: int | None = None,
    ) -> None:
        async with transaction(self._sessionmaker) as session:
            session.add(
                AgentStateLog(
                    agent_id=agent_id,
                    at=at,
                    status=status,
                    reason=reason,
                    site_id=site_id,
                    call_id=call_id,
                )
            )

    async def save_session(
        self,
        agent_id: int,
        *,
        site_id: int,
        endpoint: str,
        status: str,
        reason: str | None,
        since: datetime,
    ) -> None:
        async with transaction(self._sessionmaker) as session:
            row = await session.get(AgentSession, agent_id)
            if row is None:
                row = AgentSession(agent_id=agent_id)
                session.add(row)
            row.site_id = site_id
            row.endpoint = endpoint
            row.status = status
            row.reason = reason
            row.since = since

    async def update_session_state(
        self, agent_id: int, *, status: str, reason: str | None, since: datetime
    ) -> None:
        async with transaction(self._sessionmaker) as session:
            await session.execute(
                update(AgentSession)
                .where(AgentSession.agent_id == agent_id)
                .values(status=status, reason=reason, since=since)
            )

    async def delete_session(self, agent_id: int) -> None:
        async with transaction(self._sessionmaker) as session:
            row = await session.get(AgentSession, agent_id)
            if row is not None:
                await session.delete(row)

    async def sessions(self) -> Sequence[AgentSession]:
        async with transaction(self._sessionmaker) as session:
            rows = await session.scalars(select(AgentSession).order_by(AgentSession.agent_id))
            return rows.all()

    # -------------------------------------------------------------- callbacks

    async def open_callback(self, values: Mapping[str, Any]) -> Callback:
        """One callback per origin call: asking twice finds the first."""
        origin = values["origin_call_id"]
        try:
            async with transaction(self._sessionmaker) as session:
                found = await session.scalar(
                    select(Callback).where(Callback.origin_call_id == origin)
                )
                if found is not None:
                    return found
                row = Callback(**dict(values))
                session.add(row)
                await session.flush()
                return row
        except IntegrityError:
            async with transaction(self._sessionmaker) as session:
                return (
                    await session.scalars(select(Callback).where(Callback.origin_call_id == origin))
                ).one()

    async def update_callback(self, callback_id: int, values: Mapping[str, Any]) -> None:
        async with transaction(self._sessionmaker) as session:
            await session.execute(
                update(Callback).where(Callback.id == callback_id).values(**dict(values))
            )

    async def get_callback(self, callback_id: int) -> Callback | None:
        async with transaction(self._sessionmaker) as session:
            return await session.get(Callback, callback_id)

    async def open_callbacks(self) -> Sequence[Callback]:
        """Callbacks still owed: pending, or dialling when the service stopped."""
        async with transaction(self._sessionmaker) as session:
            rows = await session.scalars(
                select(Callback)
                .where(Callback.status.in_(("pending", "dialling")))
                .order_by(Callback.arrived_at, Callback.id)
            )
            return rows.all()
