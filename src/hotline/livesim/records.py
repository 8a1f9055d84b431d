"""The KPIs of a live run, computed from the service's own call records.

Each planned call is found again by its unique caller number; what the ``call`` row says happened
is turned into the offline simulator's call log and time bins, so that ``simulations.metrics``
computes every figure with the same definitions as the offline run (DOMAIN.md, "KPIs").
Calls are counted in the interval in which they were placed; the warm-up is not counted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import AgentStateLog, Call
from hotline.db.session import create_engine, create_sessionmaker
from hotline.livesim.callers import PlannedCall
from simulations.metrics import CallLog, Outcome, ReplicationFigures, TimeBins, summarise
from simulations.scenario import Scenario

_OUTCOMES = {
    "answered": Outcome.ANSWERED,
    "abandoned_queue": Outcome.ABANDONED,
    "abandoned_ringing": Outcome.ABANDONED,
    "callback_requested": Outcome.CALLBACK,
    "diverted": Outcome.DIVERTED,
}


@dataclass(frozen=True, slots=True)
class CallRow:
    """What the figures need of one ``call`` row; times in emulated seconds from the run start."""

    number: str
    outcome: str | None
    arrived_s: float
    queued_s: float | None
    offered_s: float | None
    answered_s: float | None
    ended_s: float | None
    wait_s: float | None
    ring_s: float | None
    talk_s: float | None
    hold_s: float | None
    ivr_s: float | None


@dataclass(frozen=True, slots=True)
class StateRow:
    agent_id: int
    at_s: float
    status: str


@dataclass(frozen=True, slots=True)
class Records:
    calls: list[CallRow]
    states: list[StateRow]


def queue_entry_reader(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> Callable[[int], Awaitable[tuple[str, datetime] | None]]:
    """Looks up a call record's channel id and queue entry time (for the patience keeper)."""

    async def queue_entry(call_id: int) -> tuple[str, datetime] | None:
        async with sessionmaker() as session:
            found = await session.execute(
                select(Call.channel_id, Call.queued_at).where(Call.id == call_id)
            )
            row = found.first()
        if row is None or row.queued_at is None:
            return None
        return str(row.channel_id), row.queued_at

    return queue_entry


def _since(moment: datetime | None, start_epoch: float) -> float | None:
    return None if moment is None else moment.timestamp() - start_epoch


@dataclass(frozen=True, slots=True)
class Marks:
    """The last call and state-log ids before a run: a reused database's older rows are skipped."""

    call_id: int
    state_id: int


async def record_marks(database_url: str) -> Marks:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            call_id = await session.scalar(select(func.max(Call.id)))
            state_id = await session.scalar(select(func.max(AgentStateLog.id)))
    finally:
        await engine.dispose()
    return Marks(call_id or 0, state_id or 0)


async def read_records(database_url: str, start_epoch: float, marks: Marks) -> Records:
    """The run's inbound calls and agent state changes; times from ``start_epoch`` (emulated)."""
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            calls = (
                await session.scalars(
                    select(Call)
                    .where(Call.kind == "inbound", Call.id > marks.call_id)
                    .order_by(Call.id)
                )
            ).all()
            states = (
                await session.scalars(
                    select(AgentStateLog)
                    .where(AgentStateLog.id > marks.state_id)
                    .order_by(AgentStateLog.id)
                )
            ).all()
    finally:
        await engine.dispose()
    call_rows = [
        CallRow(
            number=row.caller_number,
            outcome=row.outcome,
            arrived_s=row.arrived_at.timestamp() - start_epoch,
            queued_s=_since(row.queued_at, start_epoch),
            offered_s=_since(row.first_offered_at, start_epoch),
            answered_s=_since(row.answered_at, start_epoch),
            ended_s=_since(row.ended_at, start_epoch),
            wait_s=row.wait_s,
            ring_s=row.ring_s,
            talk_s=row.talk_s,
            hold_s=row.hold_s,
            ivr_s=row.ivr_s,
        )
        for row in calls
    ]
    state_rows = [
        StateRow(row.agent_id, row.at.timestamp() - start_epoch, row.status) for row in states
    ]
    return Records(call_rows, state_rows)


@dataclass(frozen=True, slots=True)
class Tally:
    """What became of the planned calls, beyond the KPIs."""

    placed: int
    recorded: int
    lost: int  # placed, but the service never recorded them
    stuck: int  # recorded, but still without an outcome after the drain
    ivr_abandons: int  # hung up in the IVR: not offered (DOMAIN.md)
    failed: int
    mean_ivr_s: float | None


def figures_of(
    scenario: Scenario, planned: Sequence[PlannedCall], records: Records
) -> tuple[ReplicationFigures, Tally]:
    by_number = {row.number: row for row in records.calls}
    log = CallLog()
    for call in planned:
        if call.interval < 0:
            continue
        row = by_number.get(call.number)
        if row is not None and row.outcome == "abandoned_ivr":
            continue  # never reached a queue: not offered
        entry = log.add(call.interval, call.traffic)
        if row is None or row.outcome not in _OUTCOMES:
            continue  # lost, stuck or failed: unresolved, a miss for every figure
        log.resolve(entry, _OUTCOMES[row.outcome], row.wait_s or 0.0)
    bins = TimeBins(scenario.warmup_s, scenario.interval_s, scenario.interval_count)
    day_end = scenario.warmup_s + scenario.day_s
    _add_call_spans(bins, records.calls, scenario.wrap_up_s, day_end)
    _add_logged_in(bins, records.states, day_end)
    labels = [traffic.label for traffic in scenario.traffic]
    figures = summarise(log, bins, labels, scenario.threshold_s)
    return figures, _tally(planned, by_number)


def _add_call_spans(bins: TimeBins, calls: list[CallRow], wrap_up_s: float, day_end: float) -> None:
    for row in calls:
        if row.queued_s is not None:
            left_queue = row.offered_s or row.answered_s or row.ended_s or day_end
            bins.add_span(bins.queue_area, row.queued_s, left_queue)
        if row.answered_s is not None:
            # Handling: the answering ring, the talk (hold included) and the wrap-up after it.
            start = row.answered_s - (row.ring_s or 0.0)
            talk = (row.talk_s or 0.0) + (row.hold_s or 0.0)
            bins.add_span(bins.handling, start, row.answered_s + talk + wrap_up_s)


def _add_logged_in(bins: TimeBins, states: list[StateRow], day_end: float) -> None:
    since: dict[int, float] = {}
    for row in sorted(states, key=lambda state: state.at_s):
        if row.status == "logged_in":
            since.setdefault(row.agent_id, row.at_s)
        elif row.status == "logged_out" and row.agent_id in since:
            bins.add_span(bins.logged_in, since.pop(row.agent_id), row.at_s)
    for start in since.values():
        bins.add_span(bins.logged_in, start, day_end)


def _tally(planned: Sequence[PlannedCall], by_number: dict[str, CallRow]) -> Tally:
    rows = [by_number[call.number] for call in planned if call.number in by_number]
    ivr_times = [row.ivr_s for row in rows if row.ivr_s is not None]
    return Tally(
        placed=len(planned),
        recorded=len(rows),
        lost=len(planned) - len(rows),
        stuck=sum(1 for row in rows if row.outcome is None),
        ivr_abandons=sum(1 for row in rows if row.outcome == "abandoned_ivr"),
        failed=sum(1 for row in rows if row.outcome == "failed"),
        mean_ivr_s=sum(ivr_times) / len(ivr_times) if ivr_times else None,
    )
