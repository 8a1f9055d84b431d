"""Erlang B, C and A against published figures, limits that must agree, and large centres."""

from __future__ import annotations

import math

import pytest

from simulations import erlang


@pytest.mark.parametrize(
    ("agents", "load", "expected"),
    [
        # Classic Erlang B table values (blocking probability).
        (1, 1.0, 0.5),
        (5, 2.0, 0.03670),
        (10, 5.0, 0.01838),
        (10, 10.0, 0.21458),
        (20, 15.0, 0.04561),
    ],
)
def test_erlang_b_matches_table_values(agents: int, load: float, expected: float) -> None:
    assert erlang.erlang_b(agents, load) == pytest.approx(expected, abs=5e-5)


def test_erlang_c_for_ten_erlangs_on_eleven_agents() -> None:
    # The textbook example: A = 10 Erl, c = 11 gives P(wait) = 0.6821.
    assert erlang.erlang_c(11, 10.0) == pytest.approx(0.6821, abs=1e-4)


def test_erlang_c_figures_for_the_textbook_call_centre() -> None:
    # 360 calls/h, 4 min handle time (24 Erl), 27 agents: ASA and SL(20 s) by the closed form.
    figures = erlang.erlang_c_figures(27, 360 / 3600, 240, 20)
    p_wait = erlang.erlang_c(27, 24.0)
    drain = (27 - 24) / 240
    assert figures.p_wait == pytest.approx(p_wait)
    assert figures.asa_s == pytest.approx(p_wait / drain)
    assert figures.service_level == pytest.approx(1 - p_wait * math.exp(-drain * 20))
    assert figures.occupancy == pytest.approx(24 / 27)


def test_erlang_c_refuses_an_unstable_queue() -> None:
    assert erlang.erlang_c(10, 10.0) == 1.0
    with pytest.raises(ValueError, match="unstable"):
        erlang.erlang_c_figures(10, 10 / 180, 180, 20)


@pytest.mark.parametrize("agents", [1000, 2500, 5000])
def test_erlang_b_and_c_stay_finite_for_large_centres(agents: int) -> None:
    load = 0.95 * agents
    blocking = erlang.erlang_b(agents, load)
    waiting = erlang.erlang_c(agents, load)
    assert 0.0 < blocking < waiting < 1.0
    assert math.isfinite(blocking)


def test_erlang_a_tends_to_erlang_c_when_callers_are_very_patient() -> None:
    c = erlang.erlang_c_figures(11, 10 / 180, 180, 20)
    a = erlang.erlang_a_figures(11, 10 / 180, 180, 1e9, 20)
    assert a.p_wait == pytest.approx(c.p_wait, rel=1e-5)
    assert a.service_level == pytest.approx(c.service_level, rel=1e-5)
    assert a.asa_s == pytest.approx(c.asa_s, rel=1e-4)
    assert a.abandon_rate < 1e-6


def test_erlang_a_is_self_consistent() -> None:
    arrival, handle, patience = 0.09, 360.0, 180.0
    figures = erlang.erlang_a_figures(36, arrival, handle, patience, 20)
    served_after_wait = erlang.erlang_a_served_after_wait(36, arrival, handle, patience)
    # Every offered call is answered at once, answered after a wait, or abandons.
    assert (1 - figures.p_wait) + served_after_wait + figures.abandon_rate == pytest.approx(1.0)
    # A threshold beyond any plausible wait: everyone answered is answered within it.
    long_wait = erlang.erlang_a_figures(36, arrival, handle, patience, 100_000)
    assert long_wait.service_level == pytest.approx(1 - figures.abandon_rate, abs=1e-9)
    assert 0 < figures.service_level < long_wait.service_level
    # Busy agents = load of the answered calls.
    assert figures.occupancy * 36 == pytest.approx(32.4 * (1 - figures.abandon_rate))


def test_erlang_a_handles_overload_because_callers_abandon() -> None:
    figures = erlang.erlang_a_figures(10, 15 / 180, 180, 60, 20)
    assert figures.abandon_rate > 0.3
    assert figures.occupancy < 1.0


@pytest.mark.parametrize("agents", [1000, 2000])
def test_erlang_a_stays_finite_for_large_centres(agents: int) -> None:
    figures = erlang.erlang_a_figures(agents, 0.98 * agents / 360, 360, 180, 20)
    values = (figures.p_wait, figures.service_level, figures.asa_s, figures.abandon_rate)
    assert all(math.isfinite(v) for v in values)
    assert 0 < figures.service_level <= 1
    assert 0 <= figures.abandon_rate < 0.05


def test_fewest_agents_is_the_first_staffing_meeting_the_target() -> None:
    agents, figures = erlang.fewest_agents(0.1, 360, 180, 20, 0.8, 0.05)
    assert figures.service_level >= 0.8
    assert figures.abandon_rate <= 0.05
    fewer = erlang.erlang_a_figures(agents - 1, 0.1, 360, 180, 20)
    assert fewer.service_level < 0.8 or fewer.abandon_rate > 0.05


def test_fewest_agents_without_abandonment_uses_erlang_c() -> None:
    agents, figures = erlang.fewest_agents(10 / 180, 180, None, 20, 0.8)
    assert figures.abandon_rate == 0.0
    assert erlang.erlang_c_figures(agents - 1, 10 / 180, 180, 20).service_level < 0.8
