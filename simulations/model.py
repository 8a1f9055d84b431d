"""The SimPy traffic model: callers and agents around the real routing engine, on ``env.now``.

Covers: piecewise-Poisson arrivals per business line and language, handle times and patience drawn
from the scenario's distributions, agents logging in and out per interval by group (an agent due to
leave finishes the call in hand first), optional ring time, callbacks (the caller leaves the line
but the contact keeps its place in the queue and is called back when an agent is free), and the
routing engine making *every* decision. The model never decides who gets a call: it only feeds the
engine events and carries out its decisions (DESIGN.md, "One routing brain, two clocks").

Timeline of one replication: the warm-up (interval 0's load and staffing, not counted), then the
counted intervals, then a drain with the last interval's staffing and no new arrivals until every
counted call is resolved (or a cap is reached: those calls stay unresolved, i.e. misses).

Speed matters (the benchmark wants a multiple of ciw's rate), so timers are bare SimPy events with
callbacks rather than one process per caller (built as ``Timeout(env, delay)``: the ``env.timeout``
shortcut adds a call through a bound-class wrapper; hot callbacks are ``functools.partial`` objects
of methods that take the timer as a last, ignored argument, one Python frame fewer than a lambda),
decisions are dispatched through a table by type, and per-call data lives in flat lists. The hot
paths (an arrival, an offer answered at once, the end of a call) write out the helpers they would
call, and say so.
"""

from __future__ import annotations

import gc
import math
import random
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import IntEnum
from functools import partial
from typing import Any

import simpy
from simpy.events import Timeout

import routing
from simulations.distributions import Draw, draw
from simulations.metrics import CallLog, Outcome, ReplicationFigures, TimeBins, summarise
from simulations.policy import simulation_policy
from simulations.scenario import Scenario

_log = math.log

_new_call = object.__new__

# After the day ends, calls still queued get this long to resolve before they count as unresolved.
DRAIN_CAP_S = 4 * 3600.0


class _CallState(IntEnum):
    WAITING = 0
    RINGING = 1
    TALKING = 2
    CALLBACK_WAITING = 3  # the caller hung up after asking for a callback; the contact still queues
    CALLING_BACK = 4
    DONE = 5


class _Call:
    """A caller, built in `_arrive` (no `__init__`: a class call runs it in a fresh interpreter
    frame, which costs more than the five stores, and every arrival builds one)."""

    __slots__ = ("agent_id", "arrived_at", "handle_s", "row", "state", "traffic")

    row: int  # row in the CallLog, -1 during the warm-up
    traffic: int
    arrived_at: float
    state: _CallState
    agent_id: str | None  # the agent the contact is offered to or talking with
    handle_s: float  # drawn on arrival (see `_arrive`)


# The states and outcomes under module-level names: CPython 3.11 does not specialise reading an
# attribute off a class with a metaclass (an enum), and the hot paths test states several times
# per call.
_WAITING = _CallState.WAITING
_RINGING = _CallState.RINGING
_TALKING = _CallState.TALKING
_CALLBACK_WAITING = _CallState.CALLBACK_WAITING
_CALLING_BACK = _CallState.CALLING_BACK
_DONE = _CallState.DONE
_UNRESOLVED = Outcome.WAITING
_ANSWERED = Outcome.ANSWERED


@dataclass(slots=True)
class _Agent:
    profile: routing.AgentProfile
    logged_in_at: float
    busy: bool = False  # holds a contact (ringing, talking)
    leaving: bool = False  # log out as soon as the contact in hand is finished


_Window = tuple[float, float, int, float, Callable[[object], None]]


@dataclass(frozen=True, slots=True)
class RunOptions:
    """Knobs that are not part of the scenario file."""

    drain_cap_s: float = DRAIN_CAP_S


