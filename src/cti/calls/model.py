"""The state of one call as the controller sees it: a frozen value the state machine replaces.

See :mod:`cti.calls.states` for the transitions and ``docs/cti.md`` for the diagram.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Literal

from cti.calls.ports import IvrPlan, VoicemailSpec


class Phase(enum.Enum):
    """Named states of one call."""

    NEW = "new"  # created, nothing seen yet
    ARRIVING = "arriving"  # StasisStart seen: answering, waiting for the director's IVR plan
    GREETING = "greeting"  # welcome prompt when the plan has no menus
    IVR_LANGUAGE = "ivr_language"
    IVR_LINE = "ivr_line"
    QUEUED = "queued"  # in its bridge with music on hold, waiting for an offer
    CALLBACK_OFFER = "callback_offer"  # "press 1 to be called back" while queued
    OFFERING = "offering"  # an agent leg rings, the caller still hears MOH
    TALKING = "talking"
    ON_HOLD = "on_hold"
    TRANSFERRING = "transferring"  # blind transfer: the new agent rings, the caller hears MOH
    SURVEY = "survey"  # the agent hung up first; 1-5 satisfaction digit
    CLOSED_MESSAGE = "closed_message"  # outside service hours: message + callback request
    GOODBYE = "goodbye"  # a last prompt plays, then we hang up
    VOICEMAIL = "voicemail"  # the voicemail prompt, then the caller's channel is recorded
    CALLBACK_AGENT = "callback_agent"  # callback: the agent rings first
    CALLBACK_TAXPAYER = "callback_taxpayer"  # callback: agent on MOH, the taxpayer rings
    ENDING = "ending"  # the caller is gone; waiting for the agent legs to go
    ENDED = "ended"  # every leg gone, call_finished reported


LegPurpose = Literal["offer", "transfer", "callback_agent"]
LegStatus = Literal["ringing", "up", "gone"]
PlaybackPurpose = Literal["menu", "greeting", "announce", "final", "voicemail"]
CallKind = Literal["inbound", "callback"]


@dataclass(frozen=True, slots=True)
class CallMedia:
    """Prompts the controller plays on its own (the IVR menus come from the plan).

    ``{position}`` / ``{minutes}`` in an item are replaced by the numbers being announced.
    """

    invalid_choice: tuple[str, ...] = ("sound:hotline/invalid",)
    position: tuple[str, ...] = ("sound:hotline/position", "sound:hotline/number-{position}")
    expected_wait: tuple[str, ...] = (
        "sound:hotline/expected-wait",
        "sound:hotline/number-{minutes}",
        "sound:hotline/minutes",
    )
    numbers_up_to: int | None = 99
    """The shipped set records ``number-0`` .. ``number-99`` in each language (Asterisk's own
    ``number:`` needs core sounds that do not exist in zh or ko); a larger number is announced
    as ``{position}`` = ``many``. None: numbers are never replaced (``number:`` URIs)."""
    callback_offer: tuple[str, ...] = ("sound:hotline/callback-offer",)
    callback_request: tuple[str, ...] = ("sound:hotline/callback-request",)
    callback_confirmed: tuple[str, ...] = ("sound:hotline/callback-confirmed",)
    survey_prompt: tuple[str, ...] = ("sound:hotline/survey",)
    survey_thanks: tuple[str, ...] = ("sound:hotline/survey-thanks",)
    goodbye: tuple[str, ...] = ("sound:hotline/goodbye",)
    divert: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("voicemail", ("sound:hotline/voicemail",)),
        ("work_order", ("sound:hotline/work-order",)),
    )
    callback_digit: str = "1"
    caller_id: str | None = '"12366" <12366>'  # shown on agent phones for offers
    callback_caller_id: str | None = None
    """Shown to the taxpayer a callback dials (the site's number); None: ``caller_id``."""


@dataclass(frozen=True, slots=True)
class Leg:
    """An agent leg (or the agent side of a callback) the call originated."""

    leg_id: str
    agent_id: str
    purpose: LegPurpose
    status: LegStatus = "ringing"
    dialstatus: str | None = None
    cancelled: bool = False  # we hung it up before it answered


@dataclass(frozen=True, slots=True)
class CallbackOrder:
    agent_id: str
    agent_endpoint: str
    taxpayer_endpoint: str
    taxpayer_number: str
    ring_timeout_s: float
    leg_id: str


@dataclass(frozen=True, slots=True)
class CallState:
    call_id: str  # the caller's channel id (for a callback: the taxpayer leg's chosen id)
    id_prefix: str  # prefix of the ids this call chooses (bridges, playbacks)
    media: CallMedia = field(default_factory=CallMedia)
    phase: Phase = Phase.NEW
    kind: CallKind = "inbound"
    plan: IvrPlan | None = None
    language: str | None = None
    line: str | None = None
    attempts: int = 0  # wrong digits / timeouts in the current menu
    voicemail: VoicemailSpec | None = None  # set by a voicemail divert
    playback_id: str | None = None
    playback_purpose: PlaybackPurpose | None = None
    seq: int = 0  # counter behind the ids this call chooses
    timer_token: int = 0  # a fired timer whose token differs is stale
    bridge_id: str | None = None
    bridge_moh: bool = False
    held: bool = False
    legs: tuple[Leg, ...] = ()
    agent_id: str | None = None  # the agent the caller talks (or talked) to
    talk_leg: str | None = None
    caller_gone: bool = False
    caller_dialstatus: str | None = None  # callbacks: Dial progress of the taxpayer leg
    callback: CallbackOrder | None = None

    def leg(self, leg_id: str) -> Leg | None:
        return next((leg for leg in self.legs if leg.leg_id == leg_id), None)

    def live_legs(self) -> tuple[Leg, ...]:
        return tuple(leg for leg in self.legs if leg.status != "gone")

    def ringing_leg(self, purpose: LegPurpose) -> Leg | None:
        return next(
            (leg for leg in self.legs if leg.purpose == purpose and leg.status == "ringing"), None
        )

    def with_leg(self, updated: Leg) -> CallState:
        legs = tuple(updated if leg.leg_id == updated.leg_id else leg for leg in self.legs)
        if all(leg.leg_id != updated.leg_id for leg in self.legs):
            legs = (*legs, updated)
        return replace(self, legs=legs)

    def channel_ids(self) -> tuple[str, ...]:
        """Every channel this call owns (to locate its events)."""
        return (self.call_id, *(leg.leg_id for leg in self.legs))

    @property
    def finished(self) -> bool:
        return self.phase is Phase.ENDED


__all__ = [
    "CallKind",
    "CallMedia",
    "CallState",
    "CallbackOrder",
    "Leg",
    "LegPurpose",
    "LegStatus",
    "Phase",
    "PlaybackPurpose",
]
