"""Real Asterisk recordings replayed into the controller: what the director is told."""

from __future__ import annotations

import pytest

from cti.calls.ports import CallKey, CallPhase, EndedBy, IvrPlan, LegFailure, MenuOption
from tests.cti.calls.emulated import RecordingDirector
from tests.cti.calls.replay import SITE, replay

BARE = IvrPlan(open=True, greeting="sound:hello-world")
MENU = IvrPlan(
    open=True,
    languages=(MenuOption("1", "zh", "sound:zh"), MenuOption("2", "en", "sound:en")),
    lines=(MenuOption("1", "national_tax", "sound:n"), MenuOption("2", "local_tax", "sound:l")),
)


def offers(*agents: str) -> RecordingDirector:
    """A director that offers the call to ``agents`` in turn: first on IVR completion, then
    after each failure (the routing engine's part)."""
    queue = list(agents)

    async def next_agent(director: RecordingDirector, key: CallKey) -> None:
        if queue and director.control is not None:
            agent = queue.pop(0)
            await director.control.offer(
                key, agent_id=agent, endpoint=f"Local/{agent}@agents", ring_timeout_s=20.0
            )

    return RecordingDirector(plan=BARE, on_ivr_completed=next_agent, on_offer_failed=next_agent)


def only_call(director: RecordingDirector) -> CallKey:
    (key,) = director.keys()
    assert key.site == SITE
    return key


@pytest.mark.asyncio
async def test_answered_call() -> None:
    director = offers("1001")
    ari, controller = await replay("answered_call", director)
    key = only_call(director)
    assert director.names(key) == [
        "call_arrived",
        "ivr_completed",
        "offer_answered",
        "talk_ended",
        "call_finished",
    ]
    assert director.entries("talk_ended") == [{"agent_id": "1001", "ended_by": EndedBy.CALLER}]
    (leg,) = [args[1] for name, args in ari.requests if name == "originate"]
    assert ("hangup", (leg,)) in ari.requests  # the agent leg is hung up after the caller left
    assert controller.active_calls == 0


@pytest.mark.asyncio
async def test_queued_then_answered() -> None:
    director = offers("1005")
    _, controller = await replay("queued_then_answered", director)
    key = only_call(director)
    assert director.names(key) == [
        "call_arrived",
        "ivr_completed",
        "offer_answered",
        "talk_ended",
        "call_finished",
    ]
    assert controller.active_calls == 0


@pytest.mark.asyncio
async def test_abandoned_in_queue_while_the_agent_rings() -> None:
    director = offers("2001")
    ari, _ = await replay("abandoned_in_queue", director)
    key = only_call(director)
    # The caller hung up while 2001 rang; the leg was cancelled and reported once it was gone.
    assert director.names(key) == [
        "call_arrived",
        "ivr_completed",
        "caller_left",
        "offer_failed",
        "call_finished",
    ]
    assert director.entries("caller_left") == [{"phase": CallPhase.RINGING}]
    assert director.entries("offer_failed") == [
        {"agent_id": "2001", "failure": LegFailure.CANCELLED}
    ]
    (leg,) = [args[1] for name, args in ari.requests if name == "originate"]
    assert ("hangup", (leg,)) in ari.requests


@pytest.mark.asyncio
async def test_agent_no_answer_then_the_next_agent() -> None:
    director = offers("2001", "1002")
    _, controller = await replay("agent_no_answer", director)
    key = only_call(director)
    assert director.names(key) == [
        "call_arrived",
        "ivr_completed",
        "offer_failed",
        "offer_answered",
        "talk_ended",
        "call_finished",
    ]
    assert director.entries("offer_failed") == [
        {"agent_id": "2001", "failure": LegFailure.NO_ANSWER}
    ]
    assert director.entries("offer_answered") == [{"agent_id": "1002"}]
    assert controller.active_calls == 0


@pytest.mark.asyncio
async def test_agent_busy_congestion_reject_and_unreachable() -> None:
    director = offers("2002", "2003", "2004", "9999", "nosuchcontext", "pjsip", "bogus", "none")
    await replay("agent_busy_reject", director)
    key = only_call(director)
    failures = [(entry["agent_id"], entry["failure"]) for entry in director.entries("offer_failed")]
    assert failures == [
        ("2002", LegFailure.BUSY),
        ("2003", LegFailure.UNREACHABLE),  # congestion
        ("2004", LegFailure.REJECTED),
        ("9999", LegFailure.UNREACHABLE),  # no such extension: cause 0
        ("nosuchcontext", LegFailure.UNREACHABLE),
        ("pjsip", LegFailure.UNREACHABLE),  # 500 Allocation failed
        ("bogus", LegFailure.UNREACHABLE),  # 400 Invalid endpoint specified
        ("none", LegFailure.UNREACHABLE),  # 400 Endpoint must be specified
    ]
    assert director.names(key)[-2:] == ["caller_left", "call_finished"]
    assert director.entries("caller_left") == [{"phase": CallPhase.QUEUE}]


@pytest.mark.asyncio
async def test_hangup_during_playback() -> None:
    director = RecordingDirector(plan=MENU)
    await replay("hangup_during_playback", director)
    key = only_call(director)
    assert director.names(key) == ["call_arrived", "caller_left", "call_finished"]
    assert director.entries("caller_left") == [{"phase": CallPhase.IVR}]


@pytest.mark.asyncio
async def test_dtmf_ivr_barge_in_and_digits() -> None:
    director = RecordingDirector(plan=MENU)
    ari, _ = await replay("dtmf_ivr", director)
    key = only_call(director)
    # "2" barged into the language menu, "1" chose the line after the second prompt; the
    # recorded CTI then hung the caller up, which we see as the caller leaving the queue.
    assert director.entries("ivr_completed") == [{"language": "en", "line": "national_tax"}]
    assert director.names(key) == ["call_arrived", "ivr_completed", "caller_left", "call_finished"]
    first_play = next(args[1] for name, args in ari.requests if name == "play")
    assert ("stop_playback", (first_play,)) in ari.requests
