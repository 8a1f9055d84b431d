"""Performs the state machine's actions on ARI and the director, and turns failures into events.

Rules (see ``cti.errors``): a failing request never escapes; a 404 on something that is already
gone and a 409 on MOH that already stopped are normal; a refused originate becomes
``LegFailed(unreachable)``; an originate whose answer was lost is looked up by its client-chosen
id and never sent twice; a play that fails becomes ``PlaybackEnded(failed)`` so a menu cannot hang
on a prompt that never finishes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Literal, Protocol

from cti.ari.models import Bridge, Channel, LiveRecording, Playback, Variable
from cti.calls import actions as act
from cti.calls import signals as sig
from cti.calls.ports import (
    CallDirector,
    CallKey,
    CallPhase,
    InboundCall,
    IvrPlan,
    LegFailure,
    Resumption,
)
from cti.calls.timers import CallTimers
from cti.errors import (
    AriBadRequestError,
    AriConflictError,
    AriError,
    AriNotFoundError,
    AriUnavailableError,
)

logger = logging.getLogger(__name__)


class AriOperations(Protocol):
    """The part of :class:`cti.ari.AriClient` the controller uses (tests plug in fakes)."""

    app: str

    async def answer(self, channel_id: str) -> None: ...

    async def play_on_channel(
        self,
        channel_id: str,
        media: str | Sequence[str],
        *,
        playback_id: str | None = None,
        lang: str | None = None,
    ) -> Playback: ...

    async def stop_playback(self, playback_id: str) -> None: ...

    async def start_bridge_moh(self, bridge_id: str, moh_class: str | None = None) -> None: ...

    async def stop_bridge_moh(self, bridge_id: str) -> None: ...

    async def start_channel_moh(self, channel_id: str, moh_class: str | None = None) -> None: ...

    async def stop_channel_moh(self, channel_id: str) -> None: ...

    async def hold(self, channel_id: str) -> None: ...

    async def unhold(self, channel_id: str) -> None: ...

    async def create_bridge(
        self, bridge_type: str | Sequence[str] = "mixing", *, bridge_id: str | None = None
    ) -> Bridge: ...

    async def destroy_bridge(self, bridge_id: str) -> None: ...

    async def add_channel(self, bridge_id: str, channel: str | Sequence[str]) -> None: ...

    async def remove_channel(self, bridge_id: str, channel: str | Sequence[str]) -> None: ...

    async def record_channel(
        self,
        channel_id: str,
        name: str,
        recording_format: str = "wav",
        *,
        max_duration_seconds: int | None = None,
        max_silence_seconds: int | None = None,
        if_exists: Literal["fail", "overwrite", "append"] | None = None,
        beep: bool | None = None,
        terminate_on: Literal["none", "any", "*", "#"] | None = None,
    ) -> LiveRecording: ...

    async def originate(
        self,
        endpoint: str,
        *,
        channel_id: str | None = None,
        app: str | None = None,
        app_args: str | Sequence[str] | None = None,
        caller_id: str | None = None,
        timeout: int | None = None,
    ) -> Channel: ...

    async def get_channel(self, channel_id: str) -> Channel: ...

    async def set_channel_variable(
        self, channel_id: str, variable: str, value: str | None = None
    ) -> None: ...

    async def get_channel_variable(self, channel_id: str, variable: str) -> Variable: ...

    async def hangup(self, channel_id: str, *, reason: str | None = None) -> None: ...

    async def list_channels(self) -> list[Channel]: ...

    async def list_bridges(self) -> list[Bridge]: ...


FALLBACK_PLAN = IvrPlan(open=True)
"""Used when the director fails to answer ``call_arrived``: a caller must never be stuck."""


def _channel_left(action: act.Action, error: AriError) -> bool:
    """Whether a bridge request failed only because its channel has already left.

    ``addChannel``/``removeChannel`` answer 400 "Channel not found" (not 404: the 404 is for the
    bridge) once the channel hung up, and 422 once it left Stasis or the bridge. Both happen in
    normal operation: an agent who hangs up just as the call is bridged has its leg's StasisEnd
    queued behind the ``AddChannel`` of its answer.
    """
    return isinstance(action, act.AddChannel | act.RemoveChannel) and isinstance(
        error, AriBadRequestError
    )


class ActionExecutor:
    def __init__(
        self,
        client: AriOperations,
        director: CallDirector,
        timers: CallTimers,
        inbound: Callable[[CallKey], InboundCall | None],
    ) -> None:
        self._client = client
        self._inbound = inbound
        self._director = director
        self._timers = timers
        self.ari_errors = 0
        self.director_errors = 0

    async def run(self, key: CallKey, actions: Sequence[act.Action]) -> list[sig.CallEvent]:
        """Perform ``actions`` in order; return the events they produced for the same call."""
        follow_up: list[sig.CallEvent] = []
        for action in actions:
            try:
                produced = await self._perform(key, action)
            except AriError as error:
                produced = self._ari_failed(key, action, error)
            if produced is not None:
                follow_up.append(produced)
        return follow_up

    def _ari_failed(
        self, key: CallKey, action: act.Action, error: AriError
    ) -> sig.CallEvent | None:
        if isinstance(error, AriNotFoundError | AriConflictError) or _channel_left(action, error):
            # Already gone / already stopped: the events tell the rest of the story.
            logger.debug("call %s: %s: %s", key, type(action).__name__, error)
        else:
            self.ari_errors += 1
            logger.warning("call %s: %s failed: %s", key, type(action).__name__, error)
        if isinstance(action, act.Play):
            return sig.PlaybackEnded(action.playback_id, failed=True)
        return None

    async def _perform(self, key: CallKey, action: act.Action) -> sig.CallEvent | None:
        client = self._client
        match action:
            case act.Answer(channel_id):
                await client.answer(channel_id)
            case act.Play(channel_id, media, playback_id, language):
                await client.play_on_channel(
                    channel_id, list(media), playback_id=playback_id, lang=language
                )
            case act.StopPlayback(playback_id):
                await client.stop_playback(playback_id)
            case act.StartBridgeMoh(bridge_id, moh_class):
                await client.start_bridge_moh(bridge_id, moh_class)
            case act.StopBridgeMoh(bridge_id):
                await client.stop_bridge_moh(bridge_id)
            case act.StartChannelMoh(channel_id, moh_class):
                await client.start_channel_moh(channel_id, moh_class)
            case act.StopChannelMoh(channel_id):
                await client.stop_channel_moh(channel_id)
            case act.HoldChannel(channel_id):
                await client.hold(channel_id)
            case act.UnholdChannel(channel_id):
                await client.unhold(channel_id)
            case act.CreateBridge(bridge_id, bridge_type):
                await client.create_bridge(bridge_type, bridge_id=bridge_id)
            case act.DestroyBridge(bridge_id):
                await client.destroy_bridge(bridge_id)
            case act.AddChannel(bridge_id, channel_id):
                await client.add_channel(bridge_id, channel_id)
            case act.RemoveChannel(bridge_id, channel_id):
                await client.remove_channel(bridge_id, channel_id)
            case act.SetVariable(channel_id, name, value):
                await client.set_channel_variable(channel_id, name, value)
            case act.RecordChannel(channel_id, name, max_length_s, beep):
                await client.record_channel(
                    channel_id,
                    name,
                    "wav",
                    max_duration_seconds=max_length_s,
                    if_exists="overwrite",
                    beep=beep,
                    terminate_on="#",
                )
            case act.Originate():
                return await self._originate(key, action)
            case act.Hangup(channel_id, reason):
                await client.hangup(channel_id, reason=reason)
            case act.StartTimer(name, seconds, token):
                self._timers.start(key, name, seconds, token)
            case act.CancelTimers():
                self._timers.cancel(key)
            case act.AskPlan():
                return await self._ask_plan(key)
            case act.AskResumption(bridged_agent, departed_agent):
                return await self._ask_resumption(key, bridged_agent, departed_agent)
            case _:
                await self._notify_director(key, action)
        return None

    async def _originate(self, key: CallKey, action: act.Originate) -> sig.CallEvent | None:
        try:
            await self._client.originate(
                action.endpoint,
                channel_id=action.leg_id,
                app=self._client.app,
                app_args=list(action.app_args),
                caller_id=action.caller_id,
                timeout=action.timeout_s,
            )
        except AriUnavailableError as error:
            # The POST may have worked. Never send it again: look the leg up by its id.
            logger.warning("call %s: originate %s outcome unknown: %s", key, action.leg_id, error)
            try:
                await self._client.get_channel(action.leg_id)
            except AriUnavailableError:
                # Still no link: whether the phone rang is unknown, and the agent is not to blame.
                return sig.LegFailed(action.leg_id, LegFailure.LOST)
            except AriError:
                return sig.LegFailed(action.leg_id, LegFailure.UNREACHABLE)
            return None
        except AriError as error:
            # 400 bad endpoint, 500 "Allocation failed" (unknown technology, no contact).
            logger.info("call %s: originate to %s refused: %s", key, action.endpoint, error)
            return sig.LegFailed(action.leg_id, LegFailure.UNREACHABLE)
        return None

    async def _ask_plan(self, key: CallKey) -> sig.CallEvent:
        call = self._inbound(key)
        if call is None:
            return sig.PlanReady(FALLBACK_PLAN)
        try:
            plan = await self._director.call_arrived(call)
        except Exception:
            self.director_errors += 1
            logger.exception("director.call_arrived failed for %s; using the fallback plan", key)
            plan = FALLBACK_PLAN
        return sig.PlanReady(plan)

    async def _ask_resumption(
        self, key: CallKey, bridged_agent: str | None, departed_agent: str | None
    ) -> sig.CallEvent:
        call = self._inbound(key)
        fallback = Resumption(FALLBACK_PLAN, CallPhase.IVR)
        if call is None:
            return sig.Resumed(fallback)
        try:
            resumption = await self._director.call_adopted(
                call, bridged_agent=bridged_agent, departed_agent=departed_agent
            )
        except Exception:
            # Not knowing where the caller was, the IVR is the one place that serves them.
            self.director_errors += 1
            logger.exception("director.call_adopted failed for %s; restarting the IVR", key)
            resumption = fallback
        return sig.Resumed(resumption)

    async def _notify_director(self, key: CallKey, action: act.Action) -> None:
        director = self._director
        try:
            match action:
                case act.NotifyIvrCompleted(language, line):
                    await director.ivr_completed(key, language=language, line=line)
                case act.NotifyLanguageChosen(language):
                    await director.language_chosen(key, language=language)
                case act.NotifyCallerLeft(phase):
                    await director.caller_left(key, phase=phase)
                case act.NotifyCallbackAccepted():
                    await director.callback_accepted(key)
                case act.NotifyOfferAnswered(agent_id):
                    await director.offer_answered(key, agent_id=agent_id)
                case act.NotifyTransferAnswered(agent_id):
                    await director.transfer_answered(key, agent_id=agent_id)
                case act.NotifyRequeued(agent_id, line, language):
                    await director.requeued(key, agent_id=agent_id, line=line, language=language)
                case act.NotifyOfferFailed(agent_id, failure):
                    await director.offer_failed(key, agent_id=agent_id, failure=failure)
                case act.NotifyTalkEnded(agent_id, ended_by):
                    await director.talk_ended(key, agent_id=agent_id, ended_by=ended_by)
                case act.NotifySurveyAnswered(score):
                    await director.survey_answered(key, score=score)
                case act.NotifyCallFinished():
                    await director.call_finished(key)
                case act.Journal(kind, data):
                    await director.journal(key, kind, data)
                case _:
                    logger.error("call %s: no executor for %r", key, action)
        except Exception:
            # The director is the service's code: its failure must not stop this call's actions.
            self.director_errors += 1
            logger.exception("director failed on %s for %s", type(action).__name__, key)


__all__ = ["FALLBACK_PLAN", "ActionExecutor", "AriOperations"]
