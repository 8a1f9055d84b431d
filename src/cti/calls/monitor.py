"""Supervisor monitoring of a talking call: listen, whisper, barge (ChanSpy done with ARI snoop).

A monitor is three things beside the call, never inside it: a snoop channel on the agent's leg,
the supervisor's own leg (their phone, dialled into the app) and a mixing bridge joining the
two. The modes differ only in the snoop's directions:

* ``listen``: spy ``both``, whisper ``none``: the supervisor hears agent and taxpayer;
* ``whisper``: spy ``both``, whisper ``out``: the supervisor also speaks to the agent alone;
* ``barge``: spy ``both``, whisper ``both``: the supervisor speaks to both.

Barge is a snoop whispering both ways rather than the supervisor's leg joining the call's
mixing bridge: that bridge belongs to the call's state machine (hold, transfers and the end of
the call move, empty and destroy it), the supervisor's leg stays in one place whatever the mode,
and every switch is the same operation (a new snoop replaces the old one). A snoop cannot
change its directions, so a switch starts the new snoop before hanging up the old.

The monitor ends by itself when the agent's leg goes (Asterisk hangs a snoop up with the channel
it spies on: the supervisor's leg is then hung up and the bridge destroyed, no orphan left) or
when the supervisor hangs up. Every id starts with :data:`MONITOR_PREFIX`, which the call
controller does not claim; :meth:`SiteMonitors.resync` clears what a restart left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from cti.ari.client import AriClient, SpyDirection, new_id
from cti.ari.models import Bridge, Channel, ChannelDestroyed, Event, StasisEnd, StasisStart
from cti.calls.model import CallState, Phase
from cti.calls.ports import MonitorMode, MonitorRefused, UnknownMonitor
from cti.errors import AriError

logger = logging.getLogger(__name__)

MONITOR_PREFIX = "hlm"
MONITOR_ARG = "monitor"
"""The first Stasis arg of a monitor's channels: ``monitor,<monitor id>``."""
MODES: tuple[MonitorMode, ...] = ("listen", "whisper", "barge")
_DIRECTIONS: dict[MonitorMode, tuple[SpyDirection, SpyDirection]] = {
    "listen": ("both", "none"),
    "whisper": ("both", "out"),
    "barge": ("both", "both"),
}
_TALK_PHASES = (Phase.TALKING, Phase.ON_HOLD)
SUPERVISOR_RING_S = 30
SUPERVISOR_CALLER_ID = '"Monitor" <12366>'


@dataclass
class Monitor:
    monitor_id: str
    call_id: str
    mode: MonitorMode
    agent_leg: str
    endpoint: str
    snoop_id: str = ""
    snoops: int = 0
    supervisor_answered: bool = False
    ended: str | None = None  # why it ended
    adopted: bool = False  # started by an earlier process: the next resync decides its fate

    @property
    def bridge_id(self) -> str:
        return f"{self.monitor_id}-b"

    @property
    def supervisor_leg(self) -> str:
        return f"{self.monitor_id}-sup"

    def next_snoop_id(self) -> str:
        self.snoops += 1
        return f"{self.monitor_id}-s{self.snoops}"


EndedHook = Callable[[Monitor], None]


