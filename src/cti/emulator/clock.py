"""Emulated time: one clock with a speed factor and one scheduler for every timer.

Asterisk's behaviour is full of delays (a softphone rings 2 s, a prompt lasts 1.4 s).  Tests and the
live simulator want the same sequences faster, so every delay in the emulator is expressed in
*emulated* seconds and converted to loop seconds by the speed factor in exactly one place.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Protocol

Callback = Callable[[], None]


class TimerHandle(Protocol):
    def cancel(self) -> None: ...


class Scheduler(Protocol):
    """What the emulator core needs from time: a clock and delayed callbacks."""

    def now(self) -> float:
        """Emulated seconds since the Unix epoch."""
        ...

    def call_later(self, delay_s: float, callback: Callback) -> TimerHandle:
        """Run `callback` after `delay_s` emulated seconds."""
        ...

    def soon(self, callback: Callback) -> None:
        """Run `callback` as the next step after the current operation (no time passes)."""
        ...

    def drain(self) -> None:
        """Run every callback queued with `soon` (and those they queue) right now."""
        ...


def format_timestamp(epoch_s: float) -> str:
    """Asterisk's timestamp format: milliseconds and a `+0000` offset, never `Z`."""
    moment = datetime.fromtimestamp(epoch_s, tz=UTC)
    return f"{_second_prefix(int(moment.timestamp()))}{moment.microsecond // 1000:03d}+0000"


@lru_cache(maxsize=8)
def _second_prefix(second: int) -> str:
    # strftime was a tenth of the emulator's CPU under load; every event of a second shares it.
    return datetime.fromtimestamp(second, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.")


class _SoonQueue:
    """Zero-delay steps, run in order; shared by both schedulers."""

    def __init__(self) -> None:
        self._queue: deque[Callback] = deque()

    def push(self, callback: Callback) -> None:
        self._queue.append(callback)

    def drain(self) -> None:
        while self._queue:
            self._queue.popleft()()

    def __len__(self) -> int:
        return len(self._queue)


class AsyncioScheduler:
    """Timers on the running asyncio loop; `speed` emulated seconds pass per loop second.

    The clock can be paused (emulated time stops, timers wait) and, while paused, moved forward
    by hand with `advance`, which fires due timers in order.  Replays use that to be exactly on
    time whatever the machine load; everything else just lets the clock run.
    """

    def __init__(self, speed: float = 1.0, start_epoch: float | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._start_epoch = time.time() if start_epoch is None else start_epoch
        self._loop_start: float | None = None
        self._removed_loop_s = 0.0  # loop seconds spent paused
        self._paused_at: float | None = None
        self._shift_s = 0.0  # emulated seconds added by `advance`
        self._timers: list[_ManualTimer] = []
        self._order = itertools.count()
        self._armed: asyncio.TimerHandle | None = None
        self._soon = _SoonQueue()

    def _loop(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if self._loop_start is None:
            self._loop_start = loop.time()
        return loop

    def now(self) -> float:
        try:
            loop = self._loop()
        except RuntimeError:  # no running loop: time stands still until one exists
            return self._start_epoch + self._shift_s
        assert self._loop_start is not None
        loop_now = self._paused_at if self._paused_at is not None else loop.time()
        running_s = loop_now - self._loop_start - self._removed_loop_s
        return self._start_epoch + running_s * self.speed + self._shift_s

    def call_later(self, delay_s: float, callback: Callback) -> TimerHandle:
        timer = _ManualTimer(self.now() + max(0.0, delay_s), next(self._order), callback)
        heapq.heappush(self._timers, timer)
        if self._timers[0] is timer:
            self._arm()
        return timer

    def soon(self, callback: Callback) -> None:
        first = len(self._soon) == 0
        self._soon.push(callback)
        if first:
            self._loop().call_soon(self._soon.drain)

    def drain(self) -> None:
        self._soon.drain()

    # ------------------------------------------------------------------ pausing
    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def pause(self) -> None:
        if self._paused_at is None:
            self._paused_at = self._loop().time()
            self._disarm()

    def resume(self) -> None:
        if self._paused_at is not None:
            self._removed_loop_s += self._loop().time() - self._paused_at
            self._paused_at = None
            self._arm()

    def advance(self, seconds: float) -> None:
        """While paused: move emulated time forward, firing due timers in due order."""
        if not self.paused:
            raise RuntimeError("advance() needs a paused clock")
        target = self.now() + max(0.0, seconds)
        self.drain()
        while self._timers and self._timers[0].due <= target:
            timer = heapq.heappop(self._timers)
            if timer.cancelled:
                continue
            self._shift_s += max(0.0, timer.due - self.now())
            timer.callback()
            self.drain()
        self._shift_s += max(0.0, target - self.now())

    # ------------------------------------------------------------------ loop timer
    def _disarm(self) -> None:
        if self._armed is not None:
            self._armed.cancel()
            self._armed = None

    def _arm(self) -> None:
        self._disarm()
        while self._timers and self._timers[0].cancelled:
            heapq.heappop(self._timers)
        if self.paused or not self._timers:
            return
        wait_s = max(0.0, (self._timers[0].due - self.now()) / self.speed)
        self._armed = self._loop().call_later(wait_s, self._fire_due)

    def _fire_due(self) -> None:
        self._armed = None
        now = self.now()
        while self._timers and self._timers[0].due <= now and not self.paused:
            timer = heapq.heappop(self._timers)
            if not timer.cancelled:
                timer.callback()
                self._soon.drain()  # cascades settle within one tick
        self._arm()


@dataclass(order=True)
class _ManualTimer:
    due: float
    order: int
    callback: Callback = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class ManualScheduler:
    """Deterministic scheduler for pure tests: time moves only when `advance` is called."""

    def __init__(self, start_epoch: float = 1_795_325_526.0) -> None:
        self._now = start_epoch
        self._timers: list[_ManualTimer] = []
        self._order = itertools.count()
        self._soon = _SoonQueue()

    def now(self) -> float:
        return self._now

    def call_later(self, delay_s: float, callback: Callback) -> TimerHandle:
        timer = _ManualTimer(self._now + max(0.0, delay_s), next(self._order), callback)
        heapq.heappush(self._timers, timer)
        return timer

    def soon(self, callback: Callback) -> None:
        self._soon.push(callback)

    def drain(self) -> None:
        self._soon.drain()

    def advance(self, seconds: float) -> None:
        """Move time forward, firing every timer that falls due, in due order."""
        target = self._now + seconds
        self.drain()
        while self._timers and self._timers[0].due <= target:
            timer = heapq.heappop(self._timers)
            if timer.cancelled:
                continue
            self._now = timer.due
            timer.callback()
            self.drain()
        self._now = target
