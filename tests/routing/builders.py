"""Small builders for routing tests: policies, agents, contacts and a recording driver."""

from __future__ import annotations

from collections.abc import Iterable

from routing import (
    AgentLoggedIn,
    AgentProfile,
    AgentSelection,
    Contact,
    ContactArrived,
    ContactKind,
    Decision,
    Event,
    LinePolicy,
    Offer,
    Policy,
    RoutingState,
    Skill,
    Stage,
    apply,
    new_state,
)

NT_ZH = Skill("national_tax", "zh")
NT_EN = Skill("national_tax", "en")
LT_ZH = Skill("local_tax", "zh")
FIN_ZH = Skill("finance", "zh")

STAGES = (
    Stage(0, 1),
    Stage(20, 2),
    Stage(45, 3),
    Stage(60, 3, overflow=True),
)


def line_policy(**changes: object) -> LinePolicy:
    """A 12366-like line without timers that clutter decision lists unless a test asks."""
    values: dict[str, object] = {
        "stages": STAGES,
        "callback_offer_after_s": None,
        "max_wait_s": None,
        "ring_timeout_s": 15.0,
        "rona_misses": 2,
        "wrap_up_s": 30.0,
        "announce_every_s": None,
        "handle_time_s": 300.0,
    }
    values.update(changes)
    return LinePolicy(**values)  # type: ignore[arg-type]


def policy(selection: AgentSelection = AgentSelection.LONGEST_IDLE, **changes: object) -> Policy:
    return Policy(default=line_policy(**changes), agent_selection=selection)


def agent(
    agent_id: str,
    levels: dict[Skill, int] | None = None,
    *,
    languages: Iterable[str] = ("zh",),
    overflow: bool = False,
) -> AgentProfile:
    return AgentProfile(
        agent_id,
        {NT_ZH: 1} if levels is None else levels,
        frozenset(languages),
        overflow,
    )


def contact(
    contact_id: str,
    at: float,
    skill: Skill = NT_ZH,
    *,
    priority: int = 0,
    region: str | None = None,
    kind: ContactKind = ContactKind.INBOUND,
) -> Contact:
    return Contact(contact_id, skill.line, skill.language, at, priority, region, kind)


class Driver:
    """Feeds events into one state and keeps every decision, for scenario tests."""

    def __init__(self, routing_policy: Policy | None = None) -> None:
        self.state: RoutingState = new_state(routing_policy or policy())
        self.log: list[tuple[float, Event, list[Decision]]] = []

    def __call__(self, event: Event, now: float) -> list[Decision]:
        _, decisions = apply(self.state, event, now)
        self.log.append((now, event, decisions))
        return decisions

    def login(self, *profiles: AgentProfile, now: float = 0.0, ready: bool = True) -> None:
        for profile in profiles:
            self(AgentLoggedIn(profile, ready=ready), now)

    def arrive(self, item: Contact, now: float | None = None) -> list[Decision]:
        return self(ContactArrived(item), item.arrived_at if now is None else now)


def offers(decisions: Iterable[Decision]) -> list[tuple[str, str]]:
    return [(d.contact_id, d.agent_id) for d in decisions if isinstance(d, Offer)]


def of_type(decisions: Iterable[Decision], kind: type) -> list[Decision]:
    return [d for d in decisions if isinstance(d, kind)]
