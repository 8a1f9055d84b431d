"""回访 by phone: the service rings the person doing a work order's follow-up, then the taxpayer.

It reuses the busy-callback machinery's ARI side (``CallControl.place_callback``: agent leg
first, then the taxpayer, bridged) on a call of kind ``follow_up`` that routing never sees: the
call belongs to a work order, not to a queue. While it lasts an idle person is held from
routing's offers (as for a blind transfer); after the talk the taxpayer hears the survey and
sounds of the configuration version in force, in their language (``taxpayer_plan``, as a
callback does). When it ends the outcome goes to the hook the composition root sets
(``on_finished``), which writes it into the order's history.

Outcomes, after the callback contract of ``CallControl.place_callback``:

* ``talked``: both legs were connected (the talk time is given);
* ``taxpayer_not_reached``: the person answered, the taxpayer did not;
* ``person_not_reached``: the person's own phone did not answer (the taxpayer was never dialled).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog

from cti.calls.ports import CallKey, InboundCall
from hotline.telephony.agents import AgentSessions
from hotline.telephony.context import Context, agent_topic
from hotline.telephony.live import LiveCall
from hotline.telephony.menus import IVR_MENUS, IvrMenus, taxpayer_plan

log = structlog.get_logger(__name__)

FOLLOW_UP = "follow_up"
RING_TIMEOUT_S = 30.0
_HOLD = "follow_up_hold"


class FollowUpRefused(Exception):
    """The call cannot be placed now; the message says why and what to do, ``reason`` is a
    short code the pages translate (``no_phone``, ``phone_busy``)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class FollowUpOutcome:
    order_id: str
    user_id: int
    call_id: int
    outcome: str  # talked | taxpayer_not_reached | person_not_reached
    talk_s: float | None
    failure: str | None


FinishedHook = Callable[[FollowUpOutcome], Awaitable[None]]
MenusSource = Callable[[], IvrMenus]  # the IVR of the configuration in force, read per call


class FollowUps:
    def __init__(
        self, ctx: Context, agents: AgentSessions, menus: MenusSource | None = None
    ) -> None:
        self._ctx = ctx
        self._agents = agents
        self._menus = menus or (lambda: IVR_MENUS)
        self.on_finished: FinishedHook | None = None
        self._reporting: set[asyncio.Task[None]] = set()

    def busy(self, agent_id: str) -> bool:
        return any(
            call.talk_ended_at is None and agent_id in (call.agent_id, call.offered_agent)
            for call in self._ctx.calls.by_key.values()
        )

    async def place(
        self,
        *,
        agent_id: str,
        order_id: str,
        user_id: int,
        number: str,
        region: str = "",
        language: str | None = None,
    ) -> int:
        """Ring ``agent_id``'s logged-in phone, then ``number``; the new call's row id.
        ``language``: the taxpayer's (of the call the order came from), None when unknown."""
        ctx = self._ctx
        login = ctx.logins.get(agent_id)
        if login is None:
            raise FollowUpRefused(
                "you have no phone signed in: sign in to the desk (with your phone or the "
                "softphone) and try again",
                "no_phone",
            )
        if self.busy(agent_id):
            raise FollowUpRefused(
                "your phone is busy with another call: finish it first", "phone_busy"
            )
        now = ctx.now()
        key = CallKey(login.site_code, f"follow-up-{uuid.uuid4().hex[:16]}")
        call_id = await ctx.recorder.open_call(
            InboundCall(key, number, "", number, "", now),
            site_id=login.site_id,
            region=region,
            kind=FOLLOW_UP,
            first_offered_at=now,
            language=language,
        )
        call = LiveCall(
            call_id=call_id,
            key=key,
            site_id=login.site_id,
            kind=FOLLOW_UP,
            caller_number=number,
            region=region,
            arrived_at=now,
            contact_id=f"follow-up-{call_id}",
            phase="ringing",
            first_offered_at=now,
            offered_agent=agent_id,
            language=language,
            extra={"order_id": order_id, "user_id": user_id},
        )
        ctx.calls.add(call)
        if await self._agents.hold_for_transfer(agent_id):
            call.extra[_HOLD] = agent_id
        await ctx.recorder.journal(
            call_id, now, "place_follow_up", {"agent_id": agent_id, "order_id": order_id}
        )
        await ctx.control.place_callback(
            key,
            agent_id=agent_id,
            agent_endpoint=login.endpoint,
            taxpayer_number=number,
            ring_timeout_s=RING_TIMEOUT_S,
            plan=taxpayer_plan(self._menus(), language),
        )
        return call_id

    async def person_failed(self, call: LiveCall, failure: str) -> None:
        call.extra["failure"] = failure
        call.outcome = call.outcome or "failed"
        if call.offered_agent is not None:
            self._ctx.publish(
                agent_topic(call.offered_agent), {"type": "ended", "call_id": call.call_id}
            )
            call.offered_agent = None

    async def finished(self, call: LiveCall) -> None:
        """The call ended: release the hold and report the outcome (once)."""
        if call.extra.get("reported") or "order_id" not in call.extra:
            return  # reported already, or a call adopted after a restart (nothing to tell)
        call.extra["reported"] = True
        held = call.extra.pop(_HOLD, None)
        if held is not None:
            await self._agents.release_transfer_hold(held)
        # ``offer_answered`` means both legs are connected (the callback contract).
        if call.answered_at is not None:
            end = call.talk_ended_at or self._ctx.now()
            outcome, talk_s = "talked", max(0.0, (end - call.answered_at).total_seconds())
        elif call.extra.get("failure") is not None:
            outcome, talk_s = "person_not_reached", None
        else:
            outcome, talk_s = "taxpayer_not_reached", None
        result = FollowUpOutcome(
            order_id=str(call.extra["order_id"]),
            user_id=int(call.extra["user_id"]),
            call_id=call.call_id,
            outcome=outcome,
            talk_s=talk_s,
            failure=call.extra.get("failure"),
        )
        log.info("follow_up_call_ended", order_id=result.order_id, outcome=outcome)
        if self.on_finished is not None:
            # In a task of its own: the call path never waits for the order's transaction.
            task = asyncio.get_running_loop().create_task(self._report(self.on_finished, result))
            self._reporting.add(task)
            task.add_done_callback(self._reporting.discard)

    @staticmethod
    async def _report(hook: FinishedHook, result: FollowUpOutcome) -> None:
        try:
            await hook(result)
        except Exception:  # the call is over either way; the log keeps the outcome
            log.exception("follow_up_outcome_not_recorded", order_id=result.order_id)
