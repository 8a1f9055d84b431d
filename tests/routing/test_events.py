"""Scenario tests: one or more per event type, checking the decisions and the resulting state."""

from __future__ import annotations

import copy

from routing import (
    AgentLoggedIn,
    AgentLoggedOut,
    AgentStateChanged,
    AgentStatus,
    Announce,
    CallbackRequested,
    CancelOffer,
    ContactAbandoned,
    ContactArrived,
    ContactEnded,
    ContactKind,
    ContactStatus,
    ContactTransferred,
    Divert,
    DivertReason,
    DivertTarget,
    OfferAnswered,
    OfferCallback,
    OfferFailed,
    OfferFailure,
    OpenInterval,
    Policy,
    ServiceHours,
    SetAgentNotReady,
    Skill,
    Tick,
    WakeAt,
    WrapUpEnded,
    agent_status,
    agent_view,
    apply,
    contact_position,
    contact_snapshot,
)

from .builders import (
    LT_ZH,
    NT_EN,
    NT_ZH,
    Driver,
    agent,
    contact,
    line_policy,
    of_type,
    offers,
    policy,
)


def _connected(
    driver: Driver, contact_id: str, agent_id: str, now: float, skill: Skill = NT_ZH
) -> None:
    assert (contact_id, agent_id) in offers(driver.arrive(contact(contact_id, now, skill)))
    driver(OfferAnswered(contact_id, agent_id), now)


# ---------------------------------------------------------------- ContactArrived


def test_arrival_with_an_idle_agent_is_offered_at_once() -> None:
    driver = Driver()
    driver.login(agent("a"))
    (offer,) = driver.arrive(contact("c", 1.0))
    assert offer == of_type([offer], type(offer))[0]
    assert offers([offer]) == [("c", "a")]
    assert agent_status(driver.state, "a") is AgentStatus.RESERVED
    assert contact_snapshot(driver.state, "c", 1.0).status is ContactStatus.OFFERED


def test_arrival_without_an_agent_queues_announces_and_asks_for_a_wake_up() -> None:
    driver = Driver(policy(announce_every_s=45.0))
    driver.login(agent("a"))
    _connected(driver, "busy", "a", 0.0)
    decisions = driver.arrive(contact("c", 1.0))
    assert decisions == [Announce("c", 1, 300.0), WakeAt(21.0)]
    assert contact_position(driver.state, "c") == 1


def test_arrival_when_closed_is_diverted() -> None:
    hours = ServiceHours.weekdays([OpenInterval.parse("09:00-17:00")])
    closed_policy = Policy(default=line_policy(on_closed=DivertTarget.WORK_ORDER),
                           service_hours=hours)  # fmt: skip
    driver = Driver(closed_policy)
    driver.login(agent("a"))
    sunday_noon = 1_775_361_600.0  # 2026-04-05 12:00 +08:00
    assert driver.arrive(contact("c", sunday_noon)) == [
        Divert("c", DivertReason.CLOSED, DivertTarget.WORK_ORDER)
    ]
    # Callbacks are the centre's debt: they queue even when closed.
    cb = contact("cb", sunday_noon, kind=ContactKind.CALLBACK)
    assert offers(driver.arrive(cb)) == [("cb", "a")]


def test_arrival_nobody_could_serve_is_diverted_when_the_policy_says_so() -> None:
    driver = Driver(policy(on_no_agents=DivertTarget.VOICEMAIL))
    driver.login(agent("en", {NT_EN: 1}, languages=("en",)), ready=False)
    assert driver.arrive(contact("c", 1.0)) == [
        Divert("c", DivertReason.NO_AGENTS, DivertTarget.VOICEMAIL)
    ]
    # A logged-in but not-ready agent counts as staff: the contact waits.
    driver.login(agent("zh"), ready=False)
    assert driver.arrive(contact("d", 2.0)) == [WakeAt(22.0)]


def test_a_duplicate_arrival_is_ignored() -> None:
    driver = Driver()
    driver.arrive(contact("c", 1.0))
    assert driver.arrive(contact("c", 1.0)) == []


# ---------------------------------------------------------------- ContactAbandoned


