"""One event stream and one call controller per configured Asterisk site.

``CtiSites`` is what the service starts in its lifespan: it owns an :class:`~cti.ari.AriClient`,
an :class:`~cti.ari.EventStream` (with the controller's resync as ``on_connected``) and a
:class:`~cti.calls.controller.SiteCallController` per site, exposes per-site health for
``/readyz`` and implements :class:`~cti.calls.ports.CallControl` by sending each command to the
controller of the call's site.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from cti.ari.client import AriClient, RestTransport
from cti.ari.fallback import collect_fallback_calls
from cti.ari.models import Event
from cti.ari.stream import EventStream
from cti.calls.controller import CallControlError, ControllerOptions, SiteCallController
from cti.calls.monitor import Monitor, SiteMonitors
from cti.calls.ports import (
    CallDirector,
    CallKey,
    IvrPlan,
    MonitorEndedHook,
    MonitorMode,
    RunningMonitor,
    VoicemailSpec,
)
from cti.calls.recording import SiteRecordings

logger = logging.getLogger(__name__)


class UnknownSiteError(CallControlError):
    """The command names a site that is not configured."""


@dataclass(frozen=True)
class SiteConfig:
    code: str
    ari_url: str  # http(s)://host:8088 (a trailing /ari is fine)
    username: str
    password: str = field(repr=False)
    app: str = "hotline"
    rest_transport: RestTransport = "http"
    """``websocket``: REST over a websocket (Asterisk 22 and later), far cheaper than HTTP."""
    callback_dial: str | None = None
    """How this site dials a taxpayer back (``{number}`` is replaced); None: the options'."""
    callback_caller_id: str | None = None
    """The caller id a callback presents to the taxpayer; None: the options' media default."""

    def controller_options(self, base: ControllerOptions | None) -> ControllerOptions:
        """``base`` with this site's dialling: one service, sites with differently named trunks."""
        options = base or ControllerOptions()
        if self.callback_dial is not None:
            options = replace(options, trunk_endpoint=self.callback_dial)
        if self.callback_caller_id is not None:
            media = replace(options.media, callback_caller_id=self.callback_caller_id)
            options = replace(options, media=media)
        return options


