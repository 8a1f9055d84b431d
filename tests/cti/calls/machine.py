"""Helpers to drive the pure state machine in tests: reach any phase by a realistic path."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TypeVar

from cti.calls import actions as act
from cti.calls import signals as sig
from cti.calls.model import CallState, Phase
from cti.calls.ports import (
    CallKey,
    CallPhase,
    InboundCall,
    IvrPlan,
    LegFailure,
    MenuOption,
    Resumption,
    VoicemailSpec,
)
from cti.calls.states import new_call, transition

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
CALL_ID = "chan-1"

MENU_PLAN = IvrPlan(
    open=True,
    greeting="sound:welcome",
    languages=(MenuOption("1", "zh", "sound:lang-zh"), MenuOption("2", "en", "sound:lang-en")),
    lines=(
        MenuOption("1", "national_tax", "sound:line-national"),
        MenuOption("2", "local_tax", "sound:line-local"),
    ),
    retries=2,
)
BARE_PLAN = IvrPlan(open=True, greeting="sound:welcome")
CLOSED_PLAN = IvrPlan(open=False, closed_message="sound:closed")
INBOUND = InboundCall(
    key=CallKey("bj", CALL_ID),
    caller_number="13800138000",
    caller_name="Taxpayer",
    dialled="12366",
    channel_name="PJSIP/trunk-0001",
    arrived_at=NOW,
)

ADOPTED_LEG = sig.FoundLeg("L1", "a1")  # an agent leg found up on resync


class Run:
    """A call plus every action it asked for so far."""

    def __init__(self, state: CallState | None = None) -> None:
        self.state = state or new_call(CALL_ID, "p")
        self.actions: list[act.Action] = []

    def feed(self, *events: sig.CallEvent) -> list[act.Action]:
        produced: list[act.Action] = []
        for event in events:
            self.state, actions = transition(self.state, event, NOW)
            produced.extend(actions)
        self.actions.extend(produced)
        return produced

    def end_playback(self, *, failed: bool = False) -> list[act.Action]:
        assert self.state.playback_id is not None
        return self.feed(sig.PlaybackEnded(self.state.playback_id, failed=failed))

    def fire_timer(self) -> list[act.Action]:
        return self.feed(sig.TimerFired("digit", self.state.timer_token))

    def notifications(self) -> list[act.Action]:
        return [a for a in self.actions if type(a).__name__.startswith("Notify")]


ActionT = TypeVar("ActionT")


def of_type(actions: Iterable[act.Action], kind: type[ActionT]) -> list[ActionT]:
    return [a for a in actions if isinstance(a, kind)]


def offer(leg_id: str = "L1", agent_id: str = "a1") -> sig.OfferCommand:
    return sig.OfferCommand(agent_id, f"PJSIP/{agent_id}", 15.0, leg_id)


def place_callback() -> sig.PlaceCallbackCommand:
    return sig.PlaceCallbackCommand(
        agent_id="a1",
        agent_endpoint="PJSIP/a1",
        taxpayer_endpoint="PJSIP/13800138000@trunk",
        taxpayer_number="13800138000",
        ring_timeout_s=20.0,
        leg_id="CB1",
    )


def reach(phase: Phase) -> Run:
    """A call in ``phase``, reached the way a real call gets there."""
    run = Run()
    if phase is Phase.NEW:
        return run
    if phase in (Phase.CALLBACK_AGENT, Phase.CALLBACK_TAXPAYER):
        run.feed(place_callback())
        if phase is Phase.CALLBACK_TAXPAYER:
            run.feed(sig.LegAnswered("CB1"))
        return _check(run, phase)
    run.feed(sig.CallerArrived(INBOUND))
    if phase is Phase.ARRIVING:
        return run
    if phase is Phase.GREETING:
        run.feed(sig.PlanReady(BARE_PLAN))
        return _check(run, phase)
    if phase in (Phase.CLOSED_MESSAGE, Phase.GOODBYE):
        run.feed(sig.PlanReady(CLOSED_PLAN))
        if phase is Phase.GOODBYE:
            run.feed(sig.DigitPressed("1"))
        return _check(run, phase)
    run.feed(sig.PlanReady(MENU_PLAN))
    if phase is Phase.IVR_LANGUAGE:
        return run
    run.feed(sig.DigitPressed("1"))
    if phase is Phase.IVR_LINE:
        return run
    run.feed(sig.DigitPressed("2"))
    if phase is Phase.QUEUED:
        return _check(run, phase)
    if phase is Phase.VOICEMAIL:
        run.feed(sig.DivertCommand("voicemail", VoicemailSpec("vm-1", 60)))
        return _check(run, phase)
    if phase is Phase.CALLBACK_OFFER:
        run.feed(sig.OfferCallbackCommand())
        return _check(run, phase)
    run.feed(offer())
    if phase is Phase.OFFERING:
        return _check(run, phase)
    if phase in (Phase.ENDING, Phase.ENDED):
        run.feed(sig.CallerGone())
        if phase is Phase.ENDED:
            run.feed(sig.LegGone("L1", 16))
        return _check(run, phase)
    run.feed(sig.LegAnswered("L1"))
    if phase is Phase.ON_HOLD:
        run.feed(sig.HoldCommand())
    elif phase is Phase.TRANSFERRING:
        run.feed(sig.TransferCommand("a2", "PJSIP/a2", 15.0, "L2"))
    elif phase is Phase.SURVEY:
        run.feed(sig.LegGone("L1", 16))
    return _check(run, phase)


def _check(run: Run, phase: Phase) -> Run:
    assert run.state.phase is phase, (run.state.phase, phase)
    return run


def sample_event(kind: type[sig.CallEvent], state: CallState) -> sig.CallEvent:
    """One plausible event of ``kind`` for a call in ``state``."""
    samples: dict[type[sig.CallEvent], sig.CallEvent] = {
        sig.CallerArrived: sig.CallerArrived(INBOUND),
        sig.CallerAdopted: sig.CallerAdopted(INBOUND, bridge_id="old-br", legs=(ADOPTED_LEG,)),
        sig.CallerAnswered: sig.CallerAnswered(),
        sig.CallerDialProgress: sig.CallerDialProgress("RINGING"),
        sig.CallerGone: sig.CallerGone(16),
        sig.DigitPressed: sig.DigitPressed("1"),
        sig.PlaybackEnded: sig.PlaybackEnded(state.playback_id or "nothing-playing"),
        sig.LegDialProgress: sig.LegDialProgress("L1", "RINGING"),
        sig.LegAnswered: sig.LegAnswered("L1"),
        sig.LegGone: sig.LegGone("L1", 16),
        sig.LegFailed: sig.LegFailed("L1", LegFailure.UNREACHABLE),
        sig.PlanReady: sig.PlanReady(MENU_PLAN),
        sig.Resumed: sig.Resumed(Resumption(MENU_PLAN, CallPhase.QUEUE)),
        sig.TimerFired: sig.TimerFired("digit", state.timer_token),
        sig.OfferCommand: offer("L9", "a9"),
        sig.CancelOfferCommand: sig.CancelOfferCommand("a1"),
        sig.AnnounceCommand: sig.AnnounceCommand(3, 150.0),
        sig.OfferCallbackCommand: sig.OfferCallbackCommand(),
        sig.DivertCommand: sig.DivertCommand("voicemail"),
        sig.RecordingEnded: sig.RecordingEnded(
            state.voicemail.name if state.voicemail else "vm-none"
        ),
        sig.HoldCommand: sig.HoldCommand(),
        sig.UnholdCommand: sig.UnholdCommand(),
        sig.TransferCommand: sig.TransferCommand("a3", "PJSIP/a3", 15.0, "L3"),
        sig.RequeueCommand: sig.RequeueCommand("local_tax", "en"),
        sig.HangupCommand: sig.HangupCommand(),
        sig.PlaceCallbackCommand: place_callback(),
    }
    return samples[kind]
