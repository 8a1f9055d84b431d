"""Read-only views for wallboards, agent desktops and abandonment analysis.

None of these change the state. `contact_snapshot` and `agent_view` raise `UnknownContactError`
/ `UnknownAgentError` for ids the state does not hold; take the snapshot of an abandoned call
*before* applying `ContactAbandoned`, while the engine still knows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from routing import _matching
from routing.errors import UnknownAgentError, UnknownContactError
from routing.model import AgentProfile, AgentStatus, Contact, ContactStatus, Skill
from routing.state import ContactRecord, RoutingState


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    """One skill: who waits, for how long at most, and what the agents holding it are doing."""

    skill: Skill
    waiting: int
    longest_wait_s: float
    agents_by_status: dict[AgentStatus, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EligibleAgent:
    agent_id: str
    level: int
    status: AgentStatus
    reason: str | None
    since: float


@dataclass(frozen=True, slots=True)
class ContactSnapshot:
    """A contact and every logged-in agent its current stage admits, with what each was doing."""

    contact: Contact
    status: ContactStatus
    stage_index: int
    wait_s: float
    position: int | None
    agent_id: str | None
    eligible: tuple[EligibleAgent, ...]


@dataclass(frozen=True, slots=True)
class AgentView:
    profile: AgentProfile
    status: AgentStatus
    reason: str | None
    since: float
    contact_id: str | None
    wrap_up_until: float | None
    misses: int
    pending_reason: str | None


def queue_snapshots(state: RoutingState, now: float) -> list[QueueSnapshot]:
    """Every skill that has a queue or a logged-in agent, sorted by (line, language)."""
    by_skill: dict[Skill, dict[AgentStatus, int]] = {skill: {} for skill in state.queues}
    for agent in state.agents.values():
        for skill in agent.profile.levels:
            counts = by_skill.setdefault(skill, {})
            counts[agent.status] = counts.get(agent.status, 0) + 1
    snapshots = []
    for skill in sorted(by_skill):
        queue = state.queues.get(skill)
        oldest = min((key[1] for key in queue.line), default=None) if queue else None
        snapshots.append(
            QueueSnapshot(
                skill=skill,
                waiting=len(queue) if queue else 0,
                longest_wait_s=0.0 if oldest is None else max(0.0, now - oldest),
                agents_by_status=by_skill[skill],
            )
        )
    return snapshots


def contact_snapshot(state: RoutingState, contact_id: str, now: float) -> ContactSnapshot:
    record = _record(state, contact_id)
    contact, info = record.contact, record.info
    stage_index = info.stage_index(contact.arrived_at, now)
    stage = info.line.stages[stage_index]
    eligible = []
    for agent in state.agents.values():
        if record.target_agent is not None:
            level = agent.profile.levels.get(contact.skill, 0)
            if agent.id != record.target_agent:
                continue
        else:
            found = _matching.level_for(agent.profile, contact.skill, stage)
            if found is None:
                continue
            level = found
        eligible.append(EligibleAgent(agent.id, level, agent.status, agent.reason, agent.since))
    eligible.sort(key=lambda e: (e.level, e.agent_id))
    return ContactSnapshot(
        contact=contact,
        status=record.status,
        stage_index=stage_index,
        wait_s=max(0.0, now - contact.arrived_at),
        position=contact_position(state, contact_id),
        agent_id=record.agent_id,
        eligible=tuple(eligible),
    )


def agent_view(state: RoutingState, agent_id: str) -> AgentView:
    agent = state.agents.get(agent_id)
    if agent is None:
        raise UnknownAgentError(agent_id)
    return AgentView(
        profile=agent.profile,
        status=agent.status,
        reason=agent.reason,
        since=agent.since,
        contact_id=agent.contact_id,
        wrap_up_until=agent.wrap_until,
        misses=agent.misses,
        pending_reason=agent.pending_reason,
    )


def agent_status(state: RoutingState, agent_id: str) -> AgentStatus:
    """LOGGED_OUT for an agent the state does not know."""
    agent = state.agents.get(agent_id)
    return AgentStatus.LOGGED_OUT if agent is None else agent.status


def contact_position(state: RoutingState, contact_id: str) -> int | None:
    """1-based place in its queue's service order; None unless the contact is waiting."""
    record = _record(state, contact_id)
    if not record.in_queue:
        return None
    contact = record.contact
    if record.target_agent is not None:
        return state.agents[record.target_agent].targeted.index(record.line_key) + 1
    return state.queues[contact.skill].position(contact.priority, record.wait_key)


def waiting_contacts(state: RoutingState, skill: Skill | None = None) -> list[Contact]:
    """Waiting contacts in service order (per skill; all skills in skill order when None)."""
    skills = [skill] if skill is not None else sorted(state.queues)
    result: list[Contact] = []
    for each in skills:
        queue = state.queues.get(each)
        if queue is not None:
            result.extend(state.contacts[key[3]].contact for key in queue.line)
    return result


def _record(state: RoutingState, contact_id: str) -> ContactRecord:
    record = state.contacts.get(contact_id)
    if record is None:
        raise UnknownContactError(contact_id)
    return record