def test_abandon_while_waiting_frees_the_place() -> None:
    driver = Driver()
    driver.arrive(contact("c1", 1.0))
    driver.arrive(contact("c2", 2.0))
    assert contact_position(driver.state, "c2") == 2
    assert driver(ContactAbandoned("c1"), 3.0) == []
    assert contact_position(driver.state, "c2") == 1
    assert "c1" not in driver.state.contacts


def test_abandon_while_ringing_cancels_the_offer_and_the_agent_keeps_its_rank() -> None:
    driver = Driver()
    driver.login(agent("a1"), now=0.0)
    driver.login(agent("a2"), now=1.0)
    driver.arrive(contact("c1", 5.0))  # rings a1 (longest idle)
    decisions = driver(ContactAbandoned("c1"), 6.0)
    assert decisions == [CancelOffer("c1", "a1")]
    assert agent_status(driver.state, "a1") is AgentStatus.IDLE
    assert offers(driver.arrive(contact("c2", 7.0))) == [("c2", "a1")]


def test_abandon_while_ringing_hands_the_agent_the_next_contact() -> None:
    driver = Driver()
    driver.login(agent("a"))
    driver.arrive(contact("c1", 1.0))
    driver.arrive(contact("c2", 2.0))
    assert driver(ContactAbandoned("c1"), 3.0)[:2] == [
        CancelOffer("c1", "a"),
        *[d for d in driver.log[-1][2] if d != CancelOffer("c1", "a")][:1],
    ]
    assert offers(driver.log[-1][2]) == [("c2", "a")]


def test_hang_up_during_the_call_counts_as_the_end_of_the_call() -> None:
    driver = Driver()
    driver.login(agent("a"))
    _connected(driver, "c", "a", 1.0)
    assert driver(ContactAbandoned("c"), 100.0) == [WakeAt(130.0)]
    assert agent_status(driver.state, "a") is AgentStatus.WRAP_UP


def test_events_about_unknown_contacts_and_agents_are_ignored() -> None:
    driver = Driver()
    for event in (
        ContactAbandoned("x"),
        CallbackRequested("x"),
        AgentLoggedOut("x"),
        AgentStateChanged("x", AgentStatus.IDLE),
        OfferAnswered("x", "y"),
        OfferFailed("x", "y", OfferFailure.BUSY),
        ContactEnded("x"),
        WrapUpEnded("x"),
        ContactTransferred("x", "finance", "zh"),
        Tick(),
    ):
        assert driver(event, 1.0) == []


# ---------------------------------------------------------------- CallbackRequested


def test_callback_keeps_the_place_and_stops_caller_prompts() -> None:
    driver = Driver(policy(announce_every_s=10.0, max_wait_s=100.0, callback_offer_after_s=5.0))
    driver.arrive(contact("c1", 0.0))
    driver.arrive(contact("c2", 1.0))
    decisions = driver(Tick(), 5.0)
    assert OfferCallback("c1") in decisions
    driver(CallbackRequested("c1"), 6.0)
    snapshot = contact_snapshot(driver.state, "c1", 6.0)
    assert snapshot.contact.kind is ContactKind.CALLBACK
    assert snapshot.contact.arrived_at == 0.0
    assert contact_position(driver.state, "c1") == 1
    later = driver(Tick(), 200.0)
    assert Divert("c2", DivertReason.MAX_WAIT, DivertTarget.VOICEMAIL) in later
    assert all(getattr(d, "contact_id", None) != "c1" for d in later)
    driver.login(agent("a"), now=201.0)
    assert offers(driver.log[-1][2]) == [("c1", "a")]
    driver(CallbackRequested("c1"), 202.0)  # again, while ringing: harmless
    assert driver.state.contacts["c1"].contact.kind is ContactKind.CALLBACK


# ---------------------------------------------------------------- AgentLoggedIn / Out


