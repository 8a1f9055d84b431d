"""The call controller of one site: ARI events and service commands in, ARI requests out.

``SiteCallController`` implements :class:`~cti.calls.ports.CallControl`. Its moving parts:

* :func:`cti.calls.events.to_call_event` locates the call an ARI event belongs to (by ids);
* every event for one call, whichever channel it came from and including the service's commands
  and fired timers, goes through one lane of an :class:`~cti.ari.OrderedDispatcher` keyed by the
  call, so a caller and its agent legs are handled strictly one event at a time;
* the lane applies :func:`cti.calls.states.transition` and runs the actions with
  :class:`~cti.calls.executor.ActionExecutor`; events the actions produce (the IVR plan, a refused
  originate) are applied next, before anything else of that call.

Commands from the service never wait for their lane: the director is itself awaited inside a lane
(``ivr_completed`` typically calls :meth:`offer`), so waiting would deadlock. They are queued and
return; :meth:`drain` waits until everything queued so far has been handled.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any

from cti.ari.client import new_id
from cti.ari.dispatch import OrderedDispatcher
from cti.ari.keys import SiteKey
from cti.ari.models import (
    Channel,
    ChannelDestroyed,
    ChannelDtmfReceived,
    Event,
    StasisEnd,
    StasisStart,
)
from cti.calls import actions as act
from cti.calls import signals as sig
from cti.calls.events import INBOUND_ARG, Routed, to_call_event
from cti.calls.executor import ActionExecutor, AriOperations
from cti.calls.model import CallMedia, CallState, Phase
from cti.calls.ports import CallDirector, CallKey, InboundCall, IvrPlan, VoicemailSpec
from cti.calls.states import ANSWERED_BY, new_call, transition
from cti.calls.timers import CallTimers
from cti.errors import AriError, AriNotFoundError

logger = logging.getLogger(__name__)

ID_PREFIX = "hlc"
"""Every bridge and playback id this controller chooses starts with it (see :meth:`resync`)."""
LEG_PREFIX = "hla"
AGENT_ARG = "agent"
"""The first Stasis arg of an agent leg: ``agent,<agent id>,<call id>`` (see ``states``)."""


LOCAL_SECOND_HALF = ";2"
"""Asterisk names the second half of a Local channel ``<channelId>;2`` when the originate chose
only ``channelId`` (gotcha 20 and issue 10): the controller never chooses ``otherChannelId``."""


def created_by_us(channel_id: str) -> str | None:
    """The id the controller chose for ``channel_id``, or ``None`` if it did not create it.

    Every channel the controller creates has a chosen id with one of its prefixes: agent and
    callback legs (``hla-``) and anything a call chooses (``hlc-``: snoop channels among them);
    the second half of a Local leg carries its first half's id plus ``;2``. Other channels
    (callers, announcers of bridge music, other applications' channels) are not ours.
    """
    base = channel_id.removesuffix(LOCAL_SECOND_HALF)
    return base if base.startswith((f"{LEG_PREFIX}-", f"{ID_PREFIX}-")) else None


def orphan_legs(
    channels: Mapping[str, Channel], *, owned: Collection[str], also: Collection[str] = ()
) -> list[str]:
    """The channels of ours to hang up after a resync: those no call owns or adopted.

    ``also`` names channels of ours whose ids the service chose (callback taxpayer legs). A leg
    is owned with both its halves: hanging up a ``;2`` half hangs up the whole Local pair, the
    agent's talk with it. Of an orphan pair only the first half is hung up (the second goes with
    it); a second half is hung up alone only if its first half is already gone.
    """
    orphans: list[str] = []
    for channel_id in channels:
        base = created_by_us(channel_id) or (channel_id if channel_id in also else None)
        if base is None or base in owned:
            continue
        if channel_id != base and base in channels:
            continue  # goes with its first half
        orphans.append(channel_id)
    return orphans


RESYNC_READS = 16
"""Channel variables the resync reads at once (and orphans it cleans up at once)."""

CALLBACK_ARG = "callback"
"""The first Stasis arg of a callback's taxpayer leg: ``callback,<call id>``."""


