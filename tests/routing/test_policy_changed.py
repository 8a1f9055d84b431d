"""A new policy while contacts wait (a configuration version published live)."""

from __future__ import annotations

from routing import (
    ContactStatus,
    Divert,
    DivertReason,
    DivertTarget,
    OfferAnswered,
    OpenInterval,
    Policy,
    PolicyChanged,
    ServiceHours,
    Stage,
    Tick,
    contact_position,
    contact_snapshot,
)

from .builders import LT_ZH, NT_ZH, Driver, agent, contact, line_policy, offers, policy


def _busy_specialist(driver: Driver) -> None:
    driver.login(agent("spec", {NT_ZH: 1}), agent("elective", {NT_ZH: 3}))
    assert offers(driver.arrive(contact("busy", 0.0))) == [("busy", "spec")]
    driver(OfferAnswered("busy", "spec"), 0.0)


def test_a_waiting_caller_is_routed_at_once_when_the_new_stages_reach_an_idle_agent() -> None:
    # Old policy: electives (level 3) only after 45 s. The caller has waited 10 s.
    driver = Driver()
    _busy_specialist(driver)
    assert offers(driver.arrive(contact("c", 0.0, NT_ZH), now=1.0)) == []
    widened = policy(stages=(Stage(0, 1), Stage(5, 3)))
    decisions = driver(PolicyChanged(widened), 10.0)
    assert offers(decisions) == [("c", "elective")]
    assert driver.state.policy is widened


def test_a_waiting_caller_keeps_its_place_and_gets_the_new_timers() -> None:
    driver = Driver()
    _busy_specialist(driver)
    driver(OfferAnswered("busy", "spec"), 0.0)
    driver.login(agent("other", {LT_ZH: 1}))
    driver.arrive(contact("first", 1.0))
    driver.arrive(contact("second", 2.0))
    narrower = policy(stages=(Stage(0, 1), Stage(100, 3)), max_wait_s=30.0)
    assert offers(driver(PolicyChanged(narrower), 3.0)) == []
    assert contact_position(driver.state, "first") == 1
    assert contact_position(driver.state, "second") == 2
    # The new maximum wait counts from when each caller queued.
    decisions = driver(Tick(), 31.0)
    assert Divert("first", DivertReason.MAX_WAIT, DivertTarget.VOICEMAIL) in decisions
    assert contact_snapshot(driver.state, "second", 31.0).status is ContactStatus.WAITING


def test_the_old_stage_timers_no_longer_fire() -> None:
    driver = Driver()
    _busy_specialist(driver)
    driver.arrive(contact("c", 1.0))
    single = policy(stages=(Stage(0, 1),))
    driver(PolicyChanged(single), 2.0)
    # Under the old policy the elective would be offered the call at 46 s.
    assert offers(driver(Tick(), 50.0)) == []


def test_an_offered_or_talking_call_is_not_disturbed() -> None:
    driver = Driver()
    _busy_specialist(driver)
    decisions = driver(PolicyChanged(policy(stages=(Stage(0, 3),))), 5.0)
    assert offers(decisions) == []
    assert contact_snapshot(driver.state, "busy", 5.0).status is ContactStatus.CONNECTED


def test_a_line_with_its_own_hours_is_closed_while_another_is_open() -> None:
    sunday_noon = 1_775_361_600.0  # 2026-04-05 12:00 +08:00
    every_day = ServiceHours(weekly=((OpenInterval.parse("09:00-17:00"),),) * 7)
    weekdays = ServiceHours.weekdays([OpenInterval.parse("09:00-17:00")])
    centre = Policy(
        default=line_policy(), service_hours=weekdays, line_hours={"national_tax": every_day}
    )
    driver = Driver()
    driver(PolicyChanged(centre), sunday_noon)
    driver.login(agent("a", {NT_ZH: 1, LT_ZH: 1}), now=sunday_noon)
    assert offers(driver.arrive(contact("nt", sunday_noon))) == [("nt", "a")]
    assert driver.arrive(contact("lt", sunday_noon, LT_ZH)) == [
        Divert("lt", DivertReason.CLOSED, DivertTarget.VOICEMAIL)
    ]
    assert centre.is_open(sunday_noon)
    assert not centre.is_open_for("local_tax", sunday_noon)