def test_login_is_not_ready_unless_ready_and_relogin_updates_skills() -> None:
    driver = Driver()
    driver(AgentLoggedIn(agent("a", {LT_ZH: 1})), 0.0)
    view = agent_view(driver.state, "a")
    assert (view.status, view.reason) == (AgentStatus.NOT_READY, "login")
    driver.arrive(contact("c", 1.0))
    assert driver(AgentLoggedIn(agent("a", {LT_ZH: 1}), ready=True), 2.0) == []
    decisions = driver(AgentLoggedIn(agent("a", {LT_ZH: 1, NT_ZH: 1})), 3.0)
    assert offers(decisions) == [("c", "a")]


def test_relogin_of_an_idle_agent_keeps_the_idle_rank() -> None:
    driver = Driver()
    driver.login(agent("a1"), now=0.0)
    driver.login(agent("a2"), now=1.0)
    driver(AgentLoggedIn(agent("a1", {NT_ZH: 1, LT_ZH: 2})), 2.0)
    assert offers(driver.arrive(contact("c", 3.0))) == [("c", "a1")]


def test_logout_while_ringing_cancels_and_reoffers() -> None:
    driver = Driver()
    driver.login(agent("a1"), now=0.0)
    driver.login(agent("a2"), now=1.0)
    driver.arrive(contact("c", 2.0))
    decisions = driver(AgentLoggedOut("a1"), 3.0)
    assert decisions[0] == CancelOffer("c", "a1")
    assert offers(decisions) == [("c", "a2")]
    assert agent_status(driver.state, "a1") is AgentStatus.LOGGED_OUT


def test_logout_during_a_call_leaves_the_call_alone() -> None:
    driver = Driver()
    driver.login(agent("a"))
    _connected(driver, "c", "a", 1.0)
    assert driver(AgentLoggedOut("a"), 2.0) == []
    assert contact_snapshot(driver.state, "c", 2.0).agent_id is None
    assert driver(ContactEnded("c"), 3.0) == []
    assert "c" not in driver.state.contacts


# ---------------------------------------------------------------- AgentStateChanged


def test_not_ready_and_back() -> None:
    driver = Driver()
    driver.login(agent("a"))
    driver(AgentStateChanged("a", AgentStatus.NOT_READY, "toilet"), 1.0)
    view = agent_view(driver.state, "a")
    assert (view.status, view.reason, view.since) == (AgentStatus.NOT_READY, "toilet", 1.0)
    driver.arrive(contact("c", 2.0))
    assert offers(driver(AgentStateChanged("a", AgentStatus.IDLE), 3.0)) == [("c", "a")]
    assert driver(AgentStateChanged("a", AgentStatus.IDLE), 3.5) == []  # ringing: no-op


def test_not_ready_during_a_call_applies_after_wrap_up() -> None:
    driver = Driver()
    driver.login(agent("a"))
    _connected(driver, "c1", "a", 1.0)
    driver(AgentStateChanged("a", AgentStatus.NOT_READY, "meeting"), 2.0)
    assert agent_view(driver.state, "a").pending_reason == "meeting"
    driver.arrive(contact("c2", 3.0))
    driver(ContactEnded("c1"), 10.0)
    assert offers(driver(Tick(), 40.0)) == []  # wrap-up over: not ready, c2 keeps waiting
    view = agent_view(driver.state, "a")
    assert (view.status, view.reason) == (AgentStatus.NOT_READY, "meeting")


def test_changing_ones_mind_during_a_call_cancels_the_pending_not_ready() -> None:
    driver = Driver()
    driver.login(agent("a"))
    _connected(driver, "c1", "a", 1.0)
    driver(AgentStateChanged("a", AgentStatus.NOT_READY), 2.0)
    assert agent_view(driver.state, "a").pending_reason == "not_ready"
    driver(AgentStateChanged("a", AgentStatus.IDLE), 3.0)
    assert agent_view(driver.state, "a").pending_reason is None


def test_not_ready_while_ringing_cancels_and_requeues() -> None:
    driver = Driver()
    driver.login(agent("a"))
    driver.arrive(contact("c", 1.0))
    decisions = driver(AgentStateChanged("a", AgentStatus.NOT_READY, "oops"), 2.0)
    assert decisions[0] == CancelOffer("c", "a")
    assert contact_position(driver.state, "c") == 1


