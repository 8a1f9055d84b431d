"""The per-call state machine: ``transition(call, event, now) -> (call, actions)``, no I/O.

The table :data:`TRANSITIONS` maps ``(Phase, event kind)`` to a handler; a pair that is not in it
leaves the call unchanged and asks for nothing (logged at debug level), so a late, duplicate or
unexpected event can never crash a call. Handlers are idempotent by construction: they check ids
(the current playback, a leg's status, a timer's token) before acting.

Choices made here (see also ``docs/cti.md``):

* Prompts are played to the caller's channel, never to a bridge, and bridge MOH is stopped while
  they play: a holding bridge has a single announcer slot (gotcha 10) and a mixing bridge's MOH
  would be heard over the prompt.
* A menu accepts one digit; the first digit stops the prompt (barge-in). A wrong digit or the
  digit timeout replays the menu, ``plan.retries`` times; after that the IVR takes the default:
  ``plan.default_language`` for the language menu, ``plan.extras["default_line"]`` (else the
  first option) for the business line. Diverting instead would lose a caller who simply has a
  phone without tones.
* Queue waiting happens in a per-call mixing bridge with bridge MOH; the agent joins the same
  bridge, so answering needs only "stop MOH, add the agent".
* Blind transfer: the caller hears channel MOH while the new agent rings; on answer the old agent
  leg is hung up, the new one joins the call bridge and ``transfer_answered`` is reported (the
  old agent's leaving is part of it, not a ``talk_ended``). A failed transfer returns to the old
  agent.
* Transfer to a queue: the agent's leg is hung up and the caller waits in the call bridge with
  its MOH again; ``requeued`` tells the service, which puts the contact back in routing under the
  new line and language (the controller treats both as opaque names).
* Adoption after a restart: a caller channel found by the resync becomes a call in ``ARRIVING``
  with the bridge and answered agent legs found; the director's :class:`Resumption` then puts it
  back in the IVR, the queue (its bridge, MOH), the talk (the agent's leg still up) or the
  survey. Legs that have no part in the resumed phase are hung up.
* Callbacks: the agent is dialled first, hears MOH in the call bridge while the taxpayer rings;
  outcomes follow the callback contract of :meth:`cti.calls.ports.CallControl.place_callback`.
  Retrying is the service's decision, never the controller's.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import fields, replace
from datetime import datetime
from typing import Any, TypeAlias

from cti.calls import actions as act
from cti.calls import signals as sig
from cti.calls.causes import leg_failure
from cti.calls.model import (
    CallbackOrder,
    CallMedia,
    CallState,
    Leg,
    LegPurpose,
    Phase,
    PlaybackPurpose,
)
from cti.calls.ports import (
    CallPhase,
    EndedBy,
    IvrPlan,
    LegFailure,
    MenuOption,
    VoicemailSpec,
    localized,
)

logger = logging.getLogger(__name__)

Step: TypeAlias = tuple[CallState, list[act.Action]]
Handler: TypeAlias = Callable[[CallState, Any, datetime], Step]

TRANSITIONS: dict[tuple[Phase, type[sig.CallEvent]], Handler] = {}
"""The transition table; tests enumerate it."""

DIGIT_TIMER = "digit"
ANSWERED_BY = "HOTLINE_ANSWERED_BY"
"""The caller's channel variable naming the agent whose answer is being bridged. Set before the
bridge is made, it survives the process: a new one finds who talked with a caller even when the
agent's leg is gone and the answer never reached the database (issue 18)."""
SURVEY_DIGITS = ("1", "2", "3", "4", "5")
CALLBACK_PLAN = IvrPlan(open=True)  # a callback has no IVR; the survey still follows the talk

IVR_PHASES = (Phase.ARRIVING, Phase.GREETING, Phase.IVR_LANGUAGE, Phase.IVR_LINE)
MENU_PHASES = (
    Phase.IVR_LANGUAGE,
    Phase.IVR_LINE,
    Phase.CLOSED_MESSAGE,
    Phase.CALLBACK_OFFER,
    Phase.SURVEY,
)
WAITING_PHASES = (Phase.QUEUED, Phase.CALLBACK_OFFER, Phase.OFFERING)
TALK_PHASES = (Phase.TALKING, Phase.ON_HOLD)
LIVE_PHASES = tuple(phase for phase in Phase if phase not in (Phase.NEW, Phase.ENDED))


def on(event_kind: type[sig.CallEvent], *phases: Phase) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for phase in phases:
            TRANSITIONS[(phase, event_kind)] = handler
        return handler

    return register


def transition(call: CallState, event: sig.CallEvent, now: datetime) -> Step:
    """Apply one event; unknown (phase, event) pairs are no-ops."""
    handler = TRANSITIONS.get((call.phase, type(event)))
    if handler is None:
        logger.debug("call %s: %s ignored in %s", call.call_id, type(event).__name__, call.phase)
        return call, []
    new_call, actions = handler(call, event, now)
    if new_call.phase is Phase.ENDING:
        new_call, closing = _finish_if_done(new_call)
        actions.extend(closing)
    return new_call, actions


# ---------------------------------------------------------------- helpers


def _next_id(call: CallState, kind: str) -> tuple[CallState, str]:
    seq = call.seq + 1
    return replace(call, seq=seq), f"{call.id_prefix}-{kind}{seq}"


def _play(
    call: CallState, media: tuple[str, ...], purpose: PlaybackPurpose
) -> tuple[CallState, list[act.Action]]:
    call, playback_id = _next_id(call, "pb")
    call = replace(call, playback_id=playback_id, playback_purpose=purpose)
    # The IVR's language choice (before it, the plan's default) picks sounds/<language>/ on the
    # server: passed with every playback rather than set once on the channel, so that a call
    # adopted after a restart needs no channel variable to be read back.
    language = call.language or (call.plan.default_language if call.plan else None)
    # A configuration may name another sound per language: chosen here, by the same language.
    media = tuple(localized(item, language) for item in media)
    return call, [act.Play(call.call_id, media, playback_id, language)]


