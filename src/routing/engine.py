"""The engine: ``apply(state, event, now) -> (state, decisions)``.

Every call first runs the timers due at `now` (stage widening, announcements, the callback offer,
the maximum wait, the end of wrap-up), then the event, then promises the next wake-up with a
`WakeAt`. The state is mutated in place and returned. Nothing here reads a clock: `now` is
clamped so that it never runs backwards, which keeps late events harmless.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left, insort
from collections.abc import Callable
from heapq import heappop
from typing import Any

from routing import _matching
from routing._indexes import remove_sorted
from routing._slots_init import quick_new
from routing.decisions import (
    Announce,
    CancelOffer,
    Decision,
    Divert,
    DivertReason,
    Offer,
    OfferCallback,
    SetAgentNotReady,
    WakeAt,
)
from routing.events import (
    AgentLoggedIn,
    AgentLoggedOut,
    AgentStateChanged,
    CallbackRequested,
    ContactAbandoned,
    ContactArrived,
    ContactEnded,
    ContactTransferred,
    Event,
    OfferAnswered,
    OfferFailed,
    OfferFailure,
    PolicyChanged,
    Tick,
    WrapUpEnded,
)
from routing.model import AgentProfile, AgentStatus, ContactKind, ContactStatus
from routing.policy import DivertTarget, Policy
from routing.state import (
    TIMER_ANNOUNCE,
    TIMER_CALLBACK_OFFER,
    TIMER_MAX_WAIT,
    TIMER_STAGE,
    TIMER_WRAP_UP,
    AgentRecord,
    ContactRecord,
    RoutingState,
    new_contact_record,
)

_new_step = object.__new__
# `Offer(...)` for every answered call, built without calling the class (see `quick_new`).
_new_offer: Callable[[str, str, int, int, float], Offer] = quick_new(Offer)

HANDLE_TIME_SMOOTHING = 0.1
"""Weight of the newest call in the exponentially weighted mean handle time."""

# Statuses are compared by identity (`is`) in the hot paths: enum equality and hashing run in
# Python, identity in C.
_WAITING = ContactStatus.WAITING
_OFFERED = ContactStatus.OFFERED
_CONNECTED = ContactStatus.CONNECTED
_LOGGED_OUT = AgentStatus.LOGGED_OUT
_NOT_READY = AgentStatus.NOT_READY
_IDLE = AgentStatus.IDLE
_RESERVED = AgentStatus.RESERVED
_ON_CALL = AgentStatus.ON_CALL
_WRAP_UP = AgentStatus.WRAP_UP
_INBOUND = ContactKind.INBOUND
_NOT_WORKING = (_LOGGED_OUT, _NOT_READY)  # a tuple: `in` tests identity first, in C


def _staffing_class(status: AgentStatus) -> int:
    """Staffing counters only care: logged out (0), not ready (1), or working (2)."""
    if status is _LOGGED_OUT:
        return 0
    return 1 if status is _NOT_READY else 2


def new_state(policy: Policy) -> RoutingState:
    return RoutingState(policy)


def apply(state: RoutingState, event: Event, now: float) -> tuple[RoutingState, list[Decision]]:
    """Feed one event at time `now`; returns the (same, mutated) state and the decisions."""
    if now < state.now:
        now = state.now  # time never runs backwards
    state.now = now
    # `_Step` has no `__init__`: filling its three slots here spares a Python frame per event (a
    # simulated call feeds three events).
    step = _new_step(_Step)
    step.state = state
    step.now = now
    step.out = []
    timers = state.timers
    # Most events find no timer due and none pending (a simulator without wrap-up, waits or
    # announcements never schedules one): test that here rather than in two method calls.
    if timers and timers[0][0] <= now:
        step.run_due_timers()
    _HANDLERS[type(event)](step, event)
    if timers:
        step.promise_wake()
    return state, step.out


class _Step:
    """One call of `apply` (which fills the slots): the state, the clamped time, the decisions."""

    __slots__ = ("now", "out", "state")

    state: RoutingState
    now: float
    out: list[Decision]

    # ------------------------------------------------------------------ agents

    def set_status(
        self,
        agent: AgentRecord,
        status: AgentStatus,
        reason: str | None = None,
        since: float | None = None,
    ) -> None:
        """Move `agent` to `status`, keeping the idle pools and staffing counters in step.

        `since` (idle only) restores an earlier idle rank.
        """
        state, now, old = self.state, self.now, agent.status
        if old is _IDLE:
            key = agent.idle_key
            if key is not None:
                for pool in agent.idle_pools:  # `remove_sorted`, inlined
                    index = bisect_left(pool, key)
                    if index < len(pool) and pool[index] == key:
                        del pool[index]
                agent.idle_key = None
        elif old is _RESERVED or old is _ON_CALL or old is _WRAP_UP:
            agent.busy_s += now - agent.since
        # Staffing counters change only on a move into or out of LOGGED_OUT or NOT_READY.
        if (
            old is not status
            and (old in _NOT_WORKING or status in _NOT_WORKING)
            and _staffing_class(old) != _staffing_class(status)
        ):
            state.count(agent.profile, old, -1)
            state.count(agent.profile, status, +1)
        agent.status = status
        agent.reason = reason
        state.epoch_seq += 1
        agent.epoch = state.epoch_seq
        if status is _IDLE:
            if since is not None:
                agent.since = since
            else:
                agent.since = now
            key = agent.idle_key = (agent.since, agent.id)
            for pool in agent.idle_pools:
                insort(pool, key)
        else:
            agent.since = now

    def serve_next(self, agent: AgentRecord) -> None:
        """An agent just became idle: offer them their best waiting contact, if any."""
        if agent.status is not _IDLE:
            return
        if agent.targeted:
            mine = self.state.contacts[agent.targeted[0][3]]
            self.offer(mine, agent, 0, agent.profile.levels.get(mine.skill, 0))
            return
        if not self.state.queued:
            return  # nothing waits in any queue: no need to look
        record = _matching.best_contact(self.state, agent, self.now)
        if record is not None:
            stage_index = record.info.stage_index(record.contact.arrived_at, self.now)
            stage = record.info.line.stages[stage_index]
            level = _matching.level_for(agent.profile, record.skill, stage)
            assert level is not None, "best_contact returned a contact the agent may not serve"
            self.offer(record, agent, stage_index, level)

    def end_wrap_up(self, agent: AgentRecord) -> bool:
        """Leave wrap-up; True if the agent is now idle (and should be served)."""
        agent.wrap_until = None
        if agent.pending_reason is not None:
            reason, agent.pending_reason = agent.pending_reason, None
            self.set_status(agent, _NOT_READY, reason)
            return False
        self.set_status(agent, _IDLE)
        return True

    def start_wrap_up(self, agent: AgentRecord, record: ContactRecord) -> bool:
        """The call is over for `agent`; True if they are idle at once (no wrap-up), unserved."""
        line = record.info.line
        skill = record.skill
        handled_s = self.now - record.answered_at + line.wrap_up_s
        mean = self.state.handle_time_s.get(skill, line.handle_time_s)
        self.state.handle_time_s[skill] = mean + HANDLE_TIME_SMOOTHING * (handled_s - mean)
        agent.contact_id = None
        if line.wrap_up_s > 0:
            self.set_status(agent, _WRAP_UP)
            agent.wrap_until = self.now + line.wrap_up_s
            self.state.schedule(agent.wrap_until, TIMER_WRAP_UP, agent.id, agent.epoch)
            return False
        if agent.pending_reason is None and agent.status is _ON_CALL:
            # `end_wrap_up` and `set_status`'s ON_CALL -> IDLE case, inlined: busy time ends, the
            # agent joins the back of the idle pools; no staffing counter changes.
            state, now = self.state, self.now
            agent.wrap_until = None
            agent.busy_s += now - agent.since
            agent.status = _IDLE
            agent.reason = None
            state.epoch_seq += 1
            agent.epoch = state.epoch_seq
            agent.since = now
            key = agent.idle_key = (now, agent.id)
            for pool in agent.idle_pools:
                insort(pool, key)
            return True
        return self.end_wrap_up(agent)

    def release_reserved(self, agent: AgentRecord) -> None:
        """A reservation is void through no fault of the agent: back to idle, old rank kept."""
        agent.contact_id = None
        self.set_status(agent, _IDLE, since=agent.return_idle_since)

    # ---------------------------------------------------------------- contacts

    def offer(
        self, record: ContactRecord, agent: AgentRecord, stage_index: int, level: int
    ) -> None:
        if record.in_queue:
            self.unqueue(record)
        state = self.state
        contact_id = record.contact.id
        record.status = _OFFERED
        record.agent_id = agent.id
        record.excluded_agent = None
        state.epoch_seq += 1
        record.epoch = state.epoch_seq
        agent.return_idle_since = agent.since
        key = agent.idle_key
        if agent.status is _IDLE and key is not None:
            # `set_status`'s IDLE -> RESERVED case, inlined: out of the idle pools; no busy time
            # to add and no staffing counter changes.
            for pool in agent.idle_pools:
                index = bisect_left(pool, key)
                if index < len(pool) and pool[index] == key:
                    del pool[index]
            agent.idle_key = None
            agent.status = _RESERVED
            agent.reason = None
            state.epoch_seq += 1
            agent.epoch = state.epoch_seq
            agent.since = self.now
        else:
            self.set_status(agent, _RESERVED)
        agent.contact_id = contact_id
        self.out.append(
            _new_offer(contact_id, agent.id, stage_index, level, record.info.line.ring_timeout_s)
        )

    def unqueue(self, record: ContactRecord) -> None:
        if not record.in_queue:
            return
        record.in_queue = False
        if record.target_agent is not None:
            remove_sorted(self.state.agents[record.target_agent].targeted, record.line_key)
        else:
            contact = record.contact
            self.state.queues[record.skill].remove(
                record.info.id, contact.priority, record.wait_key
            )
            self.state.queued -= 1

    def forget(self, record: ContactRecord) -> None:
        if record.in_queue:
            self.unqueue(record)
        del self.state.contacts[record.contact.id]

    def admit(
        self, record: ContactRecord, *, announce: bool, fallback: bool = True, match: bool = True
    ) -> None:
        """Route a contact entering (or re-entering) routing: offer it now, or queue it.

        `fallback=False` keeps the contact from its excluded agent: used right after that agent
        failed it, when the agent is about to pick its own best contact (maybe a better one).
        `match=False` only queues it, for when a freed agent must choose first.
        """
        now = self.now
        contact, line = record.contact, record.info.line
        inbound = contact.kind is _INBOUND
        record.status = _WAITING
        record.agent_id = None
        if inbound and line.max_wait_s is not None and record.queued_since + line.max_wait_s <= now:
            self.divert(record, DivertReason.MAX_WAIT, line.on_max_wait)
            return
        if match and self.offer_now(record, fallback):
            return
        self.enqueue(record, announce=announce)

    def offer_now(self, record: ContactRecord, fallback: bool = True) -> bool:
        """Offer a contact to the idle agent it may reach now, if there is one."""
        if record.target_agent is not None:
            target = self.state.agents[record.target_agent]
            if target.status is not _IDLE or (
                target.targeted and target.targeted[0] != record.line_key
            ):
                return False
            self.offer(record, target, 0, target.profile.levels.get(record.skill, 0))
            return True
        info = record.info
        # One stage (a plain queue) needs no clock arithmetic.
        stage_index = (
            0 if info.single_stage else info.stage_index(record.contact.arrived_at, self.now)
        )
        choice = _matching.choose_agent(self.state, record, stage_index, self.now, fallback)
        if choice is None:
            return False
        self.offer(record, choice[0], stage_index, choice[1])
        return True

    def enqueue(self, record: ContactRecord, *, announce: bool) -> None:
        state, now = self.state, self.now
        contact, info = record.contact, record.info
        line = info.line
        record.status = _WAITING
        record.in_queue = True
        record.epoch = self.state.new_epoch()
        epoch, contact_id = record.epoch, contact.id
        if record.target_agent is not None:
            insort(state.agents[record.target_agent].targeted, record.line_key)
        else:
            state.queue(record.skill).add(info.id, contact.priority, record.wait_key)
            state.queued += 1
            for after_s in info.stage_after:
                if contact.arrived_at + after_s > now:
                    state.schedule(contact.arrived_at + after_s, TIMER_STAGE, contact_id, epoch)
                    break
        if contact.kind is not _INBOUND:
            return
        if line.max_wait_s is not None:
            state.schedule(record.queued_since + line.max_wait_s, TIMER_MAX_WAIT, contact_id, epoch)
        if line.callback_offer_after_s is not None and not record.callback_offered:
            at = record.queued_since + line.callback_offer_after_s
            if at <= now:
                record.callback_offered = True
                self.out.append(OfferCallback(contact_id))
            else:
                state.schedule(at, TIMER_CALLBACK_OFFER, contact_id, epoch)
        if line.announce_every_s is not None:
            if announce:
                self.out.append(self.announcement(record))
            state.schedule(now + line.announce_every_s, TIMER_ANNOUNCE, contact_id, epoch)

    def announcement(self, record: ContactRecord) -> Announce:
        """Position-aware expected wait.

        With `position` contacts to be served first (this one included) and `n` agents able to
        serve at stage k, the wait at stage k is about position x mean handle time / n; the
        contact reaches stage k only after `until_k`, so the estimate is the smallest over the
        stages still to come of max(until_k, position x handle / n_k).
        """
        state, now = self.state, self.now
        contact, info = record.contact, record.info
        skill = record.skill
        handle_s = state.handle_time_s.get(skill, info.line.handle_time_s)
        if record.target_agent is not None:
            targeted = state.agents[record.target_agent].targeted
            position = targeted.index(record.line_key) + 1
            return Announce(contact.id, position, position * handle_s)
        position = state.queues[skill].position(contact.priority, record.wait_key)
        best: float | None = None
        first = info.stage_index(contact.arrived_at, now)
        for index in range(first, len(info.stage_after)):
            stage = info.line.stages[index]
            serving = state.could_serve(skill, stage.max_level, stage.overflow, state.active)
            if serving:
                until = max(0.0, contact.arrived_at + info.stage_after[index] - now)
                estimate = max(until, position * handle_s / serving)
                best = estimate if best is None else min(best, estimate)
        return Announce(contact.id, position, best)

    def divert(self, record: ContactRecord, reason: DivertReason, target: DivertTarget) -> None:
        self.forget(record)
        self.out.append(Divert(record.contact.id, reason, target))

    def cancel_offer(self, record: ContactRecord) -> AgentRecord:
        """Void a live offer; returns the agent, idle again (not yet served)."""
        agent = self.state.agents[record.agent_id or ""]
        self.out.append(CancelOffer(record.contact.id, agent.id))
        record.agent_id = None
        self.release_reserved(agent)
        return agent

    # ------------------------------------------------------------------ timers

    def run_due_timers(self) -> None:
        state, now = self.state, self.now
        timers = state.timers
        if not timers or timers[0][0] > now:
            return  # the common case: nothing due
        freed: list[AgentRecord] = []
        widened: list[ContactRecord] = []
        to_announce: list[tuple[ContactRecord, int]] = []
        while timers and timers[0][0] <= now:
            at, _, kind, key, epoch = heappop(timers)
            if kind == TIMER_WRAP_UP:
                agent = state.agents.get(key)
                if agent is not None and agent.epoch == epoch and self.end_wrap_up(agent):
                    freed.append(agent)
                continue
            record = state.contacts.get(key)
            if record is None or record.epoch != epoch or record.status is not _WAITING:
                continue
            if kind == TIMER_STAGE:
                widened.append(record)
                arrived_at = record.contact.arrived_at
                for after_s in record.info.stage_after:
                    if arrived_at + after_s > now:
                        state.schedule(arrived_at + after_s, TIMER_STAGE, key, epoch)
                        break
                continue
            if record.contact.kind is not _INBOUND:
                continue  # a callback: nobody on the line to announce to or divert
            line = record.info.line
            if kind == TIMER_MAX_WAIT:
                self.divert(record, DivertReason.MAX_WAIT, line.on_max_wait)
            elif kind == TIMER_CALLBACK_OFFER:
                if not record.callback_offered:
                    record.callback_offered = True
                    self.out.append(OfferCallback(key))
            else:
                every = line.announce_every_s or 1.0
                next_at = at + every
                while next_at <= now:
                    next_at += every
                state.schedule(next_at, TIMER_ANNOUNCE, key, epoch)
                to_announce.append((record, epoch))
        # Agents first: a freed agent takes the best contact across its queues, priority first.
        for agent in freed:
            self.serve_next(agent)
        widened.sort(key=lambda r: r.line_key)
        for record in widened:
            if record.status is _WAITING and record.in_queue:
                self.offer_now(record)
        for record, epoch in to_announce:
            if record.status is _WAITING and record.epoch == epoch and record.in_queue:
                self.out.append(self.announcement(record))

    def promise_wake(self) -> None:
        state, timers = self.state, self.state.timers
        while timers and not _timer_is_live(state, timers[0]):
            heappop(timers)
        if not timers:
            return
        at = timers[0][0]
        promised = state.wake_promised
        if promised is None or promised <= self.now or at < promised:
            state.wake_promised = at
            self.out.append(WakeAt(at))


def _timer_is_live(state: RoutingState, timer: tuple[float, int, int, str, int]) -> bool:
    _, _, kind, key, epoch = timer
    if kind == TIMER_WRAP_UP:
        agent = state.agents.get(key)
        return agent is not None and agent.epoch == epoch
    record = state.contacts.get(key)
    return record is not None and record.epoch == epoch and record.status is _WAITING


# ---------------------------------------------------------------------- event handlers


def _contact_arrived(step: _Step, event: ContactArrived) -> None:
    state, contact = step.state, event.contact
    if contact.id in state.contacts:
        return  # duplicate
    # `RoutingState.routing_of`'s cache hit, inlined: every arrival passes here.
    found = state._info_by_key.get((contact.line, contact.language, contact.region))
    info, skill = found if found is not None else state.routing_of(contact)
    line = info.line
    hours = state.policy.hours_for(contact.line)
    if hours is not None and contact.kind is _INBOUND and not hours.is_open(step.now):
        step.out.append(Divert(contact.id, DivertReason.CLOSED, line.on_closed))
        return
    if line.on_no_agents is not None:
        widest = line.stages[-1]
        if not state.could_serve(skill, widest.max_level, widest.overflow, state.staffed):
            step.out.append(Divert(contact.id, DivertReason.NO_AGENTS, line.on_no_agents))
            return
    record = new_contact_record(contact, info, state.contact_seq, skill)
    state.contact_seq += 1
    state.contacts[contact.id] = record
    # `admit` and `offer_now`, inlined for a new contact (waiting, no agent targeted or excluded
    # yet): every arrival passes here.
    now = step.now
    if (
        line.max_wait_s is not None
        and contact.kind is _INBOUND
        and record.queued_since + line.max_wait_s <= now
    ):
        step.divert(record, DivertReason.MAX_WAIT, line.on_max_wait)
        return
    stage_index = 0 if info.single_stage else info.stage_index(contact.arrived_at, now)
    choice = _matching.choose_agent(state, record, stage_index, now)
    if choice is None:
        step.enqueue(record, announce=True)
    else:
        step.offer(record, choice[0], stage_index, choice[1])


def _contact_gone(step: _Step, event: ContactAbandoned | ContactEnded) -> None:
    """The caller is gone (abandoned or hung up), whatever stage the contact was in.

    The end of every call passes here, so it works on the records directly (no method calls
    but the agent's wrap-up) when the contact was connected.
    """
    state = step.state
    record = state.contacts.get(event.contact_id)
    if record is None:
        return
    if record.in_queue:  # `forget`, inlined
        step.unqueue(record)
    del state.contacts[record.contact.id]
    if record.status is _CONNECTED:
        agent = state.agents.get(record.agent_id or "")
        if (
            agent is not None
            and agent.contact_id == record.contact.id
            and step.start_wrap_up(agent, record)
            and (agent.targeted or state.queued)  # else serve_next finds nothing
        ):
            step.serve_next(agent)
    elif record.status is _OFFERED:
        step.serve_next(step.cancel_offer(record))


def _callback_requested(step: _Step, event: CallbackRequested) -> None:
    record = step.state.contacts.get(event.contact_id)
    if record is None or record.status is _CONNECTED:
        return
    if record.contact.kind is _INBOUND:
        # Same id, same arrived_at, same queue entry: the callback keeps the caller's place.
        record.contact = dataclasses.replace(record.contact, kind=ContactKind.CALLBACK)


def _agent_logged_in(step: _Step, event: AgentLoggedIn) -> None:
    state, profile = step.state, event.agent
    agent = state.agents.get(profile.id)
    if agent is None:
        agent = AgentRecord(profile, step.now)
        agent.idle_pools = state.idle.pools_for(profile)
        state.agents[profile.id] = agent
        if event.ready:
            step.set_status(agent, _IDLE)
            step.serve_next(agent)
        else:
            step.set_status(agent, _NOT_READY, "login")
        return
    _replace_profile(step, agent, profile)
    if event.ready and agent.status is _NOT_READY:
        step.set_status(agent, _IDLE)
    step.serve_next(agent)


def _replace_profile(step: _Step, agent: AgentRecord, profile: AgentProfile) -> None:
    """A repeated login updates skills; an idle agent keeps their idle rank."""
    state = step.state
    state.count(agent.profile, agent.status, -1)
    if agent.idle_key is not None:
        state.idle.remove(agent.profile, agent.idle_key)
    agent.profile = profile
    agent.idle_pools = state.idle.pools_for(profile)
    state.count(profile, agent.status, +1)
    if agent.idle_key is not None:
        state.idle.add(profile, agent.idle_key)


def _agent_logged_out(step: _Step, event: AgentLoggedOut) -> None:
    state = step.state
    agent = state.agents.get(event.agent_id)
    if agent is None:
        return
    reserved = state.contacts.get(agent.contact_id or "")
    step.set_status(agent, _LOGGED_OUT)
    del state.agents[agent.id]
    targeted = [state.contacts[key[3]] for key in agent.targeted]
    if reserved is not None and reserved.agent_id == agent.id:
        if reserved.status is _OFFERED:
            step.out.append(CancelOffer(reserved.contact.id, agent.id))
            if reserved.target_agent == agent.id:
                # Transferred to this agent by name, who is gone: back to the skill's queue, like
                # the contacts still waiting for them below.
                reserved.target_agent = None
            step.admit(reserved, announce=False)
        else:
            reserved.agent_id = None  # the call goes on without a routed agent
    for record in targeted:
        record.in_queue = False
        record.target_agent = None
        step.admit(record, announce=False)


def _agent_state_changed(step: _Step, event: AgentStateChanged) -> None:
    agent = step.state.agents.get(event.agent_id)
    if agent is None:
        return
    status = agent.status
    if event.status is _IDLE:
        if status is _NOT_READY:
            step.set_status(agent, _IDLE)
            step.serve_next(agent)
        elif status is _WRAP_UP:
            agent.pending_reason = None
            if step.end_wrap_up(agent):
                step.serve_next(agent)
        else:
            agent.pending_reason = None  # ON_CALL: changed their mind; IDLE/RESERVED: no-op
        return
    reason = event.reason
    if status is _ON_CALL:
        agent.pending_reason = reason or "not_ready"  # applies once the call and wrap-up end
    elif status is _RESERVED:
        record = step.state.contacts[agent.contact_id or ""]
        step.out.append(CancelOffer(record.contact.id, agent.id))
        agent.contact_id = None
        step.set_status(agent, _NOT_READY, reason)
        step.admit(record, announce=False)
    else:
        agent.wrap_until = None
        step.set_status(agent, _NOT_READY, reason)


def _live_offer(step: _Step, contact_id: str, agent_id: str) -> ContactRecord | None:
    record = step.state.contacts.get(contact_id)
    if record is None or record.status is not _OFFERED or record.agent_id != agent_id:
        return None
    return record


def _offer_answered(step: _Step, event: OfferAnswered) -> None:
    record = step.state.contacts.get(event.contact_id)
    if record is None or record.status is not _OFFERED or record.agent_id != event.agent_id:
        return  # not a live offer (same test as `_live_offer`, inlined on this hot path)
    agent = step.state.agents[event.agent_id]
    agent.misses = 0
    if agent.status is _RESERVED:
        # `set_status`'s RESERVED -> ON_CALL case, inlined: busy time goes on, no pool or
        # staffing counter changes.
        state = step.state
        agent.busy_s += step.now - agent.since
        agent.status = _ON_CALL
        agent.reason = None
        state.epoch_seq += 1
        agent.epoch = state.epoch_seq
        agent.since = step.now
    else:
        step.set_status(agent, _ON_CALL)
    record.status = _CONNECTED
    record.answered_at = step.now


def _offer_failed(step: _Step, event: OfferFailed) -> None:
    record = _live_offer(step, event.contact_id, event.agent_id)
    if record is None:
        return
    agent = step.state.agents[event.agent_id]
    agent.contact_id = None
    if event.reason is not OfferFailure.LOST:
        agent.misses += 1
    not_ready_reason = None
    if event.reason is OfferFailure.UNREACHABLE:
        not_ready_reason = "unreachable"
    elif agent.misses >= record.info.line.rona_misses:
        not_ready_reason = "rona"  # ring, no answer: stop offering calls to an absent agent
    if not_ready_reason is not None:
        agent.misses = 0
        step.set_status(agent, _NOT_READY, not_ready_reason)
        step.out.append(SetAgentNotReady(agent.id, not_ready_reason))
    else:
        step.set_status(agent, _IDLE)  # to the back of the idle order
    record.excluded_agent = agent.id
    record.target_agent = None  # a targeted transfer that failed falls back to the queue
    step.admit(record, announce=False, fallback=False)
    step.serve_next(agent)  # may be this contact again, if nobody else could take it


def _wrap_up_ended(step: _Step, event: WrapUpEnded) -> None:
    agent = step.state.agents.get(event.agent_id)
    if agent is not None and agent.status is _WRAP_UP and step.end_wrap_up(agent):
        step.serve_next(agent)


def _tick(step: _Step, event: Tick) -> None:
    """Due timers already ran."""


def _contact_transferred(step: _Step, event: ContactTransferred) -> None:
    state = step.state
    record = state.contacts.get(event.contact_id)
    if record is None:
        return
    freed: AgentRecord | None = None
    if record.status is _CONNECTED:
        agent = state.agents.get(record.agent_id or "")
        if (
            agent is not None
            and agent.contact_id == record.contact.id
            and step.start_wrap_up(agent, record)
        ):
            freed = agent
    elif record.status is _OFFERED:
        freed = step.cancel_offer(record)
    else:
        step.unqueue(record)
    contact = record.contact
    record.contact = dataclasses.replace(
        contact,
        line=event.line,
        language=event.language,
        priority=contact.priority if event.priority is None else event.priority,
    )
    record.skill = record.contact.skill
    record.info = state.policy_info(record.contact)
    record.queued_since = step.now
    record.excluded_agent = None
    target = event.to_agent_id
    record.target_agent = target if target is not None and target in state.agents else None
    if freed is None:
        step.admit(record, announce=True)
        return
    # The agent set free chooses first, among every waiting contact (this one included).
    step.admit(record, announce=False, match=False)
    step.serve_next(freed)
    if record.in_queue:
        step.offer_now(record)
        if record.in_queue and record.info.line.announce_every_s is not None:
            step.out.append(step.announcement(record))


def _policy_changed(step: _Step, event: PolicyChanged) -> None:
    state = step.state
    # Out of the queues under the policy they entered with (the queue buckets are keyed by it).
    waiting = [r for r in state.contacts.values() if r.status is _WAITING and r.in_queue]
    for record in waiting:
        step.unqueue(record)
    state.replace_policy(event.policy)
    for record in state.contacts.values():
        record.info = state.policy_info(record.contact)  # offered or talking: used next time
    # In service order, so that an agent the new stages make eligible takes the first in line;
    # `admit` restarts the timers (a new epoch makes the old ones stale).
    waiting.sort(key=lambda r: r.line_key)
    for record in waiting:
        step.admit(record, announce=False)


_HANDLERS: dict[type[Any], Callable[[_Step, Any], None]] = {
    ContactArrived: _contact_arrived,
    ContactAbandoned: _contact_gone,
    CallbackRequested: _callback_requested,
    AgentLoggedIn: _agent_logged_in,
    AgentLoggedOut: _agent_logged_out,
    AgentStateChanged: _agent_state_changed,
    OfferAnswered: _offer_answered,
    OfferFailed: _offer_failed,
    ContactEnded: _contact_gone,
    WrapUpEnded: _wrap_up_ended,
    Tick: _tick,
    ContactTransferred: _contact_transferred,
    PolicyChanged: _policy_changed,
}
