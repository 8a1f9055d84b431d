"""The `CallDirector` the call controller talks to: it persists each call and feeds routing.

Every notification is journaled first, then applied. Notifications may come late or twice; a
call the director no longer knows, or a step already taken, is a no-op.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import structlog

from cti.calls.ports import (
    CallKey,
    CallPhase,
    EndedBy,
    InboundCall,
    IvrPlan,
    LegFailure,
    Resumption,
    VoicemailSpec,
)
from hotline.telephony.acd import AcdLoop
from hotline.telephony.agents import AgentSessions
from hotline.telephony.bounded import bounded
from hotline.telephony.callbacks import Callbacks
from hotline.telephony.context import WALLBOARD, Context, agent_topic
from hotline.telephony.diverted import voicemail_name
from hotline.telephony.follow_ups import FOLLOW_UP, FollowUps
from hotline.telephony.live import (
    OUTCOME_BY_ABANDON_PHASE,
    TRANSFER_RINGING,
    LiveCall,
    durations,
    final_outcome,
)
from hotline.telephony.menus import build_plan
from hotline.telephony.recordings import CallRecordings
from hotline.telephony.region import region_of
from hotline.telephony.roster import db_id
from hotline.telephony.wallboard import today_message
from routing import (
    Contact,
    ContactArrived,
    ContactEnded,
    ContactSnapshot,
    ContactTransferred,
    OfferAnswered,
    OfferFailed,
    OfferFailure,
)

log = structlog.get_logger(__name__)

_TRANSFER_HOLD = "transfer_hold"
"""Key in ``LiveCall.extra``: the agent held (not ready) while a transfer of the call rings them."""
# A closed-hours voicemail whose order waits for the language the caller is asked first.
_CLOSED_QUESTION = "closed_question"

FAILURES = {
    LegFailure.NO_ANSWER: OfferFailure.NO_ANSWER,
    LegFailure.BUSY: OfferFailure.BUSY,
    LegFailure.REJECTED: OfferFailure.REJECTED,
    LegFailure.UNREACHABLE: OfferFailure.UNREACHABLE,
    LegFailure.LOST: OfferFailure.LOST,
}


def snapshot_data(snapshot: ContactSnapshot) -> dict[str, Any]:
    return {
        "wait_s": snapshot.wait_s,
        "stage": snapshot.stage_index,
        "position": snapshot.position,
        "eligible": [
            {
                "agent_id": e.agent_id,
                "level": e.level,
                "status": e.status.value,
                "reason": e.reason,
                "since": e.since,
            }
            for e in snapshot.eligible
        ],
    }


def contact_of(call: LiveCall) -> Contact:
    """The routing contact of a call that finished its IVR; it keeps its queue entry time."""
    if call.line is None or call.language is None or call.queued_at is None:
        raise ValueError(f"call {call.call_id} has not left the IVR")
    return Contact(
        id=call.contact_id,
        line=call.line,
        language=call.language,
        arrived_at=call.queued_at.timestamp(),
        region=call.region,
    )


def _answer_not_recorded(call: LiveCall) -> bool:
    """An inbound call recorded as waiting or ringing, out of the IVR: a bridge with an agent
    found for it after a restart means the answer was lost with the last process."""
    return (
        call.kind == "inbound"
        and call.answered_at is None
        and call.phase in (CallPhase.QUEUE.value, CallPhase.RINGING.value)
        and call.line is not None
        and call.language is not None
        and call.queued_at is not None
    )


class Director:
    def __init__(
        self,
        ctx: Context,
        acd: AcdLoop,
        agents: AgentSessions,
        callbacks: Callbacks,
        recordings: CallRecordings | None = None,
        follow_ups: FollowUps | None = None,
    ) -> None:
        self._ctx = ctx
        self._acd = acd
        self._agents = agents
        self._callbacks = callbacks
        self._recordings = recordings
        self._follow_ups = follow_ups or FollowUps(ctx, agents, lambda: acd.menus)

    def _call(self, key: CallKey) -> LiveCall | None:
        return self._ctx.calls.by_key.get(key)

    async def _note(self, call: LiveCall, kind: str, data: Mapping[str, Any]) -> None:
        await self._ctx.recorder.journal(call.call_id, self._ctx.now(), kind, data)

    async def _save(self, call: LiveCall, values: Mapping[str, Any] | None = None) -> None:
        await self._ctx.recorder.update_call(
            call.call_id, {"live_state": call.live_state(), **(values or {})}
        )

    def _wallboard(self, call: LiveCall, **data: Any) -> None:
        # Every change the wallboard hears of also moves today's counters (queued, answered,
        # abandoned, callback, ended), so they never need a scan of the day's calls.
        self._ctx.today.observe(call, ended=data.get("phase") == "ended")
        self._ctx.publish(WALLBOARD, {"type": "call", "call_id": call.call_id, **data})
        if call.kind == "inbound" and call.line and call.language:
            # The floor's tile of this queue: its counters as they stand after this change.
            counters = self._ctx.today.counters.get((call.line, call.language))
            self._ctx.publish(WALLBOARD, today_message(call.line, call.language, counters))

    # ---------------------------------------------------------------- arrival

    async def call_arrived(self, call: InboundCall) -> IvrPlan:
        ctx = self._ctx
        call = bounded(call)  # Asterisk's strings, cut to the columns (never a lost record)
        open_now = self._acd.is_open()
        site_id = await ctx.site_id(call.key.site)
        if site_id is None:
            log.warning("call_from_unknown_site", key=str(call.key))
            return build_plan(open_now=False, menus=self._acd.menus, dialled=call.dialled)
        known = self._call(call.key)
        if known is not None:
            return build_plan(open_now=open_now, menus=self._acd.menus, dialled=call.dialled)
        region = region_of(call.caller_number)
        # Phase times come from our clock: Asterisk's (or a sped-up emulator's) may run ahead of
        # it, which would put the arrival after the end. Its own time goes to the journal.
        arrived_at = ctx.now()
        stamped = dataclasses.replace(call, arrived_at=arrived_at)
        call_id = await ctx.recorder.open_call(stamped, site_id=site_id, region=region)
        live = LiveCall(
            call_id=call_id,
            key=call.key,
            site_id=site_id,
            kind="inbound",
            caller_number=call.caller_number,
            region=region,
            arrived_at=arrived_at,
            contact_id=str(call_id),
        )
        ctx.calls.add(live)
        await self._note(
            live,
            "arrived",
            {
                "open": open_now,
                "channel": call.channel_name,
                "channel_created_at": call.arrived_at.isoformat(),
            },
        )
        await self._save(live)
        self._wallboard(live, phase="ivr", region=region)
        menus = self._acd.menus
        if open_now or not menus.closed_voicemail:
            return build_plan(open_now=open_now, menus=menus, dialled=call.dialled)
        # Closed, and the configuration says voicemail: the question is filed now, so that a
        # caller who hangs up during the message is still called back.
        name = voicemail_name(call_id)
        spec = VoicemailSpec(name, menus.voicemail_max_length_s, menus.voicemail_beep)
        await self._note(live, "divert", {"reason": "closed", "target": "voicemail",
                                          "becomes": "work_order", "recording": name})  # fmt: skip
        if menus.closed_asks_language and menus.languages:
            # The language is asked first: the order waits for it (``language_chosen``), or
            # for the end of the call if the caller hangs up during the menu.
            live.extra[_CLOSED_QUESTION] = name
        else:
            self._acd.file_question_soon(live, "closed", "voicemail", name)
        return build_plan(open_now=False, menus=menus, closed_voicemail=spec, dialled=call.dialled)

    async def language_chosen(self, key: CallKey, *, language: str) -> None:
        """After hours: the call record takes the language, and so does the closed-hours
        voicemail's order, filed now that it is known."""
        call = self._call(key)
        if call is None:
            return
        call.language = language
        await self._note(call, "language_chosen", {"language": language})
        await self._save(call, {"language": language, "ivr_choices": {"language": language}})
        self._file_closed_question(call)

    def _file_closed_question(self, call: LiveCall) -> None:
        name = call.extra.pop(_CLOSED_QUESTION, None)
        if name is not None:
            self._acd.file_question_soon(call, "closed", "voicemail", str(name))

    async def call_adopted(
        self,
        call: InboundCall,
        *,
        bridged_agent: str | None = None,
        departed_agent: str | None = None,
    ) -> Resumption:
        """A call still up after a restart resumes where the record says it was; the service
        puts waiting calls back in routing once every site is resynchronised. Asterisk wins
        over the record: a caller it has bridged with an agent talks with that agent, and one
        whose channel says an agent answered, and who is alone, has talked with that agent (the
        talk then ends as the agent's hang-up)."""
        known = self._call(call.key)
        if known is None:
            return Resumption(await self.call_arrived(call), CallPhase.IVR)
        plan = build_plan(open_now=self._acd.is_open(), menus=self._acd.menus, dialled=call.dialled)
        if known.outcome is not None:
            # Decided before the last process died (diverted, a callback accepted): the caller
            # waits in its bridge and hears that outcome again. The IVR again would be a call
            # nobody routes (its choices are ignored once there is an outcome), one that never
            # ends while the caller holds on (issue 18).
            await self._carry_on_decided(known)
            return Resumption(plan, CallPhase.QUEUE)
        if _answer_not_recorded(known):
            if bridged_agent is not None:
                await self._adopt_bridged(known, bridged_agent)
            elif departed_agent is not None:
                await self._adopt_bridged(known, departed_agent, found="answer_found")
        phase = CallPhase(known.phase)
        if phase is CallPhase.TALK:
            return Resumption(plan, phase, agent_id=known.agent_id)
        return Resumption(plan, phase)

    async def _carry_on_decided(self, call: LiveCall) -> None:
        """Asked of the controller now, applied after the resumption (the call's events are
        handled in order): a diverted caller is diverted again; one who accepted a callback
        hears the callback divert's goodbye (the callback is written already)."""
        await self._note(call, "adopted", {"phase": call.phase, "outcome": call.outcome})
        if call.outcome == "diverted":
            await self._acd.divert_again(call)
        elif call.outcome == "callback_requested":
            await self._ctx.control.divert(call.key, target="callback")
        else:
            await self._ctx.control.hangup(call.key)

    async def _adopt_bridged(
        self, call: LiveCall, agent_id: str, *, found: str = "bridged_found"
    ) -> None:
        """The last process bridged the caller with ``agent_id`` and died before recording it
        (its write queue had not written the answer): record the talk now and show the agent on
        the call in routing, so that the caller is not offered again and the agent not offered
        another call. The answer time is the adoption's: the real one was never recorded.
        ``found`` names the evidence in the journal: the agent's leg in the caller's bridge
        (``bridged_found``) or, the leg gone, the mark on the caller's channel (``answer_found``),
        after which the controller reports the agent's hang-up."""
        now = self._ctx.now()
        await self._note(call, found, {"agent_id": agent_id, "recorded_phase": call.phase})
        call.answered_at = now
        call.agent_id = agent_id
        call.offered_agent = None
        call.phase = CallPhase.TALK.value
        await self._save(call, {"agent_id": int(agent_id), "answered_at": now})
        if not await self._acd.place_on_call(contact_of(call), agent_id, known=False):
            log.warning("bridged_call_not_placed", call_id=call.call_id, agent=agent_id)
        await self._agents.log_call_state(agent_id, "on_call", call_id=call.call_id)
        self._ctx.publish(agent_topic(agent_id), {"type": "answered", "call_id": call.call_id})
        self._wallboard(call, phase="talk", agent_id=db_id(agent_id))

    async def ivr_completed(self, key: CallKey, *, language: str, line: str) -> None:
        call = self._call(key)
        if call is None or call.phase != CallPhase.IVR.value or call.outcome is not None:
            return
        now = self._ctx.now()
        await self._note(call, "ivr_completed", {"language": language, "line": line})
        call.language, call.line = language, line
        call.ivr_done_at = call.queued_at = now
        call.phase = CallPhase.QUEUE.value
        await self._save(
            call,
            {
                "language": language,
                "business_line": line,
                "ivr_choices": {"language": language, "line": line},
                "ivr_done_at": now,
                "queued_at": now,
            },
        )
        self._wallboard(call, phase="queue", line=line, language=language)
        await self._acd.feed(ContactArrived(contact_of(call)))

    # -------------------------------------------------------------- leaving

    async def caller_left(self, key: CallKey, *, phase: CallPhase) -> None:
        call = self._call(key)
        if call is None:
            return
        await self._note(call, "caller_left", {"phase": phase.value})
        if call.kind == FOLLOW_UP:
            return  # the taxpayer's leg failed, or they hung up: the end reports the outcome
        if call.kind == "callback":
            # The callback contract (``CallControl.place_callback``): the taxpayer was not
            # reached; the agent is released and one attempt is spent.
            if call.answered_at is None:
                await self._callback_not_reached(call)
            return
        if call.outcome is not None:
            return  # a callback was accepted or the call diverted: not an abandon
        if phase in (CallPhase.TALK, CallPhase.SURVEY):
            if call.agent_id is not None and call.talk_ended_at is None:
                await self.talk_ended(key, agent_id=call.agent_id, ended_by=EndedBy.CALLER)
            return
        if call.requeued_at is not None:
            await self._left_after_requeue(call)
            return
        outcome = OUTCOME_BY_ABANDON_PHASE[phase]
        snapshot = None
        if call.in_routing:
            found = await self._acd.abandon(call.contact_id)
            snapshot = None if found is None else snapshot_data(found)
        call.outcome = outcome
        call.phase = phase.value
        if call.offered_agent is not None:
            self._ctx.publish(
                agent_topic(call.offered_agent), {"type": "ended", "call_id": call.call_id}
            )
        await self._ctx.recorder.set_outcome(
            call.call_id,
            outcome,
            {"abandon_snapshot": snapshot, "ended_by": EndedBy.CALLER.value},
        )
        self._wallboard(call, outcome=outcome)

    async def _left_after_requeue(self, call: LiveCall) -> None:
        """The caller hung up while waiting again after a transfer to a queue: routing forgets
        them, and the call stays answered (an agent talked with them): its talk ended when that
        agent left. The snapshot of who could have taken it is kept, as for an abandon."""
        snapshot = None
        if call.in_routing:
            found = await self._acd.abandon(call.contact_id)
            snapshot = None if found is None else snapshot_data(found)
        if call.offered_agent is not None:
            self._ctx.publish(
                agent_topic(call.offered_agent), {"type": "ended", "call_id": call.call_id}
            )
            call.offered_agent = None
        call.talk_ended_at = self._ctx.now()
        call.outcome = "answered"
        await self._ctx.recorder.set_outcome(
            call.call_id,
            "answered",
            {
                "abandon_snapshot": snapshot,
                "ended_by": EndedBy.CALLER.value,
                "live_state": call.live_state(),
            },
        )
        self._wallboard(call, outcome="answered")

    async def callback_accepted(self, key: CallKey) -> None:
        call = self._call(key)
        if call is None or call.kind != "inbound" or call.outcome is not None:
            return
        await self._note(call, "callback_accepted", {})
        await self._callbacks.request_for(call)
        call.outcome = "callback_requested"
        await self._ctx.recorder.set_outcome(
            call.call_id, "callback_requested", {"live_state": call.live_state()}
        )
        self._wallboard(call, outcome="callback_requested")

    # ---------------------------------------------------------------- offers

    async def offer_answered(self, key: CallKey, *, agent_id: str) -> None:
        call = self._call(key)
        if call is None:
            return
        again = call.requeued_at is not None  # answered after a transfer to a queue
        if call.answered_at is not None and not again:
            return
        await self._note(call, "offer_answered", {"agent_id": agent_id})
        now = self._ctx.now()
        values: dict[str, Any] = {"agent_id": int(agent_id)}
        if call.requeued_at is not None:
            call.requeue_wait_s += max(0.0, (now - call.requeued_at).total_seconds())
            call.requeued_at = None
        else:
            call.answered_at = values["answered_at"] = now
        call.agent_id = agent_id
        call.offered_agent = None
        call.phase = CallPhase.TALK.value
        await self._save(call, values)
        if call.kind == "callback":
            await self._callbacks.agent_answered(call, agent_id)
        elif call.kind != FOLLOW_UP:  # routing never saw a follow-up call
            await self._acd.feed(OfferAnswered(call.contact_id, agent_id))
        await self._agents.log_call_state(agent_id, "on_call", call_id=call.call_id)
        self._ctx.publish(agent_topic(agent_id), {"type": "answered", "call_id": call.call_id})
        self._wallboard(call, phase="talk", agent_id=db_id(agent_id))
        if self._recordings is not None and not again:
            await self._recordings.connected(call)

    async def transfer_requested(self, key: CallKey, *, agent_id: str) -> None:
        """A blind transfer to ``agent_id`` is about to ring them: routing must not offer them
        another call meanwhile (their phone is busy with this one)."""
        call = self._call(key)
        if call is None or call.answered_at is None or call.talk_ended_at is not None:
            return
        call.extra[TRANSFER_RINGING] = agent_id
        if await self._agents.hold_for_transfer(agent_id):
            call.extra[_TRANSFER_HOLD] = agent_id

    async def _release_transfer_hold(self, call: LiveCall, agent_id: str | None = None) -> None:
        held = call.extra.get(_TRANSFER_HOLD)
        if held is not None and agent_id in (None, held):
            del call.extra[_TRANSFER_HOLD]
            await self._agents.release_transfer_hold(held)

    async def transfer_answered(self, key: CallKey, *, agent_id: str) -> None:
        """The caller now talks with ``agent_id``: the agent before enters wrap-up, routing
        shows the new one on the call, and the record names them (the journal keeps both)."""
        call = self._call(key)
        if call is None or call.answered_at is None or call.talk_ended_at is not None:
            return
        previous = call.agent_id
        if previous == agent_id:
            return  # a repeated notification
        call.extra.pop(TRANSFER_RINGING, None)
        held = call.extra.get(_TRANSFER_HOLD) == agent_id
        if held:
            del call.extra[_TRANSFER_HOLD]  # the hold ends as they take the call
        else:
            await self._release_transfer_hold(call)  # a hold on someone else, if any
        await self._note(call, "transfer_answered", {"from": previous, "to": agent_id})
        call.agent_id = agent_id
        call.offered_agent = None
        call.phase = CallPhase.TALK.value
        await self._save(call, {"agent_id": int(agent_id)})
        if call.kind == "inbound":
            connected = await self._acd.place_on_call(
                contact_of(call), agent_id, known=True, keep_not_ready=not held
            )
            if not connected:
                log.warning("transfer_not_in_routing", call_id=call.call_id, agent_id=agent_id)
        elif held:
            # Routing does not follow callbacks to a transferred agent: only lift the hold.
            await self._agents.release_transfer_hold(agent_id)
        if previous is not None:
            await self._agents.log_call_state(previous, "wrap_up", call_id=call.call_id)
            self._ctx.publish(agent_topic(previous), {"type": "ended", "call_id": call.call_id})
        await self._agents.log_call_state(agent_id, "on_call", call_id=call.call_id)
        self._ctx.publish(agent_topic(agent_id), {"type": "answered", "call_id": call.call_id})
        self._wallboard(call, phase="talk", agent_id=db_id(agent_id))

    async def requeued(self, key: CallKey, *, agent_id: str, line: str, language: str) -> None:
        """The agent left the call for a queue: they enter wrap-up and the caller waits again
        under the new skill. Routing keeps the contact's priority and its first queue-entry
        time, so the caller is served ahead of those who called later (their wait so far is
        not thrown away); the record keeps one row, now naming the new line and language (the
        IVR's choice stays in ``ivr_choices``)."""
        call = self._call(key)
        if call is None or call.kind != "inbound" or call.outcome is not None:
            return
        if call.phase != CallPhase.TALK.value or call.agent_id != agent_id:
            return  # repeated, or the call moved on
        now = self._ctx.now()
        await self._note(call, "requeued", {"from": agent_id, "line": line, "language": language})
        if call.hold_since is not None:  # the controller took the caller off hold
            call.hold_s += max(0.0, (now - call.hold_since).total_seconds())
            call.hold_since = None
        call.line, call.language = line, language
        call.phase = CallPhase.QUEUE.value
        call.requeued_at = now
        call.offered_agent = None
        await self._save(call, {"business_line": line, "language": language})
        self._wallboard(call, phase="queue", line=line, language=language)
        # Routing puts the agent in wrap-up and may offer the caller at once.
        await self._acd.feed(ContactTransferred(call.contact_id, line, language))
        await self._agents.log_call_state(agent_id, "wrap_up", call_id=call.call_id)
        self._ctx.publish(agent_topic(agent_id), {"type": "ended", "call_id": call.call_id})

    async def offer_failed(self, key: CallKey, *, agent_id: str, failure: LegFailure) -> None:
        call = self._call(key)
        if call is None:
            return
        await self._note(call, "offer_failed", {"agent_id": agent_id, "failure": failure.value})
        if call.kind == FOLLOW_UP:
            if call.answered_at is None:
                await self._follow_ups.person_failed(call, failure.value)
            return
        await self._release_transfer_hold(call, agent_id)  # a transfer that did not reach them
        if call.extra.get(TRANSFER_RINGING) == agent_id:
            del call.extra[TRANSFER_RINGING]
        reason = FAILURES.get(failure)
        if reason is None or (call.answered_at is not None and call.requeued_at is None):
            return  # CANCELLED: we withdrew it ourselves; routing already knows
        self._ctx.publish(agent_topic(agent_id), {"type": "ended", "call_id": call.call_id})
        if call.kind == "callback":
            await self._callbacks.agent_failed(call, agent_id, reason)
            return
        if call.offered_agent == agent_id:
            call.offered_agent = None
            call.phase = CallPhase.QUEUE.value
            await self._save(call)
        await self._acd.feed(OfferFailed(call.contact_id, agent_id, reason))

    # ------------------------------------------------------------------ talk

    async def talk_ended(self, key: CallKey, *, agent_id: str, ended_by: EndedBy) -> None:
        call = self._call(key)
        if call is None or call.talk_ended_at is not None or call.answered_at is None:
            return
        await self._note(call, "talk_ended", {"agent_id": agent_id, "ended_by": ended_by.value})
        call.talk_ended_at = self._ctx.now()
        call.phase = CallPhase.SURVEY.value
        await self._save(call, {"ended_by": ended_by.value})
        if self._recordings is not None:
            await self._recordings.ended(call)
        if call.kind == "callback":
            await self._callbacks.talked(call)
        elif call.kind != FOLLOW_UP:
            await self._acd.feed(ContactEnded(call.contact_id))
        await self._agents.log_call_state(agent_id, "wrap_up", call_id=call.call_id)
        self._ctx.publish(agent_topic(agent_id), {"type": "ended", "call_id": call.call_id})

    async def survey_answered(self, key: CallKey, *, score: int | None) -> None:
        call = self._call(key)
        if call is None:
            return
        await self._note(call, "survey_answered", {"score": score})
        if score is not None and 1 <= score <= 5:
            await self._ctx.recorder.set_survey(call.call_id, score)

    async def call_finished(self, key: CallKey) -> None:
        call = self._call(key)
        if call is None:
            return
        await self._note(call, "call_finished", {})
        self._file_closed_question(call)  # gone before choosing a language: still an order
        if call.kind == FOLLOW_UP:
            if call.answered_at is not None and call.talk_ended_at is None and call.agent_id:
                await self.talk_ended(key, agent_id=call.agent_id, ended_by=EndedBy.SYSTEM)
            await self._follow_ups.finished(call)
        elif call.kind == "callback":
            if call.answered_at is None:
                await self._callback_not_reached(call)  # a no-op once reported
            elif call.talk_ended_at is None and call.agent_id:
                await self.talk_ended(key, agent_id=call.agent_id, ended_by=EndedBy.SYSTEM)
            owed = self._callbacks.owed(call.contact_id)
            if owed is not None:
                owed.dialling.discard(call.key)
        elif call.outcome is None and call.in_routing:
            await self.caller_left(key, phase=CallPhase(call.phase))
        elif call.answered_at is not None and call.talk_ended_at is None and call.agent_id:
            await self.talk_ended(key, agent_id=call.agent_id, ended_by=EndedBy.SYSTEM)
        await self.close(call, self._ctx.now())

    async def _callback_not_reached(self, call: LiveCall) -> None:
        if not await self._callbacks.not_reached(call):
            return
        if call.offered_agent is not None:
            # The desk showed the offer: it is over (the agent never talked to anyone).
            self._ctx.publish(
                agent_topic(call.offered_agent), {"type": "ended", "call_id": call.call_id}
            )
            call.offered_agent = None
        call.outcome = call.outcome or "failed"

    async def close(self, call: LiveCall, ended_at: datetime) -> None:
        """Write the end of the call: outcome (if none yet), durations, end time."""
        await self._release_transfer_hold(call)  # the caller left while the target rang
        outcome = call.outcome or final_outcome(call)
        call.outcome = outcome
        await self._ctx.recorder.close_call(
            call.call_id, outcome, {"ended_at": ended_at, **durations(call, ended_at)}
        )
        self._ctx.calls.remove(call)
        self._wallboard(call, phase="ended", outcome=outcome)

    # --------------------------------------------------------------- journal

    async def journal(self, key: CallKey, kind: str, data: Mapping[str, Any]) -> None:
        call = self._call(key)
        if call is None:
            return
        await self._note(call, kind, data)
        # Hold time is measured from the controller's own record of hold and unhold.
        now = self._ctx.now()
        if kind == "hold" and call.hold_since is None:
            call.hold_since = now
            await self._save(call)
        elif kind == "unhold" and call.hold_since is not None:
            call.hold_s += (now - call.hold_since).total_seconds()
            call.hold_since = None
            await self._save(call)
