"""Table tests: which agent gets a contact, and which contact a freed agent gets."""

from __future__ import annotations

import pytest

from routing import (
    OVERFLOW_LEVEL,
    AgentProfile,
    AgentSelection,
    AgentStateChanged,
    AgentStatus,
    CancelOffer,
    ContactEnded,
    ContactTransferred,
    Offer,
    OfferAnswered,
    OfferFailed,
    OfferFailure,
    Skill,
    Tick,
    WrapUpEnded,
)

from .builders import FIN_ZH, LT_ZH, NT_EN, NT_ZH, Driver, agent, contact, offers, policy


def _idle_in_order(driver: Driver, *profiles: AgentProfile, start: float = 0.0) -> None:
    """Log agents in so that the first listed has been idle longest."""
    for i, profile in enumerate(profiles):
        driver.login(profile, now=start + i)


@pytest.mark.parametrize(
    ("profiles", "waited", "expected_agent", "expected_level"),
    [
        # Best level first, even when a secondary agent has been idle longer.
        ([agent("sec", {NT_ZH: 2}), agent("pri", {NT_ZH: 1})], 0, "pri", 1),
        # Stage 0 admits primaries only; at 20 s secondaries join.
        ([agent("sec", {NT_ZH: 2})], 0, None, None),
        ([agent("sec", {NT_ZH: 2})], 20, "sec", 2),
        ([agent("third", {NT_ZH: 3}), agent("sec", {NT_ZH: 2})], 50, "sec", 2),
        ([agent("third", {NT_ZH: 3})], 44, None, None),
        ([agent("third", {NT_ZH: 3})], 45, "third", 3),
        # Longest idle within a level.
        ([agent("a1"), agent("a2"), agent("a3")], 0, "a1", 1),
        # Overflow: only from 60 s, only in a language the agent speaks.
        ([agent("ov", {LT_ZH: 1}, overflow=True)], 59, None, None),
        ([agent("ov", {LT_ZH: 1}, overflow=True)], 60, "ov", OVERFLOW_LEVEL),
        ([agent("ov", {LT_ZH: 1}, languages=("en",), overflow=True)], 60, None, None),
        ([agent("ov", {}, languages=("zh",), overflow=True)], 61, "ov", OVERFLOW_LEVEL),
        # An overflow agent who holds the skill at a low level serves at that level.
        ([agent("ov", {NT_ZH: 5}, overflow=True)], 60, "ov", 5),
        # Wrong skill entirely (language is part of the skill).
        ([agent("en", {NT_EN: 1}, languages=("en", "zh"))], 100, None, None),
    ],
)
def test_agent_choice(
    profiles: list[AgentProfile],
    waited: float,
    expected_agent: str | None,
    expected_level: int | None,
) -> None:
    driver = Driver()
    _idle_in_order(driver, *profiles)
    arrival = 10.0
    driver.arrive(contact("c", arrival))
    decisions = driver(Tick(), arrival + waited)
    offered = [d for _, _, ds in driver.log for d in ds if isinstance(d, Offer)]
    if expected_agent is None:
        assert offered == []
    else:
        assert [(o.agent_id, o.level) for o in offered] == [(expected_agent, expected_level)]
        assert decisions is not None


def test_ties_in_idle_time_go_to_the_smaller_agent_id() -> None:
    driver = Driver()
    driver.login(agent("b"), agent("a"), now=0.0)
    assert offers(driver.arrive(contact("c", 5.0))) == [("c", "a")]


def test_least_occupied_prefers_the_agent_who_talked_least() -> None:
    driver = Driver(policy(AgentSelection.LEAST_OCCUPIED, wrap_up_s=0.0))
    driver.login(agent("busy"), agent("calm"), now=0.0)
    # "busy" takes a long call; "calm" a short one.
    driver.arrive(contact("c1", 1.0))
    driver(OfferAnswered("c1", "busy"), 1.0)
    driver.arrive(contact("c2", 2.0))
    driver(OfferAnswered("c2", "calm"), 2.0)
    driver(ContactEnded("c2"), 3.0)
    driver(ContactEnded("c1"), 100.0)
    # Now "calm" has been idle longer *and* is less occupied; make "busy" idle longer instead.
    driver(AgentStateChanged("calm", AgentStatus.NOT_READY, "break"), 101.0)
    driver(AgentStateChanged("calm", AgentStatus.IDLE), 102.0)
    assert offers(driver.arrive(contact("c3", 200.0))) == [("c3", "calm")]


