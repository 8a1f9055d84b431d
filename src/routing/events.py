"""Events the shell (CTI controller, simulator, tests) feeds into `apply`.

Late and duplicated events are normal in telephony: an event about a contact or agent the state
no longer knows, or about an offer that is no longer live, yields no decisions.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from routing._slots_init import quick_init
from routing.model import AgentProfile, AgentStatus, Contact
from routing.policy import Policy


class OfferFailure(enum.Enum):
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    REJECTED = "rejected"
    UNREACHABLE = "unreachable"  # the endpoint is gone: the agent is set not ready at once
    # The offer vanished with the link to the phone system (the leg was ringing when the link
    # dropped, or the originate's fate is unknown): nobody's fault, so no miss is counted.
    LOST = "lost"


@quick_init
@dataclass(frozen=True, slots=True)
class ContactArrived:
    """A caller left the IVR for a queue, or a callback became due."""

    contact: Contact


@quick_init
@dataclass(frozen=True, slots=True)
class ContactAbandoned:
    """The caller hung up before being answered."""

    contact_id: str


@quick_init
@dataclass(frozen=True, slots=True)
class CallbackRequested:
    """The waiting caller pressed 1 for a callback: the contact becomes a callback, same place."""

    contact_id: str


@quick_init
@dataclass(frozen=True, slots=True)
class AgentLoggedIn:
    """An agent logs in (NOT_READY with reason "login" unless `ready`); again: updates skills."""

    agent: AgentProfile
    ready: bool = False


@quick_init
@dataclass(frozen=True, slots=True)
class AgentLoggedOut:
    agent_id: str


@quick_init
@dataclass(frozen=True, slots=True)
class AgentStateChanged:
    """The agent asks to become IDLE or NOT_READY (示忙, with a reason)."""

    agent_id: str
    status: AgentStatus
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.status not in (AgentStatus.IDLE, AgentStatus.NOT_READY):
            raise ValueError("AgentStateChanged.status must be IDLE or NOT_READY")


@quick_init
@dataclass(frozen=True, slots=True)
class OfferAnswered:
    contact_id: str
    agent_id: str


@quick_init
@dataclass(frozen=True, slots=True)
class OfferFailed:
    contact_id: str
    agent_id: str
    reason: OfferFailure


@quick_init
@dataclass(frozen=True, slots=True)
class ContactEnded:
    """The call is over; the agent enters wrap-up (话后处理)."""

    contact_id: str


@quick_init
@dataclass(frozen=True, slots=True)
class WrapUpEnded:
    """The agent finished wrap-up before the timer did."""

    agent_id: str


@quick_init
@dataclass(frozen=True, slots=True)
class Tick:
    """Time has passed (fed back at or after a `WakeAt`); runs due timers only."""


@quick_init
@dataclass(frozen=True, slots=True)
class ContactTransferred:
    """Blind transfer: the call leaves its agent and re-enters routing with its old arrived_at.

    `priority` None keeps the priority; `to_agent_id` targets one agent instead of a queue.
    """

    contact_id: str
    line: str
    language: str
    priority: int | None = None
    to_agent_id: str | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class PolicyChanged:
    """A new policy is in force (a configuration version was published).

    Contacts still waiting are re-evaluated at once under the new policy: their stage is the
    new one for the time they have waited, their timers (stages, maximum wait, callback offer,
    announcements) restart from the new values, and they keep their place in line. Contacts
    being offered or talking are not disturbed; the new policy applies when they next need one
    (a failed offer, a transfer). Arrivals follow the new service hours.
    """

    policy: Policy


Event = (
    ContactArrived
    | ContactAbandoned
    | CallbackRequested
    | AgentLoggedIn
    | AgentLoggedOut
    | AgentStateChanged
    | OfferAnswered
    | OfferFailed
    | ContactEnded
    | WrapUpEnded
    | Tick
    | ContactTransferred
    | PolicyChanged
)
