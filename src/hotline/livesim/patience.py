"""Callers' patience, counted from queue entry as in the scenario (and the offline model).

The emulated phone's own patience runs from the moment the IVR answers, and the IVR's length
varies with the stack's latency (multiplied by the speed-up), so it cannot stand for the
scenario's. Instead the keeper follows the service's wallboard feed, as a supervisor's screen
would: when a call enters the queue, its record gives the queue entry time; if the call is not
answered when its patience has run out (in emulated time), the keeper hangs the taxpayer's phone
up in the emulator.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from cti.emulator import AriError, RunningEmulator
from hotline.bus import EventBus
from hotline.livesim.clock import EmulatedClock

WALLBOARD = "wallboard"
# call record id -> (its channel id, its queue entry time), from the service's records
QueueEntry = Callable[[int], Awaitable[tuple[str, datetime] | None]]


class PatienceKeeper:
    def __init__(
        self, emulator: RunningEmulator, clock: EmulatedClock, queue_entry: QueueEntry
    ) -> None:
        self._emulator = emulator
        self._clock = clock
        self._queue_entry = queue_entry
        # The `;2` channel the service sees -> (the taxpayer's phone channel, patience).
        self._expected: dict[str, tuple[str, float]] = {}
        self._done: set[int] = set()  # call record ids answered or gone: never hung up
        self.hung_up = 0
        self.missed_messages = 0  # the feed overflowed (never seen: the keeper keeps up)

    def expect(self, placed: dict[str, Any], patience_s: float | None) -> None:
        """A call just placed (``place_call``'s answer) and its patience; None: waits for ever."""
        if patience_s is not None:
            phone = str(placed["phone_channel_id"])
            self._expected[str(placed["channel_id"])] = (phone, patience_s)

    async def watch(self, bus: EventBus) -> None:
        """Follow the wallboard until cancelled."""
        async with bus.subscribe(WALLBOARD) as feed:
            async for message in feed:
                if message.get("type") == "overflow":
                    self.missed_messages += int(message.get("dropped", 0))
                elif message.get("type") == "call":
                    await self._on_call(message)

    async def _on_call(self, message: dict[str, Any]) -> None:
        call_id = int(message["call_id"])
        if message.get("phase") in ("talk", "ended") or "outcome" in message:
            self._done.add(call_id)
            return
        if message.get("phase") != "queue":
            return
        entry = await self._queue_entry(call_id)
        expected = self._expected.pop(entry[0], None) if entry else None
        if entry is None or expected is None:
            return
        phone, patience_s = expected
        due_in = entry[1].timestamp() + patience_s - self._clock.epoch_s()
        self._emulator.emulator.scheduler.call_later(due_in, lambda: self._give_up(call_id, phone))

    def _give_up(self, call_id: int, phone: str) -> None:
        if call_id in self._done:
            return
        self._done.add(call_id)
        with contextlib.suppress(AriError):  # the caller had already gone
            self._emulator.core.hang_up_taxpayer(phone)
            self.hung_up += 1
