"""Persistence of calls, their journal, agent sessions and state log, and callbacks.

Writes do not wait for the database: each is handed to the CTI engine's :class:`WriteQueue`,
which applies them in order on a connection pool of their own (retrying while the database is
away), so what Asterisk needs next never queues behind bookkeeping. The ids of new calls and
callbacks are reserved ahead (:class:`IdAllocator`), so even opening a call answers from memory.
Every write stays idempotent: a duplicated notification finds the row it already made, and a
final outcome is never overwritten.

Reads come in two kinds. Reads the call path needs (the caller's previous calls for the screen
pop, the sites) go straight to the pool and never wait behind queued writes. Reads that must
see this process's own writes (:meth:`Recorder.get_call`, :meth:`Recorder.journal_entries`,
:meth:`Recorder.get_callback`) first wait for the queue to pass them: they are for the API and
tests, not for the call path.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Table, and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.ports import InboundCall
from hotline.db.ids import IdAllocator
from hotline.db.models import (
    AgentSession,
    AgentStateLog,
    Call,
    Callback,
    CallEvent,
    Site,
)
from hotline.db.models.call import CALLBACK_FINISHED
from hotline.db.session import transaction
from hotline.db.write_queue import WriteQueue

log = structlog.get_logger(__name__)

PREVIOUS_CALLS = 5
_SEQ_KEPT = 50_000  # calls whose journal numbering is kept in memory (the latest opened)
_SEQ_READ_CHUNK = 500  # calls per query when adopting: well under any driver's parameter limit
_LONGEST_CALL = timedelta(days=1)  # a call left open with an outcome is looked for this far back
_CALL_EVENT: Table = CallEvent.__table__  # type: ignore[assignment]
_STATE_LOG: Table = AgentStateLog.__table__  # type: ignore[assignment]


class Recorder:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], writes: WriteQueue) -> None:
        self._sessionmaker = sessionmaker
        self.writes = writes
        self._call_ids = IdAllocator(sessionmaker, "call")
        self._callback_ids = IdAllocator(sessionmaker, "callback")
        # Rows this process opened, so that asking twice answers from memory.
        self._opened: dict[tuple[int, str], int] = {}
        self._callbacks: dict[int, Callback] = {}  # by origin call id
        # The last journal sequence number of calls opened by this process: the next entry's
        # number is known at once, and the entry goes in the batch's bulk insert.
        self._seq: OrderedDict[int, int] = OrderedDict()

    async def prime(self) -> None:
        """Reserve the first call and callback ids (at start-up, off the call path)."""
        await self._call_ids.prime()
        await self._callback_ids.prime()

    async def flush(self) -> None:
        """Wait until every write handed over so far is in the database."""
        await self.writes.flush()

    # ------------------------------------------------------------------ sites

    async def site_ids(self) -> dict[str, int]:
        async with transaction(self._sessionmaker) as session:
            rows = await session.execute(select(Site.code, Site.id))
            return {code: site_id for code, site_id in rows}

    # ------------------------------------------------------------------ calls

    async def open_call(
        self, call: InboundCall, *, site_id: int, region: str, kind: str = "inbound", **extra: Any
    ) -> int:
        """The call's row id, at once; the row is written through the queue. A repeated
        arrival of the same channel finds the first id."""
        known = (site_id, call.key.call_id)
        found = self._opened.get(known)
        if found is not None:
            return found
        call_id = await self._call_ids.next()
        self._opened[known] = call_id
        self._seq[call_id] = 0
        while len(self._seq) > _SEQ_KEPT:
            self._seq.popitem(last=False)
        values = {
            "id": call_id,
            "site_id": site_id,
            "channel_id": call.key.call_id,
            "kind": kind,
            "caller_number": call.caller_number,
            "caller_name": call.caller_name,
            "dialled": call.dialled,
            "region": region,
            "arrived_at": call.arrived_at,
            "ivr_choices": {},
            "priority": 0,
            **extra,
        }

        async def write(session: AsyncSession) -> None:
            earlier = await session.scalar(
                select(Call.id).where(Call.site_id == site_id, Call.channel_id == known[1])
            )
            if earlier == call_id:
                # Written from the call's diverted question (``question_outbox``), whose
                # filing did not wait for this queue: add what only the arrival knows.
                await session.execute(
                    update(Call)
                    .where(Call.id == call_id)
                    .values(caller_name=values["caller_name"], dialled=values["dialled"])
                )
                return
            if earlier is not None:  # written by an earlier process: keep that row
                log.warning("call_row_exists", call_id=call_id, earlier=earlier)
                return
            await session.execute(insert(Call).values(**values))

        await self.writes.put("open_call", write)
        return call_id

    async def _put_update(self, label: str, statement: Any) -> None:
        async def write(session: AsyncSession) -> None:
            await session.execute(statement)

        await self.writes.put(label, write)

    async def update_call(self, call_id: int, values: Mapping[str, Any]) -> None:
        """Change a live call; a call that already has its outcome is left alone."""
        await self._put_update(
            "update_call",
            update(Call).where(Call.id == call_id, Call.outcome.is_(None)).values(**dict(values)),
        )

    async def set_recording(self, call_id: int, values: Mapping[str, Any]) -> None:
        """Set the recording columns, whatever the call's outcome (it may close first)."""
        await self._put_update(
            "set_recording", update(Call).where(Call.id == call_id).values(**dict(values))
        )

    async def set_outcome(self, call_id: int, outcome: str, values: Mapping[str, Any]) -> None:
        """Set the outcome (and `values`) unless one is set already (the first one wins)."""
        await self._put_update(
            "set_outcome",
            update(Call)
            .where(Call.id == call_id, Call.outcome.is_(None))
            .values(outcome=outcome, **dict(values)),
        )

    async def close_call(self, call_id: int, outcome: str, values: Mapping[str, Any]) -> None:
        """Write the end of a call (durations, ended_at) once, and its outcome if it has none.

        One write (one transaction): a reader never sees a call with its final outcome but no
        end time.
        """
        for key, opened in list(self._opened.items()):
            if opened == call_id:
                del self._opened[key]
        self._callbacks.pop(call_id, None)
        first = (
            update(Call).where(Call.id == call_id, Call.outcome.is_(None)).values(outcome=outcome)
        )
        then = (
            update(Call)
            .where(Call.id == call_id, Call.ended_at.is_(None))
            .values(live_state=None, **dict(values))
        )

        async def write(session: AsyncSession) -> None:
            await session.execute(first)
            await session.execute(then)

        await self.writes.put("close_call", write)

    async def set_survey(self, call_id: int, score: int) -> None:
        await self._put_update(
            "set_survey", update(Call).where(Call.id == call_id).values(survey_score=score)
        )

    async def get_call(self, call_id: int) -> Call | None:
        await self.flush()
        async with transaction(self._sessionmaker) as session:
            return await session.get(Call, call_id)

    async def live_calls(self, now: datetime) -> Sequence[Call]:
        """The calls a process left live: no outcome yet, or an outcome but no end (a caller
        diverted, or who accepted a callback, while that process died): the next one adopts or
        closes them all. Those with an outcome are looked for among the last day's arrivals
        (by the index on ``arrived_at``): no call lasts longer, and a takeover must not scan
        the whole table."""
        async with transaction(self._sessionmaker) as session:
            rows = await session.scalars(
                select(Call)
                .where(
                    or_(
                        Call.outcome.is_(None),
                        and_(Call.ended_at.is_(None), Call.arrived_at >= now - _LONGEST_CALL),
                    )
                )
                .order_by(Call.id)
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

    async def continue_journals(self, call_ids: Sequence[int]) -> None:
        """Learn where the journals of calls of another process (adopted after a takeover or a
        restart) stand, in one query per 500 calls, before any entry of theirs is queued: their
        entries then go in the batches' bulk insert like this process's own, rather than each
        reading its call's last number first (two round trips an entry, a dozen entries per
        call, hundreds of calls in one takeover)."""
        ids = list(call_ids)
        for start in range(0, len(ids), _SEQ_READ_CHUNK):
            chunk = ids[start : start + _SEQ_READ_CHUNK]
            async with transaction(self._sessionmaker) as session:
                rows = await session.execute(
                    select(CallEvent.call_id, func.max(CallEvent.seq))
                    .where(CallEvent.call_id.in_(chunk))
                    .group_by(CallEvent.call_id)
                )
                last = {call_id: seq for call_id, seq in rows}
            for call_id in chunk:
                self._seq[call_id] = last.get(call_id) or 0
        while len(self._seq) > _SEQ_KEPT:
            self._seq.popitem(last=False)

    async def journal(self, call_id: int, at: datetime, kind: str, data: Mapping[str, Any]) -> None:
        """Append one entry after the call's last. The queue's single writer applies entries in
        order; for a call of another process (adopted after a restart) the next number is
        the last one written plus one."""
        entry = dict(data)
        last = self._seq.get(call_id)
        if last is not None:
            self._seq[call_id] = last + 1
            row = {"call_id": call_id, "seq": last + 1, "at": at, "kind": kind, "data": entry}
            await self.writes.put_append("journal", _CALL_EVENT, row)
            return

        async def write(session: AsyncSession) -> None:
            found = await session.scalar(
                select(func.max(CallEvent.seq)).where(CallEvent.call_id == call_id)
            )
            await session.execute(
                insert(CallEvent).values(
                    call_id=call_id, seq=(found or 0) + 1, at=at, kind=kind, data=entry
                )
            )

        await self.writes.put("journal", write)

    async def journal_entries(self, call_id: int) -> Sequence[CallEvent]:
        await self.flush()
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
        values = {
            "agent_id": agent_id,
            "at": at,
            "status": status,
            "reason": reason,
            "site_id": site_id,
            "call_id": call_id,
        }
        await self.writes.put_append("log_agent_state", _STATE_LOG, values)

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
        async def write(session: AsyncSession) -> None:
            row = await session.get(AgentSession, agent_id)
            if row is None:
                row = AgentSession(agent_id=agent_id)
                session.add(row)
            row.site_id = site_id
            row.endpoint = endpoint
            row.status = status
            row.reason = reason
            row.since = since

        await self.writes.put("save_session", write)

    async def update_session_state(
        self, agent_id: int, *, status: str, reason: str | None, since: datetime
    ) -> None:
        await self._put_update(
            "update_session_state",
            update(AgentSession)
            .where(AgentSession.agent_id == agent_id)
            .values(status=status, reason=reason, since=since),
        )

    async def delete_session(self, agent_id: int) -> None:
        await self._put_update(
            "delete_session", delete(AgentSession).where(AgentSession.agent_id == agent_id)
        )

    # -------------------------------------------------------------- callbacks

    async def open_callback(self, values: Mapping[str, Any]) -> Callback:
        """One callback per origin call: asking twice finds the first. The returned row is not
        attached to a session; it is written through the queue."""
        origin = values["origin_call_id"]
        found = self._callbacks.get(origin)
        if found is not None:
            return found
        callback_id = await self._callback_ids.next()
        row = Callback(id=callback_id, **dict(values))
        self._callbacks[origin] = row
        fields = {"id": callback_id, **dict(values)}

        async def write(session: AsyncSession) -> None:
            earlier = await session.scalar(
                select(Callback.id).where(Callback.origin_call_id == origin)
            )
            if earlier is not None:
                log.warning("callback_row_exists", callback_id=callback_id, earlier=earlier)
                return
            session.add(Callback(**fields))

        await self.writes.put("open_callback", write)
        return row

    async def update_callback(self, callback_id: int, values: Mapping[str, Any]) -> None:
        """Change an open callback; a finished one (done, failed, or cancelled by a supervisor
        while the engine was busy with it) is left alone, so a late engine write never revives
        a cancelled callback."""
        await self._put_update(
            "update_callback",
            update(Callback)
            .where(Callback.id == callback_id, Callback.status.notin_(CALLBACK_FINISHED))
            .values(**dict(values)),
        )

    async def claim_callback(self, callback_id: int, agent_id: int, now: datetime) -> bool:
        """Mark the callback as being dialled, only if it is still pending and due.

        The conditional UPDATE is the one place where an attempt starting and a supervisor's
        reschedule or cancel (``hotline.api.callbacks``) meet: the database applies one of them
        first and the other then matches no row. It goes through the write queue (after the
        writes before it) and waits for it, so the answer is the committed one."""
        claimed: list[bool] = []

        async def write(session: AsyncSession) -> None:
            result = await session.execute(
                update(Callback)
                .where(
                    Callback.id == callback_id,
                    Callback.status == "pending",
                    or_(Callback.next_attempt_at.is_(None), Callback.next_attempt_at <= now),
                )
                .values(status="dialling", agent_id=agent_id)
            )
            claimed[:] = [getattr(result, "rowcount", 0) == 1]

        await self.writes.put("claim_callback", write)
        await self.writes.flush()
        return claimed == [True]

    async def get_callback(self, callback_id: int) -> Callback | None:
        await self.flush()
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