def _stop_prompt(call: CallState) -> tuple[CallState, list[act.Action]]:
    """Stop whatever plays to the caller and invalidate the digit timer."""
    actions: list[act.Action] = []
    if call.playback_id is not None:
        actions.append(act.StopPlayback(call.playback_id))
    return replace(
        call, playback_id=None, playback_purpose=None, timer_token=call.timer_token + 1
    ), actions


def _resume_moh(call: CallState) -> tuple[CallState, list[act.Action]]:
    if call.bridge_moh or call.bridge_id is None or call.playback_id is not None:
        return call, []
    plan = call.plan or CALLBACK_PLAN
    return replace(call, bridge_moh=True), [act.StartBridgeMoh(call.bridge_id, plan.music_on_hold)]


def _pause_moh(call: CallState) -> tuple[CallState, list[act.Action]]:
    if not call.bridge_moh or call.bridge_id is None:
        return call, []
    return replace(call, bridge_moh=False), [act.StopBridgeMoh(call.bridge_id)]


def _goodbye(call: CallState, media: tuple[str, ...]) -> Step:
    call, actions = _stop_prompt(call)
    call, played = _play(replace(call, phase=Phase.GOODBYE), media, "final")
    return call, actions + played


def _cancel_leg(call: CallState, leg: Leg) -> tuple[CallState, list[act.Action]]:
    if leg.status == "gone":
        return call, []
    cancelled = replace(leg, cancelled=leg.cancelled or leg.status == "ringing")
    return call.with_leg(cancelled), [act.Hangup(leg.leg_id)]


def _hang_up_legs(call: CallState) -> tuple[CallState, list[act.Action]]:
    """Hang up every leg; the talk (if any) has been reported ended by the caller."""
    actions: list[act.Action] = []
    for leg in call.live_legs():
        call, hangup = _cancel_leg(call, leg)
        actions.extend(hangup)
    return replace(call, talk_leg=None), actions


def _to_ending(call: CallState, *, caller_gone: bool) -> Step:
    call, stop = _stop_prompt(call)
    # A prompt on a channel that is gone has already failed; only stop it if the caller is here.
    actions: list[act.Action] = [] if caller_gone else stop
    actions.append(act.CancelTimers())
    return replace(call, phase=Phase.ENDING, caller_gone=call.caller_gone or caller_gone), actions


def _finish_if_done(call: CallState) -> Step:
    if not call.caller_gone or call.live_legs():
        return call, []
    actions: list[act.Action] = [act.CancelTimers()]
    if call.bridge_id is not None:
        actions.append(act.DestroyBridge(call.bridge_id))
    actions.append(act.NotifyCallFinished())
    return replace(call, phase=Phase.ENDED, bridge_moh=False), actions


def _originate(call: CallState, leg: Leg, endpoint: str, ring_timeout_s: float) -> act.Originate:
    return act.Originate(
        leg_id=leg.leg_id,
        endpoint=endpoint,
        timeout_s=max(1, math.ceil(ring_timeout_s)),
        app_args=("agent", leg.agent_id, call.call_id),
        caller_id=call.media.caller_id,
    )


# ---------------------------------------------------------------- menus


def _menu_options(call: CallState) -> tuple[MenuOption, ...]:
    plan = call.plan or CALLBACK_PLAN
    if call.phase is Phase.IVR_LANGUAGE:
        return plan.languages
    if call.phase is Phase.IVR_LINE:
        return plan.lines
    return ()


def _menu_prompts(call: CallState) -> tuple[str, ...]:
    plan = call.plan or CALLBACK_PLAN
    media = call.media
    if call.phase in (Phase.IVR_LANGUAGE, Phase.IVR_LINE):
        return tuple(option.prompt for option in _menu_options(call))
    if call.phase is Phase.CLOSED_MESSAGE:
        return (plan.closed_message, *media.callback_request)
    if call.phase is Phase.CALLBACK_OFFER:
        return media.callback_offer
    return media.survey_prompt


def _menu_retries(call: CallState) -> int:
    plan = call.plan or CALLBACK_PLAN
    # A callback offer is a courtesy while queued: asked once, never repeated.
    return 0 if call.phase is Phase.CALLBACK_OFFER else plan.retries


def _start_menu(call: CallState, phase: Phase, *, preamble: tuple[str, ...] = ()) -> Step:
    call = replace(call, phase=phase, attempts=0)
    call, actions = _stop_prompt(call)
    call, played = _play(call, (*preamble, *_menu_prompts(call)), "menu")
    return call, actions + played


def _menu_retry(call: CallState) -> Step:
    """A wrong digit or a timeout: replay the menu, or give up after the retries."""
    attempts = call.attempts + 1
    if attempts > _menu_retries(call):
        return _menu_give_up(replace(call, attempts=attempts))
    call, actions = _stop_prompt(replace(call, attempts=attempts))
    preamble = (
        call.media.invalid_choice if call.phase in (Phase.IVR_LANGUAGE, Phase.IVR_LINE) else ()
    )
    call, played = _play(call, (*preamble, *_menu_prompts(call)), "menu")
    return call, [*actions, act.Journal("menu_retry", {"phase": call.phase.value}), *played]


