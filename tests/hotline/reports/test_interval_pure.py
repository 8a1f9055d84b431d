"""The pure parts of the reports: periods and their intervals, spans, and the interval report's
invariants over random days (the rows add up to the total; shares stay in [0, 1])."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.reports.interval import CallRow, interval_report
from hotline.reports.period import Granularity, PeriodError, make_period
from hotline.reports.staffing import StateRow, floor_at, spans
from tests.hotline.reports.synthetic import synthetic_day

SHANGHAI = ZoneInfo("Asia/Shanghai")
CST = timezone(timedelta(hours=8))


def test_intervals_are_clock_aligned_in_shanghai_and_clipped_to_the_period() -> None:
    period = make_period(
        datetime(2026, 3, 2, 9, 10, tzinfo=CST),
        datetime(2026, 3, 2, 10, 0, tzinfo=CST),
        Granularity.MIN30,
        SHANGHAI,
    )
    assert [(a.strftime("%H:%M"), b.strftime("%H:%M")) for a, b in period.intervals()] == [
        ("09:10", "09:30"),
        ("09:30", "10:00"),
    ]
    # A UTC bound names the same instant: days start at midnight in Shanghai, not in UTC.
    days = make_period(
        datetime(2026, 3, 1, 16, tzinfo=UTC),
        datetime(2026, 3, 3, 16, tzinfo=UTC),
        Granularity.DAY,
        SHANGHAI,
    )
    assert [a.date() for a, _ in days.intervals()] == [date(2026, 3, 2), date(2026, 3, 3)]


@pytest.mark.parametrize(
    ("granularity", "days", "field"),
    [(Granularity.MIN15, 32, "to"), (Granularity.MIN60, 93, "to"), (Granularity.DAY, 367, "to")],
)
def test_periods_longer_than_the_limit_are_refused(
    granularity: Granularity, days: int, field: str
) -> None:
    start = datetime(2026, 1, 1, tzinfo=CST)
    make_period(start, start + timedelta(days=days - 1), granularity, SHANGHAI)  # the limit: fine
    with pytest.raises(PeriodError) as refused:
        make_period(start, start + timedelta(days=days), granularity, SHANGHAI)
    assert refused.value.field == field


def test_a_state_lasts_until_the_next_change_and_logging_out_ends_it() -> None:
    t0 = datetime(2026, 3, 2, 1, tzinfo=UTC)
    rows = [
        StateRow(1, t0, "idle"),
        StateRow(1, t0 + timedelta(minutes=5), "on_call", call_id=7),
        StateRow(1, t0 + timedelta(minutes=8), "logged_out"),
        StateRow(2, t0 + timedelta(minutes=1), "not_ready", "lunch"),
    ]
    out = spans(rows, until=t0 + timedelta(minutes=30))
    assert [(s.agent_id, s.status, s.seconds) for s in out] == [
        (1, "idle", 300.0),
        (1, "on_call", 180.0),
        (2, "not_ready", 1740.0),  # still away when the report was read
    ]
    assert set(floor_at(out, t0 + timedelta(minutes=9))) == {2}  # agent 1 had logged out


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=10_000),
    granularity=st.sampled_from(list(Granularity)),
    scale=st.floats(min_value=0.05, max_value=0.5),
    threshold=st.floats(min_value=1, max_value=300),
)
def test_rows_add_up_to_the_total_and_shares_stay_between_0_and_1(
    seed: int, granularity: Granularity, scale: float, threshold: float
) -> None:
    day = synthetic_day(date(2026, 3, 2), [1, 2, 3, 4], 1, first_call_id=1, seed=seed, scale=scale)
    calls = [
        CallRow(c["id"], c["kind"], c["arrived_at"], c["queued_at"], c["answered_at"],
                c["outcome"], c["wait_s"], c["talk_s"], c["hold_s"])
        for c in day.calls
    ]  # fmt: skip
    states = [StateRow(s["agent_id"], s["at"], s["status"], s["reason"], s["call_id"])
              for s in day.states]  # fmt: skip
    start = datetime(2026, 3, 2, tzinfo=SHANGHAI)
    period = make_period(start, start + timedelta(days=1), granularity, SHANGHAI)
    report = interval_report(
        period, calls, spans(states, start + timedelta(days=1)), threshold_s=threshold
    )
    counts = ("arrived", "offered", "answered", "answered_within", "abandoned_queue",
              "abandoned_ivr", "callbacks", "short_abandons")  # fmt: skip
    for key in counts:
        assert sum(row[key] for row in report.rows) == report.total[key], key
    assert report.total["arrived"] == len(calls)
    for row in [*report.rows, report.total]:
        assert row["answered_within"] <= row["answered"] <= row["offered"] <= row["arrived"]
        for share in ("service_level", "abandon_rate", "occupancy", "service_level_no_short"):
            assert row[share] is None or 0.0 <= row[share] <= 1.0
        assert row["staffed"] <= 4.0 + 1e-9  # four agents at most
        parts = row["ready"] + row["ringing"] + row["on_call"] + row["wrap_up"] + row["not_ready"]
        assert abs(parts - row["staffed"]) <= 0.05  # each rounded to 2 places