def test_wrap_up_can_end_early_or_turn_into_not_ready() -> None:
    driver = Driver()
    driver.login(agent("a"), agent("b"))
    _connected(driver, "c1", "a", 1.0)
    _connected(driver, "c2", "b", 1.0)
    driver(ContactEnded("c1"), 5.0)
    driver(ContactEnded("c2"), 5.0)
    driver.arrive(contact("c3", 6.0))
    assert offers(driver(AgentStateChanged("a", AgentStatus.IDLE), 7.0)) == [("c3", "a")]
    driver(AgentStateChanged("b", AgentStatus.NOT_READY, "paperwork"), 8.0)
    assert agent_status(driver.state, "b") is AgentStatus.NOT_READY
    assert driver(Tick(), 35.0) == []  # the wrap-up timer of b is void


# ---------------------------------------------------------------- offers


def test_answer_connects_and_late_answers_are_ignored() -> None:
    driver = Driver()
    driver.login(agent("a"), agent("b"))
    driver.arrive(contact("c", 1.0))
    assert driver(OfferAnswered("c", "b"), 2.0) == []  # not b's offer
    driver(OfferAnswered("c", "a"), 2.0)
    assert contact_snapshot(driver.state, "c", 2.0).status is ContactStatus.CONNECTED
    assert driver(OfferAnswered("c", "a"), 3.0) == []  # duplicate
    assert driver(OfferFailed("c", "a", OfferFailure.NO_ANSWER), 3.0) == []  # too late


def test_rona_after_two_misses() -> None:
    driver = Driver()
    driver.login(agent("a"))
    driver.arrive(contact("c", 1.0))
    first = driver(OfferFailed("c", "a", OfferFailure.NO_ANSWER), 16.0)
    assert offers(first) == [("c", "a")]  # nobody else: offered again
    assert agent_view(driver.state, "a").misses == 1
    second = driver(OfferFailed("c", "a", OfferFailure.NO_ANSWER), 31.0)
    assert SetAgentNotReady("a", "rona") in second
    assert offers(second) == []
    view = agent_view(driver.state, "a")
    assert (view.status, view.reason, view.misses) == (AgentStatus.NOT_READY, "rona", 0)
    assert contact_position(driver.state, "c") == 1


def test_an_offer_lost_with_the_link_counts_no_miss() -> None:
    """The leg vanished while the link to Asterisk was down: the agent is not blamed (no miss,
    never not ready), and with nobody else free the call is offered to them again."""
    driver = Driver()
    driver.login(agent("a"))
    driver.arrive(contact("c", 1.0))
    for at in (16.0, 31.0, 46.0):
        decisions = driver(OfferFailed("c", "a", OfferFailure.LOST), at)
        assert offers(decisions) == [("c", "a")]
        assert not any(isinstance(d, SetAgentNotReady) for d in decisions)
    view = agent_view(driver.state, "a")
    assert (view.status, view.misses) == (AgentStatus.RESERVED, 0)


def test_an_answer_resets_the_miss_count() -> None:
    driver = Driver()
    driver.login(agent("a"))
    driver.arrive(contact("c", 1.0))
    driver(OfferFailed("c", "a", OfferFailure.REJECTED), 2.0)
    driver(OfferAnswered("c", "a"), 3.0)
    assert agent_view(driver.state, "a").misses == 0


def test_unreachable_sets_not_ready_at_once() -> None:
    driver = Driver(policy(rona_misses=5))
    driver.login(agent("a"), agent("b"))
    driver.arrive(contact("c", 1.0))
    decisions = driver(OfferFailed("c", "a", OfferFailure.UNREACHABLE), 2.0)
    assert decisions[0] == SetAgentNotReady("a", "unreachable")
    assert offers(decisions) == [("c", "b")]


# ---------------------------------------------------------------- ContactEnded, wrap-up