def _menu_give_up(call: CallState) -> Step:
    plan = call.plan or CALLBACK_PLAN
    if call.phase is Phase.IVR_LANGUAGE:
        return _language_chosen(call, plan.default_language, defaulted=True)
    if call.phase is Phase.IVR_LINE:
        return _line_chosen(call, _default_line(plan), defaulted=True)
    if call.phase is Phase.CLOSED_MESSAGE:
        return _goodbye(call, call.media.goodbye)
    if call.phase is Phase.CALLBACK_OFFER:
        return _back_to_queue(call)
    # survey: no usable digit
    call, actions = _goodbye(call, call.media.goodbye)
    return call, [act.NotifySurveyAnswered(None), *actions]


def _default_line(plan: IvrPlan) -> str:
    configured = plan.extras.get("default_line")
    if isinstance(configured, str) and configured:
        return configured
    return plan.lines[0].value if plan.lines else "general"


def _menu_digit(call: CallState, digit: str) -> Step:
    if call.phase in (Phase.IVR_LANGUAGE, Phase.IVR_LINE):
        option = next((o for o in _menu_options(call) if o.digit == digit), None)
        if option is None:
            return _menu_retry(call)
        if call.phase is Phase.IVR_LANGUAGE:
            return _language_chosen(call, option.value, defaulted=False)
        return _line_chosen(call, option.value, defaulted=False)
    if call.phase is Phase.CLOSED_MESSAGE:
        if digit != call.media.callback_digit:
            return _menu_retry(call)
        call, actions = _goodbye(call, call.media.callback_confirmed)
        return call, [act.NotifyCallbackAccepted(), *actions]
    if call.phase is Phase.CALLBACK_OFFER:
        if digit != call.media.callback_digit:
            return _back_to_queue(call)
        call, actions = _goodbye(call, call.media.callback_confirmed)
        return call, [act.NotifyCallbackAccepted(), *actions]
    if digit not in SURVEY_DIGITS:
        return _menu_retry(call)
    call, actions = _goodbye(call, call.media.survey_thanks)
    return call, [act.NotifySurveyAnswered(int(digit)), *actions]


def _language_chosen(call: CallState, language: str, *, defaulted: bool) -> Step:
    call = replace(call, language=language)
    journal = act.Journal("language_chosen", {"language": language, "defaulted": defaulted})
    plan = call.plan or CALLBACK_PLAN
    if not plan.open:
        call, actions = _closed(call, plan)
        return call, [journal, act.NotifyLanguageChosen(language), *actions]
    if plan.lines:
        call, actions = _start_menu(call, Phase.IVR_LINE)
        return call, [journal, *actions]
    call, actions = _line_chosen(call, _default_line(plan), defaulted=True)
    return call, [journal, *actions]


def _line_chosen(call: CallState, line: str, *, defaulted: bool) -> Step:
    journal = act.Journal("line_chosen", {"line": line, "defaulted": defaulted})
    call, actions = _enter_queue(replace(call, line=line))
    return call, [journal, *actions]


def _enter_queue(call: CallState) -> Step:
    call, actions = _stop_prompt(call)
    call, bridge_id = _next_id(call, "br")
    plan = call.plan or CALLBACK_PLAN
    language = call.language or plan.default_language
    call = replace(call, phase=Phase.QUEUED, bridge_id=bridge_id, language=language)
    call, moh = _resume_moh(call)
    return call, [
        *actions,
        act.CreateBridge(bridge_id, "mixing"),
        act.AddChannel(bridge_id, call.call_id),
        *moh,
        act.NotifyIvrCompleted(language=language, line=call.line or _default_line(plan)),
    ]


def _back_to_queue(call: CallState) -> Step:
    call, actions = _stop_prompt(replace(call, phase=Phase.QUEUED))
    call, moh = _resume_moh(call)
    return call, actions + moh


# ---------------------------------------------------------------- arrival and IVR


@on(sig.CallerArrived, Phase.NEW)
def _arrived(call: CallState, event: sig.CallerArrived, now: datetime) -> Step:
    actions: list[act.Action] = [
        act.Journal("arrived", {"caller": event.call.caller_number, "dialled": event.call.dialled})
    ]
    if event.gone:
        # Its StasisEnd was seen first: the service still records the call (the plan is asked
        # for), which ``_plan_ready`` then closes without playing anything.
        return replace(call, phase=Phase.ARRIVING, caller_gone=True), [*actions, act.AskPlan()]
    if not event.answered:
        actions.append(act.Answer(call.call_id))
    actions.append(act.AskPlan())
    return replace(call, phase=Phase.ARRIVING), actions


@on(sig.CallerAdopted, Phase.NEW)
def _adopted(call: CallState, event: sig.CallerAdopted, now: datetime) -> Step:
    legs = tuple(Leg(found.leg_id, found.agent_id, "offer", status="up") for found in event.legs)
    call = replace(call, phase=Phase.ARRIVING, bridge_id=event.bridge_id, legs=legs)
    found = {"bridge_id": event.bridge_id, "agents": [leg.agent_id for leg in legs]}
    actions: list[act.Action] = [act.Journal("adopted", found)]
    if not event.answered:
        actions.append(act.Answer(call.call_id))
    # Asterisk's bridge is the truth about who talks: the record may lag behind it (the last
    # process died before its write queue recorded the answer).
    bridged = next((found.agent_id for found in event.legs if found.bridged), None)
    # No agent in the bridge, but the caller's channel says one answered and no leg of theirs
    # is left: they talked and hung up while no process listened. Offering the caller again
    # would answer the same call twice.
    departed = None
    if bridged is None and all(found.agent_id != event.answered_by for found in event.legs):
        departed = event.answered_by
    return call, [*actions, act.AskResumption(bridged, departed)]


