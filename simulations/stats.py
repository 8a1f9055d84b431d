"""Summary statistics over replications: mean and the half-width of a 95% t confidence interval.

Replications are independent runs, so the classic interval mean +/- t(0.975, n-1) * s / sqrt(n)
applies. The t quantile comes from a table for small degrees of freedom and from the Cornish-Fisher
expansion around the normal quantile beyond it (error far below the third decimal there).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# t(0.975, df) for df = 1..30.
_T975 = (
    12.706204736,
    4.302652730,
    3.182446305,
    2.776445105,
    2.570581836,
    2.446911851,
    2.364624252,
    2.306004135,
    2.262157163,
    2.228138852,
    2.200985160,
    2.178812830,
    2.160368656,
    2.144786688,
    2.131449546,
    2.119905299,
    2.109815578,
    2.100922040,
    2.093024054,
    2.085963447,
    2.079613845,
    2.073873068,
    2.068657610,
    2.063898562,
    2.059538553,
    2.055529439,
    2.051830516,
    2.048407142,
    2.045229642,
    2.042272456,
)
_Z975 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class Estimate:
    """A replicated figure: the mean and the 95% half-width (0 with a single replication)."""

    mean: float
    ci95: float

    def to_dict(self) -> dict[str, float]:
        return {"mean": self.mean, "ci95": self.ci95}

    def contains(self, value: float, tolerance: float = 0.0) -> bool:
        return abs(value - self.mean) <= self.ci95 + tolerance


def t_quantile_975(degrees_of_freedom: int) -> float:
    """Upper 97.5% quantile of Student's t, for a two-sided 95% interval."""
    if degrees_of_freedom < 1:
        raise ValueError("degrees_of_freedom must be >= 1")
    if degrees_of_freedom <= len(_T975):
        return _T975[degrees_of_freedom - 1]
    z = _Z975
    nu = float(degrees_of_freedom)
    return (
        z
        + (z**3 + z) / (4 * nu)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * nu**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * nu**3)
    )


def estimate(values: Sequence[float]) -> Estimate:
    """Mean and 95% half-width; NaN values (a figure undefined in that run) are left out."""
    present = [v for v in values if not math.isnan(v)]
    if not present:
        return Estimate(math.nan, math.nan)
    mean = math.fsum(present) / len(present)
    if len(present) == 1:
        return Estimate(mean, 0.0)
    variance = math.fsum((v - mean) ** 2 for v in present) / (len(present) - 1)
    half_width = t_quantile_975(len(present) - 1) * math.sqrt(variance / len(present))
    return Estimate(mean, half_width)


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """Percentile by linear interpolation between order statistics; NaN for no values."""
    if not sorted_values:
        return math.nan
    position = share * (len(sorted_values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    fraction = position - low
    return sorted_values[low] * (1.0 - fraction) + sorted_values[high] * fraction
