"""The call controller's own events (``CallEvent``): what the state machine reacts to.

Three sources feed one call's machine, all serialised in the call's lane:

* ARI, translated by :mod:`cti.calls.events` (the caller hung up, a digit, a playback ended, an
  agent leg rang, answered or went away);
* the service, through :class:`~cti.calls.ports.CallControl` (offer, cancel, announce, hold...);
* the controller itself (the IVR plan the director returned, a timer that fired, an ARI request
  that failed).

Every event is a frozen value; none carries an ARI model, so the machine never sees ARI JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from cti.calls.ports import InboundCall, IvrPlan, LegFailure, Resumption, VoicemailSpec

# ---------------------------------------------------------------- from ARI


@dataclass(frozen=True, slots=True)
class CallerArrived:
    """StasisStart of an inbound channel (``args[0] == "inbound"``)."""

    call: InboundCall
    answered: bool = False  # already Up (adopted after a resync): do not answer again
    gone: bool = False  # its StasisEnd came first (out of order): record it, close it, no IVR


@dataclass(frozen=True, slots=True)
class FoundLeg:
    """An answered agent leg of an adopted call, found in Asterisk (in our app, with its args).
    ``bridged``: it is in the caller's bridge, so the two were talking whatever was recorded."""

    leg_id: str
    agent_id: str
    bridged: bool = False


@dataclass(frozen=True, slots=True)
class CallerAdopted:
    """Resync found an inbound channel of our app that no call owns: the service restarted.

    ``bridge_id`` is our bridge the caller is in, if any; ``legs`` the answered agent legs that
    name this call; ``answered_by`` the agent the caller's channel says answered it (the mark
    the controller sets before bridging an answer, :data:`cti.calls.states.ANSWERED_BY`). The
    director then says how the call carries on (:class:`Resumed`).
    """

    call: InboundCall
    answered: bool = True  # the caller's channel is Up (else it is answered first)
    bridge_id: str | None = None
    legs: tuple[FoundLeg, ...] = ()
    answered_by: str | None = None


@dataclass(frozen=True, slots=True)
class CallerAnswered:
    """The taxpayer leg of a callback answered (its StasisStart, state Up)."""


@dataclass(frozen=True, slots=True)
class CallerDialProgress:
    """A ``Dial`` event about the taxpayer leg of a callback."""

    dialstatus: str


@dataclass(frozen=True, slots=True)
class CallerGone:
    """The caller's channel left the app (StasisEnd, ChannelDestroyed, or missing on resync)."""

    cause: int | None = None


@dataclass(frozen=True, slots=True)
class DigitPressed:
    digit: str


@dataclass(frozen=True, slots=True)
class PlaybackEnded:
    """PlaybackFinished (``done`` also when we stopped it) or a play request that failed."""

    playback_id: str
    failed: bool = False


@dataclass(frozen=True, slots=True)
class LegDialProgress:
    """A ``Dial`` event about an agent leg (``RINGING``, ``BUSY``, ``NOANSWER``...)."""

    leg_id: str
    dialstatus: str


@dataclass(frozen=True, slots=True)
class LegAnswered:
    """StasisStart of an agent leg: Asterisk sends it only once the far end answered."""

    leg_id: str


@dataclass(frozen=True, slots=True)
class LegGone:
    """An agent leg ended (StasisEnd, ChannelDestroyed with its Q.850 cause, or resync)."""

    leg_id: str
    cause: int | None = None


@dataclass(frozen=True, slots=True)
class LegFailed:
    """The originate of an agent leg was refused (400, 500 ``Allocation failed``...)."""

    leg_id: str
    failure: LegFailure


# ---------------------------------------------------------------- from the controller


@dataclass(frozen=True, slots=True)
class PlanReady:
    """The director answered ``call_arrived`` with the IVR plan."""

    plan: IvrPlan


@dataclass(frozen=True, slots=True)
class Resumed:
    """The director answered ``call_adopted``: how an adopted call carries on."""

    resumption: Resumption


@dataclass(frozen=True, slots=True)
class TimerFired:
    """A digit/survey timer fired; ``token`` tells a stale timer from the current one."""

    name: str
    token: int


# ---------------------------------------------------------------- from the service