@on(sig.Resumed, Phase.ARRIVING)
def _resumed(call: CallState, event: sig.Resumed, now: datetime) -> Step:
    resumption = event.resumption
    call = _with_plan(call, resumption.plan)
    journal = act.Journal("resumed", {"phase": resumption.phase.value})
    if resumption.phase in (CallPhase.QUEUE, CallPhase.RINGING):
        call, actions = _resume_waiting(call)
    elif resumption.phase is CallPhase.TALK:
        call, actions = _resume_talk(call, resumption.agent_id)
    elif resumption.phase is CallPhase.SURVEY:
        call, hangups = _hang_up_legs(call)
        call, menu = _start_menu(call, Phase.SURVEY)
        actions = hangups + menu
    else:
        call, actions = _resume_ivr(call, resumption.plan)
    return call, [journal, *actions]


def _resume_ivr(call: CallState, plan: IvrPlan) -> Step:
    """Start the IVR again, out of any bridge and with no agent."""
    call, actions = _hang_up_legs(call)
    if call.bridge_id is not None:
        actions.append(act.DestroyBridge(call.bridge_id))
        call = replace(call, bridge_id=None)
    call, started = _start_ivr(call, plan)
    return call, actions + started


def _resume_waiting(call: CallState) -> Step:
    """Back to waiting: in the caller's bridge (a new one if it had none), music on hold; the
    service re-offers it, so an agent leg found is released."""
    call, actions = _hang_up_legs(call)
    if call.bridge_id is None:
        call, bridge_id = _next_id(call, "br")
        call = replace(call, bridge_id=bridge_id)
        actions += [act.CreateBridge(bridge_id, "mixing"), act.AddChannel(bridge_id, call.call_id)]
    call, moh = _resume_moh(replace(call, phase=Phase.QUEUED))
    return call, actions + moh


def _resume_talk(call: CallState, agent_id: str | None) -> Step:
    """Carry on talking with the agent whose leg is still up, or report that they left."""
    talking = next((leg for leg in call.legs if agent_id is None or leg.agent_id == agent_id), None)
    others = [leg for leg in call.live_legs() if leg is not talking]
    actions: list[act.Action] = []
    for leg in others:
        call, hangup = _cancel_leg(call, leg)
        actions += hangup
    if talking is None:
        call = replace(call, phase=Phase.TALKING, agent_id=agent_id)
        if agent_id is None:
            call, bye = _goodbye(call, call.media.goodbye)
            return call, actions + bye
        call, left = _agent_hung_up(call, Leg(call.call_id, agent_id, "offer", status="gone"))
        return call, actions + left
    call = replace(call, phase=Phase.TALKING, agent_id=talking.agent_id, talk_leg=talking.leg_id)
    if call.bridge_id is None:
        # Both are up but not bridged by us (a half-made bridge): bridge them again.
        call, bridge_id = _next_id(call, "br")
        call = replace(call, bridge_id=bridge_id)
        actions += [
            act.CreateBridge(bridge_id, "mixing"),
            act.AddChannel(bridge_id, call.call_id),
            act.AddChannel(bridge_id, talking.leg_id),
        ]
    return call, actions


@on(sig.PlanReady, Phase.ARRIVING)
def _plan_ready(call: CallState, event: sig.PlanReady, now: datetime) -> Step:
    if call.caller_gone:  # gone before it started (see ``_arrived``): no IVR to an empty line
        return replace(_with_plan(call, event.plan), phase=Phase.ENDING), [
            act.Journal("gone_before_start", {}),
            act.NotifyCallerLeft(CallPhase.IVR),
            act.CancelTimers(),
        ]
    return _start_ivr(call, event.plan)


def _with_plan(call: CallState, plan: IvrPlan) -> CallState:
    """The call takes its plan, and the plan's own sounds (the configuration's) for its life."""
    prompts = plan.prompts
    if prompts is None:
        return replace(call, plan=plan)
    own = {f.name: getattr(prompts, f.name) for f in fields(prompts)}
    return replace(call, plan=plan, media=replace(call.media, **own))


def _start_ivr(call: CallState, plan: IvrPlan) -> Step:
    call = _with_plan(call, plan)
    if not plan.open and plan.languages:
        # Closed, and the configuration asks the language first: the closed message then
        # plays in the caller's own language (see ``_language_chosen``).
        return _start_menu(call, Phase.IVR_LANGUAGE, preamble=(plan.greeting,))
    if not plan.open:
        return _closed(call, plan)
    if plan.languages:
        return _start_menu(call, Phase.IVR_LANGUAGE, preamble=(plan.greeting,))
    call = replace(call, language=plan.default_language)
    if plan.lines:
        return _start_menu(call, Phase.IVR_LINE, preamble=(plan.greeting,))
    call, played = _play(replace(call, phase=Phase.GREETING), (plan.greeting,), "greeting")
    return call, played


def _closed(call: CallState, plan: IvrPlan) -> Step:
    """Outside service hours: the closed message, then a voicemail or a callback request."""
    if plan.closed_voicemail is not None:
        # The closed message, the voicemail prompt, then the recording (as a voicemail divert).
        prompt = dict(call.media.divert).get("voicemail", ())
        call, actions = _stop_prompt(call)
        call = replace(call, phase=Phase.VOICEMAIL, voicemail=plan.closed_voicemail)
        call, played = _play(call, (plan.closed_message, *prompt), "voicemail")
        return call, actions + played
    return _start_menu(call, Phase.CLOSED_MESSAGE)


@on(sig.DigitPressed, *MENU_PHASES)
def _digit(call: CallState, event: sig.DigitPressed, now: datetime) -> Step:
    call, stop = _stop_prompt(call)  # barge-in: the first digit ends the prompt
    call, actions = _menu_digit(call, event.digit)
    return call, [*stop, act.Journal("digit", {"digit": event.digit}), *actions]


