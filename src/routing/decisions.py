"""Decisions `apply` returns: values the shell carries out (ring a phone, play a prompt, ...)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from routing._slots_init import quick_init
from routing.policy import DivertTarget


class DivertReason(enum.Enum):
    MAX_WAIT = "max_wait"
    CLOSED = "closed"  # outside service hours
    NO_AGENTS = "no_agents"  # nobody logged in could ever serve the contact


@quick_init
@dataclass(frozen=True, slots=True)
class Offer:
    """Ring `agent_id` for `contact_id`; report OfferAnswered or OfferFailed.

    The shell owns the ring timer (`ring_timeout_s`) and reports NO_ANSWER when it fires.
    `level` is the agent's level for the skill, `OVERFLOW_LEVEL` for an overflow agent without
    it, and 0 for a transfer to a named agent who lacks the skill.
    """

    contact_id: str
    agent_id: str
    stage_index: int
    level: int
    ring_timeout_s: float


@quick_init
@dataclass(frozen=True, slots=True)
class CancelOffer:
    """Stop ringing: the offer is void (the caller hung up, the agent logged out, ...)."""

    contact_id: str
    agent_id: str


@quick_init
@dataclass(frozen=True, slots=True)
class Announce:
    """Tell the caller their place (1 = next) and expected wait; None when nobody can serve."""

    contact_id: str
    position: int
    expected_wait_s: float | None


@quick_init
@dataclass(frozen=True, slots=True)
class OfferCallback:
    """Offer the waiting caller a callback that keeps their place (press 1)."""

    contact_id: str


@quick_init
@dataclass(frozen=True, slots=True)
class Divert:
    """The contact leaves routing for `target`."""

    contact_id: str
    reason: DivertReason
    target: DivertTarget


@quick_init
@dataclass(frozen=True, slots=True)
class SetAgentNotReady:
    """The engine set the agent not ready (reason "rona" or "unreachable"); tell the desktop."""

    agent_id: str
    reason: str


@quick_init
@dataclass(frozen=True, slots=True)
class WakeAt:
    """Feed `Tick()` back at (or after) `at`. Keeping only the latest WakeAt is enough."""

    at: float


Decision = Offer | CancelOffer | Announce | OfferCallback | Divert | SetAgentNotReady | WakeAt