def test_round_robin_rotates_over_agent_ids() -> None:
    driver = Driver(policy(AgentSelection.ROUND_ROBIN, wrap_up_s=0.0))
    driver.login(agent("a3"), agent("a1"), agent("a2"), now=0.0)
    chosen = []
    for i in range(4):
        (offer,) = [d for d in driver.arrive(contact(f"c{i}", 10.0 + i)) if isinstance(d, Offer)]
        chosen.append(offer.agent_id)
        driver(OfferAnswered(offer.contact_id, offer.agent_id), 10.0 + i)
        driver(ContactEnded(offer.contact_id), 10.5 + i)
    assert chosen == ["a1", "a2", "a3", "a1"]


@pytest.mark.parametrize("selection", list(AgentSelection))
def test_a_failed_agent_is_passed_over_while_another_is_idle(selection: AgentSelection) -> None:
    driver = Driver(policy(selection, rona_misses=5))
    driver.login(agent("first"), now=0.0)
    driver.arrive(contact("c", 1.0))
    driver.login(agent("second", {NT_ZH: 2}), now=2.0)
    # At 25 s the contact may go to level 2 as well; "first" fails to answer.
    decisions = driver(OfferFailed("c", "first", OfferFailure.NO_ANSWER), 25.0)
    assert offers(decisions) == [("c", "second")]


def test_a_failed_agent_gets_the_contact_again_when_nobody_else_is_idle() -> None:
    driver = Driver(policy(rona_misses=5))
    driver.login(agent("only"), agent("other", {NT_ZH: 2}), now=0.0)
    driver.arrive(contact("c", 1.0))  # stage 0: only "only" qualifies
    decisions = driver(OfferFailed("c", "only", OfferFailure.BUSY), 3.0)
    assert offers(decisions) == [("c", "only")]


def test_failed_agent_fallback_through_the_overflow_pool() -> None:
    driver = Driver(policy(rona_misses=5))
    driver.login(agent("ov", {}, overflow=True), now=0.0)
    driver.arrive(contact("c", 0.0))
    decisions = driver(Tick(), 60.0)
    assert offers(decisions) == [("c", "ov")]
    decisions = driver(OfferFailed("c", "ov", OfferFailure.REJECTED), 61.0)
    assert [(d.agent_id, d.level) for d in decisions if isinstance(d, Offer)] == [
        ("ov", OVERFLOW_LEVEL)
    ]


# ------------------------------------------------------------------ contact choice


FILLER = Skill("filler", "zh")


def _busy_agent(driver: Driver, profile: AgentProfile, now: float) -> str:
    """Log `profile` in and put them on a call, so queued contacts wait for them."""
    profile = AgentProfile(
        profile.id, {**profile.levels, FILLER: 1}, profile.languages, profile.overflow
    )
    driver.login(profile, now=now)
    filler = contact(f"filler-{profile.id}", now, FILLER)
    driver.arrive(filler)
    driver(OfferAnswered(filler.id, profile.id), now)
    return filler.id


def _free(driver: Driver, profile_id: str, filler: str, now: float) -> list[tuple[str, str]]:
    driver(ContactEnded(filler), now)
    return offers(driver(WrapUpEnded(profile_id), now))


@pytest.mark.parametrize(
    ("waiting", "expected"),
    [
        # (id, skill, arrived_at, priority): highest priority first, across queues.
        ([("old", NT_ZH, 1.0, 0), ("vip", LT_ZH, 5.0, 3)], "vip"),
        # Equal priority: longest waiting, across queues.
        ([("young", NT_ZH, 5.0, 0), ("old", LT_ZH, 1.0, 0)], "old"),
        # A skill the agent lacks is never taken.
        ([("other", FIN_ZH, 1.0, 9), ("mine", NT_ZH, 5.0, 0)], "mine"),
        # FIFO within one queue and priority.
        ([("b", NT_ZH, 2.0, 0), ("a", NT_ZH, 1.0, 0)], "a"),
    ],
)
def test_contact_choice_when_an_agent_frees_up(
    waiting: list[tuple[str, object, float, int]], expected: str
) -> None:
    driver = Driver()
    profile = agent("a", {NT_ZH: 1, LT_ZH: 1})
    filler = _busy_agent(driver, profile, 0.0)
    for contact_id, skill, arrived_at, priority in waiting:
        driver.arrive(contact(contact_id, arrived_at, skill, priority=priority))  # type: ignore[arg-type]
    assert _free(driver, "a", filler, 10.0) == [(expected, "a")]