@on(sig.TimerFired, *MENU_PHASES)
def _timer(call: CallState, event: sig.TimerFired, now: datetime) -> Step:
    if event.name != DIGIT_TIMER or event.token != call.timer_token:
        return call, []  # a stale timer: the call moved on since it was started
    return _menu_retry(call)


@on(sig.PlaybackEnded, *LIVE_PHASES)
def _playback_ended(call: CallState, event: sig.PlaybackEnded, now: datetime) -> Step:
    if event.playback_id != call.playback_id:
        return call, []  # stopped by barge-in, or an older prompt
    purpose = call.playback_purpose
    call = replace(call, playback_id=None, playback_purpose=None)
    if purpose == "menu":
        plan = call.plan or CALLBACK_PLAN
        token = call.timer_token + 1
        return replace(call, timer_token=token), [
            act.StartTimer(DIGIT_TIMER, plan.digit_timeout_s, token)
        ]
    if purpose == "greeting" and call.phase is Phase.GREETING:
        return _line_chosen(call, _default_line(call.plan or CALLBACK_PLAN), defaulted=True)
    if purpose == "announce":
        return _resume_moh(call)
    if purpose == "final" and call.phase is Phase.GOODBYE:
        return call, [act.Hangup(call.call_id)]
    if purpose == "voicemail" and call.phase is Phase.VOICEMAIL and call.voicemail is not None:
        return _start_voicemail(call, call.voicemail)
    return call, []


def _start_voicemail(call: CallState, spec: VoicemailSpec) -> Step:
    """The prompt is over: record the caller alone (Asterisk refuses a bridged channel)."""
    actions: list[act.Action] = []
    if call.bridge_id is not None:
        actions.append(act.RemoveChannel(call.bridge_id, call.call_id))
    record = act.RecordChannel(call.call_id, spec.name, spec.max_length_s, spec.beep)
    return call, [*actions, record]


@on(sig.RecordingEnded, Phase.VOICEMAIL)
def _voicemail_recorded(call: CallState, event: sig.RecordingEnded, now: datetime) -> Step:
    if call.voicemail is None or event.name != call.voicemail.name:
        return call, []
    actions: list[act.Action] = [act.Journal("voicemail_recorded", {"name": event.name})]
    call, bye = _goodbye(call, call.media.goodbye)
    return call, actions + bye


# ---------------------------------------------------------------- waiting in the queue


def _spoken(number: int, media: CallMedia) -> str:
    """The number as the announcement's sound names it: past the recorded range, ``many``."""
    if media.numbers_up_to is not None and number > media.numbers_up_to:
        return "many"
    return str(number)


@on(sig.AnnounceCommand, Phase.QUEUED, Phase.OFFERING)
def _announce(call: CallState, event: sig.AnnounceCommand, now: datetime) -> Step:
    if call.playback_id is not None:
        return call, []  # one announcement at a time; the next periodic one will come
    media = call.media
    items = (
        []
        if event.position is None
        else [item.format(position=_spoken(event.position, media)) for item in media.position]
    )
    if event.expected_wait_s is not None:
        minutes = _spoken(max(1, math.ceil(event.expected_wait_s / 60)), media)
        items.extend(item.format(minutes=minutes) for item in media.expected_wait)
    call, pause = _pause_moh(call)
    call, played = _play(call, tuple(items), "announce")
    return call, [*pause, *played]


@on(sig.OfferCallbackCommand, Phase.QUEUED)
def _offer_callback(call: CallState, event: sig.OfferCallbackCommand, now: datetime) -> Step:
    call, pause = _pause_moh(call)
    call, actions = _start_menu(call, Phase.CALLBACK_OFFER)
    return call, [*pause, *actions]


@on(sig.OfferCommand, Phase.QUEUED, Phase.CALLBACK_OFFER)
def _offer(call: CallState, event: sig.OfferCommand, now: datetime) -> Step:
    actions: list[act.Action] = []
    if call.phase is Phase.CALLBACK_OFFER:
        call, actions = _back_to_queue(call)
    leg = Leg(event.leg_id, event.agent_id, "offer")
    call = replace(call.with_leg(leg), phase=Phase.OFFERING)
    return call, [
        *actions,
        act.Journal("offer", {"agent_id": event.agent_id, "leg_id": event.leg_id}),
        _originate(call, leg, event.endpoint, event.ring_timeout_s),
    ]


@on(sig.OfferCommand, Phase.OFFERING, Phase.TRANSFERRING)
def _offer_while_ringing(call: CallState, event: sig.OfferCommand, now: datetime) -> Step:
    # One agent rings at a time; tell routing at once so the second agent is not held.
    return call, [
        act.Journal("offer_refused", {"agent_id": event.agent_id, "reason": "already ringing"}),
        act.NotifyOfferFailed(event.agent_id, LegFailure.CANCELLED),
    ]


@on(sig.CancelOfferCommand, Phase.OFFERING, Phase.TRANSFERRING)
def _cancel_offer(call: CallState, event: sig.CancelOfferCommand, now: datetime) -> Step:
    purpose: LegPurpose = "offer" if call.phase is Phase.OFFERING else "transfer"
    leg = call.ringing_leg(purpose)
    if leg is None or leg.agent_id != event.agent_id:
        return call, []
    return _cancel_leg(call, leg)


@on(sig.LegDialProgress, *LIVE_PHASES)
def _leg_progress(call: CallState, event: sig.LegDialProgress, now: datetime) -> Step:
    leg = call.leg(event.leg_id)
    if leg is None or leg.status == "gone":
        return call, []
    return call.with_leg(replace(leg, dialstatus=event.dialstatus or leg.dialstatus)), []


