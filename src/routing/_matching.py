"""Who serves whom: the agent for a contact, and the contact for an agent who frees up.

Both directions read only the indexes, so the cost follows the number of levels and of queues the
agent can serve, not the number of agents or contacts.
"""

from __future__ import annotations

from routing._indexes import IdleKey
from routing.model import OVERFLOW_LEVEL, AgentProfile, Skill
from routing.policy import AgentSelection, Stage
from routing.state import INFINITY, AgentRecord, ContactRecord, RoutingState

# Read on every arrival: a module-level name is cheaper than an enum class's attribute.
_LONGEST_IDLE = AgentSelection.LONGEST_IDLE


def level_for(profile: AgentProfile, skill: Skill, stage: Stage) -> int | None:
    """The level at which `profile` may serve `skill` under `stage`, or None if it may not."""
    level = profile.levels.get(skill)
    if level is not None and level <= stage.max_level:
        return level
    if stage.overflow and profile.overflow and skill.language in profile.languages:
        return OVERFLOW_LEVEL if level is None else level
    return None


def choose_agent(
    state: RoutingState,
    record: ContactRecord,
    stage_index: int,
    now: float,
    fallback: bool = True,
) -> tuple[AgentRecord, int] | None:
    """The idle agent to offer `record` to, with the level they serve it at.

    The best level the stage allows comes first (1, 2, 3, then the overflow pool); within it the
    policy's selection rule decides. The agent who last failed this contact is passed over; with
    `fallback`, they are still chosen when nobody else eligible is idle.
    """
    stage = record.info.line.stages[stage_index]
    skill = record.skill
    excluded = record.excluded_agent
    pools = state.idle.by_level
    if excluded is None and state.policy.agent_selection is _LONGEST_IDLE:
        # The common case, without the general loop: the first agent of the best level's pool.
        for level in range(1, stage.max_level + 1):
            pool = pools.get((skill, level))
            if pool:
                return state.agents[pool[0][1]], level
        if stage.overflow:
            pool = state.idle.overflow.get(skill.language)
            if pool:
                agent = state.agents[pool[0][1]]
                return agent, agent.profile.levels.get(skill, OVERFLOW_LEVEL)
        return None
    fallback_level: int | None = None
    for level in range(1, stage.max_level + 1):
        pool = pools.get((skill, level))
        if pool:
            key = _pick(state, pool, excluded, skill, now)
            if key is not None:
                return state.agents[key[1]], level
            fallback_level = level if fallback_level is None else fallback_level
    if stage.overflow:
        pool = state.idle.overflow.get(skill.language)
        if pool:
            key = _pick(state, pool, excluded, skill, now)
            if key is not None:
                agent = state.agents[key[1]]
                return agent, agent.profile.levels.get(skill, OVERFLOW_LEVEL)
            if fallback_level is None:
                fallback_level = state.agents[pool[0][1]].profile.levels.get(skill, OVERFLOW_LEVEL)
    if fallback and fallback_level is not None and excluded is not None:
        return state.agents[excluded], fallback_level
    return None


def _pick(
    state: RoutingState, pool: list[IdleKey], excluded: str | None, skill: Skill, now: float
) -> IdleKey | None:
    selection = state.policy.agent_selection
    if selection is _LONGEST_IDLE:
        for key in pool[:2]:  # the excluded agent appears at most once
            if key[1] != excluded:
                return key
        return None
    candidates = [key for key in pool if key[1] != excluded]
    if not candidates:
        return None
    if selection is AgentSelection.LEAST_OCCUPIED:
        return min(candidates, key=lambda k: (state.agents[k[1]].occupancy(now), k))
    # Round robin: the next agent id after the one last chosen for this skill, wrapping around.
    last = state.round_robin_last.get(skill)
    later = [key for key in candidates if last is None or key[1] > last]
    chosen = min(later or candidates, key=lambda k: k[1])
    state.round_robin_last[skill] = chosen[1]
    return chosen


def best_contact(state: RoutingState, agent: AgentRecord, now: float) -> ContactRecord | None:
    """The waiting contact `agent` should take: highest priority, then longest waiting.

    Looks across every queue the agent can serve, each contact under its own current stage.
    Within one bucket (same policy, same priority) the oldest contact is the first to become
    eligible, so only bucket heads need checking.
    """
    profile = agent.profile
    best: tuple[int, float, int, str] | None = None
    queues = state.queues
    for skill, level in profile.levels.items():
        queue = queues.get(skill)
        if queue is None or not queue.line:
            continue
        overflow = profile.overflow and skill.language in profile.languages
        for (policy_id, priority), bucket in queue.buckets.items():
            info = state.policy_infos[policy_id]
            threshold = info.level_threshold(level)
            if overflow and info.overflow_after < threshold:
                threshold = info.overflow_after
            arrived_at, seq, contact_id = bucket[0]
            if arrived_at + threshold <= now:
                candidate = (-priority, arrived_at, seq, contact_id)
                if best is None or candidate < best:
                    best = candidate
    if profile.overflow:
        for language in profile.languages:
            for skill, queue in state.queues_by_language.get(language, {}).items():
                if not queue.line or skill in profile.levels:
                    continue
                for (policy_id, priority), bucket in queue.buckets.items():
                    threshold = state.policy_infos[policy_id].overflow_after
                    arrived_at, seq, contact_id = bucket[0]
                    if threshold < INFINITY and arrived_at + threshold <= now:
                        candidate = (-priority, arrived_at, seq, contact_id)
                        if best is None or candidate < best:
                            best = candidate
    return None if best is None else state.contacts[best[3]]