def test_an_older_contact_eligible_by_stage_beats_a_higher_priority_one_not_yet_eligible() -> None:
    driver = Driver()
    profile = agent("sec", {NT_ZH: 2})
    driver.login(agent("pri"), now=0.0)
    filler_pri = _busy_agent(driver, agent("pri2"), 0.0)
    assert filler_pri
    driver(AgentStateChanged("pri", AgentStatus.NOT_READY, "lunch"), 0.0)
    filler = _busy_agent(driver, profile, 0.0)
    driver.arrive(contact("old-low", 1.0, priority=0))
    driver.arrive(contact("new-vip", 30.0, priority=9))
    # At 31 s "old-low" waited 30 s (level 2 admitted); "new-vip" only 1 s (primaries only).
    assert _free(driver, "sec", filler, 31.0) == [("old-low", "sec")]


def test_overflow_agent_takes_from_a_line_it_lacks_once_the_overflow_stage_is_reached() -> None:
    driver = Driver()
    profile = agent("ov", {LT_ZH: 1}, overflow=True)
    filler = _busy_agent(driver, profile, 0.0)
    driver.arrive(contact("nt", 1.0, NT_ZH))
    driver.arrive(contact("en", 1.0, NT_EN))  # overflow agent speaks no English
    assert _free(driver, "ov", filler, 30.0) == []
    driver(AgentStateChanged("ov", AgentStatus.NOT_READY, "x"), 30.0)
    assert offers(driver(AgentStateChanged("ov", AgentStatus.IDLE), 61.0)) == [("nt", "ov")]


def test_overflow_agent_holding_the_skill_uses_the_earlier_of_level_and_overflow() -> None:
    driver = Driver()
    profile = agent("ov", {NT_ZH: 3}, overflow=True)
    filler = _busy_agent(driver, profile, 0.0)
    driver.arrive(contact("c", 1.0))
    assert _free(driver, "ov", filler, 47.0) == [("c", "ov")]  # level 3 from 45 s


def test_an_agent_who_failed_a_contact_takes_a_better_one_waiting_meanwhile() -> None:
    driver = Driver(policy(rona_misses=5))
    driver.login(agent("a"))
    driver.arrive(contact("low", 1.0, priority=0))  # rings a
    driver.arrive(contact("vip", 2.0, priority=5))  # waits: a is reserved
    decisions = driver(OfferFailed("low", "a", OfferFailure.NO_ANSWER), 3.0)
    assert offers(decisions) == [("vip", "a")]


def test_an_agent_freed_by_a_transfer_takes_the_best_contact_not_the_transferred_one() -> None:
    driver = Driver()
    driver.login(agent("a"))
    driver.arrive(contact("low", 0.0, priority=0))  # rings a
    driver.arrive(contact("vip", 0.0, priority=1))  # waits
    decisions = driver(ContactTransferred("low", "national_tax", "zh"), 1.0)
    assert decisions[0] == CancelOffer("low", "a")
    assert offers(decisions) == [("vip", "a")]


def test_overflow_agent_with_a_level_beyond_the_stages_serves_through_the_overflow_pool() -> None:
    driver = Driver()
    filler = _busy_agent(driver, agent("ov", {NT_ZH: 5}, overflow=True), 0.0)
    driver.arrive(contact("c", 1.0))
    assert _free(driver, "ov", filler, 59.0) == []
    driver(AgentStateChanged("ov", AgentStatus.NOT_READY, "x"), 59.0)
    assert offers(driver(AgentStateChanged("ov", AgentStatus.IDLE), 61.0)) == [("c", "ov")]