@on(sig.LegAnswered, Phase.OFFERING)
def _offer_answered(call: CallState, event: sig.LegAnswered, now: datetime) -> Step:
    leg = call.leg(event.leg_id)
    if leg is None or leg.status != "ringing" or leg.purpose != "offer":
        return call, []
    if leg.cancelled:
        return call, []  # answered just as we hung it up; its StasisEnd follows
    bridge_id = call.bridge_id
    assert bridge_id is not None  # set when the call entered the queue
    call, stop = _stop_prompt(call)
    call, pause = _pause_moh(call)
    call = replace(
        call.with_leg(replace(leg, status="up")),
        phase=Phase.TALKING,
        agent_id=leg.agent_id,
        talk_leg=leg.leg_id,
    )
    return call, [
        *stop,
        *pause,
        # Marked first: a process dying once the bridge is made leaves the mark behind it.
        act.SetVariable(call.call_id, ANSWERED_BY, leg.agent_id),
        act.AddChannel(bridge_id, leg.leg_id),
        act.NotifyOfferAnswered(leg.agent_id),
    ]


def _leg_not_answered(call: CallState, leg: Leg, failure: LegFailure) -> Step:
    """A ringing leg is gone without answering: report it and fall back."""
    call = call.with_leg(replace(leg, status="gone"))
    failure = LegFailure.CANCELLED if leg.cancelled else failure
    notify: list[act.Action] = [
        act.Journal("leg_failed", {"agent_id": leg.agent_id, "failure": failure.value}),
        act.NotifyOfferFailed(leg.agent_id, failure),
    ]
    if leg.purpose == "offer" and call.phase is Phase.OFFERING:
        call, moh = _resume_moh(replace(call, phase=Phase.QUEUED))
        return call, notify + moh
    if leg.purpose == "transfer" and call.phase is Phase.TRANSFERRING:
        if call.talk_leg is None:  # the old agent already left: the caller waits again
            return _requeue_after_transfer(call, notify)
        if call.held:  # back on hold with the old agent: the caller keeps the music
            return replace(call, phase=Phase.ON_HOLD), notify
        return replace(call, phase=Phase.TALKING), [*notify, act.StopChannelMoh(call.call_id)]
    if leg.purpose == "callback_agent" and call.phase is Phase.CALLBACK_AGENT:
        # The taxpayer was never dialled: nothing else is alive.
        return replace(call, phase=Phase.ENDING, caller_gone=True), [*notify, act.CancelTimers()]
    return call, notify


def _requeue_after_transfer(call: CallState, notify: list[act.Action]) -> Step:
    call = replace(call, phase=Phase.QUEUED, held=False)
    actions: list[act.Action] = [*notify, act.StopChannelMoh(call.call_id)]
    call, moh = _resume_moh(call)
    return call, actions + moh


@on(sig.LegFailed, *LIVE_PHASES)
def _leg_failed(call: CallState, event: sig.LegFailed, now: datetime) -> Step:
    if event.leg_id == call.call_id and call.phase is Phase.CALLBACK_TAXPAYER:
        return _callback_taxpayer_gone(call, None, event.failure)
    leg = call.leg(event.leg_id)
    if leg is None or leg.status != "ringing":
        return call, []
    return _leg_not_answered(call, leg, event.failure)


@on(sig.LegGone, *LIVE_PHASES)
def _leg_gone(call: CallState, event: sig.LegGone, now: datetime) -> Step:
    leg = call.leg(event.leg_id)
    if leg is None or leg.status == "gone":
        return call, []
    if leg.status == "ringing":
        return _leg_not_answered(call, leg, leg_failure(leg.dialstatus, event.cause))
    call = call.with_leg(replace(leg, status="gone"))
    if leg.leg_id != call.talk_leg:
        return call, []  # an agent we released (transfer), already reported
    return _agent_hung_up(call, leg)


def _agent_hung_up(call: CallState, leg: Leg) -> Step:
    talk_ended: act.Action = act.NotifyTalkEnded(leg.agent_id, EndedBy.AGENT)
    call = replace(call, talk_leg=None)
    if call.phase is Phase.TRANSFERRING:
        return call, [talk_ended]  # the caller keeps hearing MOH until the new agent answers
    if call.phase is Phase.CALLBACK_TAXPAYER:
        # The agent gave up before the taxpayer answered: drop the taxpayer leg too. For the
        # service the taxpayer was not reached (the callback contract in ``ports``).
        call, ending = _to_ending(call, caller_gone=False)
        return call, [
            act.Journal("callback_taxpayer_failed", {"failure": "agent_left", "cause": None}),
            act.NotifyCallerLeft(CallPhase.RINGING),
            act.Hangup(call.call_id),
            *ending,
        ]
    if call.phase not in TALK_PHASES:
        return call, [talk_ended]
    actions: list[act.Action] = [talk_ended]
    if call.held:
        actions += [act.StopChannelMoh(call.call_id), act.UnholdChannel(call.call_id)]
        call = replace(call, held=False)
    plan = call.plan or CALLBACK_PLAN
    if plan.survey:
        call, menu = _start_menu(call, Phase.SURVEY)
        return call, actions + menu
    call, bye = _goodbye(call, call.media.goodbye)
    return call, actions + bye


# ---------------------------------------------------------------- talking


@on(sig.HoldCommand, Phase.TALKING)
def _hold(call: CallState, event: sig.HoldCommand, now: datetime) -> Step:
    plan = call.plan or CALLBACK_PLAN
    return replace(call, phase=Phase.ON_HOLD, held=True), [
        act.HoldChannel(call.call_id),
        act.StartChannelMoh(call.call_id, plan.music_on_hold),
    ]


