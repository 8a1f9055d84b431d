"""What a live run is asked to do, and the limits that keep it within one machine's reach."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SPEED = 20.0
# More callers than this at once and the stack, not the centre, becomes the bottleneck on a
# small machine (each caller is a channel, a bridge, a websocket stream of events and DB rows).
MAX_CONCURRENT_CALLERS = 300
# Calls placed per real second beyond which the run measures the machine rather than the centre.
MAX_CALLS_PER_REAL_S = 25.0


@dataclass(frozen=True, slots=True)
class LiveOptions:
    """``database_url`` None: a throw-away SQLite file in a temporary folder."""

    speed: float = DEFAULT_SPEED
    database_url: str | None = None
    seed: int | None = None  # None: the scenario's
    # After the day: calls still in the system get this many emulated seconds to finish.
    drain_cap_s: float = 3600.0
    # How often (emulated seconds) routing's timers are given a chance to fire; see clock.py.
    tick_s: float = 0.5
    max_concurrent_callers: int = MAX_CONCURRENT_CALLERS
    max_calls_per_real_s: float = MAX_CALLS_PER_REAL_S