class TrafficModel:
    """One replication. Build it with a seed, call ``run()``, read the figures it returns."""

    def __init__(self, scenario: Scenario, seed: str, options: RunOptions | None = None) -> None:
        self.scenario = scenario
        self.options = options or RunOptions()
        self.env = simpy.Environment()
        self.policy = simulation_policy(scenario)
        self.state = routing.new_state(self.policy)
        # Separate streams per purpose and line, so changing the staffing does not reshuffle
        # arrivals (common random numbers make staffing comparisons sharper).
        self._arrival_rngs = [random.Random(f"{seed}:arrivals:{t.label}") for t in scenario.traffic]
        self._handle = [
            draw(t.handle_time, random.Random(f"{seed}:handle:{t.label}")) for t in scenario.traffic
        ]
        self._patience: list[Draw | None] = [
            draw(t.patience, random.Random(f"{seed}:patience:{t.label}")) if t.patience else None
            for t in scenario.traffic
        ]
        self._callback_rng = random.Random(f"{seed}:callbacks")
        # Empty windows: a line's first draw works out the real one.
        self._arrival_windows: list[_Window] = [
            (math.inf, -math.inf, -1, 0.0, partial(self._arrive, index, -1))
            for index in range(len(scenario.traffic))
        ]
        self._calls: dict[str, _Call] = {}
        self._agents: dict[str, _Agent] = {}
        self._groups: list[list[str]] = [[] for _ in scenario.agents]
        self._agent_serial = 0
        self._call_serial = 0
        self._pending: deque[object] = deque()
        self._now = 0.0  # the clock's time while `_feed` carries out decisions (see there)
        self._wake_times: set[float] = set()
        self.log = CallLog()
        self.bins = TimeBins(scenario.warmup_s, scenario.interval_s, scenario.interval_count)
        self._queue_length = 0
        self._queue_since = 0.0
        self._unresolved = 0
        self._day_end = scenario.warmup_s + scenario.day_s
        self.decisions_seen = 0
        self.events_applied = 0
        self._actions = self._decision_actions()

    # ------------------------------------------------------------------ running
    def run(self) -> ReplicationFigures:
        scenario = self.scenario
        day_end = scenario.warmup_s + scenario.day_s
        self.env.process(self._staffing())
        for index in range(len(scenario.traffic)):
            self._schedule_arrival(index, self.env.now)
        with _cyclic_gc_paused():
            self.env.run(until=day_end)
            drain_end = day_end + self.options.drain_cap_s
            while self._unresolved and self.env.now < drain_end:
                self.env.run(until=min(drain_end, self.env.now + 600.0))
        self._close(day_end)
        labels = [t.label for t in scenario.traffic]
        return summarise(self.log, self.bins, labels, scenario.threshold_s)

    def _close(self, day_end: float) -> None:
        self._note_queue(min(self.env.now, day_end))
        for agent in self._agents.values():
            self.bins.add_span(self.bins.logged_in, agent.logged_in_at, day_end)

    # ------------------------------------------------------------------ engine plumbing
    def _feed(self, event: object, now: float) -> None:
        """Apply an event at `now` (the clock's time) and carry out its decisions.

        Follow-up events queue behind it. The decision actions, which run only in here, read the
        time from `self._now` rather than from SimPy's `env.now` property (a Python call).
        """
        pending = self._pending
        pending.append(event)
        if len(pending) > 1:
            return  # an outer _feed is already draining the queue
        self._now = now
        apply = routing.apply
        actions = self._actions
        applied = 0
        while pending:
            self.state, decisions = apply(self.state, pending[0], now)  # type: ignore[arg-type]
            applied += 1
            if decisions:
                self.decisions_seen += len(decisions)
                for decision in decisions:
                    action = actions.get(type(decision))
                    if action is not None:
                        action(decision)
            pending.popleft()
        self.events_applied += applied

    def _decision_actions(self) -> dict[type, Callable[[Any], None]]:
        """What carrying out each kind of decision means here (by exact type: one dict lookup).

        Announce needs no action: announcements do not change caller behaviour here.
        """
        return {
            routing.Offer: self._offer,
            routing.WakeAt: lambda d: self._wake_at(d.at),
            routing.OfferCallback: lambda d: self._offer_callback(d.contact_id),
            routing.Divert: lambda d: self._leave(d.contact_id, Outcome.DIVERTED),
            routing.SetAgentNotReady: self._ready_again,
            routing.CancelOffer: lambda d: self._cancel_offer(d.contact_id, d.agent_id),
        }

    def _ready_again(self, decision: routing.SetAgentNotReady) -> None:
        # Only ring-no-answer produces this, and simulated agents always answer: make the agent
        # ready again so the decision cannot silently shrink the staffing.
        self._pending.append(
            routing.AgentStateChanged(decision.agent_id, routing.AgentStatus.IDLE, None)
        )

    def _wake_at(self, at: float) -> None:
        if at in self._wake_times:
            return
        self._wake_times.add(at)
        timer = Timeout(self.env, max(0.0, at - self._now))
        timer.callbacks.append(lambda _event: self._tick(at))

    def _tick(self, at: float) -> None:
        self._wake_times.discard(at)
        self._feed(routing.Tick(), self.env.now)

    # ------------------------------------------------------------------ callers
    def _schedule_arrival(self, index: int, at: float) -> None:
        """Draw the line's next arrival from `at` on: Poisson, its rate constant in an interval.

        A draw that crosses an interval boundary is discarded and redrawn from the boundary with the
        next interval's rate (exponential gaps are memoryless, so this is exact). `_arrive` does
        the common case itself (a draw within the current interval).
        """
        rng = self._arrival_rngs[index]
        window = self._arrival_windows[index]
        now = self.env.now
        while at < self._day_end:
            if not window[0] <= at < window[1]:
                window = self._arrival_windows[index] = self._arrival_window(index, at)
            _, boundary, _, rate, due = window
            # rng.expovariate(rate), written out (the same expression as CPython's) to spare a
            # Python frame per arrival.
            gap = -_log(1.0 - rng.random()) / rate if rate > 0 else math.inf
            if at + gap < boundary:
                timer = Timeout(self.env, at + gap - now)
                timer.callbacks.append(due)
                return
            at = boundary

    def _arrival_window(self, index: int, at: float) -> _Window:
        """(begins, ends, interval, rate per second, arrival callback) of the interval holding
        `at`, for one line.

        Kept per line, so that only the first arrival of an interval works it out (the callback
        too: every arrival of the line in the interval shares it).
        """
        scenario = self.scenario
        interval = self._interval_of(at)
        begins = scenario.warmup_s + interval * scenario.interval_s if interval >= 0 else -math.inf
        ends = scenario.warmup_s + (interval + 1) * scenario.interval_s
        rate = scenario.traffic[index].calls_per_interval[max(interval, 0)] / scenario.interval_s
        return begins, ends, interval, rate, partial(self._arrive, index, interval)

    def _interval_of(self, now: float) -> int:
        if now < self.scenario.warmup_s:
            return -1
        return min(
            int((now - self.scenario.warmup_s) // self.scenario.interval_s),
            self.scenario.interval_count - 1,
        )

    def _arrive(self, index: int, interval: int, _timer: object = None) -> None:
        """A caller of line `index` reaches the queue (the arrival timer's callback).

        Then the line's next arrival is drawn, after the call's own timers as it always was (the
        order in which SimPy breaks ties between timers due at the same instant).
        """
        now = self.env.now
        traffic = self.scenario.traffic[index]
        self._call_serial += 1
        contact_id = f"c{self._call_serial}"
        row = -1
        if interval >= 0:
            log = self.log  # `CallLog.add`, inlined: once per call
            row = len(log.outcome)
            log.interval.append(interval)
            log.traffic.append(index)
            log.outcome.append(_UNRESOLVED)
            log.wait_s.append(0.0)
            self._unresolved += 1
        call = _new_call(_Call)
        call.row = row
        call.traffic = index
        call.arrived_at = now
        call.state = _WAITING
        call.agent_id = None
        self._calls[contact_id] = call
        if self._queue_length or now <= self._queue_since:
            self._set_queue(self._queue_length + 1)
        else:  # `_set_queue`'s common case, inlined: the queue was empty, nothing to add
            self._queue_since = now
            self._queue_length = 1
        # Patience and handle time are drawn for every caller on arrival, so the n-th caller of a
        # line gets the same ones whatever the staffing (common random numbers: two staffings
        # compared by the staffing search differ by the staffing only). Drawn when answered,
        # handle times would follow the answering order and reshuffle with every change.
        patience = self._patience[index]
        if patience is None:
            patience_s = math.inf
        else:
            source, rate = patience
            patience_s = -_log(1.0 - source()) / rate if rate else source()
        source, rate = self._handle[index]
        call.handle_s = -_log(1.0 - source()) / rate if rate else source()
        contact = routing.new_contact(
            contact_id, traffic.line, traffic.language, now, traffic.priority
        )
        self._feed(routing.ContactArrived(contact), now)
        # Most calls are answered on arrival: only those still waiting (or ringing) need a timer.
        if patience_s < math.inf and (call.state is _WAITING or call.state is _RINGING):
            timer = Timeout(self.env, patience_s)
            timer.callbacks.append(partial(self._abandon, contact_id))
        # `_schedule_arrival`'s common case, inlined: the next arrival falls in the same interval.
        begins, ends, _, rate, due = self._arrival_windows[index]
        if not (rate > 0 and begins <= now < ends):
            self._schedule_arrival(index, now)
            return
        gap = -_log(1.0 - self._arrival_rngs[index].random()) / rate
        if now + gap < ends:
            timer = Timeout(self.env, now + gap - now)  # not `gap`: the float sum rounds
            timer.callbacks.append(due)
        else:
            self._schedule_arrival(index, ends)  # this draw crossed the boundary: redraw from it

    def _abandon(self, contact_id: str, _timer: object = None) -> None:
        call = self._calls.get(contact_id)
        if call is None or call.state not in (_WAITING, _RINGING):
            return  # answered, called back or gone already: the patience timer is stale
        self._leave(contact_id, Outcome.ABANDONED)
        self._feed(routing.ContactAbandoned(contact_id), self.env.now)

    def _leave(self, contact_id: str, outcome: Outcome) -> None:
        """The caller leaves the queue without being answered (abandon, divert)."""
        call = self._calls.pop(contact_id, None)
        if call is None:
            return
        if call.state in (_WAITING, _CALLBACK_WAITING):
            self._set_queue(self._queue_length - 1)
        if call.state is _CALLBACK_WAITING:
            return  # already resolved as a callback when the caller accepted it
        call.state = _DONE
        self._resolve(call, outcome, self.env.now - call.arrived_at)

    def _offer_callback(self, contact_id: str) -> None:
        callbacks = self.scenario.callbacks
        call = self._calls.get(contact_id)
        if callbacks is None or call is None or call.state is not _WAITING:
            return
        if self._callback_rng.random() >= callbacks.accept_probability:
            return  # the caller keeps waiting on the line
        call.state = _CALLBACK_WAITING
        self._resolve(call, Outcome.CALLBACK, self.env.now - call.arrived_at)
        self._pending.append(routing.CallbackRequested(contact_id))

    def _resolve(self, call: _Call, outcome: Outcome, wait_s: float) -> None:
        if call.row >= 0:
            self.log.resolve(call.row, outcome, wait_s)
            self._unresolved -= 1

    # ------------------------------------------------------------------ offers and calls
    def _offer(self, offer: routing.Offer) -> None:
        contact_id, agent_id = offer.contact_id, offer.agent_id
        call = self._calls[contact_id]
        agent = self._agents[agent_id]
        agent.busy = True
        now = self._now
        if now <= self._queue_since:  # `_set_queue`'s case for a call offered as it arrives
            self._queue_length -= 1
        else:
            self._set_queue(self._queue_length - 1)
        ring_s = self.scenario.ring_s
        call.agent_id = agent_id
        if ring_s > 0:
            call.state = _RINGING if call.state is _WAITING else _CALLING_BACK
            timer = Timeout(self.env, ring_s)
            timer.callbacks.append(lambda _event: self._answer(contact_id, agent_id, now))
            return
        # No ring time: the agent answers at once. `_answer`, inlined: every answered call passes
        # here. A waiting caller is answered now; a callback was resolved when it was accepted.
        if call.state is _WAITING and call.row >= 0:
            log = self.log  # `_resolve`, inlined
            log.outcome[call.row] = _ANSWERED
            log.wait_s[call.row] = now - call.arrived_at
            self._unresolved -= 1
        call.state = _TALKING
        handle_s = call.handle_s
        self.bins.add_span(self.bins.handling, now, now + handle_s + self.scenario.wrap_up_s)
        # Applied next by `_feed`'s loop, which is running (this is one of its decisions).
        self._pending.append(routing.OfferAnswered(contact_id, agent_id))
        timer = Timeout(self.env, handle_s)
        timer.callbacks.append(partial(self._end, contact_id, agent_id))

    def _cancel_offer(self, contact_id: str, agent_id: str) -> None:
        call = self._calls.get(contact_id)
        if call is not None and call.agent_id == agent_id:
            # Still with us (the agent, not the caller, went away): back to the queue.
            call.agent_id = None
            call.state = _WAITING if call.state is _RINGING else _CALLBACK_WAITING
            self._set_queue(self._queue_length + 1)
        self._free_agent(agent_id)

    def _answer(self, contact_id: str, agent_id: str, offered_at: float) -> None:
        """The agent answers after the ring time (`_offer` answers at once without it)."""
        call = self._calls.get(contact_id)
        if call is None or call.agent_id != agent_id:
            return  # the offer was cancelled while it rang (caller abandoned, agent left)
        now = self.env.now
        if call.state is _RINGING:
            self._resolve(call, Outcome.ANSWERED, now - call.arrived_at)
        call.state = _TALKING
        handle_s = call.handle_s
        self.bins.add_span(self.bins.handling, offered_at, now + handle_s + self.scenario.wrap_up_s)
        self._feed(routing.OfferAnswered(contact_id, agent_id), now)
        timer = Timeout(self.env, handle_s)
        timer.callbacks.append(partial(self._end, contact_id, agent_id))

    def _end(self, contact_id: str, agent_id: str, _timer: object = None) -> None:
        self._calls.pop(contact_id, None)
        self._feed(routing.ContactEnded(contact_id), self.env.now)
        agent = self._agents.get(agent_id)
        if agent is not None and not agent.leaving:
            agent.busy = False  # `_free_agent`'s common case, inlined
        else:
            self._free_agent(agent_id, self.scenario.wrap_up_s)

    def _free_agent(self, agent_id: str, wrap_up_s: float = 0.0) -> None:
        agent = self._agents.get(agent_id)
        if agent is None:
            return
        agent.busy = False
        if not agent.leaving:
            return
        if wrap_up_s > 0:
            timer = Timeout(self.env, wrap_up_s)
            timer.callbacks.append(lambda _event: self._log_out(agent_id))
        else:
            self._log_out(agent_id)

    # ------------------------------------------------------------------ staffing
    def _staffing(self) -> simpy.events.ProcessGenerator:
        """Interval 0 is staffed from time 0 (it covers the warm-up), then each boundary."""
        scenario = self.scenario
        for interval in range(scenario.interval_count):
            if interval > 0:
                starts_at = scenario.warmup_s + interval * scenario.interval_s
                yield Timeout(self.env, starts_at - self.env.now)
            for group_index, group in enumerate(scenario.agents):
                self._staff_group(group_index, group.count[interval])

    def _staff_group(self, group_index: int, wanted: int) -> None:
        members = self._groups[group_index]
        staying = [a for a in members if not self._agents[a].leaving]
        while len(staying) < wanted:
            staying.append(self._log_in(group_index))
        surplus = len(staying) - wanted
        # Idle agents go first; busy ones finish the call in hand (the engine holds their
        # not-ready request until the call and its wrap-up are over), then log out.
        for agent_id in sorted(staying, key=lambda a: self._agents[a].busy):
            if surplus <= 0:
                break
            surplus -= 1
            agent = self._agents[agent_id]
            if agent.busy:
                agent.leaving = True
                self._feed(
                    routing.AgentStateChanged(agent_id, routing.AgentStatus.NOT_READY, "shift end"),
                    self.env.now,
                )
            else:
                self._log_out(agent_id)

    def _log_in(self, group_index: int) -> str:
        group = self.scenario.agents[group_index]
        self._agent_serial += 1
        agent_id = f"{group.name}-{self._agent_serial}"
        levels = {
            routing.Skill(line, language): level
            for line, level in group.levels.items()
            for language in group.languages
        }
        profile = routing.AgentProfile(agent_id, levels, group.languages, overflow=group.overflow)
        self._agents[agent_id] = _Agent(profile, self.env.now)
        self._groups[group_index].append(agent_id)
        self._feed(routing.AgentLoggedIn(profile, ready=True), self.env.now)
        return agent_id

    def _log_out(self, agent_id: str) -> None:
        agent = self._agents.pop(agent_id)
        for members in self._groups:
            if agent_id in members:
                members.remove(agent_id)
        self.bins.add_span(self.bins.logged_in, agent.logged_in_at, self.env.now)
        self._feed(routing.AgentLoggedOut(agent_id), self.env.now)

    # ------------------------------------------------------------------ queue length
    def _set_queue(self, length: int) -> None:
        now = self.env.now
        if now > self._queue_since:
            # An empty queue adds nothing to the area: most calls skip the bins altogether.
            if self._queue_length:
                self.bins.add_span(self.bins.queue_area, self._queue_since, now, self._queue_length)
            self._queue_since = now
        self._queue_length = length

    def _note_queue(self, now: float) -> None:
        if now > self._queue_since:
            self.bins.add_span(self.bins.queue_area, self._queue_since, now, self._queue_length)
            self._queue_since = now


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration of a run.

    A run allocates a few short-lived objects per call (events, contacts, decisions) while
    hundreds of thousands of long-lived ones (the call log, the engine's records) accumulate, so
    the collector's generational passes cost about a tenth of the run time. They would find
    nothing: nothing the model or the engine allocates per call forms a reference cycle (reference
    counting frees it; `test_model` checks that a run leaves no cyclic garbage), so memory stays
    flat without them.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_replication(
    scenario: Scenario, replication: int, seed: int | None = None
) -> ReplicationFigures:
    """Replication ``replication`` of the scenario; its streams derive from (seed, replication)."""
    base = scenario.seed if seed is None else seed
    return TrafficModel(scenario, replication_seed(base, replication)).run()


def replication_seed(seed: int, replication: int) -> str:
    # String seeds are hashed with SHA-512 by random.Random: stable across processes and runs.
    return f"hotline-sim:{seed}:{replication}"