@on(sig.UnholdCommand, Phase.ON_HOLD)
def _unhold(call: CallState, event: sig.UnholdCommand, now: datetime) -> Step:
    return replace(call, phase=Phase.TALKING, held=False), [
        act.StopChannelMoh(call.call_id),
        act.UnholdChannel(call.call_id),
    ]


@on(sig.TransferCommand, *TALK_PHASES)
def _transfer(call: CallState, event: sig.TransferCommand, now: datetime) -> Step:
    leg = Leg(event.leg_id, event.agent_id, "transfer")
    actions: list[act.Action] = [
        act.Journal("transfer", {"from": call.agent_id, "to": event.agent_id}),
    ]
    if not call.held:
        plan = call.plan or CALLBACK_PLAN
        actions.append(act.StartChannelMoh(call.call_id, plan.music_on_hold))
    call = replace(call.with_leg(leg), phase=Phase.TRANSFERRING)
    actions.append(_originate(call, leg, event.endpoint, event.ring_timeout_s))
    return call, actions


@on(sig.LegAnswered, Phase.TRANSFERRING)
def _transfer_answered(call: CallState, event: sig.LegAnswered, now: datetime) -> Step:
    leg = call.leg(event.leg_id)
    if leg is None or leg.status != "ringing" or leg.purpose != "transfer" or leg.cancelled:
        return call, []
    assert call.bridge_id is not None
    actions: list[act.Action] = [act.StopChannelMoh(call.call_id)]
    if call.held:
        actions.append(act.UnholdChannel(call.call_id))
    old = call.leg(call.talk_leg) if call.talk_leg else None
    if old is not None and old.status != "gone":
        actions.append(act.Hangup(old.leg_id))
    # One notification: the call goes on with the new agent (the service releases the old one).
    actions += [
        act.AddChannel(call.bridge_id, leg.leg_id),
        act.NotifyTransferAnswered(leg.agent_id),
    ]
    call = replace(
        call.with_leg(replace(leg, status="up")),
        phase=Phase.TALKING,
        held=False,
        agent_id=leg.agent_id,
        talk_leg=leg.leg_id,
    )
    return call, actions


@on(sig.RequeueCommand, *TALK_PHASES)
def _requeue(call: CallState, event: sig.RequeueCommand, now: datetime) -> Step:
    """Blind transfer to a queue: the agent's leg is hung up and the caller, still in the call
    bridge, hears its MOH again until routing offers them to an agent of the new queue. The
    old leg's StasisEnd is then a no-op (it is no longer the talk leg)."""
    if call.kind != "inbound" or call.talk_leg is None or call.agent_id is None:
        return call, []  # a callback has no queue to go back to
    old = call.leg(call.talk_leg)
    actions: list[act.Action] = [
        act.Journal(
            "requeue", {"from": call.agent_id, "line": event.line, "language": event.language}
        ),
    ]
    if call.held:
        actions += [act.StopChannelMoh(call.call_id), act.UnholdChannel(call.call_id)]
    if old is not None and old.status != "gone":
        actions.append(act.Hangup(old.leg_id))
    notify = act.NotifyRequeued(call.agent_id, event.line, event.language)
    call = replace(
        call,
        phase=Phase.QUEUED,
        held=False,
        talk_leg=None,
        line=event.line,
        language=event.language,
    )
    call, moh = _resume_moh(call)
    # The service hears of it once the caller has the music again: an offer may follow at once.
    return call, [*actions, *moh, notify]


# ---------------------------------------------------------------- leaving


@on(sig.DivertCommand, *WAITING_PHASES)
def _divert(call: CallState, event: sig.DivertCommand, now: datetime) -> Step:
    actions: list[act.Action] = [act.Journal("divert", {"target": event.target})]
    ringing = call.ringing_leg("offer")
    if ringing is not None:
        call, cancel = _cancel_leg(call, ringing)
        actions += cancel
    call, pause = _pause_moh(call)
    actions += pause
    if event.target == "closed":
        call, menu = _start_menu(call, Phase.CLOSED_MESSAGE)
        return call, actions + menu
    media = event.prompt or dict(call.media.divert).get(event.target, call.media.goodbye)
    if event.voicemail is not None:
        call, stop = _stop_prompt(call)
        call = replace(call, phase=Phase.VOICEMAIL, voicemail=event.voicemail)
        call, played = _play(call, media, "voicemail")
        return call, actions + stop + played
    call, bye = _goodbye(call, media)
    return call, actions + bye


def _caller_left_phase(phase: Phase) -> CallPhase | None:
    if phase in (*IVR_PHASES, Phase.CLOSED_MESSAGE):
        return CallPhase.IVR
    if phase in (Phase.QUEUED, Phase.CALLBACK_OFFER):
        return CallPhase.QUEUE
    if phase is Phase.OFFERING:
        return CallPhase.RINGING
    return None


@on(
    sig.CallerGone,
    *(phase for phase in LIVE_PHASES if phase not in (Phase.CALLBACK_AGENT, Phase.ENDING)),
)
def _caller_gone(call: CallState, event: sig.CallerGone, now: datetime) -> Step:
    if call.caller_gone:
        return call, []
    phase = call.phase
    if phase is Phase.CALLBACK_TAXPAYER:
        failure = leg_failure(call.caller_dialstatus, event.cause)
        return _callback_taxpayer_gone(call, event.cause, failure)
    actions: list[act.Action] = [act.Journal("caller_gone", {"phase": phase.value})]
    left = _caller_left_phase(phase)
    if left is not None:
        actions.append(act.NotifyCallerLeft(left))
    if phase in (*TALK_PHASES, Phase.TRANSFERRING) and call.talk_leg is not None:
        talking = call.leg(call.talk_leg)
        if talking is not None and talking.status != "gone":
            actions.append(act.NotifyTalkEnded(talking.agent_id, EndedBy.CALLER))
    if phase is Phase.SURVEY:
        actions.append(act.NotifySurveyAnswered(None))
    call, hangups = _hang_up_legs(call)
    call, ending = _to_ending(call, caller_gone=True)
    # The agents' legs go first: told that the caller left, routing frees the agent at once and
    # may offer them the next caller, whose leg must not ring beside this one (issue 18: no
    # agent is offered two calls at once).
    return call, [actions[0], *hangups, *actions[1:], *ending]


