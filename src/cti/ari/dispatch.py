"""Per-key ordered, cross-key concurrent dispatch of events.

ARI delivers one channel's events in order (StasisStart before ChannelStateChange before StasisEnd)
and a call's handler awaits REST calls in between, so events of one channel must be handled one
after the other. Different channels must not wait for each other: one slow call must not delay
every other caller on the site. Each key gets a lane (a queue plus one worker task) that exists only
while it has work, so memory follows the number of busy channels, not the number ever seen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

KeyT = TypeVar("KeyT", bound=Hashable)
ItemT = TypeVar("ItemT")

ErrorCallback = Callable[[KeyT, ItemT, Exception], None]


class OrderedDispatcher(Generic[KeyT, ItemT]):
    """Run ``handler(item)`` for items of one key strictly in submission order.

    A handler exception is reported to ``on_error`` (default: logged) and the lane goes on with
    the next item: one bad event never blocks a channel, let alone the stream.
    """

    def __init__(
        self,
        handler: Callable[[ItemT], Awaitable[None]],
        *,
        on_error: ErrorCallback[KeyT, ItemT] | None = None,
        name: str = "dispatch",
    ) -> None:
        self._handler = handler
        self._on_error = on_error
        self._name = name
        self._lanes: dict[KeyT, deque[ItemT]] = {}
        self._workers: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def active_lanes(self) -> int:
        """Keys that currently have a worker (busy or queued work)."""
        return len(self._lanes)

    @property
    def pending(self) -> int:
        """Items submitted and not yet fully handled."""
        return sum(len(lane) for lane in self._lanes.values())

    def submit(self, key: KeyT, item: ItemT) -> None:
        """Queue ``item`` behind earlier items of ``key``; never blocks."""
        lane = self._lanes.get(key)
        if lane is not None:
            lane.append(item)
            return
        lane = deque([item])
        self._lanes[key] = lane
        self._idle.clear()
        worker = asyncio.get_running_loop().create_task(
            self._drain(key, lane), name=f"{self._name}:{key}"
        )
        self._workers.add(worker)
        worker.add_done_callback(self._workers.discard)

    async def _drain(self, key: KeyT, lane: deque[ItemT]) -> None:
        try:
            while lane:
                # The item stays in the lane while it runs, so submit() appends behind it
                # instead of starting a second worker for the same key.
                item = lane[0]
                try:
                    await self._handler(item)
                except Exception as error:
                    self._report(key, item, error)
                lane.popleft()
        finally:
            # No await between the emptiness check above and this removal, so no submit() can
            # slip an item into a lane that is being dropped.
            if self._lanes.get(key) is lane:
                del self._lanes[key]
            if not self._lanes:
                self._idle.set()

    def _report(self, key: KeyT, item: ItemT, error: Exception) -> None:
        if self._on_error is not None:
            try:
                self._on_error(key, item, error)
            except Exception:
                logger.exception("%s: error callback failed for key %s", self._name, key)
            return
        logger.error("%s: handler failed for key %s", self._name, key, exc_info=error)

    async def join(self) -> None:
        """Wait until every submitted item has been handled."""
        await self._idle.wait()

    async def close(self) -> None:
        """Cancel in-flight and queued work (shutdown); the dispatcher stays usable."""
        workers = list(self._workers)
        for worker in workers:
            worker.cancel()
        for worker in workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        self._lanes.clear()
        self._idle.set()


__all__ = ["OrderedDispatcher"]
