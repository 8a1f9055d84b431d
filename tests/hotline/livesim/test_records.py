"""Call records become the offline simulator's figures: outcomes, waits, intervals, time bins."""

from __future__ import annotations

import math

import pytest

from hotline.livesim.callers import PlannedCall
from hotline.livesim.records import CallRow, Records, StateRow, figures_of
from tests.hotline.livesim.scenarios import tiny


def _row(number: str, outcome: str | None, at: float, wait: float | None = None) -> CallRow:
    answered = None if outcome != "answered" or wait is None else at + 5 + wait
    return CallRow(
        number=number,
        outcome=outcome,
        arrived_s=at,
        queued_s=None if outcome == "abandoned_ivr" else at + 5,
        offered_s=answered,
        answered_s=answered,
        ended_s=None if outcome is None else at + 60,
        wait_s=wait,
        ring_s=0.0 if answered is not None else None,
        talk_s=10.0 if answered is not None else None,
        hold_s=0.0 if answered is not None else None,
        ivr_s=5.0,
    )


def test_outcomes_waits_and_strays_are_counted_as_offline() -> None:
    scenario = tiny()  # warm-up 15 s, intervals of 60 s, threshold 20 s, wrap-up 3 s
    planned = [
        PlannedCall(1.0, -1, 0, "w", None),  # warm-up: not counted
        PlannedCall(20.0, 0, 0, "a", None),
        PlannedCall(30.0, 0, 0, "b", None),
        PlannedCall(40.0, 0, 0, "c", None),
        PlannedCall(80.0, 1, 0, "d", None),
        PlannedCall(90.0, 1, 0, "e", None),
        PlannedCall(100.0, 1, 0, "lost", None),
    ]
    rows = [
        _row("w", "answered", 1.0, 1.0),
        _row("a", "answered", 20.0, 4.0),
        _row("b", "answered", 30.0, 30.0),
        _row("c", "abandoned_queue", 40.0, 12.0),
        _row("d", "abandoned_ivr", 80.0),
        _row("e", None, 90.0),  # stuck
    ]
    states = [StateRow(1, 0.0, "logged_in"), StateRow(1, 50.0, "logged_out")]
    figures, tally = figures_of(scenario, planned, Records(rows, states))
    overall = figures.overall
    assert overall["offered"] == 5  # a, b, c, e (stuck) and the lost call; not the IVR hang-up
    assert overall["answered"] == 2
    assert overall["abandoned"] == 1
    assert overall["service_level"] == pytest.approx(1 / 5)
    assert overall["asa_s"] == pytest.approx(17.0)
    assert [f["offered"] for f in figures.by_interval] == [3, 2]
    assert math.isnan(figures.by_interval[1]["asa_s"])
    assert figures.by_skill["national_tax/zh"]["offered"] == 5
    assert (tally.placed, tally.recorded, tally.lost) == (7, 6, 1)
    assert (tally.stuck, tally.ivr_abandons, tally.failed) == (1, 1, 0)
    # Logged in from the start of interval 0 (15 s) to 50 s: 35 s of the first interval.
    assert figures.by_interval[0]["agents"] == pytest.approx(35 / 60)
    assert figures.by_interval[1]["agents"] == 0