@dataclass
class SiteMonitors:
    """The monitors of one site's calls. Feed it the site's ARI events with :meth:`route_event`
    (it takes only its own channels' events and returns whether it took one)."""

    client: AriClient
    call_state: Callable[[str], CallState | None]
    on_ended: EndedHook | None = None
    _monitors: dict[str, Monitor] = field(default_factory=dict)
    _queue: asyncio.Queue[Event] = field(default_factory=asyncio.Queue)
    _worker: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ commands

    def get(self, monitor_id: str) -> Monitor | None:
        return self._monitors.get(monitor_id)

    def adopt(self, monitor: Monitor) -> None:
        """A monitor an earlier process started (from the service's database): kept by the
        next :meth:`resync` if its legs are still up, ended there otherwise."""
        self._monitors.setdefault(monitor.monitor_id, monitor)

    async def start(self, call_id: str, *, mode: MonitorMode, endpoint: str) -> Monitor:
        """Snoop on the agent's leg and ring ``endpoint`` (the supervisor's phone) into it."""
        agent_leg = self._talking_leg(call_id)
        monitor = Monitor(new_id(MONITOR_PREFIX), call_id, mode, agent_leg, endpoint)
        self._monitors[monitor.monitor_id] = monitor  # before any request: events may come first
        try:
            await self.client.create_bridge("mixing", bridge_id=monitor.bridge_id)
            await self._snoop(monitor)
            await self.client.originate(
                endpoint,
                channel_id=monitor.supervisor_leg,
                app=self.client.app,
                app_args=[MONITOR_ARG, monitor.monitor_id],
                caller_id=SUPERVISOR_CALLER_ID,
                timeout=SUPERVISOR_RING_S,
            )
        except AriError as error:
            await self._end(monitor, f"refused by Asterisk: {error}")
            raise MonitorRefused(f"the monitor could not start: {error}") from error
        return monitor

    async def switch(self, monitor_id: str, mode: MonitorMode) -> Monitor:
        """Replace the snoop by one with ``mode``'s directions; the supervisor's leg stays."""
        monitor = self._live(monitor_id)
        self._talking_leg(monitor.call_id)
        if monitor.mode == mode:
            return monitor
        old = monitor.snoop_id
        monitor.mode = mode
        try:
            await self._snoop(monitor)
        except AriError as error:
            raise MonitorRefused(f"the mode could not change: {error}") from error
        await self._hang_up(old)
        return monitor

    async def stop(self, monitor_id: str) -> Monitor:
        monitor = self._live(monitor_id)
        await self._end(monitor, "stopped")
        return monitor

    def _live(self, monitor_id: str) -> Monitor:
        monitor = self._monitors.get(monitor_id)
        if monitor is None or monitor.ended is not None:
            raise UnknownMonitor(monitor_id)
        return monitor

    def _talking_leg(self, call_id: str) -> str:
        state = self.call_state(call_id)
        if state is None or state.finished or state.caller_gone:
            raise MonitorRefused("the call has ended")
        if state.phase not in _TALK_PHASES or state.talk_leg is None:
            raise MonitorRefused(f"the call is not in talk (phase '{state.phase.value}')")
        return state.talk_leg

    async def _snoop(self, monitor: Monitor) -> None:
        spy, whisper = _DIRECTIONS[monitor.mode]
        monitor.snoop_id = monitor.next_snoop_id()
        await self.client.snoop(
            monitor.agent_leg,
            app=self.client.app,
            spy=spy,
            whisper=whisper,
            app_args=[MONITOR_ARG, monitor.monitor_id],
            snoop_id=monitor.snoop_id,
        )

    async def _end(self, monitor: Monitor, reason: str) -> None:
        """Hang up both legs of the monitor and destroy its bridge (each may be gone already)."""
        if monitor.ended is not None:
            return
        monitor.ended = reason
        self._monitors.pop(monitor.monitor_id, None)
        await self._hang_up(monitor.snoop_id)
        await self._hang_up(monitor.supervisor_leg)
        with contextlib.suppress(AriError):
            await self.client.destroy_bridge(monitor.bridge_id)
        logger.info("monitor %s of call %s ended: %s", monitor.monitor_id, monitor.call_id, reason)
        if self.on_ended is not None:
            self.on_ended(monitor)

    async def _hang_up(self, channel_id: str) -> None:
        if channel_id:
            with contextlib.suppress(AriError):
                await self.client.hangup(channel_id)

    # ------------------------------------------------------------------ events

    def route_event(self, event: Event) -> bool:
        """Take an event about a monitor's channel (queued, handled in order); never blocks."""
        channel = getattr(event, "channel", None)
        channel_id = getattr(channel, "id", None)
        if not isinstance(channel_id, str) or not channel_id.startswith(f"{MONITOR_PREFIX}-"):
            return False
        if isinstance(event, StasisStart | StasisEnd | ChannelDestroyed):
            self._queue.put_nowait(event)
            if self._worker is None or self._worker.done():
                self._worker = asyncio.create_task(self._work(), name="monitor-events")
        return True

    async def _work(self) -> None:
        while not self._queue.empty():
            event = self._queue.get_nowait()
            try:
                await self._handle(event)
            except Exception:  # one bad event must not stop the others
                logger.exception("monitor event %s failed", event.type)

    async def _handle(self, event: Event) -> None:
        channel_id: str = event.channel.id  # type: ignore[attr-defined]
        monitor = self._owner(channel_id)
        if monitor is None:
            if isinstance(event, StasisStart):
                await self._hang_up(channel_id)  # a leg whose monitor already ended
            return
        if isinstance(event, StasisStart):
            if channel_id == monitor.supervisor_leg:
                monitor.supervisor_answered = True
            if channel_id in (monitor.supervisor_leg, monitor.snoop_id):
                with contextlib.suppress(AriError):
                    await self.client.add_channel(monitor.bridge_id, channel_id)
            return
        if channel_id == monitor.snoop_id:
            await self._end(monitor, "the agent's leg is gone")
        elif channel_id == monitor.supervisor_leg:
            answered = monitor.supervisor_answered
            await self._end(monitor, "the supervisor hung up" if answered else "not answered")

    def _owner(self, channel_id: str) -> Monitor | None:
        base = channel_id.removesuffix(";2")
        for monitor in self._monitors.values():
            if base.startswith(monitor.monitor_id):
                return monitor
        return None

    # ------------------------------------------------------------------ restart

    async def resync(self, channels: Collection[Channel], bridges: Collection[Bridge]) -> None:
        """After a (re)connect: end monitors whose legs are gone, clear channels and bridges of
        monitors this process does not know (it restarted while they ran)."""
        present = {channel.id for channel in channels}
        states = {channel.id: channel.state for channel in channels}
        bridge_ids = {bridge.id for bridge in bridges}
        for monitor in list(self._monitors.values()):
            if monitor.adopted:
                if not self._take_over(monitor, present, states, bridge_ids):
                    await self._end(monitor, "gone while the service was down")
            elif monitor.snoop_id not in present or monitor.agent_leg not in present:
                await self._end(monitor, "gone while the link was down")
        for channel in channels:
            ours = channel.id.startswith(f"{MONITOR_PREFIX}-") and self._owner(channel.id) is None
            goes_with_first_half = channel.id.endswith(";2") and channel.id[:-2] in present
            if ours and not goes_with_first_half:
                logger.info("hanging up orphan monitor channel %s", channel.id)
                await self._hang_up(channel.id)
        for bridge in bridges:
            if bridge.id.startswith(f"{MONITOR_PREFIX}-") and self._owner(bridge.id) is None:
                with contextlib.suppress(AriError):
                    await self.client.destroy_bridge(bridge.id)

    @staticmethod
    def _take_over(
        monitor: Monitor, present: set[str], states: dict[str, str], bridge_ids: set[str]
    ) -> bool:
        """Carry on a monitor an earlier process started when its snoop, the agent's leg, the
        supervisor's leg and its bridge are all still there; False when it cannot."""
        prefix = f"{monitor.monitor_id}-s"
        numbers = [
            int(channel[len(prefix) :])
            for channel in present
            if channel.startswith(prefix) and channel[len(prefix) :].isdigit()
        ]
        legs_up = monitor.agent_leg in present and monitor.supervisor_leg in present
        if not numbers or not legs_up or monitor.bridge_id not in bridge_ids:
            return False
        monitor.snoops = max(numbers)
        monitor.snoop_id = f"{prefix}{monitor.snoops}"
        monitor.supervisor_answered = states.get(monitor.supervisor_leg) == "Up"
        monitor.adopted = False
        logger.info("monitor %s of call %s taken over", monitor.monitor_id, monitor.call_id)
        return True

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker


__all__ = [
    "MODES",
    "MONITOR_ARG",
    "MONITOR_PREFIX",
    "Monitor",
    "MonitorMode",
    "MonitorRefused",
    "SiteMonitors",
    "UnknownMonitor",
]
