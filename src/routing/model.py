"""Domain values: skills, agent profiles, contacts and the status enums.

These are immutable values. The engine keeps its own mutable records around them (see `state`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from routing._slots_init import quick_init, quick_new

OVERFLOW_LEVEL = 99
"""The `level` reported in an `Offer` made to an overflow agent who lacks the contact's skill."""


class Skill(NamedTuple):
    """What a contact needs: a business line (国税 national_tax, ...) spoken in one language.

    A named tuple rather than a dataclass: skills key every index, and tuple hashing and
    comparison run in C.
    """

    line: str
    language: str

    def __str__(self) -> str:
        return f"{self.line}/{self.language}"


class AgentStatus(enum.Enum):
    LOGGED_OUT = "logged_out"
    NOT_READY = "not_ready"
    IDLE = "idle"
    RESERVED = "reserved"  # an offer rings on the agent's phone
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"


class ContactKind(enum.Enum):
    INBOUND = "inbound"  # the caller is on the line, hearing music on hold
    CALLBACK = "callback"  # the centre owes the caller a call (遇忙回复); nobody is on the line


class ContactStatus(enum.Enum):
    WAITING = "waiting"
    OFFERED = "offered"  # reserved for one ringing agent
    CONNECTED = "connected"


@dataclass(frozen=True, slots=True)
class AgentProfile:
    """Who an agent is, for routing: a level per skill and the languages they speak.

    Level 1 is the primary skill (主修), 2 and 3 are secondary skills (选修). An overflow agent
    also serves any business line in a language they speak, once a contact's stage admits the
    overflow pool. A plain skill already names its language, so `languages` only matters for
    overflow.
    """

    id: str
    levels: Mapping[Skill, int]
    languages: frozenset[str] = field(default_factory=frozenset)
    overflow: bool = False

    def __post_init__(self) -> None:
        for skill, level in self.levels.items():
            if isinstance(level, bool) or not isinstance(level, int) or level < 1:
                raise ValueError(f"agent {self.id!r}: level of {skill} must be an int >= 1")


@quick_init
@dataclass(frozen=True, slots=True)
class Contact:
    """A call waiting to be served, or a callback owed; `priority`: larger is served first.

    A callback keeps the `arrived_at` of the call it replaces, and so keeps its place in line.
    """

    id: str
    line: str
    language: str
    arrived_at: float
    priority: int = 0
    region: str | None = None
    kind: ContactKind = ContactKind.INBOUND

    @property
    def skill(self) -> Skill:
        return Skill(self.line, self.language)


new_contact: Callable[[str, str, str, float, int], Contact] = quick_new(Contact)
"""``Contact(id, line, language, arrived_at, priority)`` for hot paths (the simulator builds one
per call): the same value, built at about a third of the cost (see `quick_new`)."""