def test_end_of_call_wrap_up_then_next_contact() -> None:
    driver = Driver()
    driver.login(agent("a"))
    _connected(driver, "c1", "a", 0.0)
    driver.arrive(contact("c2", 10.0))
    assert driver(ContactEnded("c1"), 100.0) == [WakeAt(130.0)]
    view = agent_view(driver.state, "a")
    assert (view.status, view.wrap_up_until) == (AgentStatus.WRAP_UP, 130.0)
    assert offers(driver(Tick(), 130.0)) == [("c2", "a")]
    assert driver(Tick(), 130.0) == []  # a second tick changes nothing
    assert driver(WrapUpEnded("a"), 131.0) == []  # late: not in wrap-up any more


def test_wrap_up_ended_early_and_zero_wrap_up() -> None:
    driver = Driver(policy(wrap_up_s=0.0))
    driver.login(agent("a"))
    _connected(driver, "c1", "a", 0.0)
    driver.arrive(contact("c2", 1.0))
    assert offers(driver(ContactEnded("c1"), 50.0)) == [("c2", "a")]


def test_ending_a_waiting_or_ringing_contact_is_an_abandon() -> None:
    driver = Driver()
    driver.login(agent("a"))
    driver.arrive(contact("c1", 1.0))
    driver.arrive(contact("c2", 2.0))
    assert driver(ContactEnded("c2"), 3.0) == []
    assert driver(ContactEnded("c1"), 4.0) == [CancelOffer("c1", "a")]


def test_handle_time_is_learned_from_calls() -> None:
    driver = Driver(policy(announce_every_s=60.0))
    driver.login(agent("a"))
    _connected(driver, "c1", "a", 0.0)
    driver(ContactEnded("c1"), 570.0)  # 570 s talk + 30 s wrap-up = 600 s handled
    assert driver.state.handle_time_s[NT_ZH] == 300.0 + 0.1 * (600.0 - 300.0)
    _connected(driver, "c0", "a", 600.0)
    (announce,) = of_type(driver.arrive(contact("c2", 601.0)), Announce)
    assert announce == Announce("c2", 1, 330.0)


# ---------------------------------------------------------------- timers


def test_max_wait_callback_offer_and_announcements_on_schedule() -> None:
    driver = Driver(policy(announce_every_s=45.0, callback_offer_after_s=90.0, max_wait_s=600.0,
                           on_max_wait=DivertTarget.WORK_ORDER))  # fmt: skip
    driver.login(agent("a"))
    _connected(driver, "busy", "a", 0.0)
    assert of_type(driver.arrive(contact("c", 0.0)), Announce) == [Announce("c", 1, 300.0)]
    timeline = {t: driver(Tick(), t) for t in (45.0, 90.0, 600.0)}
    assert of_type(timeline[45.0], Announce) == [Announce("c", 1, 300.0)]
    assert OfferCallback("c") in timeline[90.0]
    assert Divert("c", DivertReason.MAX_WAIT, DivertTarget.WORK_ORDER) in timeline[600.0]
    assert "c" not in driver.state.contacts


def test_a_late_tick_runs_every_due_timer_once() -> None:
    driver = Driver(policy(announce_every_s=10.0, callback_offer_after_s=15.0))
    driver.arrive(contact("c", 0.0))
    decisions = driver(Tick(), 35.0)
    assert of_type(decisions, Announce) == [Announce("c", 1, None)]
    assert of_type(decisions, OfferCallback) == [OfferCallback("c")]
    assert of_type(decisions, WakeAt) == [WakeAt(40.0)]


def test_wake_at_is_promised_once_and_renewed_when_earlier_or_passed() -> None:
    driver = Driver()
    assert driver.arrive(contact("c1", 0.0)) == [WakeAt(20.0)]
    assert driver.arrive(contact("c2", 5.0)) == []  # 25 s: the 20 s promise still stands
    assert driver(Tick(), 20.0) == [WakeAt(25.0)]


def test_time_never_runs_backwards() -> None:
    driver = Driver()
    driver.login(agent("a", {NT_ZH: 2}))
    driver.arrive(contact("c", 0.0))
    assert offers(driver(Tick(), 30.0)) == [("c", "a")]
    driver(OfferFailed("c", "a", OfferFailure.BUSY), 10.0)  # stale clock: treated as 30 s
    assert offers(driver.log[-1][2]) == [("c", "a")]


