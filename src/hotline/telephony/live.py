"""What the service remembers about a call while it is live (and writes to ``call.live_state``).

A :class:`LiveCall` is the in-memory twin of one ``call`` row: the phase times so far, the agent
offered or talking, the hold time. It round-trips through ``live_state`` so that a restarted
service can pick the call up again. :func:`durations` turns the phase times into the durations
stored when the call closes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cti.calls.ports import CallKey, CallPhase

OUTCOME_BY_ABANDON_PHASE = {
    CallPhase.IVR: "abandoned_ivr",
    CallPhase.QUEUE: "abandoned_queue",
    CallPhase.RINGING: "abandoned_ringing",
}


TRANSFER_RINGING = "transfer_ringing"
"""Key in ``LiveCall.extra``: the agent a blind transfer of the call is ringing (until they answer
or the ring fails); the call is then in no state to be sent to a queue."""


@dataclass
class LiveCall:
    call_id: int  # the call row
    key: CallKey
    site_id: int
    kind: str  # inbound | callback
    caller_number: str
    region: str
    arrived_at: datetime
    contact_id: str  # the routing contact (a callback call carries its origin call's contact)
    callback_id: int | None = None
    phase: str = CallPhase.IVR.value
    language: str | None = None
    line: str | None = None
    ivr_done_at: datetime | None = None
    queued_at: datetime | None = None
    first_offered_at: datetime | None = None
    answered_at: datetime | None = None
    talk_ended_at: datetime | None = None
    offered_agent: str | None = None
    agent_id: str | None = None
    hold_since: datetime | None = None
    hold_s: float = 0.0
    requeued_at: datetime | None = None  # waiting again after a transfer to a queue
    requeue_wait_s: float = 0.0  # the waits after transfers to a queue (not talk)
    outcome: str | None = None
    # Where routing diverted the call (voicemail, work_order, callback): a caller adopted after
    # a restart while being diverted is diverted the same way again.
    diverted_to: str | None = None
    divert_reason: str | None = None  # routing's: max_wait, no_agents, closed
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def in_routing(self) -> bool:
        return self.outcome is None and self.phase in (
            CallPhase.QUEUE.value,
            CallPhase.RINGING.value,
        )

    def live_state(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "contact_id": self.contact_id,
            "offered_agent": self.offered_agent,
            "talk_ended_at": _iso(self.talk_ended_at),
            "hold_since": _iso(self.hold_since),
            "hold_s": self.hold_s,
            "requeued_at": _iso(self.requeued_at),
            "requeue_wait_s": self.requeue_wait_s,
            "diverted_to": self.diverted_to,
            "divert_reason": self.divert_reason,
        }

    def restore_live_state(self, data: dict[str, Any]) -> None:
        self.phase = str(data.get("phase", self.phase))
        self.contact_id = str(data.get("contact_id", self.contact_id))
        self.offered_agent = data.get("offered_agent")
        self.talk_ended_at = _parse(data.get("talk_ended_at"))
        self.hold_since = _parse(data.get("hold_since"))
        self.hold_s = float(data.get("hold_s", 0.0))
        self.requeued_at = _parse(data.get("requeued_at"))
        self.requeue_wait_s = float(data.get("requeue_wait_s", 0.0))
        self.diverted_to = data.get("diverted_to")
        self.divert_reason = data.get("divert_reason")


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


def durations(call: LiveCall, ended_at: datetime) -> dict[str, float | None]:
    """IVR, wait (queue entry to answer or hang-up, ringing included), ring (first ring to
    answer or hang-up), talk (answer to the end of talk, hold and the waits after transfers to
    a queue excluded) and hold, in seconds. ``wait_s`` is the first wait only: the waits after
    a transfer to a queue are in the journal (``requeued``, ``offer_answered``)."""
    hold_s = call.hold_s
    if call.hold_since is not None:
        hold_s += _seconds(call.hold_since, ended_at) or 0.0
    answered_or_end = call.answered_at or ended_at
    talk_s = None
    if call.answered_at is not None:
        talk_end = call.talk_ended_at or ended_at
        requeue_s = call.requeue_wait_s
        if call.requeued_at is not None:
            requeue_s += _seconds(call.requeued_at, talk_end) or 0.0
        talk_s = max(0.0, (_seconds(call.answered_at, talk_end) or 0.0) - hold_s - requeue_s)
    return {
        "ivr_s": _seconds(call.arrived_at, call.ivr_done_at or ended_at)
        if call.kind == "inbound"
        else None,
        "wait_s": _seconds(call.queued_at, answered_or_end),
        "ring_s": _seconds(call.first_offered_at, answered_or_end),
        "talk_s": talk_s,
        "hold_s": hold_s if call.answered_at is not None else None,
    }


def final_outcome(call: LiveCall) -> str:
    """The outcome of a call that closes without one set by a notification."""
    if call.answered_at is not None:
        return "answered"
    for phase, outcome in OUTCOME_BY_ABANDON_PHASE.items():
        if call.phase == phase.value:
            return outcome
    return "failed"
