"""One emulated time for the whole stack: the service reads the emulator's clock.

The emulator runs ``speed`` emulated seconds per real second; giving the service a clock that
reads the very same time makes its call records, routing stages, wrap-up and token lifetimes all
run in emulated seconds, so the records compare directly with the offline simulation.

One gap: the ACD loop arms its next routing timer for ``due - now`` *loop* seconds, which at a
speed-up fires late by that factor. :func:`keep_ticking` closes it from the outside by feeding
routing a ``Tick`` every ``tick_s`` emulated seconds (a tick with nothing due costs next to
nothing), so wrap-up ends and stage changes are at most ``tick_s`` late.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Protocol


class EmulatedTime(Protocol):
    def now(self) -> float:
        """Emulated seconds since the Unix epoch."""
        ...


class EmulatedClock:
    """The service's :class:`hotline.clock.Clock`, reading the emulator's scheduler.

    ``behind_s`` sets it that far back. Emulated time starts at the wall clock and runs ahead
    of it; the sign-in tokens' issue time is checked against the operating system's clock (by
    the JWT library), so the service's clock is kept behind the wall clock for the whole run.
    """

    def __init__(self, time: EmulatedTime, behind_s: float = 0.0) -> None:
        self._time = time
        self._behind_s = behind_s

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.epoch_s(), tz=UTC)

    def epoch_s(self) -> float:
        return self._time.now() - self._behind_s


class Ticking(Protocol):
    async def tick(self) -> None: ...


async def keep_ticking(acd: Ticking, tick_s: float, speed: float) -> None:
    """Feed routing a Tick every ``tick_s`` emulated seconds until cancelled."""
    period = tick_s / speed
    while True:
        await asyncio.sleep(period)
        await acd.tick()
