"""The ACD loop: the pure routing engine fed with the injected clock, its decisions carried out.

The engine's state is plain data, not safe to touch from two tasks at once, so every access goes
through one ``asyncio.Lock``. Decisions are carried out after the lock is released: carrying one
out awaits the controller or the database, and the controller may call the director back (which
feeds the engine again) before it returns.

One asyncio timer stands for the engine's earliest ``WakeAt``. When it fires it re-checks the
clock (a test clock may not have moved) and feeds ``Tick`` only when the wake time has come.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import structlog

from cti.calls.ports import VoicemailSpec
from hotline.telephony.context import WALLBOARD, Context, agent_topic
from hotline.telephony.diverted import DivertedQuestion, QuestionHook, voicemail_name
from hotline.telephony.live import LiveCall
from hotline.telephony.menus import IVR_MENUS, IvrMenus
from hotline.telephony.question_outbox import QuestionOutbox
from hotline.telephony.roster import db_id
from routing import (
    AgentStateChanged,
    AgentStatus,
    AgentView,
    Announce,
    CancelOffer,
    Contact,
    ContactAbandoned,
    ContactArrived,
    ContactEnded,
    ContactSnapshot,
    ContactTransferred,
    Decision,
    Divert,
    DivertTarget,
    Event,
    Offer,
    OfferAnswered,
    OfferCallback,
    OfferFailed,
    OfferFailure,
    Policy,
    PolicyChanged,
    RoutingState,
    SetAgentNotReady,
    Tick,
    UnknownAgentError,
    UnknownContactError,
    WakeAt,
    agent_view,
    apply,
    contact_snapshot,
    new_state,
    queue_snapshots,
)

log = structlog.get_logger(__name__)

T = TypeVar("T")


class CallbackHandler(Protocol):
    """Callbacks (contacts with nobody on the line) are dialled by `callbacks.Callbacks`."""

    async def place(self, offer: Offer) -> None: ...

    async def cancel(self, contact_id: str, agent_id: str) -> None: ...

    async def postpone(self, contact_id: str) -> None: ...

    async def request_for(self, call: LiveCall) -> None: ...


class AgentStateHandler(Protocol):
    async def engine_not_ready(self, agent_id: str, reason: str) -> None: ...


class AcdLoop:
    def __init__(
        self, ctx: Context, policy: Policy, outbox: QuestionOutbox, menus: IvrMenus = IVR_MENUS
    ) -> None:
        self._ctx = ctx
        self.policy = policy
        self.menus = menus  # the IVR new calls get (a call keeps the plan it was given)
        self.outbox = outbox  # diverted questions, kept until filed as work orders
        self._state: RoutingState = new_state(policy)
        self._lock = asyncio.Lock()
        self._wake_at: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._filings: set[asyncio.Task[None]] = set()  # questions becoming work orders
        self._callbacks: CallbackHandler | None = None
        self._agents: AgentStateHandler | None = None
        self._stopped = False

    def bind(self, *, callbacks: CallbackHandler, agents: AgentStateHandler) -> None:
        self._callbacks = callbacks
        self._agents = agents

    def now(self) -> float:
        return self._ctx.now().timestamp()

    def is_open(self) -> bool:
        return self.policy.is_open(self.now())

    def opens_at(self, line: str | None) -> datetime:
        """When ``line`` (the centre when None) next takes calls under the working-day
        calendar: now when open, or now when the hours never open (nothing to wait for)."""
        hours = self.policy.hours_for(line) if line else self.policy.service_hours
        now = self._ctx.now()
        at = hours.next_opening(now.timestamp()) if hours is not None else None
        return now if at is None else max(now, datetime.fromtimestamp(at, UTC))

    # ---------------------------------------------------------------- feeding

    async def feed(self, event: Event) -> None:
        async with self._lock:
            _, decisions = apply(self._state, event, self.now())
        await self._carry_out(decisions)

    async def feed_all(self, events: Iterable[Event]) -> None:
        """Feed ``events`` in order under one lock at one ``now``, then carry out all their
        decisions. The state is the one ``feed`` would leave event by event at that same time,
        provided that carrying out the decisions of one event feeds nothing back before the
        next (true of a batch of logins restored before any contact: they decide nothing).
        For thousands of events at once (a takeover's restored logins): one lock and one
        round of decisions instead of one each."""
        decisions: list[Decision] = []
        async with self._lock:
            now = self.now()
            state = self._state
            for event in events:
                decisions.extend(apply(state, event, now)[1])
        await self._carry_out(decisions)

    async def replace_policy(self, policy: Policy) -> int:
        """Route with ``policy`` from now on; callers waiting are re-evaluated under its stages
        at once (``routing.PolicyChanged``). Returns how many were waiting."""
        async with self._lock:
            now = self.now()
            waiting = sum(q.waiting for q in queue_snapshots(self._state, now))
            _, decisions = apply(self._state, PolicyChanged(policy), now)
            self.policy = policy
        await self._carry_out(decisions)
        return waiting

    async def abandon(self, contact_id: str) -> ContactSnapshot | None:
        """The caller left: the snapshot of eligible agents, taken before routing forgets."""
        async with self._lock:
            now = self.now()
            try:
                snapshot: ContactSnapshot | None = contact_snapshot(self._state, contact_id, now)
            except UnknownContactError:
                snapshot = None
            _, decisions = apply(self._state, ContactAbandoned(contact_id), now)
        await self._carry_out(decisions)
        return snapshot

    async def place_on_call(
        self, contact: Contact, agent_id: str, *, known: bool, keep_not_ready: bool = True
    ) -> bool:
        """Make routing show ``agent_id`` talking with ``contact`` without ringing anyone: the
        caller and the agent are already connected (a blind transfer that was answered, or a
        talking call adopted after a restart). ``known``: routing already has the contact.

        Routing has no event for "this agent took this contact", so the engine is walked there
        through its own steps, under one lock: the contact (arrives and) is transferred to the
        agent by name; an agent not ready or in wrap-up is made available for that one step (a
        not-ready reason comes back as pending, applied after the call, unless ``keep_not_ready``
        is false: the service's own hold on a transfer target); the offer is answered.
        Decisions about the contact on the way (offers, announcements) are dropped: nothing of
        them must reach the caller. Returns whether routing now has them connected; if not
        (the agent is not logged in, or is ringing for another call), routing forgets the
        contact rather than keep a caller who is talking waiting in a queue.
        """
        mine = contact.id
        async with self._lock:
            now = self.now()
            decisions: list[Decision] = []

            def step(event: Event) -> None:
                decisions.extend(apply(self._state, event, now)[1])

            if not known:
                step(ContactArrived(contact))
            step(ContactTransferred(mine, contact.line, contact.language, to_agent_id=agent_id))
            before = self._agent(agent_id)
            away = before is not None and before.status is AgentStatus.NOT_READY
            if away or (before is not None and before.status is AgentStatus.WRAP_UP):
                step(AgentStateChanged(agent_id, AgentStatus.IDLE))
            step(OfferAnswered(mine, agent_id))
            after = self._agent(agent_id)
            connected = (
                after is not None
                and after.status is AgentStatus.ON_CALL
                and after.contact_id == mine
            )
            if connected and away and keep_not_ready and before is not None:
                step(AgentStateChanged(agent_id, AgentStatus.NOT_READY, before.reason))
            if not connected:
                step(ContactEnded(mine))
        await self._carry_out([d for d in decisions if getattr(d, "contact_id", None) != mine])
        return connected

    def _agent(self, agent_id: str) -> AgentView | None:
        try:
            return agent_view(self._state, agent_id)
        except UnknownAgentError:
            return None

    async def read(self, view: Callable[[RoutingState, float], T]) -> T:
        """Run a read-only view (``routing.snapshots``) on the state, serialised with the feeds."""
        async with self._lock:
            return view(self._state, self.now())

    async def tick(self) -> None:
        await self.feed(Tick())

    # ----------------------------------------------------------------- timers

    def _arm(self, at: float) -> None:
        if self._stopped:
            return
        if self._wake_at is not None and self._timer is not None and self._wake_at <= at:
            return
        if self._timer is not None:
            self._timer.cancel()
        self._wake_at = at
        delay = max(0.0, at - self.now())
        self._timer = asyncio.get_running_loop().call_later(delay, self._fire)

    def _fire(self) -> None:
        self._timer = None
        at = self._wake_at
        if at is None or self._stopped:
            return
        if self.now() < at:
            self._wake_at = None
            self._arm(at)  # the clock has not got there yet: wait again, re-checking on fire
            return
        self._wake_at = None
        task = asyncio.get_running_loop().create_task(self._tick_safely())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _tick_safely(self) -> None:
        try:
            await self.tick()
        except Exception:
            log.exception("acd_tick_failed")

    async def stop(self) -> None:
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.filed()  # questions being filed are finished, not cancelled: none is lost

    # -------------------------------------------------------------- decisions

    async def _carry_out(self, decisions: list[Decision]) -> None:
        for decision in decisions:
            try:
                await self._carry_out_one(decision)
            except Exception:
                # One failed action (the controller refused, a site is down) must not stop the
                # decisions after it; the call's own notifications will put routing right.
                log.exception("acd_decision_failed", decision=repr(decision))
        if any(not isinstance(d, WakeAt) for d in decisions):
            await self._publish_queues()

    async def _carry_out_one(self, decision: Decision) -> None:
        ctx = self._ctx
        if isinstance(decision, WakeAt):
            self._arm(decision.at)
        elif isinstance(decision, Offer):
            await self._offer(decision)
        elif isinstance(decision, CancelOffer):
            call = ctx.calls.by_contact.get(decision.contact_id)
            if call is not None:
                if call.offered_agent == decision.agent_id:
                    call.offered_agent = None
                    call.phase = "queue"
                await ctx.control.cancel_offer(call.key, agent_id=decision.agent_id)
            elif self._callbacks is not None:
                await self._callbacks.cancel(decision.contact_id, decision.agent_id)
        elif isinstance(decision, Announce):
            call = ctx.calls.by_contact.get(decision.contact_id)
            menus = self.menus
            if call is not None and (menus.announce_position or menus.announce_expected_wait):
                await ctx.control.announce(
                    call.key,
                    position=decision.position if menus.announce_position else None,
                    expected_wait_s=decision.expected_wait_s
                    if menus.announce_expected_wait
                    else None,
                )
        elif isinstance(decision, OfferCallback):
            call = ctx.calls.by_contact.get(decision.contact_id)
            if call is not None:
                await ctx.control.offer_callback(call.key)
        elif isinstance(decision, Divert):
            await self._divert(decision)
        elif isinstance(decision, SetAgentNotReady) and self._agents is not None:
            await self._agents.engine_not_ready(decision.agent_id, decision.reason)

    async def _offer(self, offer: Offer) -> None:
        ctx = self._ctx
        call = ctx.calls.by_contact.get(offer.contact_id)
        if call is None:
            if offer.contact_id in ctx.calls.callbacks and self._callbacks is not None:
                await self._callbacks.place(offer)
            else:
                log.warning("acd_offer_for_unknown_contact", contact_id=offer.contact_id)
                await self.feed(ContactAbandoned(offer.contact_id))
            return
        endpoint = ctx.endpoint_for(offer.agent_id, call.key.site)
        if endpoint is None:
            await self.feed(OfferFailed(offer.contact_id, offer.agent_id, OfferFailure.UNREACHABLE))
            return
        now = ctx.now()
        call.phase = "ringing"
        call.offered_agent = offer.agent_id
        if call.first_offered_at is None:
            call.first_offered_at = now
        await ctx.recorder.update_call(
            call.call_id,
            {
                "first_offered_at": call.first_offered_at,
                "routing_stage": offer.stage_index,
                "routing_level": offer.level,
                "live_state": call.live_state(),
            },
        )
        await ctx.recorder.journal(
            call.call_id,
            now,
            "offer",
            {"agent_id": offer.agent_id, "stage": offer.stage_index, "level": offer.level},
        )
        # Asterisk first: the agent's phone rings before the screen pop reads the caller's
        # history, so a slow read delays the pop, never the call.
        await ctx.control.offer(
            call.key,
            agent_id=offer.agent_id,
            endpoint=endpoint,
            ring_timeout_s=offer.ring_timeout_s,
        )
        previous = await ctx.recorder.previous_calls(call.caller_number, before_id=call.call_id)
        ctx.publish(
            agent_topic(offer.agent_id),
            {
                "type": "offer",
                "call_id": call.call_id,
                "caller_number": call.caller_number,
                "region": call.region,
                "ivr_choices": {"language": call.language, "line": call.line},
                "previous_calls": previous,
            },
        )
        ctx.publish(
            WALLBOARD,
            {
                "type": "call",
                "call_id": call.call_id,
                "phase": "ringing",
                "agent_id": db_id(offer.agent_id),
                "since": ctx.now().isoformat(),
            },
        )

    async def _divert(self, divert: Divert) -> None:
        ctx = self._ctx
        call = ctx.calls.by_contact.get(divert.contact_id)
        if call is None:
            if divert.contact_id in ctx.calls.callbacks and self._callbacks is not None:
                await self._callbacks.postpone(divert.contact_id)
            return
        target = divert.target.value
        becomes = dict(self.menus.divert_becomes).get(target, "nothing")
        recording = (
            voicemail_name(call.call_id) if divert.target is DivertTarget.VOICEMAIL else None
        )
        call.outcome = "diverted"
        call.diverted_to, call.divert_reason = target, divert.reason.value
        await ctx.recorder.set_outcome(call.call_id, "diverted", {"live_state": call.live_state()})
        entry: dict[str, Any] = {"reason": divert.reason.value, "target": target}
        if becomes != "nothing":
            entry["becomes"] = becomes
        if recording is not None:
            entry["recording"] = recording
        await ctx.recorder.journal(call.call_id, ctx.now(), "divert", entry)
        ctx.publish(WALLBOARD, {"type": "call", "call_id": call.call_id, "outcome": "diverted"})
        if becomes == "callback" and self._callbacks is not None:
            await self._callbacks.request_for(call)
        await self._send_divert(call, target, recording)
        if becomes == "work_order":
            # In the background: a burst of diverts must not hold routing's decisions up.
            self.file_question_soon(call, divert.reason.value, target, recording)

    async def _send_divert(self, call: LiveCall, target: str, recording: str | None) -> None:
        spec = (
            VoicemailSpec(recording, self.menus.voicemail_max_length_s, self.menus.voicemail_beep)
            if recording is not None
            else None
        )
        prompt = dict(self.menus.divert_prompts).get(target)
        await self._ctx.control.divert(
            call.key, target=target, voicemail=spec, prompt=(prompt,) if prompt else ()
        )

    async def divert_again(self, call: LiveCall) -> None:
        """A diverted caller adopted after a restart (the last process died while the caller
        heard the divert, or recorded the voicemail): diverted the same way again, without
        routing (its outcome is decided). The voicemail keeps its name, so the new recording
        replaces the cut one, and its question is kept again: a no-op when the last process
        kept it, the question itself when it died first. A callback was written before the
        outcome (the write queue's order), so it is not asked for again."""
        target = call.diverted_to or DivertTarget.VOICEMAIL.value
        recording = voicemail_name(call.call_id) if target == DivertTarget.VOICEMAIL.value else None
        await self._ctx.recorder.journal(
            call.call_id, self._ctx.now(), "divert_again", {"target": target}
        )
        await self._send_divert(call, target, recording)
        if dict(self.menus.divert_becomes).get(target, "nothing") == "work_order":
            reason = call.divert_reason or "adopted"
            self.file_question_soon(call, reason, target, recording)

    @property
    def on_question(self) -> QuestionHook | None:
        """Files a diverted question as a work order (set by the composition root)."""
        return self.outbox.hook

    @on_question.setter
    def on_question(self, hook: QuestionHook | None) -> None:
        self.outbox.hook = hook

    def file_question_soon(
        self, call: LiveCall, reason: str, outcome: str, recording: str | None
    ) -> None:
        """Keep the question in the outbox, then file it, in the background (the caller is not
        kept waiting for the database)."""
        question = DivertedQuestion(
            call_id=call.call_id,
            caller_number=call.caller_number,
            reason=reason,
            outcome=outcome,
            at=self._ctx.now(),
            line=call.line,
            language=call.language,
            ivr_choices={"language": call.language, "line": call.line},
            recording=recording,
            site=call.key.site,
            channel_id=call.key.call_id,
            arrived_at=call.arrived_at,
            region=call.region,
            queued_at=call.queued_at,
        )
        task = asyncio.get_running_loop().create_task(self.outbox.keep(question))
        self._filings.add(task)
        task.add_done_callback(self._filings.discard)

    async def filed(self) -> None:
        """Wait until every question handed over so far is kept, and the due ones filed
        (``service.flush``); a failed filing stays due for the outbox's next round."""
        if self._filings:
            await asyncio.gather(*self._filings, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self.outbox.deliver_due()

    async def _publish_queues(self) -> None:
        if not self._ctx.bus.watched(WALLBOARD):  # on any replica
            return
        snapshots = await self.read(queue_snapshots)
        self._ctx.publish(
            WALLBOARD,
            {
                "type": "queues",
                "queues": [
                    {
                        "line": s.skill.line,
                        "language": s.skill.language,
                        "waiting": s.waiting,
                        "longest_wait_s": s.longest_wait_s,
                        "agents": {k.value: v for k, v in s.agents_by_status.items()},
                    }
                    for s in snapshots
                ],
            },
        )
