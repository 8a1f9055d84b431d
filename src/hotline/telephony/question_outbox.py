"""No diverted question is lost: each is written to the ``diverted_question`` outbox before
anything tries to file it, and filed (``Acd.on_question``) until that succeeds.

A filing that fails (the database away at that moment, the work-order rules unreadable) leaves
the row due again after a growing delay; the row is marked filed in the same breath as the
order's reference is learnt. The hook itself is idempotent (one order per call), so a crash
between filing and marking files nothing twice. If even the outbox row cannot be written the
question is held in memory and the write is retried until it lands (or the process stops,
when it is logged with every field, to be filed by hand).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.fence import FencedOut
from hotline.db.models import DivertedQuestionRow
from hotline.telephony.context import Context
from hotline.telephony.diverted import DivertedQuestion, QuestionHook

log = structlog.get_logger(__name__)

FIRST_RETRY_S = 5.0
LONGEST_RETRY_S = 600.0
SWEEP_EVERY_S = 30.0  # due rows are looked for this often even when nothing wakes the worker
BATCH = 50


def retry_delay(attempts: int, first_s: float = FIRST_RETRY_S) -> float:
    """5 s, 10 s, 20 s ... up to 10 minutes: a database back after an outage is not flooded."""
    return float(min(LONGEST_RETRY_S, first_s * 2.0 ** max(0, attempts - 1)))


def _data(question: DivertedQuestion) -> dict[str, Any]:
    data = dataclasses.asdict(question)
    data["at"] = question.at.isoformat()
    return data


def question_of(data: dict[str, Any]) -> DivertedQuestion:
    known = {f.name for f in dataclasses.fields(DivertedQuestion)}
    values = {k: v for k, v in data.items() if k in known}
    values["at"] = datetime.fromisoformat(str(data["at"]))
    return DivertedQuestion(**values)


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
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._sweep_every_s)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


__all__ = ["QuestionOutbox", "question_of", "retry_delay"]