def _callback_taxpayer_gone(call: CallState, cause: int | None, failure: LegFailure) -> Step:
    actions: list[act.Action] = [
        act.Journal("callback_taxpayer_failed", {"failure": failure.value, "cause": cause}),
        act.NotifyCallerLeft(CallPhase.RINGING),
    ]
    call, hangups = _hang_up_legs(call)
    call, ending = _to_ending(call, caller_gone=True)
    return call, actions + hangups + ending


@on(sig.HangupCommand, *(phase for phase in LIVE_PHASES if phase is not Phase.ENDING))
def _hangup(call: CallState, event: sig.HangupCommand, now: datetime) -> Step:
    actions: list[act.Action] = [act.Journal("hangup_requested", {"phase": call.phase.value})]
    if call.talk_leg is not None and call.phase in (*TALK_PHASES, Phase.TRANSFERRING):
        talking = call.leg(call.talk_leg)
        if talking is not None and talking.status != "gone":
            # Only the agent on the call can ask for it (the calls API): their hang-up.
            actions.append(act.NotifyTalkEnded(talking.agent_id, EndedBy.AGENT))
    caller_exists = call.phase is not Phase.CALLBACK_AGENT
    if caller_exists:
        actions.append(act.Hangup(call.call_id))
    call, hangups = _hang_up_legs(call)
    call, ending = _to_ending(call, caller_gone=not caller_exists)
    return call, actions + hangups + ending


@on(sig.CallerGone, Phase.ENDING)
def _caller_gone_while_ending(call: CallState, event: sig.CallerGone, now: datetime) -> Step:
    return replace(call, caller_gone=True), []


# ---------------------------------------------------------------- callbacks


@on(sig.PlaceCallbackCommand, Phase.NEW)
def _place_callback(call: CallState, event: sig.PlaceCallbackCommand, now: datetime) -> Step:
    order = CallbackOrder(
        agent_id=event.agent_id,
        agent_endpoint=event.agent_endpoint,
        taxpayer_endpoint=event.taxpayer_endpoint,
        taxpayer_number=event.taxpayer_number,
        ring_timeout_s=event.ring_timeout_s,
        leg_id=event.leg_id,
    )
    leg = Leg(event.leg_id, event.agent_id, "callback_agent")
    call = replace(
        _with_plan(call.with_leg(leg), event.plan or CALLBACK_PLAN),
        phase=Phase.CALLBACK_AGENT,
        kind="callback",
        callback=order,
    )
    return call, [
        act.Journal("callback_started", {"agent_id": event.agent_id}),
        _originate(call, leg, event.agent_endpoint, event.ring_timeout_s),
    ]


@on(sig.LegAnswered, Phase.CALLBACK_AGENT)
def _callback_agent_answered(call: CallState, event: sig.LegAnswered, now: datetime) -> Step:
    leg = call.leg(event.leg_id)
    order = call.callback
    if leg is None or leg.status != "ringing" or order is None or leg.cancelled:
        return call, []
    call, bridge_id = _next_id(call, "br")
    call = replace(
        call.with_leg(replace(leg, status="up")),
        phase=Phase.CALLBACK_TAXPAYER,
        bridge_id=bridge_id,
        agent_id=leg.agent_id,
        talk_leg=leg.leg_id,
    )
    call, moh = _resume_moh(call)
    return call, [
        act.CreateBridge(bridge_id, "mixing"),
        act.AddChannel(bridge_id, leg.leg_id),
        *moh,
        act.Originate(
            leg_id=call.call_id,
            endpoint=order.taxpayer_endpoint,
            timeout_s=max(1, math.ceil(order.ring_timeout_s)),
            app_args=("callback", call.call_id),
            caller_id=call.media.callback_caller_id or call.media.caller_id,
        ),
    ]


@on(sig.CallerDialProgress, Phase.CALLBACK_TAXPAYER)
def _callback_progress(call: CallState, event: sig.CallerDialProgress, now: datetime) -> Step:
    return replace(call, caller_dialstatus=event.dialstatus or call.caller_dialstatus), []


@on(sig.CallerAnswered, Phase.CALLBACK_TAXPAYER)
def _callback_taxpayer_answered(call: CallState, event: sig.CallerAnswered, now: datetime) -> Step:
    bridge_id, agent_id = call.bridge_id, call.agent_id
    assert bridge_id is not None
    assert agent_id is not None
    call, pause = _pause_moh(replace(call, phase=Phase.TALKING))
    return call, [
        *pause,
        act.AddChannel(bridge_id, call.call_id),
        act.NotifyOfferAnswered(agent_id),
    ]


def new_call(call_id: str, id_prefix: str, media: CallMedia | None = None) -> CallState:
    """A call in phase NEW; feed it :class:`CallerArrived` or :class:`PlaceCallbackCommand`."""
    return CallState(call_id=call_id, id_prefix=id_prefix, media=media or CallMedia())


__all__ = [
    "CALLBACK_PLAN",
    "DIGIT_TIMER",
    "TRANSITIONS",
    "Handler",
    "Step",
    "new_call",
    "transition",
]
