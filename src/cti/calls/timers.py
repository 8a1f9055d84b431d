"""Digit and survey timeouts on the asyncio loop.

A timer does not act by itself: when it fires it hands ``TimerFired(name, token)`` to the call's
lane, and the state machine ignores it unless the token is still the current one. Cancelling is
therefore only housekeeping, never needed for correctness.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from cti.calls.ports import CallKey

FireCallback = Callable[[CallKey, str, int], None]


class CallTimers:
    """Pending timers, grouped by call so a finished call can drop its own."""

    def __init__(self, fire: FireCallback, *, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError("timer scale must be positive")
        self._fire = fire
        self._scale = scale
        self._handles: dict[CallKey, list[asyncio.TimerHandle]] = {}

    def start(self, key: CallKey, name: str, seconds: float, token: int) -> None:
        loop = asyncio.get_running_loop()
        handles = self._handles.setdefault(key, [])
        handles[:] = [handle for handle in handles if not handle.cancelled()]
        handles.append(loop.call_later(seconds / self._scale, self._fire, key, name, token))

    def cancel(self, key: CallKey) -> None:
        for handle in self._handles.pop(key, []):
            handle.cancel()

    def close(self) -> None:
        for key in list(self._handles):
            self.cancel(key)

    @property
    def pending_calls(self) -> int:
        return len(self._handles)


__all__ = ["CallTimers", "FireCallback"]
