"""The sounds a plan names (the configuration's ``prompts`` and ``survey``) are what the call
plays outside the menus, for its whole life; and after hours the closed message can follow a
language question, in the language chosen."""

from __future__ import annotations

from dataclasses import replace

from cti.calls import actions as act
from cti.calls import signals as sig
from cti.calls.model import Phase
from cti.calls.ports import IvrPlan, PlanPrompts, VoicemailSpec

from .machine import CLOSED_PLAN, MENU_PLAN, Run, of_type, place_callback, reach

OWN = PlanPrompts(
    invalid_choice=("sound:own/invalid",),
    position=("sound:own/position", "sound:own/n-{position}"),
    expected_wait=("sound:own/wait", "sound:own/n-{minutes}", "sound:own/min"),
    callback_offer=("sound:own/cb-offer",),
    callback_request=("sound:own/cb-request",),
    callback_confirmed=("sound:own/cb-confirmed",),
    survey_prompt=("sound:own/survey",),
    survey_thanks=("sound:own/thanks",),
    goodbye=("sound:own/bye",),
)


def _plays(actions: list[act.Action]) -> list[act.Play]:
    return of_type(actions, act.Play)


def test_a_wrong_digit_plays_the_plans_own_invalid_choice() -> None:
    run = reach(Phase.ARRIVING)
    run.feed(sig.PlanReady(replace(MENU_PLAN, prompts=OWN)))
    (play,) = _plays(run.feed(sig.DigitPressed("9")))
    assert play.media[0] == "sound:own/invalid"


def test_without_own_prompts_the_controllers_play() -> None:
    run = reach(Phase.ARRIVING)
    run.feed(sig.PlanReady(MENU_PLAN))
    (play,) = _plays(run.feed(sig.DigitPressed("9")))
    assert play.media[0] == "sound:hotline/invalid"


def test_the_survey_and_goodbye_come_from_the_plan_in_the_callers_language() -> None:
    run = reach(Phase.ARRIVING)
    run.feed(sig.PlanReady(replace(MENU_PLAN, prompts=OWN)))
    run.feed(sig.DigitPressed("2"), sig.DigitPressed("1"))  # English, national tax
    run.feed(sig.OfferCommand("a1", "PJSIP/a1", 15.0, "L1"), sig.LegAnswered("L1"))
    (survey,) = _plays(run.feed(sig.LegGone("L1", 16)))
    assert survey.media == ("sound:own/survey",)
    assert survey.language == "en"
    (thanks,) = _plays(run.feed(sig.DigitPressed("5")))
    assert (thanks.media, thanks.language) == (("sound:own/thanks",), "en")


def test_announcements_use_the_plans_sounds_and_numbers() -> None:
    run = reach(Phase.ARRIVING)
    run.feed(sig.PlanReady(replace(MENU_PLAN, prompts=OWN)))
    run.feed(sig.DigitPressed("1"), sig.DigitPressed("1"))
    (play,) = _plays(run.feed(sig.AnnounceCommand(position=3, expected_wait_s=120)))
    assert play.media == (
        "sound:own/position",
        "sound:own/n-3",
        "sound:own/wait",
        "sound:own/n-2",
        "sound:own/min",
    )


def test_closed_asks_the_language_then_plays_the_message_in_it() -> None:
    plan = replace(CLOSED_PLAN, languages=MENU_PLAN.languages, prompts=OWN)
    run = reach(Phase.ARRIVING)
    (menu,) = _plays(run.feed(sig.PlanReady(plan)))
    assert run.state.phase is Phase.IVR_LANGUAGE
    assert menu.media[1:] == ("sound:lang-zh", "sound:lang-en")
    (closed,) = _plays(run.feed(sig.DigitPressed("2")))
    assert run.state.phase is Phase.CLOSED_MESSAGE
    assert closed.media == ("sound:closed", "sound:own/cb-request")
    assert closed.language == "en"
    actions = run.feed(sig.DigitPressed("1"))
    assert act.NotifyCallbackAccepted() in actions
    (confirmed,) = _plays(actions)
    assert (confirmed.media, confirmed.language) == (("sound:own/cb-confirmed",), "en")


def test_closed_voicemail_after_the_language_question() -> None:
    spec = VoicemailSpec("vm-1", 60)
    plan = replace(CLOSED_PLAN, languages=MENU_PLAN.languages, closed_voicemail=spec)
    run = reach(Phase.ARRIVING)
    run.feed(sig.PlanReady(plan))
    actions = run.feed(sig.DigitPressed("2"))
    assert act.NotifyLanguageChosen("en") in actions  # the service files the order in it
    (message,) = _plays(actions)
    assert run.state.phase is Phase.VOICEMAIL
    assert message.media[0] == "sound:closed"
    assert message.language == "en"


def test_closed_without_the_question_plays_in_the_plans_language() -> None:
    run = reach(Phase.ARRIVING)
    (closed,) = _plays(run.feed(sig.PlanReady(IvrPlan(open=False, default_language="en"))))
    assert run.state.phase is Phase.CLOSED_MESSAGE
    assert closed.language == "en"


def test_a_callback_with_the_services_plan_asks_its_survey_in_the_taxpayers_language() -> None:
    run = Run()
    plan = IvrPlan(open=True, default_language="en", prompts=OWN)
    run.feed(replace(place_callback(), plan=plan))
    run.feed(sig.LegAnswered("CB1"), sig.CallerAnswered())
    assert run.state.phase is Phase.TALKING
    (survey,) = _plays(run.feed(sig.LegGone("CB1", 16)))  # the agent hangs up first
    assert (survey.media, survey.language) == (("sound:own/survey",), "en")


def test_a_callback_without_a_plan_plays_the_controllers_survey() -> None:
    run = Run()
    run.feed(place_callback(), sig.LegAnswered("CB1"), sig.CallerAnswered())
    (survey,) = _plays(run.feed(sig.LegGone("CB1", 16)))
    assert survey.media == ("sound:hotline/survey",)
