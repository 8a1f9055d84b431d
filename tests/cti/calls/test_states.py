"""The pure call state machine: the whole table, the IVR, offers, talk, survey, callbacks."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cti.calls import actions as act
from cti.calls import signals as sig
from cti.calls.causes import leg_failure
from cti.calls.model import Phase
from cti.calls.ports import CallPhase, EndedBy, IvrPlan, LegFailure, Resumption, VoicemailSpec
from cti.calls.states import ANSWERED_BY, TRANSITIONS, transition
from tests.cti.calls.machine import (
    ADOPTED_LEG,
    BARE_PLAN,
    CLOSED_PLAN,
    INBOUND,
    MENU_PLAN,
    NOW,
    Run,
    of_type,
    offer,
    place_callback,
    reach,
    sample_event,
)

ALL_PAIRS = list(itertools.product(Phase, sig.EVENT_KINDS))


class TestTable:
    @pytest.mark.parametrize(("phase", "kind"), ALL_PAIRS, ids=lambda v: getattr(v, "name", v))
    def test_every_pair_is_a_no_op_or_a_handled_transition(
        self, phase: Phase, kind: type[sig.CallEvent]
    ) -> None:
        run = reach(phase)
        before = run.state
        after, actions = transition(before, sample_event(kind, before), NOW)
        if (phase, kind) not in TRANSITIONS:
            assert after == before
            assert actions == []
        else:
            assert isinstance(after.phase, Phase)
            assert all(not isinstance(a, str) for a in actions)

    def test_the_table_covers_the_main_path_of_every_phase(self) -> None:
        handled = {phase for phase, _ in TRANSITIONS}
        assert handled == set(Phase) - {Phase.ENDED}

    def test_nothing_happens_to_an_ended_call(self) -> None:
        run = reach(Phase.ENDED)
        for kind in sig.EVENT_KINDS:
            assert transition(run.state, sample_event(kind, run.state), NOW) == (run.state, [])


class TestIvr:
    def test_arrival_answers_and_asks_for_the_plan(self) -> None:
        run = Run()
        actions = run.feed(sig.CallerArrived(INBOUND))
        assert of_type(actions, act.Answer) == [act.Answer("chan-1")]
        assert actions[-1] == act.AskPlan()
        assert run.state.phase is Phase.ARRIVING

    def test_an_adopted_call_is_not_answered_twice(self) -> None:
        actions = Run().feed(sig.CallerArrived(INBOUND, answered=True))
        assert of_type(actions, act.Answer) == []

    def test_greeting_and_language_menu_play_as_one_prompt(self) -> None:
        run = reach(Phase.ARRIVING)
        (play,) = run.feed(sig.PlanReady(MENU_PLAN))
        assert isinstance(play, act.Play)
        assert play.media == ("sound:welcome", "sound:lang-zh", "sound:lang-en")
        assert play.language == "zh"  # before the choice: the plan's default language

    def test_first_digit_stops_the_prompt_barge_in(self) -> None:
        run = reach(Phase.IVR_LANGUAGE)
        playing = run.state.playback_id
        assert playing is not None
        actions = run.feed(sig.DigitPressed("2"))
        assert actions[0] == act.StopPlayback(playing)
        assert run.state.language == "en"
        assert run.state.phase is Phase.IVR_LINE
        assert of_type(actions, act.Play)[0].media == ("sound:line-national", "sound:line-local")
        assert of_type(actions, act.Play)[0].language == "en"  # Asterisk plays sounds/en/...

    def test_the_digit_timer_starts_when_the_prompt_ends(self) -> None:
        run = reach(Phase.IVR_LANGUAGE)
        (timer,) = run.end_playback()
        assert timer == act.StartTimer("digit", MENU_PLAN.digit_timeout_s, run.state.timer_token)

    def test_timeouts_replay_the_menu_then_take_the_default_language(self) -> None:
        run = reach(Phase.IVR_LANGUAGE)
        for _ in range(MENU_PLAN.retries):
            run.end_playback()
            replay = run.fire_timer()
            assert run.state.phase is Phase.IVR_LANGUAGE
            (play,) = of_type(replay, act.Play)
            assert play.media[-2:] == ("sound:lang-zh", "sound:lang-en")
        run.end_playback()
        run.fire_timer()
        assert run.state.phase is Phase.IVR_LINE
        assert run.state.language == MENU_PLAN.default_language

    def test_a_stale_timer_does_nothing(self) -> None:
        run = reach(Phase.IVR_LANGUAGE)
        run.end_playback()
        stale = run.state.timer_token
        run.feed(sig.DigitPressed("9"))  # wrong digit: the menu replays, a new token
        assert run.feed(sig.TimerFired("digit", stale)) == []
        assert run.state.attempts == 1

    def test_wrong_digits_then_default_line_enters_the_queue(self) -> None:
        run = reach(Phase.IVR_LINE)
        for _ in range(MENU_PLAN.retries + 1):
            actions = run.feed(sig.DigitPressed("7"))
        assert run.state.phase is Phase.QUEUED
        assert act.NotifyIvrCompleted(language="zh", line="national_tax") in actions

    def test_default_line_can_come_from_the_plan(self) -> None:
        plan = IvrPlan(open=True, extras={"default_line": "finance"})
        run = reach(Phase.ARRIVING)
        run.feed(sig.PlanReady(plan))
        actions = run.end_playback()
        assert act.NotifyIvrCompleted(language="zh", line="finance") in actions

    def test_entering_the_queue_bridges_the_caller_with_music(self) -> None:
        run = reach(Phase.IVR_LINE)
        actions = run.feed(sig.DigitPressed("2"))
        bridge = run.state.bridge_id
        assert bridge is not None
        assert act.CreateBridge(bridge, "mixing") in actions
        assert act.AddChannel(bridge, "chan-1") in actions
        assert act.StartBridgeMoh(bridge, "default") in actions
        assert actions[-1] == act.NotifyIvrCompleted(language="zh", line="local_tax")

    def test_a_failed_prompt_still_starts_the_timer(self) -> None:
        run = reach(Phase.IVR_LANGUAGE)
        assert of_type(run.end_playback(failed=True), act.StartTimer)


class TestQueue:
    def test_announcement_pauses_music_and_resumes_it(self) -> None:
        run = reach(Phase.QUEUED)
        bridge = run.state.bridge_id
        assert bridge is not None
        actions = run.feed(sig.AnnounceCommand(4, 130.0))
        assert actions[0] == act.StopBridgeMoh(bridge)
        (play,) = of_type(actions, act.Play)
        assert play.channel_id == "chan-1"
        assert "sound:hotline/number-4" in play.media
        assert "sound:hotline/number-3" in play.media  # 130 s rounds up to 3 minutes
        assert play.language == "zh"  # the caller chose Mandarin: sounds/zh/hotline/...
        assert run.end_playback() == [act.StartBridgeMoh(bridge, "default")]

    def test_numbers_past_the_recorded_range_are_announced_as_many(self) -> None:
        run = reach(Phase.QUEUED)
        (play,) = of_type(run.feed(sig.AnnounceCommand(150, 6000.0)), act.Play)
        assert play.media == (
            "sound:hotline/position",
            "sound:hotline/number-many",
            "sound:hotline/expected-wait",
            "sound:hotline/number-many",
            "sound:hotline/minutes",
        )

    def test_an_announcement_without_the_position_says_the_expected_wait_only(self) -> None:
        run = reach(Phase.QUEUED)
        (play,) = of_type(run.feed(sig.AnnounceCommand(None, 130.0)), act.Play)
        assert play.media == (
            "sound:hotline/expected-wait",
            "sound:hotline/number-3",
            "sound:hotline/minutes",
        )

    def test_callback_offer_accepted(self) -> None:
        run = reach(Phase.CALLBACK_OFFER)
        actions = run.feed(sig.DigitPressed("1"))
        assert act.NotifyCallbackAccepted() in actions
        assert run.state.phase is Phase.GOODBYE
        assert run.end_playback() == [act.Hangup("chan-1")]
        run.feed(sig.CallerGone())
        assert run.state.phase is Phase.ENDED
        assert act.NotifyCallerLeft(CallPhase.QUEUE) not in run.actions

    def test_callback_offer_declined_returns_to_the_music(self) -> None:
        run = reach(Phase.CALLBACK_OFFER)
        run.end_playback()
        actions = run.fire_timer()
        assert run.state.phase is Phase.QUEUED
        assert of_type(actions, act.StartBridgeMoh)

    def test_offer_originates_with_a_client_chosen_id_and_whole_seconds(self) -> None:
        run = reach(Phase.QUEUED)
        actions = run.feed(sig.OfferCommand("a1", "PJSIP/a1", 14.2, "L1"))
        (originate,) = of_type(actions, act.Originate)
        assert originate == act.Originate(
            "L1", "PJSIP/a1", 15, ("agent", "a1", "chan-1"), '"12366" <12366>'
        )
        assert run.state.phase is Phase.OFFERING

    def test_answer_stops_music_and_bridges_the_agent(self) -> None:
        run = reach(Phase.OFFERING)
        bridge = run.state.bridge_id
        assert bridge is not None
        actions = run.feed(sig.LegAnswered("L1"))
        assert actions == [
            act.StopBridgeMoh(bridge),
            # The caller's channel names the agent before the bridge is made (issue 18).
            act.SetVariable("chan-1", ANSWERED_BY, "a1"),
            act.AddChannel(bridge, "L1"),
            act.NotifyOfferAnswered("a1"),
        ]
        assert run.state.phase is Phase.TALKING

    @pytest.mark.parametrize(
        ("dialstatus", "cause", "failure"),
        [
            (None, 19, LegFailure.NO_ANSWER),
            ("BUSY", 0, LegFailure.BUSY),
            ("CONGESTION", 0, LegFailure.UNREACHABLE),
            ("NOANSWER", 21, LegFailure.REJECTED),
            (None, 0, LegFailure.UNREACHABLE),
        ],
    )
    def test_a_failed_leg_is_reported_and_the_call_keeps_waiting(
        self, dialstatus: str | None, cause: int, failure: LegFailure
    ) -> None:
        run = reach(Phase.OFFERING)
        if dialstatus:
            run.feed(sig.LegDialProgress("L1", dialstatus))
        actions = run.feed(sig.LegGone("L1", cause))
        assert act.NotifyOfferFailed("a1", failure) in actions
        assert run.state.phase is Phase.QUEUED
        assert run.feed(sig.LegGone("L1", cause)) == []  # a duplicate is a no-op

    def test_refused_originate_is_unreachable(self) -> None:
        run = reach(Phase.OFFERING)
        actions = run.feed(sig.LegFailed("L1", LegFailure.UNREACHABLE))
        assert act.NotifyOfferFailed("a1", LegFailure.UNREACHABLE) in actions

    def test_cancelled_offer_reports_cancelled(self) -> None:
        run = reach(Phase.OFFERING)
        assert run.feed(sig.CancelOfferCommand("someone-else")) == []
        assert run.feed(sig.CancelOfferCommand("a1")) == [act.Hangup("L1")]
        run.feed(sig.LegDialProgress("L1", "NOANSWER"))
        actions = run.feed(sig.LegGone("L1", 16))
        assert act.NotifyOfferFailed("a1", LegFailure.CANCELLED) in actions

    def test_a_second_offer_while_ringing_is_refused_at_once(self) -> None:
        run = reach(Phase.OFFERING)
        actions = run.feed(offer("L2", "a2"))
        assert act.NotifyOfferFailed("a2", LegFailure.CANCELLED) in actions
        assert not of_type(actions, act.Originate)

    def test_divert_to_voicemail_cancels_the_ringing_leg_and_says_goodbye(self) -> None:
        run = reach(Phase.OFFERING)
        actions = run.feed(sig.DivertCommand("voicemail"))
        assert act.Hangup("L1") in actions
        assert of_type(actions, act.Play)[0].media == ("sound:hotline/voicemail",)
        assert run.state.phase is Phase.GOODBYE

    def test_a_voicemail_divert_plays_the_configured_prompt_then_records_the_caller_alone(
        self,
    ) -> None:
        run = reach(Phase.QUEUED)
        spec = VoicemailSpec("vm-9", 90, beep=True)
        prompt = ("sound:hotline/leave-a-message",)
        actions = run.feed(sig.DivertCommand("voicemail", spec, prompt))
        (played,) = of_type(actions, act.Play)
        assert played.media == prompt
        assert run.state.phase is Phase.VOICEMAIL
        actions = run.feed(sig.PlaybackEnded(played.playback_id))
        bridge = run.state.bridge_id
        assert bridge is not None
        assert actions == [
            act.RemoveChannel(bridge, run.state.call_id),  # Asterisk records no bridged channel
            act.RecordChannel(run.state.call_id, "vm-9", 90, True),
        ]
        assert run.feed(sig.RecordingEnded("someone-else")) == []
        actions = run.feed(sig.RecordingEnded("vm-9"))
        assert act.Journal("voicemail_recorded", {"name": "vm-9"}) in actions
        assert run.state.phase is Phase.GOODBYE


class TestAbandonment:
    @pytest.mark.parametrize(
        ("phase", "left"),
        [
            (Phase.ARRIVING, CallPhase.IVR),
            (Phase.IVR_LANGUAGE, CallPhase.IVR),
            (Phase.CLOSED_MESSAGE, CallPhase.IVR),
            (Phase.QUEUED, CallPhase.QUEUE),
            (Phase.CALLBACK_OFFER, CallPhase.QUEUE),
        ],
    )
    def test_caller_leaves_before_any_agent(self, phase: Phase, left: CallPhase) -> None:
        run = reach(phase)
        actions = run.feed(sig.CallerGone())
        assert act.NotifyCallerLeft(left) in actions
        assert actions[-1] == act.NotifyCallFinished()
        assert run.state.phase is Phase.ENDED

    def test_caller_leaves_while_an_agent_rings(self) -> None:
        run = reach(Phase.OFFERING)
        actions = run.feed(sig.CallerGone())
        assert act.NotifyCallerLeft(CallPhase.RINGING) in actions
        assert act.Hangup("L1") in actions
        # The ringing leg is hung up before routing hears of the abandon: routing frees the
        # agent at once and may offer the next caller, whose leg must not ring beside this one.
        assert actions.index(act.Hangup("L1")) < actions.index(
            act.NotifyCallerLeft(CallPhase.RINGING)
        )
        assert run.state.phase is Phase.ENDING  # the agent leg is not gone yet
        actions = run.feed(sig.LegGone("L1", 16))
        assert act.NotifyOfferFailed("a1", LegFailure.CANCELLED) in actions
        assert actions[-1] == act.NotifyCallFinished()


class TestTalk:
    def test_caller_hangs_up_first(self) -> None:
        run = reach(Phase.TALKING)
        actions = run.feed(sig.CallerGone())
        assert act.NotifyTalkEnded("a1", EndedBy.CALLER) in actions
        assert act.Hangup("L1") in actions
        # The agent's leg first, then routing (which may make them free for the next call).
        assert actions.index(act.Hangup("L1")) < actions.index(
            act.NotifyTalkEnded("a1", EndedBy.CALLER)
        )
        bridge = run.state.bridge_id
        assert bridge is not None
        finish = run.feed(sig.LegGone("L1"), sig.LegGone("L1", 16))
        assert finish == [act.CancelTimers(), act.DestroyBridge(bridge), act.NotifyCallFinished()]
        assert len(of_type(run.actions, act.NotifyTalkEnded)) == 1

    def test_hold_and_unhold(self) -> None:
        run = reach(Phase.TALKING)
        assert run.feed(sig.HoldCommand()) == [
            act.HoldChannel("chan-1"),
            act.StartChannelMoh("chan-1", "default"),
        ]
        assert run.state.phase is Phase.ON_HOLD
        assert run.feed(sig.UnholdCommand()) == [
            act.StopChannelMoh("chan-1"),
            act.UnholdChannel("chan-1"),
        ]
        assert run.state.phase is Phase.TALKING

    def test_blind_transfer_moves_the_caller_to_the_new_agent(self) -> None:
        run = reach(Phase.TRANSFERRING)
        actions = run.feed(sig.LegAnswered("L2"))
        assert act.Hangup("L1") in actions
        # One notification names the new agent; the old one's leaving is part of it.
        assert of_type(actions, act.NotifyTransferAnswered) == [act.NotifyTransferAnswered("a2")]
        assert not of_type(actions, act.NotifyTalkEnded)
        assert not of_type(actions, act.NotifyOfferAnswered)
        assert run.state.agent_id == "a2"
        assert run.feed(sig.LegGone("L1", 16)) == []  # the released agent is not "hung up"
        ended = run.feed(sig.LegGone("L2", 16))
        assert of_type(ended, act.NotifyTalkEnded) == [act.NotifyTalkEnded("a2", EndedBy.AGENT)]

    def test_transfer_to_a_queue_releases_the_agent_and_the_caller_waits(self) -> None:
        run = reach(Phase.TALKING)
        bridge = run.state.bridge_id
        assert bridge is not None
        actions = run.feed(sig.RequeueCommand("local_tax", "en"))
        assert act.Hangup("L1") in actions
        assert of_type(actions, act.NotifyRequeued) == [act.NotifyRequeued("a1", "local_tax", "en")]
        assert act.StartBridgeMoh(bridge, "default") in actions
        assert not of_type(actions, act.NotifyTalkEnded)
        assert (run.state.phase, run.state.line, run.state.language) == (
            Phase.QUEUED,
            "local_tax",
            "en",
        )
        assert run.feed(sig.LegGone("L1", 16)) == []  # the released agent is not "hung up"
        assert run.feed(sig.RequeueCommand("local_tax", "en")) == []  # not talking any more

    def test_transfer_to_a_queue_from_hold_takes_the_caller_off_hold(self) -> None:
        run = reach(Phase.TALKING)
        run.feed(sig.HoldCommand())
        actions = run.feed(sig.RequeueCommand("local_tax", "zh"))
        assert actions[1:3] == [act.StopChannelMoh("chan-1"), act.UnholdChannel("chan-1")]
        assert run.state.held is False
        assert run.state.bridge_moh is True

    def test_failed_transfer_returns_to_the_first_agent(self) -> None:
        run = reach(Phase.TRANSFERRING)
        actions = run.feed(sig.LegGone("L2", 19))
        assert act.NotifyOfferFailed("a2", LegFailure.NO_ANSWER) in actions
        assert run.state.phase is Phase.TALKING
        assert run.state.agent_id == "a1"

    def test_hangup_from_the_api(self) -> None:
        run = reach(Phase.TALKING)
        actions = run.feed(sig.HangupCommand())
        assert act.NotifyTalkEnded("a1", EndedBy.AGENT) in actions
        assert act.Hangup("chan-1") in actions
        assert act.Hangup("L1") in actions
        run.feed(sig.CallerGone(), sig.LegGone("L1", 16))
        assert run.state.phase is Phase.ENDED
        assert not of_type(run.actions, act.NotifyCallerLeft)


class TestSurvey:
    def test_agent_hangs_up_first_then_the_caller_scores(self) -> None:
        run = reach(Phase.TALKING)
        actions = run.feed(sig.LegGone("L1", 16))
        assert act.NotifyTalkEnded("a1", EndedBy.AGENT) in actions
        assert run.state.phase is Phase.SURVEY
        run.feed(sig.DigitPressed("0"))  # not a score: asked again
        assert run.state.phase is Phase.SURVEY
        actions = run.feed(sig.DigitPressed("4"))
        assert act.NotifySurveyAnswered(4) in actions
        assert run.end_playback() == [act.Hangup("chan-1")]

    def test_no_score_after_the_retries(self) -> None:
        run = reach(Phase.SURVEY)
        for _ in range(MENU_PLAN.retries + 1):
            run.end_playback()
            run.fire_timer()
        assert act.NotifySurveyAnswered(None) in run.actions
        assert run.state.phase is Phase.GOODBYE

    def test_caller_leaving_the_survey_scores_none(self) -> None:
        run = reach(Phase.SURVEY)
        actions = run.feed(sig.CallerGone())
        assert act.NotifySurveyAnswered(None) in actions
        assert actions[-1] == act.NotifyCallFinished()

    def test_no_survey_when_the_plan_says_so(self) -> None:
        run = reach(Phase.ARRIVING)
        run.feed(sig.PlanReady(IvrPlan(open=True, survey=False)))
        run.end_playback()
        run.feed(offer(), sig.LegAnswered("L1"), sig.LegGone("L1", 16))
        assert run.state.phase is Phase.GOODBYE


class TestClosedAndCallbacks:
    def test_closed_message_then_callback_request(self) -> None:
        run = reach(Phase.ARRIVING)
        (play,) = run.feed(sig.PlanReady(CLOSED_PLAN))
        assert isinstance(play, act.Play)
        assert play.media[0] == "sound:closed"
        actions = run.feed(sig.DigitPressed("1"))
        assert act.NotifyCallbackAccepted() in actions

    def test_closed_without_a_digit_says_goodbye(self) -> None:
        run = reach(Phase.CLOSED_MESSAGE)
        for _ in range(CLOSED_PLAN.retries + 1):
            run.end_playback()
            run.fire_timer()
        assert run.state.phase is Phase.GOODBYE
        assert not of_type(run.actions, act.NotifyCallbackAccepted)

    def test_callback_dials_the_agent_then_the_taxpayer(self) -> None:
        run = Run()
        (_, originate) = run.feed(place_callback())
        assert isinstance(originate, act.Originate)
        assert originate.leg_id == "CB1"
        actions = run.feed(sig.LegAnswered("CB1"))
        (taxpayer,) = of_type(actions, act.Originate)
        assert taxpayer == act.Originate(
            "chan-1", "PJSIP/13800138000@trunk", 20, ("callback", "chan-1"), '"12366" <12366>'
        )
        actions = run.feed(sig.CallerAnswered())
        assert act.NotifyOfferAnswered("a1") in actions
        assert run.state.phase is Phase.TALKING

    def test_callback_agent_busy_ends_the_attempt(self) -> None:
        run = reach(Phase.CALLBACK_AGENT)
        run.feed(sig.LegDialProgress("CB1", "BUSY"))
        actions = run.feed(sig.LegGone("CB1", 0))
        assert act.NotifyOfferFailed("a1", LegFailure.BUSY) in actions
        assert actions[-1] == act.NotifyCallFinished()

    def test_callback_taxpayer_no_answer(self) -> None:
        run = reach(Phase.CALLBACK_TAXPAYER)
        actions = run.feed(sig.CallerGone(19))
        assert act.NotifyCallerLeft(CallPhase.RINGING) in actions
        assert act.Hangup("CB1") in actions
        run.feed(sig.LegGone("CB1", 16))
        assert run.state.phase is Phase.ENDED


@pytest.mark.parametrize(
    ("dialstatus", "cause", "expected"),
    [
        (None, 19, LegFailure.NO_ANSWER),
        ("RINGING", 19, LegFailure.NO_ANSWER),  # timeout: no final Dial after RINGING
        ("BUSY", 0, LegFailure.BUSY),
        ("CONGESTION", 0, LegFailure.UNREACHABLE),
        ("NOANSWER", 21, LegFailure.REJECTED),
        ("NOANSWER", 16, LegFailure.NO_ANSWER),
        (None, 0, LegFailure.UNREACHABLE),
        (None, 17, LegFailure.BUSY),
        (None, None, LegFailure.LOST),  # gone while we were away: nobody is blamed
    ],
)
def test_cause_table(dialstatus: str | None, cause: int | None, expected: LegFailure) -> None:
    assert leg_failure(dialstatus, cause) is expected


EVENTS = st.sampled_from(
    [
        sig.CallerGone(16),
        sig.DigitPressed("1"),
        sig.DigitPressed("2"),
        sig.DigitPressed("9"),
        sig.LegDialProgress("L1", "BUSY"),
        sig.LegAnswered("L1"),
        sig.LegAnswered("L2"),
        sig.LegGone("L1", 16),
        sig.LegGone("L2", 19),
        sig.LegFailed("L1", LegFailure.UNREACHABLE),
        sig.PlanReady(MENU_PLAN),
        sig.PlanReady(BARE_PLAN),
        sig.PlanReady(CLOSED_PLAN),
        offer(),
        offer("L2", "a2"),
        sig.CancelOfferCommand("a1"),
        sig.AnnounceCommand(2, None),
        sig.OfferCallbackCommand(),
        sig.DivertCommand("closed"),
        sig.HoldCommand(),
        sig.UnholdCommand(),
        sig.TransferCommand("a2", "PJSIP/a2", 10.0, "L2"),
        sig.HangupCommand(),
        "end-playback",
        "fire-timer",
    ]
)


@settings(deadline=None, max_examples=300)
@given(st.lists(EVENTS, max_size=30))
def test_any_event_sequence_finishes_at_most_once_and_only_when_all_is_gone(
    events: list[sig.CallEvent | str],
) -> None:
    run = Run()
    run.feed(sig.CallerArrived(INBOUND))
    for event in events:
        if event == "end-playback":
            if run.state.playback_id is not None:
                run.end_playback()
        elif event == "fire-timer":
            run.fire_timer()
        else:
            assert not isinstance(event, str)
            run.feed(event)
    finished = of_type(run.actions, act.NotifyCallFinished)
    assert len(finished) <= 1
    if finished:
        assert run.state.phase is Phase.ENDED
        assert run.state.caller_gone
        assert not run.state.live_legs()
    answered = {a.agent_id for a in of_type(run.actions, act.NotifyOfferAnswered)}
    ended = [a.agent_id for a in of_type(run.actions, act.NotifyTalkEnded)]
    assert len(ended) == len(set(ended))  # talk ends once per agent
    assert set(ended) <= answered


class TestAdoption:
    """A caller found still up after a restart resumes where the service says it was."""

    def adopted(self, resumption: Resumption, *, bridge: str | None = "old-br") -> Run:
        run = Run()
        legs = (ADOPTED_LEG,) if bridge is not None else ()
        actions = run.feed(sig.CallerAdopted(INBOUND, bridge_id=bridge, legs=legs))
        assert actions[-1] == act.AskResumption()
        assert not of_type(actions, act.Answer)  # already up
        run.actions.clear()
        run.feed(sig.Resumed(resumption))
        return run

    def test_a_waiting_caller_goes_back_to_its_bridge_with_music(self) -> None:
        run = self.adopted(Resumption(MENU_PLAN, CallPhase.QUEUE))
        assert run.state.phase is Phase.QUEUED
        assert run.state.bridge_id == "old-br"
        assert act.StartBridgeMoh("old-br", "default") in run.actions
        assert act.Hangup("L1") in run.actions  # the service offers it again
        assert not of_type(run.actions, act.Play)  # no IVR replayed
        assert not of_type(run.actions, act.NotifyIvrCompleted)  # the service re-queues it
        originate = run.feed(offer("L5", "a5"))
        assert [a.leg_id for a in of_type(originate, act.Originate)] == ["L5"]

    def test_a_ringing_caller_without_a_bridge_gets_a_new_one(self) -> None:
        run = self.adopted(Resumption(MENU_PLAN, CallPhase.RINGING), bridge=None)
        (create,) = of_type(run.actions, act.CreateBridge)
        assert act.AddChannel(create.bridge_id, INBOUND.key.call_id) in run.actions
        assert run.state.phase is Phase.QUEUED

    def test_a_talking_caller_keeps_its_agent(self) -> None:
        run = self.adopted(Resumption(MENU_PLAN, CallPhase.TALK, agent_id="a1"))
        assert run.state.phase is Phase.TALKING
        assert (run.state.agent_id, run.state.talk_leg) == ("a1", "L1")
        assert not of_type(run.actions, act.Hangup)
        ended = run.feed(sig.LegGone("L1", 16))
        assert act.NotifyTalkEnded("a1", EndedBy.AGENT) in ended
        assert run.state.phase is Phase.SURVEY

    def test_a_talking_caller_whose_agent_left_meanwhile_goes_to_the_survey(self) -> None:
        run = self.adopted(Resumption(MENU_PLAN, CallPhase.TALK, agent_id="a2"))
        assert act.NotifyTalkEnded("a2", EndedBy.AGENT) in run.actions
        assert act.Hangup("L1") in run.actions  # another agent's leg has no part in it
        assert run.state.phase is Phase.SURVEY

    def test_a_caller_in_the_ivr_hears_it_again(self) -> None:
        run = self.adopted(Resumption(MENU_PLAN, CallPhase.IVR))
        assert run.state.phase is Phase.IVR_LANGUAGE
        assert act.DestroyBridge("old-br") in run.actions
        assert run.state.bridge_id is None

    def test_a_caller_in_the_survey_is_asked_again(self) -> None:
        run = self.adopted(Resumption(MENU_PLAN, CallPhase.SURVEY))
        assert run.state.phase is Phase.SURVEY
        assert of_type(run.actions, act.Play)

    def test_the_agent_bridged_with_the_caller_is_named_when_asking_how_to_resume(self) -> None:
        bridged = sig.FoundLeg(ADOPTED_LEG.leg_id, ADOPTED_LEG.agent_id, bridged=True)
        actions = Run().feed(sig.CallerAdopted(INBOUND, bridge_id="old-br", legs=(bridged,)))
        assert actions[-1] == act.AskResumption(bridged_agent=ADOPTED_LEG.agent_id)

    def test_an_answer_marked_on_a_caller_alone_names_the_agent_who_left(self) -> None:
        # The agent talked and hung up while no process listened (issue 18): not a new offer.
        adopted = sig.CallerAdopted(INBOUND, bridge_id="old-br", answered_by="a7")
        actions = Run().feed(adopted)
        assert actions[-1] == act.AskResumption(departed_agent="a7")

    def test_an_answer_marked_whose_leg_is_still_up_unbridged_is_not_a_departure(self) -> None:
        # Marked, then the process died before the bridge: they never talked, so the call
        # resumes as recorded (waiting), and that leg is released.
        adopted = sig.CallerAdopted(
            INBOUND, bridge_id="old-br", legs=(ADOPTED_LEG,), answered_by=ADOPTED_LEG.agent_id
        )
        assert Run().feed(adopted)[-1] == act.AskResumption()

    def test_the_bridge_wins_over_the_mark(self) -> None:
        bridged = sig.FoundLeg(ADOPTED_LEG.leg_id, ADOPTED_LEG.agent_id, bridged=True)
        adopted = sig.CallerAdopted(INBOUND, bridge_id="old-br", legs=(bridged,), answered_by="a0")
        assert Run().feed(adopted)[-1] == act.AskResumption(bridged_agent=bridged.agent_id)

    def test_an_adopted_channel_not_yet_up_is_answered(self) -> None:
        actions = Run().feed(sig.CallerAdopted(INBOUND, answered=False))
        assert of_type(actions, act.Answer) == [act.Answer(INBOUND.key.call_id)]
