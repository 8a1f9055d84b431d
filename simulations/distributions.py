"""Samplers for the scenario's durations, drawing from a ``random.Random`` that the caller owns.

Nothing here touches the module-level generator, so a replication is a pure function of its seed.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable

from simulations.scenario import Distribution

Sampler = Callable[[], float]


def sampler(distribution: Distribution, rng: random.Random) -> Sampler:
    """A zero-argument function returning one duration in seconds per call."""
    mean = distribution.mean_s
    if distribution.kind == "exponential":
        # partial rather than a lambda: one Python frame per draw instead of two.
        return functools.partial(rng.expovariate, 1.0 / mean)
    if distribution.kind == "lognormal":
        # Choose the underlying normal so that the lognormal has the requested mean and CV.
        sigma_squared = math.log(1.0 + distribution.cv**2)
        mu = math.log(mean) - sigma_squared / 2.0
        sigma = math.sqrt(sigma_squared)
        return functools.partial(rng.lognormvariate, mu, sigma)
    return lambda: mean


Draw = tuple[Callable[[], float], float]
"""``(source, rate)``: with ``rate > 0`` a duration is ``-log(1 - source()) / rate`` (exponential,
``source`` a generator's ``random``); with ``rate == 0`` it is ``source()`` (any other sampler)."""


def draw(distribution: Distribution, rng: random.Random) -> Draw:
    """Like `sampler`, for callers that draw once per simulated call and inline the exponential.

    The inline expression is ``random.expovariate``'s own (``-log(1.0 - random()) / lambd``), so
    the stream and every number drawn stay the same, without a Python frame per draw.
    """
    if distribution.kind == "exponential":
        return rng.random, 1.0 / distribution.mean_s
    return sampler(distribution, rng), 0.0