@dataclass(frozen=True, slots=True)
class OfferCommand:
    agent_id: str
    endpoint: str
    ring_timeout_s: float
    leg_id: str  # chosen by the controller so a retried request cannot duplicate the leg


@dataclass(frozen=True, slots=True)
class CancelOfferCommand:
    agent_id: str


@dataclass(frozen=True, slots=True)
class AnnounceCommand:
    position: int | None  # None: the position is not announced (the configuration says so)
    expected_wait_s: float | None


@dataclass(frozen=True, slots=True)
class OfferCallbackCommand:
    pass


@dataclass(frozen=True, slots=True)
class DivertCommand:
    target: str  # "voicemail", "work_order" or "closed"
    voicemail: VoicemailSpec | None = None  # record the caller after the prompt
    prompt: tuple[str, ...] = ()  # empty: CallMedia.divert's media for the target


@dataclass(frozen=True, slots=True)
class RecordingEnded:
    """RecordingFinished (or RecordingFailed) of a recording of the caller's channel."""

    name: str


@dataclass(frozen=True, slots=True)
class HoldCommand:
    pass


@dataclass(frozen=True, slots=True)
class UnholdCommand:
    pass


@dataclass(frozen=True, slots=True)
class TransferCommand:
    agent_id: str
    endpoint: str
    ring_timeout_s: float
    leg_id: str


@dataclass(frozen=True, slots=True)
class RequeueCommand:
    """Blind transfer to a queue: the agent leaves, the caller waits again for ``line`` and
    ``language`` (opaque to the controller: the service's skill names)."""

    line: str
    language: str


@dataclass(frozen=True, slots=True)
class HangupCommand:
    pass


@dataclass(frozen=True, slots=True)
class PlaceCallbackCommand:
    agent_id: str
    agent_endpoint: str
    taxpayer_endpoint: str  # the trunk endpoint, already filled in with the number
    taxpayer_number: str
    ring_timeout_s: float
    leg_id: str  # the agent leg; the taxpayer leg's id is the call id
    plan: IvrPlan | None = None  # the service's (survey, sounds, language); None: CALLBACK_PLAN


CallEvent: TypeAlias = (
    CallerArrived
    | CallerAdopted
    | CallerAnswered
    | CallerDialProgress
    | CallerGone
    | DigitPressed
    | PlaybackEnded
    | LegDialProgress
    | LegAnswered
    | LegGone
    | LegFailed
    | PlanReady
    | Resumed
    | TimerFired
    | OfferCommand
    | CancelOfferCommand
    | AnnounceCommand
    | OfferCallbackCommand
    | DivertCommand
    | RecordingEnded
    | HoldCommand
    | UnholdCommand
    | TransferCommand
    | RequeueCommand
    | HangupCommand
    | PlaceCallbackCommand
)

EVENT_KINDS: tuple[type[CallEvent], ...] = (
    CallerArrived,
    CallerAdopted,
    CallerAnswered,
    CallerDialProgress,
    CallerGone,
    DigitPressed,
    PlaybackEnded,
    LegDialProgress,
    LegAnswered,
    LegGone,
    LegFailed,
    PlanReady,
    Resumed,
    TimerFired,
    OfferCommand,
    CancelOfferCommand,
    AnnounceCommand,
    OfferCallbackCommand,
    DivertCommand,
    RecordingEnded,
    HoldCommand,
    UnholdCommand,
    TransferCommand,
    RequeueCommand,
    HangupCommand,
    PlaceCallbackCommand,
)
"""Every event kind, for tests that enumerate the transition table."""

__all__ = [
    "EVENT_KINDS",
    "AnnounceCommand",
    "CallEvent",
    "CallerAdopted",
    "CallerAnswered",
    "CallerArrived",
    "CallerDialProgress",
    "CallerGone",
    "CancelOfferCommand",
    "DigitPressed",
    "DivertCommand",
    "FoundLeg",
    "HangupCommand",
    "HoldCommand",
    "LegAnswered",
    "LegDialProgress",
    "LegFailed",
    "LegGone",
    "OfferCallbackCommand",
    "OfferCommand",
    "PlaceCallbackCommand",
    "PlanReady",
    "PlaybackEnded",
    "RecordingEnded",
    "RequeueCommand",
    "Resumed",
    "TimerFired",
    "TransferCommand",
    "UnholdCommand",
]