@dataclass(frozen=True, slots=True)
class _StrayLeg:
    """Lane item: hang up a leg of ours that answered with no call to join."""


_LaneItem = tuple[str, "sig.CallEvent | _StrayLeg"]

ENDED_EARLY_MEMORY = 4096
"""How many unknown ended channels the controller remembers (see ``_unrouted``)."""
_CHANNEL_EVENTS = (StasisStart, StasisEnd, ChannelDestroyed, ChannelDtmfReceived)


class CallControlError(Exception):
    """A command the controller cannot accept (as opposed to one that no longer applies)."""


class WrongSiteError(CallControlError):
    """The command names a call of another site; the service must use that site's control."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ControllerOptions:
    media: CallMedia = field(default_factory=CallMedia)
    trunk_endpoint: str = "PJSIP/{number}@trunk"
    """Endpoint template for dialling a taxpayer back (``{number}`` is replaced)."""
    timer_scale: float = 1.0
    """Digit timeouts are divided by this (a sped-up emulator in tests); 1 in production."""
    clock: Callable[[], datetime] = _utc_now


_ARI_ACTIONS = (
    act.Answer,
    act.Play,
    act.StopPlayback,
    act.StartBridgeMoh,
    act.StopBridgeMoh,
    act.StartChannelMoh,
    act.StopChannelMoh,
    act.HoldChannel,
    act.UnholdChannel,
    act.CreateBridge,
    act.DestroyBridge,
    act.AddChannel,
    act.RemoveChannel,
    act.Originate,
    act.Hangup,
)


_HEAD_ACTIONS = (*_ARI_ACTIONS, act.Journal)


def _requests_first(actions: list[act.Action]) -> list[act.Action]:
    """The ARI requests at the head of ``actions`` go before the journal entries among them.

    The director writes journal entries to the database; the caller should not wait for those
    writes to be answered or to have a prompt stopped. Only the head (journal entries and ARI
    requests up to the first other action) is reordered, each kind keeping its own order, so the
    journal still precedes whatever the director is told or asked next.
    """
    head = next(
        (index for index, action in enumerate(actions) if not isinstance(action, _HEAD_ACTIONS)),
        len(actions),
    )
    requests = [action for action in actions[:head] if isinstance(action, _ARI_ACTIONS)]
    journal = [action for action in actions[:head] if not isinstance(action, _ARI_ACTIONS)]
    return [*requests, *journal, *actions[head:]]


def _event_data(event: sig.CallEvent) -> dict[str, Any]:
    """The plain fields of an event, for the call journal."""
    return {
        name: value.value if isinstance(value, enum.Enum) else value
        for name, value in ((f.name, getattr(event, f.name)) for f in fields(event))
        if isinstance(value, str | int | float | bool | enum.Enum) or value is None
    }


class SiteCallController:
    """Calls of one Asterisk site. Feed it ARI events with :meth:`route_event`."""

    def __init__(
        self,
        site: str,
        client: AriOperations,
        director: CallDirector,
        *,
        options: ControllerOptions | None = None,
    ) -> None:
        self.site = site
        self._client = client
        self._options = options or ControllerOptions()
        self._calls: dict[str, CallState] = {}
        self._inbound: dict[CallKey, InboundCall] = {}
        self._channels: dict[str, str] = {}  # channel id -> call id
        self._timers = CallTimers(self._timer_fired, scale=self._options.timer_scale)
        self._executor = ActionExecutor(client, director, self._timers, self._inbound.get)
        self._lanes: OrderedDispatcher[SiteKey, _LaneItem] = OrderedDispatcher(
            self._apply, on_error=self._lane_failed, name=f"calls:{site}"
        )
        self.events_unrouted = 0
        # Channels whose end was seen while no call owned them, oldest first (bounded).
        self._ended_early: OrderedDict[str, bool] = OrderedDict()
        self.calls_finished = 0
        self.lane_errors = 0

    # ------------------------------------------------------------------ inspection

    def call(self, call_id: str) -> CallState | None:
        return self._calls.get(call_id)

    @property
    def active_calls(self) -> int:
        return len(self._calls)

    def stats(self) -> dict[str, Any]:
        """Counters for /readyz and metrics."""
        phases = Counter(state.phase.value for state in self._calls.values())
        return {
            "active_calls": len(self._calls),
            "phases": dict(phases),
            "calls_finished": self.calls_finished,
            "events_unrouted": self.events_unrouted,
            "ari_errors": self._executor.ari_errors,
            "director_errors": self._executor.director_errors,
            "lane_errors": self.lane_errors,
        }

    async def drain(self) -> None:
        """Wait until every event and command queued so far has been handled."""
        await self._lanes.join()

    async def close(self) -> None:
        self._timers.close()
        await self._lanes.close()

    # ------------------------------------------------------------------ ARI side

    async def handle_event(self, site: str, event: Event) -> None:
        """:meth:`route_event` for an :class:`~cti.ari.EventStream` built with a handler."""
        self.route_event(site, event)

    def route_event(self, site: str, event: Event) -> None:
        """The :class:`~cti.ari.EventStream` router: locate the call, queue the event in its lane.

        Never blocks, so the stream calls it inline in arrival order; the call's lane keeps the
        order from there.
        """
        if site != self.site:
            logger.error("controller of %s got an event of site %s; dropped", self.site, site)
            return
        routed = to_call_event(site, event, self)
        if routed is None:
            self._unrouted(event)
            return
        if routed.new_call:
            if self._ended_early.pop(routed.call_id, False):
                logger.warning(
                    "site %s: StasisEnd of %s came before its StasisStart; closing it",
                    self.site,
                    routed.call_id,
                )
                assert isinstance(routed.event, sig.CallerArrived)
                routed = Routed(routed.call_id, replace(routed.event, gone=True), new_call=True)
            self._admit(routed)
        self._submit(routed.call_id, routed.event)

    def _unrouted(self, event: Event) -> None:
        """Count (and remember) an event about a channel no call owns; never an error."""
        channel = getattr(event, "channel", None)
        channel_id = getattr(channel, "id", None)
        if not isinstance(channel_id, str) or not isinstance(event, _CHANNEL_EVENTS):
            return  # noise a call does not need (varsets, bridge enter/leave...)
        base = created_by_us(channel_id)
        if base is not None and base in self._channels:
            return  # the other half of one of our Local legs
        self.events_unrouted += 1
        logger.debug("site %s: %s for unknown channel %s", self.site, event.type, channel_id)
        if isinstance(event, StasisStart) and event.args[:1] in ([AGENT_ARG], [CALLBACK_ARG]):
            # A leg of ours answered after its call was lost (a restart while it rang): nobody
            # will ever bridge it, so the agent or taxpayer would sit in silence. Hang it up.
            self._lanes.submit(SiteKey(self.site, channel_id), (channel_id, _StrayLeg()))
        if isinstance(event, StasisEnd | ChannelDestroyed):
            # Out of order (a fuzzing peer, a replay): should its StasisStart come later, the call
            # is recorded and closed at once rather than taken through the IVR.
            self._ended_early[channel_id] = True
            while len(self._ended_early) > ENDED_EARLY_MEMORY:
                self._ended_early.popitem(last=False)

    def _admit(self, routed: Routed) -> None:
        event = routed.event
        assert isinstance(event, sig.CallerArrived)
        state = new_call(routed.call_id, new_id(ID_PREFIX), self._options.media)
        self._calls[routed.call_id] = state
        self._inbound[event.call.key] = event.call
        self._index(state)

    async def resync(self, site: str | None = None) -> None:
        """The ``on_connected`` hook: reconcile with what Asterisk has after a (re)connect.

        Calls whose channels are gone get the events they missed (the caller or a leg left),
        which reports ``caller_left``/``talk_ended``/``call_finished`` as usual. Inbound channels
        of our app that no call owns (a restart) are adopted with the bridge they are in and the
        answered agent legs that name them; the director says how each carries on
        (``call_adopted``). Our agent legs and bridges that no call owns are hung up and
        destroyed. Returns once those events are handled.
        """
        channels = {channel.id: channel for channel in await self._client.list_channels()}
        bridges = await self._client.list_bridges()
        for call_id, state in list(self._calls.items()):
            caller_exists = state.phase not in (Phase.NEW, Phase.CALLBACK_AGENT)
            if caller_exists and not state.caller_gone and call_id not in channels:
                self._submit(call_id, sig.CallerGone())
            for leg in state.live_legs():
                if leg.leg_id not in channels:
                    self._submit(call_id, sig.LegGone(leg.leg_id))
        bridge_of = {
            channel_id: bridge.id
            for bridge in bridges
            if bridge.id.startswith(f"{ID_PREFIX}-")
            for channel_id in bridge.channels
        }
        legs_of: dict[str, list[sig.FoundLeg]] = {}
        for channel in channels.values():
            args = self._our_args(channel)
            if args[:1] == [AGENT_ARG] and len(args) >= 3 and channel.id not in self._channels:
                legs_of.setdefault(args[2], []).append(sig.FoundLeg(channel.id, args[1]))
        claimed: set[str] = set()
        found: list[sig.CallerAdopted] = []
        for channel in channels.values():
            args = self._our_args(channel)
            if channel.id in self._channels or args[:1] != [INBOUND_ARG]:
                continue
            call = InboundCall(
                key=CallKey(self.site, channel.id),
                caller_number=channel.caller.number,
                caller_name=channel.caller.name,
                dialled=args[1] if len(args) > 1 else channel.dialplan.exten,
                channel_name=channel.name,
                arrived_at=channel.creationtime,
            )
            bridge_id = bridge_of.get(channel.id)
            legs = tuple(
                replace(
                    leg,
                    bridged=bridge_id is not None and bridge_of.get(leg.leg_id) == bridge_id,
                )
                for leg in legs_of.get(channel.id, ())
            )
            found.append(
                sig.CallerAdopted(
                    call, answered=channel.state == "Up", bridge_id=bridge_id, legs=legs
                )
            )
        # A caller alone in its bridge is waiting, or its agent talked and left unrecorded:
        # only those cost a request (``ANSWERED_BY``), all at once, to keep a takeover short.
        alone = [
            adopted.call.key.call_id
            for adopted in found
            if adopted.bridge_id is not None and not any(leg.bridged for leg in adopted.legs)
        ]
        marks = dict(zip(alone, await self._answered_by_all(alone), strict=True))
        for adopted in found:
            adopted = replace(adopted, answered_by=marks.get(adopted.call.key.call_id))
            logger.info("site %s: adopting inbound channel %s", self.site, adopted.call.key)
            self._admit_adopted(adopted)
            claimed.update(leg.leg_id for leg in adopted.legs)
            if adopted.bridge_id is not None:
                claimed.add(adopted.bridge_id)
        # A callback's taxpayer leg has an id the service chose; its Stasis args say it is ours.
        callbacks = [c.id for c in channels.values() if self._our_args(c)[:1] == [CALLBACK_ARG]]
        owned_now = self._channels.keys() | claimed
        hangups: list[tuple[CallKey, list[act.Action]]] = []
        for channel_id in orphan_legs(channels, owned=owned_now, also=callbacks):
            # A leg of a call this controller lost (ringing or talking when the service stopped):
            # left up, an agent or a taxpayer would wait in silence for a bridge that never comes.
            logger.info("site %s: hanging up orphan leg %s", self.site, channel_id)
            hangups.append((CallKey(self.site, channel_id), [act.Hangup(channel_id)]))
        await self._run_all(hangups)
        owned = {state.bridge_id for state in self._calls.values() if state.bridge_id}
        destroys: list[tuple[CallKey, list[act.Action]]] = []
        for bridge in bridges:
            if bridge.id.startswith(f"{ID_PREFIX}-") and bridge.id not in owned | claimed:
                logger.info("site %s: destroying orphan bridge %s", self.site, bridge.id)
                destroys.append((CallKey(self.site, bridge.id), [act.DestroyBridge(bridge.id)]))
        await self._run_all(destroys)
        await self.drain()

    async def _run_all(self, work: list[tuple[CallKey, list[act.Action]]]) -> None:
        """Each orphan's cleanup, a few at a time: each is a round trip of its own, and one
        after another they held a takeover up (50 legs left ringing at 300 calls in flight)."""
        slots = asyncio.Semaphore(RESYNC_READS)

        async def one(key: CallKey, actions: list[act.Action]) -> None:
            async with slots:
                await self._executor.run(key, actions)

        await asyncio.gather(*(one(key, actions) for key, actions in work))

    async def _answered_by_all(self, channel_ids: list[str]) -> list[str | None]:
        """``_answered_by`` of each channel, a few requests at a time (Asterisk serves them in
        parallel; hundreds at once would only queue in its HTTP server)."""
        slots = asyncio.Semaphore(RESYNC_READS)

        async def one(channel_id: str) -> str | None:
            async with slots:
                return await self._answered_by(channel_id)

        return list(await asyncio.gather(*(one(channel_id) for channel_id in channel_ids)))

    async def _answered_by(self, channel_id: str) -> str | None:
        """The agent a caller's channel names as having answered it (``ANSWERED_BY``), if any."""
        try:
            found = await self._client.get_channel_variable(channel_id, ANSWERED_BY)
        except AriNotFoundError:
            return None  # never answered (or the caller has just left: its events follow)
        except AriError as error:
            # Not knowing, the caller waits again as the record says: the old behaviour.
            logger.warning(
                "site %s: reading %s of %s: %s", self.site, ANSWERED_BY, channel_id, error
            )
            return None
        return found.value or None

    def _our_args(self, channel: Channel) -> list[str]:
        """The Stasis args of a channel in our app (``[]`` for any other channel)."""
        app_args = channel.dialplan.app_data.split(",")
        if channel.dialplan.app_name != "Stasis" or app_args[:1] != [self._client.app]:
            return []
        return app_args[1:]

    def _admit_adopted(self, adopted: sig.CallerAdopted) -> None:
        call_id = adopted.call.key.call_id
        self._calls[call_id] = new_call(call_id, new_id(ID_PREFIX), self._options.media)
        self._inbound[adopted.call.key] = adopted.call
        self._channels[call_id] = call_id
        for leg in adopted.legs:
            self._channels[leg.leg_id] = call_id  # their events are the call's from now on
        self._submit(call_id, adopted)

    # ------------------------------------------------------------------ CallLookup

    def call_of_channel(self, channel_id: str) -> str | None:
        return self._channels.get(channel_id)

    def is_caller(self, call_id: str, channel_id: str) -> bool:
        return call_id == channel_id

    # ------------------------------------------------------------------ CallControl

    def _key(self, key: CallKey) -> str | None:
        if key.site != self.site:
            raise WrongSiteError(f"call {key} belongs to site {key.site!r}, not {self.site!r}")
        if key.call_id not in self._calls:
            logger.info("site %s: command for unknown or finished call %s ignored", self.site, key)
            return None
        return key.call_id

    def _command(self, key: CallKey, command: sig.CallEvent) -> None:
        call_id = self._key(key)
        if call_id is not None:
            self._submit(call_id, command)

    async def offer(
        self, key: CallKey, *, agent_id: str, endpoint: str, ring_timeout_s: float
    ) -> None:
        leg_id = new_id(LEG_PREFIX)
        self._command(key, sig.OfferCommand(agent_id, endpoint, ring_timeout_s, leg_id))

    async def cancel_offer(self, key: CallKey, *, agent_id: str) -> None:
        self._command(key, sig.CancelOfferCommand(agent_id))

    async def announce(
        self, key: CallKey, *, position: int | None, expected_wait_s: float | None
    ) -> None:
        self._command(key, sig.AnnounceCommand(position, expected_wait_s))

    async def offer_callback(self, key: CallKey) -> None:
        self._command(key, sig.OfferCallbackCommand())

    async def divert(
        self,
        key: CallKey,
        *,
        target: str,
        voicemail: VoicemailSpec | None = None,
        prompt: tuple[str, ...] = (),
    ) -> None:
        self._command(key, sig.DivertCommand(target, voicemail, prompt))

    async def hold(self, key: CallKey) -> None:
        self._command(key, sig.HoldCommand())

    async def unhold(self, key: CallKey) -> None:
        self._command(key, sig.UnholdCommand())

    async def transfer(
        self, key: CallKey, *, agent_id: str, endpoint: str, ring_timeout_s: float
    ) -> None:
        leg_id = new_id(LEG_PREFIX)
        self._command(key, sig.TransferCommand(agent_id, endpoint, ring_timeout_s, leg_id))

    async def requeue(self, key: CallKey, *, line: str, language: str) -> None:
        self._command(key, sig.RequeueCommand(line, language))

    async def hangup(self, key: CallKey) -> None:
        self._command(key, sig.HangupCommand())

    async def place_callback(
        self,
        key: CallKey,
        *,
        agent_id: str,
        agent_endpoint: str,
        taxpayer_number: str,
        ring_timeout_s: float,
        plan: IvrPlan | None = None,
    ) -> None:
        if key.site != self.site:
            raise WrongSiteError(f"call {key} belongs to site {key.site!r}, not {self.site!r}")
        if key.call_id in self._calls:
            logger.info("site %s: callback %s already in progress; ignored", self.site, key)
            return
        state = new_call(key.call_id, new_id(ID_PREFIX), self._options.media)
        self._calls[key.call_id] = state
        self._index(state)
        endpoint = self._options.trunk_endpoint.format(number=taxpayer_number)
        command = sig.PlaceCallbackCommand(
            agent_id=agent_id,
            agent_endpoint=agent_endpoint,
            taxpayer_endpoint=endpoint,
            taxpayer_number=taxpayer_number,
            ring_timeout_s=ring_timeout_s,
            leg_id=new_id(LEG_PREFIX),
            plan=plan,
        )
        self._submit(key.call_id, command)

    # ------------------------------------------------------------------ lanes

    def _submit(self, call_id: str, event: sig.CallEvent) -> None:
        self._lanes.submit(SiteKey(self.site, call_id), (call_id, event))

    def _timer_fired(self, key: CallKey, name: str, token: int) -> None:
        if key.call_id in self._calls:
            self._submit(key.call_id, sig.TimerFired(name, token))

    async def _apply(self, item: _LaneItem) -> None:
        call_id, first = item
        if isinstance(first, _StrayLeg):
            if call_id not in self._channels:  # still nobody's (a resync may have adopted it)
                logger.info("site %s: hanging up stray leg %s", self.site, call_id)
                await self._executor.run(CallKey(self.site, call_id), [act.Hangup(call_id)])
            return
        key = CallKey(self.site, call_id)
        pending: deque[sig.CallEvent] = deque([first])
        while pending:
            state = self._calls.get(call_id)
            if state is None:
                return  # finished meanwhile: late events are no-ops
            event = pending.popleft()
            new_state, actions = transition(state, event, self._options.clock())
            journal = act.Journal(f"event:{type(event).__name__}", _event_data(event))
            actions = _requests_first([journal, *actions])
            if new_state != state:
                self._calls[call_id] = new_state
                # Index legs before originating them: their events may beat the response.
                self._index(new_state)
            if actions:
                pending.extend(await self._executor.run(key, actions))
            if new_state.finished:
                self._forget(new_state)
                return

    def _index(self, state: CallState) -> None:
        for channel_id in state.channel_ids():
            self._channels[channel_id] = state.call_id

    def _forget(self, state: CallState) -> None:
        self._timers.cancel(CallKey(self.site, state.call_id))
        if self._calls.pop(state.call_id, None) is not None:
            self.calls_finished += 1
        self._inbound.pop(CallKey(self.site, state.call_id), None)
        for channel_id in state.channel_ids():
            if self._channels.get(channel_id) == state.call_id:
                del self._channels[channel_id]

    def _lane_failed(self, key: SiteKey, item: _LaneItem, error: Exception) -> None:
        self.lane_errors += 1
        logger.error("site %s: call %s failed on %r", self.site, key.id, item[1], exc_info=error)


__all__ = [
    "ID_PREFIX",
    "LEG_PREFIX",
    "CallControlError",
    "ControllerOptions",
    "SiteCallController",
    "WrongSiteError",
]
