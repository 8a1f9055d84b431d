"""``hotline calendar``: the issue's example, working hours, and one-line errors (exit 2)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from hotline.cli import app

runner = CliRunner()


def test_the_issue_example() -> None:
    result = runner.invoke(
        app, ["calendar", "due", "--from", "2026-02-13T16:00+08:00", "--add", "2 working days"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "2026-02-24T16:00:00+08:00\n"


@pytest.mark.parametrize(
    ("start", "amount", "deadline"),
    [
        ("2026-02-13T16:00+08:00", "16 working hours", "2026-02-24T16:00:00+08:00"),
        ("2026-02-13T16:00+08:00", "1 working hour", "2026-02-13T17:00:00+08:00"),
        ("2026-02-13T08:00:00Z", "2 working hours", "2026-02-14T10:00:00+08:00"),
        ("2026-02-13T20:00+08:00", "1 working day", "2026-02-14T17:00:00+08:00"),
    ],
)
def test_working_hours_and_days(start: str, amount: str, deadline: str) -> None:
    result = runner.invoke(app, ["calendar", "due", "--from", start, "--add", amount])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == deadline


@pytest.mark.parametrize(
    ("start", "amount", "message"),
    [
        ("2026-02-13T16:00", "2 working days", "has no time zone"),
        ("2026-02-13T16:00+08:00", "2 fortnights", "cannot read the working duration"),
        ("yesterday", "2 working days", "is not an ISO 8601 date-time"),
        ("2026-12-30T16:00+08:00", "3 working days", "calendar for 2027 is not loaded"),
    ],
)
def test_errors_are_one_line_with_exit_code_2(start: str, amount: str, message: str) -> None:
    result = runner.invoke(app, ["calendar", "due", "--from", start, "--add", amount])
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ")
    assert message in line


def test_show_a_month() -> None:
    result = runner.invoke(app, ["calendar", "show", "2026-02", "--json"])
    assert result.exit_code == 0, result.output
    days = json.loads(result.stdout)
    assert days["2026-02-14"] == "adjusted_working"
    assert days["2026-02-23"] == "holiday"
    assert days["2026-02-21"] == "holiday"
    assert days["2026-02-07"] == "weekend_rest"
    grid = runner.invoke(app, ["calendar", "show", "2026-02"])
    assert " 14A" in grid.stdout
    bad = runner.invoke(app, ["calendar", "show", "February"])
    assert bad.exit_code == 2
