"""An agent who logs out while a contact transferred to them by name rings on their phone."""

from __future__ import annotations

from routing import (
    AgentLoggedIn,
    AgentLoggedOut,
    AgentProfile,
    CancelOffer,
    Contact,
    ContactArrived,
    ContactTransferred,
    LinePolicy,
    Offer,
    OfferAnswered,
    Policy,
    Skill,
    Stage,
    apply,
    new_state,
)

NT = Skill("national_tax", "zh")


def test_the_contact_goes_back_to_the_queue_and_to_the_next_idle_agent() -> None:
    state = new_state(Policy(default=LinePolicy(stages=(Stage(0, 1),), wrap_up_s=0)))
    for agent_id in ("a1", "a2"):
        apply(state, AgentLoggedIn(AgentProfile(agent_id, {NT: 1}), ready=True), 0.0)
    _, decisions = apply(state, ContactArrived(Contact("c1", "national_tax", "zh", 1.0)), 1.0)
    assert [(d.contact_id, d.agent_id) for d in decisions if isinstance(d, Offer)] == [("c1", "a1")]
    apply(state, OfferAnswered("c1", "a1"), 2.0)

    _, decisions = apply(
        state, ContactTransferred("c1", "national_tax", "zh", to_agent_id="a2"), 3.0
    )
    assert [(d.contact_id, d.agent_id) for d in decisions if isinstance(d, Offer)] == [("c1", "a2")]

    _, decisions = apply(state, AgentLoggedOut("a2"), 4.0)
    assert CancelOffer("c1", "a2") in decisions
    assert [(d.contact_id, d.agent_id) for d in decisions if isinstance(d, Offer)] == [("c1", "a1")]
