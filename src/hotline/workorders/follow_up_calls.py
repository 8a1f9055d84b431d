"""The outcome of a 回访 call, written into the order's history (``follow_up_call`` entries).

The status does not change: recording the satisfaction score stays the ``follow_up`` action,
taken by the person who talked to the taxpayer. The entry only says that the call was made and
how it went, so that a supervisor reading the history sees every attempt.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.clock import Clock
from hotline.telephony.follow_ups import FinishedHook, FollowUpOutcome
from hotline.workorders.store import SqlWorkOrderStore
from workorders.errors import ConcurrentUpdateError
from workorders.model import WorkOrderEvent

FOLLOW_UP_CALL = "follow_up_call"
_ATTEMPTS = 5

REASONS = {
    "talked": "follow-up call: the taxpayer was reached",
    "taxpayer_not_reached": "follow-up call: the taxpayer did not answer",
    "person_not_reached": "follow-up call: your phone did not answer; the taxpayer was not called",
}


async def record_outcome(
    sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, outcome: FollowUpOutcome
) -> None:
    """Append the entry; retried when someone else is changing the order at that moment."""
    store = SqlWorkOrderStore(sessionmaker)
    for attempt in range(_ATTEMPTS):
        try:
            async with store.transaction():
                order = await store.get_for_update(outcome.order_id)
                if order is None:
                    raise ConcurrentUpdateError("the order is locked")
                seq = order.history_length + 1
                await store.save(replace(order, history_length=seq, revision=order.revision + 1))
                data: dict[str, object] = {"call_id": outcome.call_id, "outcome": outcome.outcome}
                if outcome.talk_s is not None:
                    data["talk_s"] = round(outcome.talk_s, 1)
                if outcome.failure is not None:
                    data["failure"] = outcome.failure
                await store.append_event(
                    WorkOrderEvent(
                        order_id=order.id,
                        seq=seq,
                        action=FOLLOW_UP_CALL,
                        from_status=order.status,
                        to_status=order.status,
                        actor=str(outcome.user_id),
                        actor_role=None,
                        at=clock.now(),
                        reason=REASONS.get(outcome.outcome, outcome.outcome),
                        data=data,
                    )
                )
            return
        except ConcurrentUpdateError:
            if attempt == _ATTEMPTS - 1:
                raise
            await asyncio.sleep(0.05 * (attempt + 1))


def outcome_recorder(sessionmaker: async_sessionmaker[AsyncSession], clock: Clock) -> FinishedHook:
    """The hook ``FollowUps.on_finished`` takes (set by the composition root)."""

    async def record(outcome: FollowUpOutcome) -> None:
        await record_outcome(sessionmaker, clock, outcome)

    return record