def test_requeue_after_the_maximum_wait_diverts() -> None:
    driver = Driver(policy(max_wait_s=60.0, rona_misses=9))
    driver.login(agent("a"))
    driver.arrive(contact("c", 0.0))
    decisions = driver(OfferFailed("c", "a", OfferFailure.NO_ANSWER), 61.0)
    assert Divert("c", DivertReason.MAX_WAIT, DivertTarget.VOICEMAIL) in decisions


def test_requeue_past_the_callback_threshold_offers_the_callback_at_once() -> None:
    driver = Driver(policy(callback_offer_after_s=30.0, rona_misses=9))
    driver.login(agent("a"), agent("b", {LT_ZH: 1}))
    driver.arrive(contact("c", 0.0))
    driver(AgentStateChanged("a", AgentStatus.NOT_READY, "x"), 40.0)
    assert OfferCallback("c") in driver.log[-1][2]


# ---------------------------------------------------------------- ContactTransferred


def test_blind_transfer_to_a_queue_keeps_the_place_in_line() -> None:
    driver = Driver()
    driver.login(agent("a"))
    _connected(driver, "c", "a", 0.0)
    driver.arrive(contact("newer", 5.0, LT_ZH))
    decisions = driver(ContactTransferred("c", "local_tax", "zh", priority=None), 50.0)
    assert decisions == [WakeAt(60.0)]  # "c" (arrived at 0) reaches the overflow stage
    assert agent_view(driver.state, "a").wrap_up_until == 80.0
    assert agent_status(driver.state, "a") is AgentStatus.WRAP_UP
    assert contact_position(driver.state, "c") == 1
    assert contact_position(driver.state, "newer") == 2
    driver.login(agent("lt", {LT_ZH: 1}), now=51.0)
    assert offers(driver.log[-1][2]) == [("c", "lt")]


def test_transfer_to_a_named_agent_waits_for_that_agent() -> None:
    driver = Driver(policy(announce_every_s=30.0))
    driver.login(agent("a"), agent("expert", {LT_ZH: 1}))
    _connected(driver, "x", "expert", 0.0, LT_ZH)
    _connected(driver, "c", "a", 1.0)
    decisions = driver(ContactTransferred("c", "local_tax", "zh", 5, to_agent_id="expert"), 10.0)
    assert of_type(decisions, Announce) == [Announce("c", 1, 300.0)]
    assert contact_position(driver.state, "c") == 1
    assert contact_snapshot(driver.state, "c", 10.0).eligible[0].agent_id == "expert"
    driver.login(agent("other", {LT_ZH: 1}), now=11.0)
    assert offers(driver.log[-1][2]) == []  # targeted: nobody else
    driver(ContactEnded("x"), 12.0)
    decisions = driver(WrapUpEnded("expert"), 13.0)
    assert offers(decisions) == [("c", "expert")]
    assert driver.state.contacts["c"].contact.priority == 5


def test_transfer_to_an_idle_agent_rings_at_once_and_failure_falls_back_to_the_queue() -> None:
    driver = Driver(policy(rona_misses=9))
    driver.login(agent("a"), agent("expert", {LT_ZH: 2}), agent("lt", {LT_ZH: 1}))
    _connected(driver, "busy-lt", "lt", 0.0, LT_ZH)
    _connected(driver, "c", "a", 1.0)
    decisions = driver(ContactTransferred("c", "local_tax", "zh", to_agent_id="expert"), 10.0)
    assert offers(decisions) == [("c", "expert")]
    decisions = driver(OfferFailed("c", "expert", OfferFailure.NO_ANSWER), 20.0)
    assert offers(decisions) == []  # back in the queue at stage 0: primaries only, all busy
    assert offers(driver(Tick(), 21.0)) == [("c", "expert")]  # level 2 admitted at 20 s


def test_transfer_to_an_unknown_agent_goes_to_the_queue() -> None:
    driver = Driver()
    driver.login(agent("a"), agent("lt", {LT_ZH: 1}))
    _connected(driver, "c", "a", 1.0)
    decisions = driver(ContactTransferred("c", "local_tax", "zh", to_agent_id="ghost"), 5.0)
    assert offers(decisions) == [("c", "lt")]


