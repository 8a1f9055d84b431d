"""Random event sequences against the engine's promises.

After every event: no offer went to an agent who could not be idle; there is never more than
one live offer per agent or per contact (as seen by a shell that only reads decisions); no idle
agent is left beside a waiting contact it may serve (work conservation); offers respect the stage
in force (widening never comes early); an agent never skips a better contact it may serve
(priority, then FIFO); the indexes agree with the records; and the same (state, event, now) give
the same decisions.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from routing import (
    AgentLoggedIn,
    AgentLoggedOut,
    AgentProfile,
    AgentSelection,
    AgentStateChanged,
    AgentStatus,
    CallbackRequested,
    CancelOffer,
    ContactAbandoned,
    ContactArrived,
    ContactEnded,
    ContactKind,
    ContactStatus,
    ContactTransferred,
    Decision,
    Divert,
    DivertReason,
    DivertTarget,
    Event,
    LinePolicy,
    Offer,
    OfferAnswered,
    OfferCallback,
    OfferFailed,
    OfferFailure,
    Policy,
    PolicyPatch,
    RoutingState,
    Skill,
    Stage,
    Tick,
    WrapUpEnded,
    apply,
    new_state,
)
from routing._matching import level_for

from .builders import contact, line_policy

SKILLS = [Skill(line, lang) for line in ("national_tax", "local_tax") for lang in ("zh", "en")]
AGENT_IDS = [f"a{i}" for i in range(5)]
CONTACT_IDS = [f"c{i}" for i in range(10)]
STEPS = [0.0, 0.0, 1.0, 5.0, 15.0, 20.0, 40.0]

profiles = st.builds(
    lambda agent_id, levels, languages, overflow: AgentProfile(
        agent_id,
        {SKILLS[i]: level for i, level in levels.items()},
        frozenset(languages),
        overflow,
    ),
    st.sampled_from(AGENT_IDS),
    st.dictionaries(st.integers(0, len(SKILLS) - 1), st.integers(1, 3), max_size=3),
    st.sets(st.sampled_from(["zh", "en"]), min_size=1),
    st.booleans(),
)

policies = st.builds(
    lambda selection, wrap, announce, patch_en: Policy(
        default=line_policy(
            stages=(Stage(0, 1), Stage(20, 2), Stage(40, 3, overflow=True)),
            wrap_up_s=wrap,
            announce_every_s=announce,
            callback_offer_after_s=30.0,
            max_wait_s=150.0,
            on_no_agents=DivertTarget.VOICEMAIL if wrap == 0 else None,
        ),
        languages={"en": PolicyPatch.of(stages=(Stage(0, 2), Stage(10, 3)))} if patch_en else {},
        agent_selection=selection,
    ),
    st.sampled_from(list(AgentSelection)),
    st.sampled_from([0.0, 10.0]),
    st.sampled_from([None, 25.0]),
    st.booleans(),
)

operations = st.tuples(
    st.integers(0, 12),  # which event
    st.integers(0, 9),  # contact index
    st.integers(0, 4),  # agent index
    st.integers(0, 3),  # skill index / variant
    st.integers(0, 2),  # priority / variant
    st.sampled_from(STEPS),  # time to advance first
)


@dataclass
class Shell:
    """What a shell would believe from the decisions alone."""

    live_by_contact: dict[str, str] = field(default_factory=dict)
    live_by_agent: dict[str, str] = field(default_factory=dict)
    profiles: dict[str, AgentProfile] = field(default_factory=dict)

    def forget(self, contact_id: str) -> None:
        agent_id = self.live_by_contact.pop(contact_id, None)
        if agent_id is not None:
            del self.live_by_agent[agent_id]


def _event(state: RoutingState, op: tuple[int, int, int, int, int, float], now: float) -> Event:
    kind, ci, ai, si, pi, _ = op
    contact_id, agent_id, skill = CONTACT_IDS[ci], AGENT_IDS[ai], SKILLS[si]
    record = state.contacts.get(contact_id)
    # A shell only reports on offers it has seen: answers and failures name the live offer's
    # agent, or (late or confused reports) an agent nobody offered anything to.
    live = record is not None and record.status is ContactStatus.OFFERED
    offered_to = record.agent_id if live and record and record.agent_id else "ghost"
    if kind in (0, 1):
        arrived = now - (30.0 if pi == 2 else 0.0)
        item_kind = ContactKind.CALLBACK if pi == 2 else ContactKind.INBOUND
        return ContactArrived(contact(contact_id, arrived, skill, priority=pi, kind=item_kind))
    if kind == 2:
        return ContactAbandoned(contact_id)
    if kind == 3:
        return CallbackRequested(contact_id)
    if kind == 4:
        return AgentLoggedOut(agent_id)
    if kind == 5:
        status = AgentStatus.IDLE if pi else AgentStatus.NOT_READY
        return AgentStateChanged(agent_id, status, None if pi else "break")
    if kind == 6:
        return OfferAnswered(contact_id, offered_to)
    if kind == 7:
        return OfferFailed(contact_id, offered_to, list(OfferFailure)[si])
    if kind == 8:
        return ContactEnded(contact_id)
    if kind == 9:
        return WrapUpEnded(agent_id)
    if kind == 10:
        target = AGENT_IDS[(ai + 1) % len(AGENT_IDS)] if pi == 1 else None
        return ContactTransferred(contact_id, skill.line, skill.language, pi or None, target)
    return Tick()


def _stage_index(record_contact_arrived: float, stages: tuple[Stage, ...], now: float) -> int:
    index = 0
    for i, stage in enumerate(stages):
        if record_contact_arrived + stage.after_s <= now:
            index = i
    return index


@dataclass(frozen=True)
class AgentBefore:
    status: AgentStatus
    wrap_until: float | None
    contact_id: str | None


def _agents_before(state: RoutingState) -> dict[str, AgentBefore]:
    return {a.id: AgentBefore(a.status, a.wrap_until, a.contact_id) for a in state.agents.values()}


def _queued_before(state: RoutingState) -> dict[str, tuple[float, LinePolicy]]:
    return {cid: (r.queued_since, r.info.line) for cid, r in state.contacts.items()}


def _waiting(state: RoutingState) -> set[str]:
    """Contacts waiting before a step: the only ones an agent could have taken instead."""
    return {cid for cid, r in state.contacts.items() if r.status is ContactStatus.WAITING}


def _could_become_idle(
    before: dict[str, AgentBefore], agent_id: str, event: Event, now: float
) -> bool:
    """Could this agent legitimately be idle at some point while `event` is applied at `now`?"""
    agent = before.get(agent_id)
    if agent is None:
        return isinstance(event, AgentLoggedIn) and event.agent.id == agent_id and event.ready
    if agent.status is AgentStatus.IDLE:
        return True
    if getattr(event, "agent_id", None) == agent_id or (
        isinstance(event, AgentLoggedIn) and event.agent.id == agent_id
    ):
        return True
    if agent.status is AgentStatus.WRAP_UP:
        return agent.wrap_until is not None and agent.wrap_until <= now
    if agent.status in (AgentStatus.RESERVED, AgentStatus.ON_CALL):
        return getattr(event, "contact_id", None) == agent.contact_id
    return False


def _check_invariants(
    before: dict[str, AgentBefore],
    queued_before: dict[str, tuple[float, LinePolicy]],
    waiting_before: set[str],
    after: RoutingState,
    event: Event,
    now: float,
    decisions: list[Decision],
    shell: Shell,
) -> None:
    # The shell's own reports end the offers they are about.
    if (
        isinstance(event, OfferAnswered | OfferFailed)
        and shell.live_by_contact.get(event.contact_id) == event.agent_id
    ):
        shell.forget(event.contact_id)
    if isinstance(event, AgentLoggedIn):
        shell.profiles[event.agent.id] = event.agent

    # Only the last offer of a contact in this step can still be live (and judged by the
    # contact's final attributes); earlier ones were cancelled within the step.
    last_offer = {d.contact_id: i for i, d in enumerate(decisions) if isinstance(d, Offer)}
    for index, decision in enumerate(decisions):
        if isinstance(decision, Offer):
            c, a = decision.contact_id, decision.agent_id
            assert c not in shell.live_by_contact, f"two live offers for contact {c}"
            assert a not in shell.live_by_agent, f"two live offers for agent {a}"
            assert _could_become_idle(before, a, event, now), f"offer to busy agent {a}"
            shell.live_by_contact[c], shell.live_by_agent[a] = a, c
            record = after.contacts.get(c)
            still_live = record is not None and record.agent_id == a and last_offer[c] == index
            if record is not None and still_live and record.target_agent is None:
                stages = record.info.line.stages
                expected = _stage_index(record.contact.arrived_at, stages, now)
                assert decision.stage_index == expected, "offer under the wrong stage"
                level = level_for(shell.profiles[a], record.contact.skill, stages[expected])
                assert level == decision.level, "offer to an agent the stage does not admit"
        elif isinstance(decision, CancelOffer):
            assert shell.live_by_contact.get(decision.contact_id) == decision.agent_id
            shell.forget(decision.contact_id)
        elif isinstance(decision, Divert):
            assert decision.contact_id not in shell.live_by_contact
            if decision.reason is DivertReason.MAX_WAIT:
                since, line = queued_before[decision.contact_id]
                assert line.max_wait_s is not None
                assert since + line.max_wait_s <= now, "diverted before the maximum wait"
        elif isinstance(decision, OfferCallback):
            since, line = queued_before.get(decision.contact_id) or (
                after.contacts[decision.contact_id].queued_since,
                after.contacts[decision.contact_id].info.line,
            )
            assert line.callback_offer_after_s is not None
            assert since + line.callback_offer_after_s <= now, "callback offered too early"
    # A contact the engine forgot has no live offer left, in the shell's view too.
    for contact_id in list(shell.live_by_contact):
        if contact_id not in after.contacts:
            raise AssertionError(f"offer for vanished contact {contact_id} never cancelled")

    engine_live = {
        cid: r.agent_id for cid, r in after.contacts.items() if r.status is ContactStatus.OFFERED
    }
    assert engine_live == shell.live_by_contact
    for agent in after.agents.values():
        reserved = agent.status is AgentStatus.RESERVED
        assert reserved == (agent.id in shell.live_by_agent)
        in_pools = agent.idle_key is not None
        assert in_pools == (agent.status is AgentStatus.IDLE)

    # Indexes agree with records.
    queued = {key[3] for queue in after.queues.values() for key in queue.line}
    targeted = {key[3] for agent in after.agents.values() for key in agent.targeted}
    waiting = {cid for cid, r in after.contacts.items() if r.status is ContactStatus.WAITING}
    assert queued | targeted == waiting
    assert not queued & targeted
    for (skill, level), pool in after.idle.by_level.items():
        for _, agent_id in pool:
            assert after.agents[agent_id].profile.levels[skill] == level
            assert after.agents[agent_id].status is AgentStatus.IDLE

    # Work conservation, and nobody skipped a better eligible contact.
    idle = [a for a in after.agents.values() if a.status is AgentStatus.IDLE]
    for cid in waiting:
        record = after.contacts[cid]
        if record.target_agent is not None:
            assert after.agents[record.target_agent].status is not AgentStatus.IDLE
            continue
        stages = record.info.line.stages
        stage = stages[_stage_index(record.contact.arrived_at, stages, now)]
        for agent in idle:
            assert level_for(agent.profile, record.contact.skill, stage) is None, (
                f"idle {agent.id} may serve waiting {cid}"
            )
    # Contacts offered (then cancelled) within the step were not waiting when others were chosen.
    moved = {d.contact_id for d in decisions if isinstance(d, Offer | CancelOffer)}
    for decision in decisions:
        if not isinstance(decision, Offer):
            continue
        offered = after.contacts.get(decision.contact_id)
        if offered is None or offered.target_agent is not None or offered.agent_id is None:
            continue
        if engine_live.get(decision.contact_id) != decision.agent_id:
            continue  # cancelled again within the same step
        profile = shell.profiles[decision.agent_id]
        for cid in (waiting & waiting_before) - moved:
            other = after.contacts[cid]
            if other.target_agent is not None or cid == getattr(event, "contact_id", None):
                continue  # targeted, or changed by this very event after the offer was made
            stages = other.info.line.stages
            stage = stages[_stage_index(other.contact.arrived_at, stages, now)]
            if level_for(profile, other.contact.skill, stage) is not None:
                assert offered.line_key < other.line_key, (
                    f"{decision.agent_id} took {decision.contact_id} over better {cid}"
                )


_STRATEGIES = {
    "policy": policies,
    "agents": st.lists(profiles, min_size=1, max_size=5, unique_by=lambda p: p.id),
    "ops": st.lists(operations, min_size=1, max_size=60),
}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(**_STRATEGIES)
def test_random_sequences_keep_every_promise(
    policy: Policy, agents: list[AgentProfile], ops: list[tuple[int, int, int, int, int, float]]
) -> None:
    _run_sequence(policy, agents, ops)


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(**_STRATEGIES)
def test_many_more_random_sequences_keep_every_promise(
    policy: Policy, agents: list[AgentProfile], ops: list[tuple[int, int, int, int, int, float]]
) -> None:
    _run_sequence(policy, agents, ops)


def _run_sequence(
    policy: Policy, agents: list[AgentProfile], ops: list[tuple[int, int, int, int, int, float]]
) -> None:
    note(f"policy={policy!r}")
    note(f"agents={agents!r}")
    note(f"ops={ops!r}")
    state = new_state(policy)
    shell = Shell()
    now = 0.0
    for i, profile in enumerate(agents):
        event: Event = AgentLoggedIn(profile, ready=i % 2 == 0)
        before, known, waiting = _agents_before(state), _queued_before(state), _waiting(state)
        _, decisions = apply(state, event, now)
        _check_invariants(before, known, waiting, state, event, now, decisions, shell)
    for op in ops:
        now += op[5]
        if op[0] == 12:
            # A login of a known id with a changed profile, or of a new agent.
            event = AgentLoggedIn(agents[op[2] % len(agents)], ready=bool(op[4]))
        else:
            event = _event(state, op, now)
        before, known, waiting = _agents_before(state), _queued_before(state), _waiting(state)
        # Share the (immutable) policy; everything else is copied.
        twin = copy.deepcopy(state, {id(policy): policy})
        _, decisions = apply(state, event, now)
        _, twin_decisions = apply(twin, event, now)
        assert decisions == twin_decisions, "decisions depend on more than (state, event, now)"
        _check_invariants(before, known, waiting, state, event, now, decisions, shell)
