"""No diverted question is lost: each is written to the ``diverted_question`` outbox before
anything tries to file it, and filed (``Acd.on_question``) until that succeeds.

A filing that fails (the database away at that moment, the work-order rules unreadable) leaves
the row due again after a growing delay; the row is marked filed in the same breath as the
order's reference is learnt. The hook itself is idempotent (one order per call), so a crash
between filing and marking files nothing twice. If even the outbox row cannot be written the
question is held in memory and the write is retried until it lands (or the process stops,
when it is logged with every field, to be filed by hand).

**The call row may not exist.** The question is committed at once, on its own, while the call's
row goes through the engine's write queue, which may not have written it yet. If the process
(or, in a cluster, the leader's term) dies in between, the order could never be filed: its
``call_id`` names no row. So the filing first makes sure the call row exists, writing it from
what the question carries (number, site and channel, line, language, IVR choices, times) when
it does not, with an insert that does nothing on a conflict: a later write of the same call (the
write queue's ``open_call``) completes that row instead of failing or making a second one. A call
of a dead process is written as diverted and still open, so that the next engine adopts it (or
closes it, its caller gone) like any call left live; :meth:`QuestionOutbox.write_missing_calls`
does that for every such question before the engine loads its live calls, so a caller still on
the line is picked up under its own row, never opened a second time.

Why not write the question in the write queue's transaction, after the call row, so that both
commit together? The question would then be lost with the queue's unwritten tail when the
process dies, which is exactly what this outbox is for: a caller who left a voicemail must be
called back even when the call record of the last seconds is lost. A question that outlives its
call row is cheap to repair from its own fields; a question that was never written cannot be.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.ports import CallPhase, EndedBy
from hotline.db.fence import FencedOut
from hotline.db.models import Call, DivertedQuestionRow, Site
from hotline.telephony.context import Context
from hotline.telephony.diverted import DivertedQuestion, QuestionHook
from hotline.telephony.region import region_of

log = structlog.get_logger(__name__)

FIRST_RETRY_S = 5.0
LONGEST_RETRY_S = 600.0
SWEEP_EVERY_S = 30.0  # due rows are looked for this often even when nothing wakes the worker
BATCH = 50


def retry_delay(attempts: int, first_s: float = FIRST_RETRY_S) -> float:
    """5 s, 10 s, 20 s ... up to 10 minutes: a database back after an outage is not flooded."""
    return float(min(LONGEST_RETRY_S, first_s * 2.0 ** max(0, attempts - 1)))


_TIMES = ("at", "arrived_at", "queued_at")  # the question's fields stored as ISO strings


def _data(question: DivertedQuestion) -> dict[str, Any]:
    data = dataclasses.asdict(question)
    for name in _TIMES:
        if isinstance(data.get(name), datetime):
            data[name] = data[name].isoformat()
    return data


def question_of(data: dict[str, Any]) -> DivertedQuestion:
    """The question back from its row (a row written before a field existed lacks it)."""
    known = {f.name for f in dataclasses.fields(DivertedQuestion)}
    values = {k: v for k, v in data.items() if k in known}
    for name in _TIMES:
        if values.get(name) is not None:
            values[name] = datetime.fromisoformat(str(values[name]))
    return DivertedQuestion(**values)


class CallNotWritable(Exception):
    """The question's call row is missing and cannot be written (yet): the question names no
    site this database knows, or the row it conflicted with is gone."""


class QuestionOutbox:
    def __init__(
        self,
        ctx: Context,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        first_retry_s: float = FIRST_RETRY_S,
        sweep_every_s: float = SWEEP_EVERY_S,
    ) -> None:
        self._ctx = ctx
        self._sessionmaker = sessionmaker
        self._first_retry_s = first_retry_s
        self._sweep_every_s = sweep_every_s
        self.hook: QuestionHook | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._delivering = asyncio.Lock()

    # ------------------------------------------------------------------ writing

    async def keep(self, question: DivertedQuestion) -> None:
        """Write the question's row (retrying while the database refuses), then wake the
        worker. A second question for the same call is the first one again: ignored."""
        attempts = 0
        while True:
            try:
                await self._insert(question)
                break
            except IntegrityError:
                break  # already kept (a retry after a lost acknowledgement)
            except FencedOut:
                # This engine no longer leads: retrying would pass the row off as the current
                # leader's. Logged with every field, to be filed by hand.
                log.error("question_fenced", question=_data(question))
                return
            except Exception as error:
                attempts += 1
                log.warning("question_not_kept_yet", call_id=question.call_id, error=str(error))
                try:
                    await asyncio.sleep(retry_delay(attempts, self._first_retry_s))
                except asyncio.CancelledError:
                    log.error("question_lost_at_stop", question=_data(question))
                    raise
        self._wake.set()

    async def _insert(self, question: DivertedQuestion) -> None:
        async with self._sessionmaker() as session:
            session.add(
                DivertedQuestionRow(
                    call_id=question.call_id,
                    question=_data(question),
                    created_at=self._ctx.now(),
                    attempts=0,
                    next_attempt_at=self._ctx.now(),
                    recording=question.recording,
                    site=question.site,
                )
            )
            await session.commit()

    # ------------------------------------------------------------------ filing

    async def deliver_due(self) -> int:
        """File every question that is due; how many were filed."""
        if self.hook is None:
            return 0
        async with self._delivering:  # one delivery at a time: no order filed twice
            async with self._sessionmaker() as session:
                rows = (
                    await session.scalars(
                        select(DivertedQuestionRow)
                        .where(
                            DivertedQuestionRow.filed_at.is_(None),
                            DivertedQuestionRow.next_attempt_at <= self._ctx.now(),
                        )
                        .order_by(DivertedQuestionRow.id)
                        .limit(BATCH)
                    )
                ).all()
                due = [(row.id, row.attempts, question_of(row.question)) for row in rows]
            filed = 0
            for row_id, attempts, question in due:
                filed += await self._file(row_id, attempts, question)
            return filed

    async def _file(self, row_id: int, attempts: int, question: DivertedQuestion) -> int:
        assert self.hook is not None
        now = self._ctx.now()
        try:
            call_id = await self.call_row_for(question)
            if call_id != question.call_id:
                question = dataclasses.replace(question, call_id=call_id)
            reference = await self.hook(question)
        except Exception as error:
            attempts += 1
            delay = retry_delay(attempts, self._first_retry_s)
            log.warning(
                "divert_work_order_failed",
                call_id=question.call_id,
                attempts=attempts,
                retry_in_s=delay,
                error=str(error)[:200],
            )
            values = {
                "attempts": attempts,
                "last_error": str(error)[:500],
                "next_attempt_at": now + timedelta(seconds=delay),
            }
            with contextlib.suppress(Exception):  # the database is away: the row stays due
                await self._update(row_id, values)
            with contextlib.suppress(Exception):
                data = {"error": str(error)[:200], "attempts": attempts, "retry_in_s": delay}
                await self._ctx.recorder.journal(question.call_id, now, "work_order_failed", data)
            return 0
        await self._update(
            row_id, {"filed_at": now, "reference": reference, "attempts": attempts + 1}
        )
        await self._ctx.recorder.journal(
            question.call_id, now, "work_order", {"reference": reference}
        )
        return 1

    # ------------------------------------------------------------ the call row

    async def call_row_for(self, question: DivertedQuestion) -> int:
        """The call row the question's order is filed against: the question's own, written
        from the question first when it does not exist (see the module's docstring); or, if
        another row already holds the question's channel (the caller was adopted under a new
        row), that one: the same caller, and one order for it."""
        async with self._sessionmaker() as session:
            found = await session.scalar(select(Call.id).where(Call.id == question.call_id))
            if found is not None:
                return found
            site_id = await session.scalar(select(Site.id).where(Site.code == question.site))
            if site_id is None:
                raise CallNotWritable(
                    f"call {question.call_id} is not written and site {question.site!r} is unknown"
                )
            values = self._call_values(question, site_id)
            dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
            # Nothing on a conflict: the row may be written meanwhile by the write queue, by
            # another round of this outbox, or by another instance's outbox.
            written = await session.scalar(
                dialect.insert(Call).values(**values).on_conflict_do_nothing().returning(Call.id)
            )
            found = written or await session.scalar(
                select(Call.id).where(Call.id == question.call_id)
            )
            if found is None:
                found = await session.scalar(
                    select(Call.id).where(
                        Call.site_id == site_id, Call.channel_id == values["channel_id"]
                    )
                )
            await session.commit()
        if found is None:  # the conflicting row was deleted meanwhile: the next round writes it
            raise CallNotWritable(f"call {question.call_id} is not written yet")
        if written is None and found == question.call_id:
            return found  # written by someone else meanwhile
        data = {"call_id": question.call_id, "open": values.get("ended_at") is None}
        kind = "written_from_question" if written is not None else "question_of_call"
        log.warning("diverted_call_" + kind, **data, found=found)
        await self._ctx.recorder.journal(found, self._ctx.now(), kind, data)
        return found

    def _call_values(self, question: DivertedQuestion, site_id: int) -> dict[str, Any]:
        """The call row as the question knows it. A call this process still has live is its
        own to carry on (its write queue writes the rest); any other belonged to a process
        that died: it is written diverted but open, for the next engine to adopt or close."""
        values: dict[str, Any] = {
            "id": question.call_id,
            "site_id": site_id,
            # A question kept before questions named their channel: a name no channel has.
            "channel_id": question.channel_id or f"question-{question.call_id}",
            "kind": "inbound",
            "caller_number": question.caller_number,
            "region": question.region or region_of(question.caller_number),
            "arrived_at": question.arrived_at or question.at,
            "language": question.language,
            "business_line": question.line,
            "ivr_choices": question.ivr_choices,
            "priority": 0,
            "ivr_done_at": question.queued_at,
            "queued_at": question.queued_at,
        }
        live = self._ctx.calls.by_contact.get(str(question.call_id))
        if live is not None and live.call_id == question.call_id:
            return values
        phase = CallPhase.IVR if question.queued_at is None else CallPhase.QUEUE
        values["outcome"] = "diverted"
        values["live_state"] = {
            "phase": phase.value,
            "contact_id": str(question.call_id),
            "diverted_to": question.outcome,
            "divert_reason": question.reason,
        }
        if question.channel_id is None:  # no engine could ever adopt it: closed at once
            values["ended_at"] = question.at
            values["ended_by"] = EndedBy.SYSTEM.value
        return values

    async def write_missing_calls(self) -> int:
        """The call rows of the questions still to be filed whose call was never written (its
        process died first), written before the engine loads the calls left live: a caller
        still on the line is then adopted under that row, not opened a second time, and one
        who left is closed. How many were written."""
        async with self._sessionmaker() as session:
            found = (
                await session.scalars(
                    select(DivertedQuestionRow.question)
                    .where(
                        DivertedQuestionRow.filed_at.is_(None),
                        ~exists().where(Call.id == DivertedQuestionRow.call_id),
                    )
                    .order_by(DivertedQuestionRow.id)
                )
            ).all()
        written = 0
        for data in found:
            question = question_of(data)
            try:
                if await self.call_row_for(question) == question.call_id:
                    written += 1
            except CallNotWritable as error:  # filed by hand: its filing logs it each round
                log.error("diverted_call_not_written", call_id=question.call_id, error=str(error))
        if written:
            # Their journal entries are in before the engine numbers the next ones from the
            # database (``Recorder.continue_journals``).
            await self._ctx.recorder.flush()
        return written

    async def _update(self, row_id: int, values: dict[str, Any]) -> None:
        async with self._sessionmaker() as session:
            await session.execute(
                update(DivertedQuestionRow).where(DivertedQuestionRow.id == row_id).values(values)
            )
            await session.commit()

    # ------------------------------------------------------------------ the worker

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="diverted-questions")

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.deliver_due()
            except Exception:  # the database is away: the rows wait for the next round
                log.exception("diverted_questions_round_failed")
            # ``asyncio.timeout``, not ``wait_for``: on Python 3.11 a ``wait_for`` whose event
            # is set just as the task is cancelled (a question kept right before ``stop``)
            # returns as if woken and loses the cancellation, and ``stop`` waits for ever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._sweep_every_s):
                    await self._wake.wait()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


__all__ = ["CallNotWritable", "QuestionOutbox", "question_of", "retry_delay"]