def test_transfer_of_a_waiting_or_ringing_contact_moves_it() -> None:
    driver = Driver()
    driver.login(agent("a"))
    driver.arrive(contact("ring", 1.0))
    driver.arrive(contact("wait", 2.0))
    decisions = driver(ContactTransferred("ring", "local_tax", "zh"), 3.0)
    assert decisions[0] == CancelOffer("ring", "a")
    assert offers(decisions) == [("wait", "a")]
    driver(ContactTransferred("wait", "finance", "zh"), 4.0)
    assert driver.state.contacts["wait"].contact.line == "finance"


def test_logout_sends_targeted_contacts_to_the_queue() -> None:
    driver = Driver()
    driver.login(agent("a"), agent("expert", {LT_ZH: 1}))
    _connected(driver, "x", "expert", 0.0, LT_ZH)
    _connected(driver, "c", "a", 1.0)
    driver(ContactTransferred("c", "local_tax", "zh", to_agent_id="expert"), 2.0)
    driver(AgentLoggedOut("expert"), 3.0)
    driver.login(agent("lt", {LT_ZH: 1}), now=4.0)
    assert offers(driver.log[-1][2]) == [("c", "lt")]


# ---------------------------------------------------------------- determinism


def test_same_state_event_and_time_give_the_same_decisions() -> None:
    driver = Driver()
    driver.login(agent("a1"), agent("a2", {NT_ZH: 2}))
    driver.arrive(contact("c1", 1.0))
    driver.arrive(contact("c2", 2.0))
    twin = copy.deepcopy(driver.state)
    event = ContactArrived(contact("c3", 30.0))
    _, first = apply(driver.state, event, 30.0)
    _, second = apply(twin, event, 30.0)
    assert first == second


def test_value_checks_on_events_and_profiles() -> None:
    import pytest

    from routing import AgentProfile

    with pytest.raises(ValueError, match="IDLE or NOT_READY"):
        AgentStateChanged("a", AgentStatus.ON_CALL)
    with pytest.raises(ValueError, match="level of national_tax/zh"):
        AgentProfile("a", {NT_ZH: 0})
    assert str(NT_ZH) == "national_tax/zh"


def test_a_reused_contact_id_does_not_inherit_old_timers() -> None:
    driver = Driver(policy(max_wait_s=100.0, callback_offer_after_s=50.0))
    driver.arrive(contact("c", 0.0))
    driver(ContactAbandoned("c"), 10.0)
    driver.arrive(contact("c", 60.0))  # the same id again, e.g. a callback under the call's id
    decisions = driver(Tick(), 100.0)  # the old contact's max wait would fall due now
    assert of_type(decisions, Divert) == []
    assert of_type(decisions, OfferCallback) == []
    assert contact_position(driver.state, "c") == 1


def test_a_new_session_of_an_agent_ignores_the_old_wrap_up_timer() -> None:
    driver = Driver()
    driver.login(agent("a"))
    _connected(driver, "c1", "a", 0.0)
    driver(ContactEnded("c1"), 10.0)  # wrap-up until 40
    driver(AgentLoggedOut("a"), 11.0)
    driver.login(agent("a"), now=12.0)
    _connected(driver, "c2", "a", 12.0)
    driver(ContactEnded("c2"), 13.0)  # wrap-up until 43
    driver(Tick(), 40.0)
    assert agent_status(driver.state, "a") is AgentStatus.WRAP_UP


def test_transfer_with_no_wrap_up_lets_the_agent_choose_first() -> None:
    driver = Driver(policy(wrap_up_s=0.0, announce_every_s=30.0))
    driver.login(agent("a"))
    _connected(driver, "c", "a", 0.0)
    driver.arrive(contact("vip", 1.0, priority=5))
    decisions = driver(ContactTransferred("c", "national_tax", "zh"), 2.0)
    assert offers(decisions) == [("vip", "a")]
    learned = 300.0 + 0.1 * (2.0 - 300.0)  # a 2 s call, no wrap-up
    assert of_type(decisions, Announce) == [Announce("c", 1, learned)]
    assert contact_position(driver.state, "c") == 1
