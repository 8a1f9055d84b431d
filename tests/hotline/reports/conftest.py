"""The reports' tests read a finished morning: the clock stands in the afternoon after it."""

from __future__ import annotations

import pytest

from tests.fixtures.app import FixedClock
from tests.hotline.reports.floor_day import at


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(at(15, 0))
