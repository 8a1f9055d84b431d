"""What the state machine asks for: plain values that :mod:`cti.calls.executor` performs.

The machine never performs I/O; it returns these in the order they must happen. Ids in them
(bridges, playbacks, agent legs) are chosen by the machine, so a request whose answer was lost can
be looked up instead of being sent twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from cti.calls.ports import CallPhase, EndedBy, LegFailure

BridgeType = Literal["mixing", "holding"]


@dataclass(frozen=True, slots=True)
class Answer:
    channel_id: str


@dataclass(frozen=True, slots=True)
class Play:
    """Play ``media`` (in order, as one playback) to a channel, as ``playback_id``."""

    channel_id: str
    media: tuple[str, ...]
    playback_id: str
    language: str | None = None  # the caller's language: Asterisk plays sounds/<language>/...


@dataclass(frozen=True, slots=True)
class RecordChannel:
    """Record the caller's channel as voicemail ``name`` (``#`` ends it, overwrite a leftover)."""

    channel_id: str
    name: str
    max_length_s: int
    beep: bool


@dataclass(frozen=True, slots=True)
class StopPlayback:
    playback_id: str


@dataclass(frozen=True, slots=True)
class StartBridgeMoh:
    bridge_id: str
    moh_class: str


@dataclass(frozen=True, slots=True)
class StopBridgeMoh:
    bridge_id: str


@dataclass(frozen=True, slots=True)
class StartChannelMoh:
    channel_id: str
    moh_class: str


@dataclass(frozen=True, slots=True)
class StopChannelMoh:
    channel_id: str


@dataclass(frozen=True, slots=True)
class HoldChannel:
    channel_id: str


@dataclass(frozen=True, slots=True)
class UnholdChannel:
    channel_id: str


@dataclass(frozen=True, slots=True)
class CreateBridge:
    bridge_id: str
    bridge_type: BridgeType = "mixing"


@dataclass(frozen=True, slots=True)
class DestroyBridge:
    bridge_id: str


@dataclass(frozen=True, slots=True)
class AddChannel:
    bridge_id: str
    channel_id: str


@dataclass(frozen=True, slots=True)
class SetVariable:
    """Set a channel variable (Asterisk keeps it with the channel, whoever is connected)."""

    channel_id: str
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class RemoveChannel:
    bridge_id: str
    channel_id: str


@dataclass(frozen=True, slots=True)
class Originate:
    """Dial ``endpoint`` into the app with a client-chosen channel id and a ring timeout."""

    leg_id: str
    endpoint: str
    timeout_s: int
    app_args: tuple[str, ...]
    caller_id: str | None = None


@dataclass(frozen=True, slots=True)
class Hangup:
    channel_id: str
    reason: str = "normal"


@dataclass(frozen=True, slots=True)
class StartTimer:
    name: str
    seconds: float
    token: int


@dataclass(frozen=True, slots=True)
class CancelTimers:
    """Forget every pending timer of this call (it ended); fired timers re-check anyway."""


@dataclass(frozen=True, slots=True)
class AskPlan:
    """Await ``director.call_arrived``; the executor feeds back :class:`PlanReady`."""


@dataclass(frozen=True, slots=True)
class AskResumption:
    """Await ``director.call_adopted``; the executor feeds back :class:`Resumed`.
    ``bridged_agent``: the agent whose leg Asterisk has in the caller's bridge, if any.
    ``departed_agent``: the agent the caller's channel says answered, whose leg is gone."""

    bridged_agent: str | None = None
    departed_agent: str | None = None


@dataclass(frozen=True, slots=True)
class NotifyIvrCompleted:
    language: str
    line: str


@dataclass(frozen=True, slots=True)
class NotifyLanguageChosen:
    """After hours, the caller chose (or was given) a language: no line follows, so the
    service hears it here rather than through ``NotifyIvrCompleted``."""

    language: str


@dataclass(frozen=True, slots=True)
class NotifyCallerLeft:
    phase: CallPhase


@dataclass(frozen=True, slots=True)
class NotifyCallbackAccepted:
    pass


@dataclass(frozen=True, slots=True)
class NotifyOfferAnswered:
    agent_id: str


@dataclass(frozen=True, slots=True)
class NotifyTransferAnswered:
    agent_id: str  # the agent the caller now talks to


@dataclass(frozen=True, slots=True)
class NotifyRequeued:
    agent_id: str  # the agent who left the call (the service puts them in wrap-up)
    line: str
    language: str


@dataclass(frozen=True, slots=True)
class NotifyOfferFailed:
    agent_id: str
    failure: LegFailure


@dataclass(frozen=True, slots=True)
class NotifyTalkEnded:
    agent_id: str
    ended_by: EndedBy


@dataclass(frozen=True, slots=True)
class NotifySurveyAnswered:
    score: int | None


@dataclass(frozen=True, slots=True)
class NotifyCallFinished:
    pass


@dataclass(frozen=True, slots=True)
class Journal:
    kind: str
    data: Mapping[str, Any] = field(default_factory=dict)


Action: TypeAlias = (
    Answer
    | Play
    | RecordChannel
    | StopPlayback
    | StartBridgeMoh
    | StopBridgeMoh
    | StartChannelMoh
    | StopChannelMoh
    | HoldChannel
    | UnholdChannel
    | CreateBridge
    | DestroyBridge
    | AddChannel
    | RemoveChannel
    | SetVariable
    | Originate
    | Hangup
    | StartTimer
    | CancelTimers
    | AskPlan
    | AskResumption
    | NotifyIvrCompleted
    | NotifyLanguageChosen
    | NotifyCallerLeft
    | NotifyCallbackAccepted
    | NotifyOfferAnswered
    | NotifyTransferAnswered
    | NotifyRequeued
    | NotifyOfferFailed
    | NotifyTalkEnded
    | NotifySurveyAnswered
    | NotifyCallFinished
    | Journal
)

__all__ = [
    "Action",
    "AddChannel",
    "Answer",
    "AskPlan",
    "AskResumption",
    "BridgeType",
    "CancelTimers",
    "CreateBridge",
    "DestroyBridge",
    "Hangup",
    "HoldChannel",
    "Journal",
    "NotifyCallFinished",
    "NotifyCallbackAccepted",
    "NotifyCallerLeft",
    "NotifyIvrCompleted",
    "NotifyLanguageChosen",
    "NotifyOfferAnswered",
    "NotifyOfferFailed",
    "NotifyRequeued",
    "NotifySurveyAnswered",
    "NotifyTalkEnded",
    "NotifyTransferAnswered",
    "Originate",
    "Play",
    "RecordChannel",
    "RemoveChannel",
    "SetVariable",
    "StartBridgeMoh",
    "StartChannelMoh",
    "StartTimer",
    "StopBridgeMoh",
    "StopChannelMoh",
    "StopPlayback",
    "UnholdChannel",
]
