from __future__ import annotations

import math

import pytest

from simulations.stats import estimate, percentile, t_quantile_975


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.706), (4, 2.776), (9, 2.262), (30, 2.042), (40, 2.021), (60, 2.000), (120, 1.980)],
)
def test_t_quantile_matches_tables(df: int, expected: float) -> None:
    assert t_quantile_975(df) == pytest.approx(expected, abs=1e-3)


def test_t_quantile_approaches_the_normal_quantile() -> None:
    assert t_quantile_975(100_000) == pytest.approx(1.95996, abs=1e-4)


def test_estimate_mean_and_half_width() -> None:
    result = estimate([1.0, 2.0, 3.0, 4.0, 5.0])
    assert result.mean == 3.0
    assert result.ci95 == pytest.approx(2.776445 * math.sqrt(2.5 / 5))


def test_estimate_of_one_value_has_no_width_and_nan_is_skipped() -> None:
    assert estimate([7.0]).ci95 == 0.0
    assert estimate([math.nan, 2.0, 4.0]).mean == 3.0
    assert math.isnan(estimate([math.nan]).mean)


def test_percentile_interpolates() -> None:
    assert percentile([0.0, 10.0], 0.5) == 5.0
    assert percentile([1.0, 2.0, 3.0], 1.0) == 3.0
    assert math.isnan(percentile([], 0.5))
