"""The resilient ARI event stream of one site.

Lifecycle of :class:`EventStream` (one per Asterisk server)::

    connect ws(s)://host/ari/events?app=<app>   (Authorization header, websocket ping/pong)
      -> await on_connected(site)                (resync: GET channels/bridges, reconcile)
      -> connected = True                        (the site counts as ready in /readyz)
      -> read events; route each inline (``router``) or dispatch it in per-key order (``handler``)
    connection lost / ping timeout / ApplicationReplaced / resync failed
      -> connected = False, wait a jittered exponential backoff, connect again (forever;
         at most ~2 s apart once the site has worked, see ``Backoff.recovering_maximum``)

Asterisk never replays events missed while the socket was down, hence the resync before the site
counts as connected. Events that arrive during the resync stay queued in the websocket and are
handled after it, in order. A malformed or unknown message, or a failing handler, is logged and
counted and never stops the stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from cti.ari.backoff import Backoff
from cti.ari.client import EventEndpoint
from cti.ari.dispatch import OrderedDispatcher
from cti.ari.events import UnknownEvent, event_source, parse_event
from cti.ari.health import SiteHealth
from cti.ari.keys import SiteKey
from cti.ari.models import ApplicationReplaced, Event
from cti.errors import AriEventError

logger = logging.getLogger(__name__)

EventHandler = Callable[[str, Event], Awaitable[None]]
"""``handler(site, event)``; runs in per-key order (see :func:`cti.ari.events.event_source`)."""
EventRouter = Callable[[str, Event], None]
"""``router(site, event)``: called inline by the reader, in arrival order. It must only hand the
event on (the call controller queues it in its call's lane) and never block."""
ResyncHook = Callable[[str], Awaitable[None]]
"""``on_connected(site)``; must reconcile engine state with GET /channels and /bridges."""

_RAW_PREVIEW = 200
_READ_SLICE_S = 0.001
"""The reader yields to the event loop once it has worked this long without a break."""


class _RedactAuthorization(logging.Filter):
    """websockets logs handshake headers at DEBUG; never let the Basic credentials through."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 2 and str(args[0]).lower() == "authorization":
            record.args = (args[0], "<redacted>")
        return True


_websocket_logger = logging.getLogger("cti.ari.websocket")
_websocket_logger.addFilter(_RedactAuthorization())


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _preview(raw: str | bytes) -> str:
    text = raw if isinstance(raw, str) else raw.decode("utf-8", errors="replace")
    return text if len(text) <= _RAW_PREVIEW else text[:_RAW_PREVIEW] + "..."


class EventStream:
    """Keeps one site's ARI websocket connected and feeds its events to ``handler``.

    Events go either to ``handler``, run through an :class:`OrderedDispatcher` (a lane per
    resource, so a handler may await), or to ``router``, called inline: the call controller
    routes an event into its call's lane at once, and one hop through a second set of lanes
    would only add a task and a trip round the event loop to every event.

    ``random`` and ``sleep`` are injectable so tests can drive the backoff without waiting;
    ``dispatcher`` may be shared between sites (keys are :class:`SiteKey`, so they never clash).
    """

    def __init__(
        self,
        site: str,
        endpoint: EventEndpoint,
        handler: EventHandler | None = None,
        *,
        router: EventRouter | None = None,
        on_connected: ResyncHook | None = None,
        backoff: Backoff | None = None,
        ping_interval: float = 20.0,
        ping_timeout: float = 20.0,
        open_timeout: float = 10.0,
        close_timeout: float = 2.0,
        max_message_bytes: int = 8 * 1024 * 1024,
        random_source: Callable[[], float] = random.random,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        dispatcher: OrderedDispatcher[SiteKey, tuple[str, Event]] | None = None,
    ) -> None:
        if (handler is None) == (router is None):
            raise ValueError("give an EventStream either a handler or a router")
        self.site = site
        self.health = SiteHealth(site=site)
        self._endpoint = endpoint
        self._handler = handler
        self._router = router
        self._on_connected = on_connected
        self._backoff = backoff or Backoff()
        self._connect_options: dict[str, Any] = {
            "ping_interval": ping_interval,
            "ping_timeout": ping_timeout,
            "open_timeout": open_timeout,
            "close_timeout": close_timeout,
            "max_size": max_message_bytes,
            "proxy": None,  # ARI lives on the internal network; never route it via $HTTP_PROXY
            "logger": _websocket_logger,
        }
        self._random = random_source
        self._sleep = sleep
        self._clock = clock
        self._dispatcher = dispatcher or OrderedDispatcher(
            self._run_handler, on_error=self._lane_failed, name=f"ari:{site}"
        )
        self._owns_dispatcher = dispatcher is None
        self._connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._connections = 0

    # ------------------------------------------------------------------ public API

    @property
    def connected(self) -> bool:
        return self.health.connected

    @property
    def dispatcher(self) -> OrderedDispatcher[SiteKey, tuple[str, Event]]:
        return self._dispatcher

    def start(self) -> None:
        """Start the connect/read loop in the background (idempotent)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"ari-events:{self.site}"
            )

    async def wait_connected(self) -> None:
        """Return once the site is connected and resynced."""
        await self._connected.wait()

    async def drain(self) -> None:
        """Wait until every event read so far has been handled."""
        await self._dispatcher.join()

    async def close(self) -> None:
        """Stop reading, close the websocket, cancel pending handlers; returns promptly."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._owns_dispatcher:
            await self._dispatcher.close()
        self._set_connected(False, None)

    # ------------------------------------------------------------------ connection loop

    async def _run(self) -> None:
        failures = 0
        worked = False  # has this site ever been connected and resynced?
        while True:
            healthy, reason = await self._connect_and_read()
            if healthy:
                failures = 0  # the connection worked; start the backoff from the bottom again
                worked = True
            # A site that worked is retried at least every couple of seconds however long it
            # stays away: callers meanwhile go to the dialplan's fallback (docs/cti.md).
            delay = self._backoff.delay(failures, self._random, recovering=worked)
            failures += 1
            logger.warning(
                "ARI site %s: events stream down (%s); reconnecting in %.2fs",
                self.site,
                reason,
                delay,
            )
            await self._sleep(delay)

    async def _connect_and_read(self) -> tuple[bool, str]:
        """One connection's life; returns (was it healthy, why it ended)."""
        resynced = False
        try:
            async with connect(
                self._endpoint.url,
                additional_headers=dict(self._endpoint.headers),
                **self._connect_options,
            ) as websocket:
                if self._on_connected is not None:
                    await self._on_connected(self.site)
                resynced = True
                self._connections += 1
                if self._connections > 1:
                    self.health.reconnects += 1
                self._set_connected(True, None)
                logger.info("ARI site %s: events stream connected", self.site)
                replaced = await self._read(websocket)
            reason = "ApplicationReplaced" if replaced else "closed by Asterisk"
            self._set_connected(False, reason)
            return resynced and not replaced, reason
        except asyncio.CancelledError:
            raise
        except Exception as error:
            # Handshake refused (401, 400), connection reset, ping timeout, resync failure...
            reason = _describe(error) if resynced else f"before resync: {_describe(error)}"
            self._set_connected(False, reason)
            return resynced, reason

    async def _read(self, websocket: ClientConnection) -> bool:
        """Read until the socket closes; True if Asterisk replaced this app's socket."""
        clock = time.perf_counter
        slice_started = clock()
        async for message in websocket:
            event = self._accept(message)
            if isinstance(event, ApplicationReplaced):
                # Asterisk keeps the old socket open but sends nothing more on it.
                logger.warning("ARI site %s: another client took over app events", self.site)
                return True
            if clock() - slice_started > _READ_SLICE_S:
                # websockets hands out buffered messages without suspending, so a burst would be
                # parsed in one go while the calls it concerns wait to send their requests.
                await asyncio.sleep(0)
                slice_started = clock()
        return False

    # ------------------------------------------------------------------ events

    def _accept(self, message: str | bytes) -> Event | None:
        self.health.events_received += 1
        try:
            event = parse_event(message)
        except AriEventError as error:
            self.health.events_malformed += 1
            logger.warning(
                "ARI site %s: dropped malformed event (%s): %s",
                self.site,
                error.reason,
                _preview(message),
            )
            return None
        if isinstance(event, UnknownEvent):
            self.health.events_unknown += 1
            logger.info("ARI site %s: ignored unknown event type %s", self.site, event.type)
            return None
        if self._router is not None:
            try:
                self._router(self.site, event)
            except Exception as error:
                self._handler_failed(SiteKey(self.site, event_source(event) or ""), event, error)
            return event
        source = event_source(event) or ""
        self._dispatcher.submit(SiteKey(self.site, source), (self.site, event))
        return event

    async def _run_handler(self, item: tuple[str, Event]) -> None:
        site, event = item
        assert self._handler is not None  # lanes exist only for a handler
        await self._handler(site, event)

    def _lane_failed(self, key: SiteKey, item: tuple[str, Event], error: Exception) -> None:
        self._handler_failed(key, item[1], error)

    def _handler_failed(self, key: SiteKey, event: Event, error: Exception) -> None:
        self.health.handler_errors += 1
        logger.error(
            "ARI site %s: handler failed on %s for %s", key.site, event.type, key, exc_info=error
        )

    def _set_connected(self, connected: bool, error: str | None) -> None:
        if error is not None:
            self.health.last_error = error
        if connected == self.health.connected:
            return
        self.health.connected = connected
        self.health.since = self._clock()
        if connected:
            self._connected.set()
        else:
            self._connected.clear()


__all__ = ["EventHandler", "EventRouter", "EventStream", "ResyncHook"]