class SiteRunner:
    """Client + event stream + controller of one site."""

    def __init__(
        self,
        config: SiteConfig,
        director: CallDirector,
        *,
        options: ControllerOptions | None = None,
        stream_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.config = config
        self.client = AriClient(
            config.ari_url,
            config.username,
            config.password,
            config.app,
            rest_transport=config.rest_transport,
        )
        self.controller = SiteCallController(
            config.code, self.client, director, options=config.controller_options(options)
        )
        self.monitors = SiteMonitors(self.client, self.controller.call)
        self.recordings = SiteRecordings(self.client, self.controller.call)
        self.stream = EventStream(
            config.code,
            self.client.event_endpoint(),
            router=self._route,
            on_connected=self._connected,
            **dict(stream_options or {}),
        )

    def _route(self, site: str, event: Event) -> None:
        """A monitor's channels are the monitors'; everything else goes to the controller."""
        if not self.monitors.route_event(event):
            self.controller.route_event(site, event)

    async def _connected(self, site: str) -> None:
        await self.controller.resync(site)
        channels = await self.client.list_channels()
        await self.monitors.resync(channels, await self.client.list_bridges())
        try:
            missed = await collect_fallback_calls(self.client)
        except Exception as error:  # an old or locked-down Asterisk: the count is a nicety
            logger.warning("ARI site %s: fallback call count unreadable: %s", site, error)
            return
        if missed:
            self.stream.health.fallback_calls += missed
            logger.warning(
                "ARI site %s: %d call(s) went to the dialplan fallback while the service was "
                "away (docs/cti.md)",
                site,
                missed,
            )

    def start(self) -> None:
        self.stream.start()

    def health(self) -> dict[str, Any]:
        return {**self.stream.health.as_dict(), **self.controller.stats()}

    async def stop(self) -> None:
        await self.stream.close()
        await self.monitors.close()
        await self.controller.close()
        await self.client.aclose()


class CtiSites:
    """Every configured site; a :class:`~cti.calls.ports.CallControl` routing by ``key.site``."""

    def __init__(
        self,
        configs: Iterable[SiteConfig],
        director: CallDirector,
        *,
        options: ControllerOptions | None = None,
        stream_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.runners: dict[str, SiteRunner] = {}
        for config in configs:
            if config.code in self.runners:
                raise ValueError(f"site {config.code!r} configured twice")
            self.runners[config.code] = SiteRunner(
                config, director, options=options, stream_options=stream_options
            )

    def start(self) -> None:
        for runner in self.runners.values():
            runner.start()

    async def wait_connected(self, timeout_s: float | None = None) -> None:
        waits = [runner.stream.wait_connected() for runner in self.runners.values()]
        await asyncio.wait_for(asyncio.gather(*waits), timeout_s)

    def health(self) -> dict[str, dict[str, Any]]:
        """Per-site health (``connected`` is true only after the resync succeeded)."""
        return {code: runner.health() for code, runner in self.runners.items()}

    @property
    def ready(self) -> bool:
        return all(runner.stream.connected for runner in self.runners.values())

    async def stop(self) -> None:
        for runner in self.runners.values():
            with contextlib.suppress(Exception):
                await runner.stop()

    def runner(self, site: str) -> SiteRunner:
        runner = self.runners.get(site)
        if runner is None:
            raise UnknownSiteError(f"no ARI site {site!r} is configured")
        return runner

    def controller(self, site: str) -> SiteCallController:
        return self.runner(site).controller

    # ------------------------------------------------------------------ CallSupervision

    async def start_monitor(self, key: CallKey, *, mode: MonitorMode, endpoint: str) -> str:
        monitor = await self.runner(key.site).monitors.start(
            key.call_id, mode=mode, endpoint=endpoint
        )
        return monitor.monitor_id

    async def switch_monitor(self, key: CallKey, monitor_id: str, *, mode: MonitorMode) -> None:
        await self.runner(key.site).monitors.switch(monitor_id, mode)

    async def stop_monitor(self, key: CallKey, monitor_id: str) -> None:
        await self.runner(key.site).monitors.stop(monitor_id)

    def monitor_endpoint(self, key: CallKey, monitor_id: str) -> str | None:
        monitor = self.runner(key.site).monitors.get(monitor_id)
        return None if monitor is None else monitor.endpoint

    def running_monitor(self, key: CallKey, monitor_id: str) -> RunningMonitor | None:
        monitor = self.runner(key.site).monitors.get(monitor_id)
        if monitor is None:
            return None
        return RunningMonitor(
            monitor.monitor_id, key, monitor.mode, monitor.agent_leg, monitor.endpoint
        )

    def adopt_monitors(self, monitors: list[RunningMonitor]) -> None:
        for known in monitors:
            runner = self.runners.get(known.key.site)
            if runner is not None:
                runner.monitors.adopt(
                    Monitor(
                        known.monitor_id,
                        known.key.call_id,
                        known.mode,
                        known.agent_leg,
                        known.endpoint,
                        adopted=True,
                    )
                )

    def watch_monitors(self, hook: MonitorEndedHook) -> None:
        for code, runner in self.runners.items():

            def ended(monitor: Monitor, site: str = code) -> None:
                hook(CallKey(site, monitor.call_id), monitor.monitor_id, monitor.ended or "")

            runner.monitors.on_ended = ended

    async def start_recording(self, key: CallKey, *, name: str) -> bool:
        return await self.runner(key.site).recordings.start(key.call_id, name)

    async def stop_recording(self, key: CallKey, *, name: str) -> None:
        await self.runner(key.site).recordings.stop(name)

    async def recording_state(self, key: CallKey, *, name: str) -> str | None:
        return await self.runner(key.site).recordings.state(key.call_id, name)

    async def recording_audio(self, site: str, name: str) -> tuple[bytes, str]:
        return await self.runner(site).recordings.audio(name)

    async def delete_recording(self, site: str, name: str) -> bool:
        return await self.runner(site).recordings.delete(name)

    # ------------------------------------------------------------------ CallControl

    async def offer(
        self, key: CallKey, *, agent_id: str, endpoint: str, ring_timeout_s: float
    ) -> None:
        await self.controller(key.site).offer(
            key, agent_id=agent_id, endpoint=endpoint, ring_timeout_s=ring_timeout_s
        )

    async def cancel_offer(self, key: CallKey, *, agent_id: str) -> None:
        await self.controller(key.site).cancel_offer(key, agent_id=agent_id)

    async def announce(
        self, key: CallKey, *, position: int | None, expected_wait_s: float | None
    ) -> None:
        await self.controller(key.site).announce(
            key, position=position, expected_wait_s=expected_wait_s
        )

    async def offer_callback(self, key: CallKey) -> None:
        await self.controller(key.site).offer_callback(key)

    async def divert(
        self,
        key: CallKey,
        *,
        target: str,
        voicemail: VoicemailSpec | None = None,
        prompt: tuple[str, ...] = (),
    ) -> None:
        await self.controller(key.site).divert(
            key, target=target, voicemail=voicemail, prompt=prompt
        )

    async def hold(self, key: CallKey) -> None:
        await self.controller(key.site).hold(key)

    async def unhold(self, key: CallKey) -> None:
        await self.controller(key.site).unhold(key)

    async def transfer(
        self, key: CallKey, *, agent_id: str, endpoint: str, ring_timeout_s: float
    ) -> None:
        await self.controller(key.site).transfer(
            key, agent_id=agent_id, endpoint=endpoint, ring_timeout_s=ring_timeout_s
        )

    async def requeue(self, key: CallKey, *, line: str, language: str) -> None:
        await self.controller(key.site).requeue(key, line=line, language=language)

    async def hangup(self, key: CallKey) -> None:
        await self.controller(key.site).hangup(key)

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
        await self.controller(key.site).place_callback(
            key,
            agent_id=agent_id,
            agent_endpoint=agent_endpoint,
            taxpayer_number=taxpayer_number,
            ring_timeout_s=ring_timeout_s,
            plan=plan,
        )


__all__ = ["CtiSites", "SiteConfig", "SiteRunner", "UnknownSiteError"]
