"""Jittered exponential backoff for reconnect loops.

Jitter matters because several processes (API replicas, a restarted leader) reconnect to the same
Asterisk after it restarts; without it they would all retry in lock-step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# 2.0 ** 64 seconds is already far beyond any sensible ceiling; the cap only keeps pow() finite.
_MAX_EXPONENT = 64


@dataclass(frozen=True)
class Backoff:
    """Delay before reconnect attempt ``n`` (0-based): ``ceiling/2 + U(0, ceiling/2)``, where
    ``ceiling = min(maximum, initial * multiplier ** n)`` ("equal jitter": never below half)."""

    initial: float = 0.5
    maximum: float = 30.0
    multiplier: float = 2.0
    recovering_maximum: float = 2.0
    """The ceiling while a link that has worked is down: its server is expected back (a restart,
    a network blip) and every second offline is a second in which calls reach the dialplan's
    fallback instead of the centre, so the retries stay frequent. A connect attempt that is
    refused costs next to nothing. ``maximum`` still paces a link that never came up (a wrong
    URL or password): retrying that quickly would only fill the log."""

    def __post_init__(self) -> None:
        if not 0 < self.initial <= self.maximum or self.multiplier < 1:
            raise ValueError("need 0 < initial <= maximum and multiplier >= 1")
        if self.recovering_maximum <= 0:
            raise ValueError("need 0 < recovering_maximum")

    def delay(
        self, attempt: int, random: Callable[[], float], *, recovering: bool = False
    ) -> float:
        """``random`` returns floats in [0, 1), e.g. ``random.Random(seed).random``;
        ``recovering``: the link has been healthy before (see ``recovering_maximum``)."""
        exponent = min(max(attempt, 0), _MAX_EXPONENT)
        maximum = min(self.maximum, self.recovering_maximum) if recovering else self.maximum
        ceiling = min(maximum, self.initial * self.multiplier**exponent)
        return ceiling / 2 + random() * ceiling / 2


__all__ = ["Backoff"]
