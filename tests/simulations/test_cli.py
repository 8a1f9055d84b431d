"""The typer commands end to end on small scenario files, plus the chart files they write."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from simulations.cli import app

runner = CliRunner()


def small_scenario(tmp_path: Path, **overrides: Any) -> Path:
    data: dict[str, Any] = {
        "version": 1,
        "name": "cli-small",
        "seed": 5,
        "replications": 2,
        "intervals": {"count": 2, "minutes": 30},
        "warmup_minutes": 10,
        "traffic": [
            {
                "skill": "national_tax",
                "calls_per_interval": [30, 40],
                "handle_time": {"dist": "exponential", "mean_s": 200},
                "patience": {"dist": "exponential", "mean_s": 120},
            }
        ],
        "agents": [{"group": "national", "count": [4, 5], "skills": {"national_tax": 1}}],
    }
    data.update(overrides)
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_simulate_json_has_mean_and_ci_for_every_figure(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", str(small_scenario(tmp_path)), "--json", "-w", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["replications"] == 2
    for group in [data["overall"], *data["by_skill"].values(), *data["by_interval"]]:
        for name in ("offered", "service_level", "asa_s", "p_wait", "abandon_rate", "wait_p90_s"):
            assert set(group[name]) == {"mean", "ci95"}
    assert len(data["by_interval"]) == 2
    assert [row["clock"] for row in data["by_interval"]] == ["09:00-09:30", "09:30-10:00"]
    assert "occupancy" in data["overall"]
    # Each line per interval: the same figures, one list per line/language.
    [(label, rows)] = data["by_skill_interval"].items()
    assert label == "national_tax/zh"
    assert [row["clock"] for row in rows] == ["09:00-09:30", "09:30-10:00"]
    assert [row["offered"] for row in rows] == [row["offered"] for row in data["by_interval"]]


def test_simulate_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    path = str(small_scenario(tmp_path))
    first = runner.invoke(app, ["simulate", path, "--json", "--seed", "9", "-w", "1"]).stdout
    second = runner.invoke(app, ["simulate", path, "--json", "--seed", "9", "-w", "1"]).stdout
    third = runner.invoke(app, ["simulate", path, "--json", "--seed", "10", "-w", "1"]).stdout
    assert first == second != third


def test_simulate_prints_tables_and_writes_charts(tmp_path: Path) -> None:
    chart = tmp_path / "day.png"
    args = ["simulate", str(small_scenario(tmp_path)), "-w", "1", "--plot", str(chart)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "By interval" in result.output
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = chart.with_suffix(".html").read_text(encoding="utf-8")
    assert not re.search(r"<(script|link)[^>]+(src|href)=", page)  # plotly.js is inline
    assert "Plotly.newPlot" in page
    assert '<html lang="zh">' in page


def test_simulate_charts_in_english_on_request(tmp_path: Path) -> None:
    chart = tmp_path / "day.png"
    path = str(small_scenario(tmp_path))
    args = ["simulate", path, "-w", "1", "--plot", str(chart), "--lang", "en"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    page = chart.with_suffix(".html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page
    assert '"Service level"' in page


def test_an_unknown_chart_language_is_refused_before_running(tmp_path: Path) -> None:
    args = ["simulate", str(small_scenario(tmp_path)), "--plot", str(tmp_path / "x.png")]
    result = runner.invoke(app, [*args, "--lang", "fr"])
    assert result.exit_code == 2
    assert "--lang 'fr': expected one of zh, en" in result.stderr
    assert not (tmp_path / "x.html").exists()


def test_an_invalid_scenario_names_the_field_and_exits_2(tmp_path: Path) -> None:
    path = small_scenario(
        tmp_path,
        traffic=[{"skill": "finance", "calls_per_interval": -3, "handle_time": {"mean_s": 0}}],
    )
    result = runner.invoke(app, ["simulate", str(path)])
    assert result.exit_code == 2
    assert "traffic[0].calls_per_interval: must be >= 0" in result.output
    assert "traffic[0].handle_time.mean_s: must be > 0" in result.output
    assert "no agent group can serve finance/zh" in result.output


def test_an_invalid_routing_policy_is_reported_before_running(tmp_path: Path) -> None:
    path = small_scenario(tmp_path, routing={"default": {"stages": []}})
    result = runner.invoke(app, ["simulate", str(path), "-w", "1"])
    assert result.exit_code == 2
    assert "routing." in result.output


def test_staff_erlang_prints_the_quick_estimate(tmp_path: Path) -> None:
    args = ["staff", str(small_scenario(tmp_path)), "--erlang", "--target", "80/20", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["erlang"]
    assert [row["interval"] for row in rows] == [0, 1]
    assert rows[1]["agents"] >= rows[0]["agents"]


def test_staff_searches_by_simulation(tmp_path: Path) -> None:
    args = [
        "staff",
        str(small_scenario(tmp_path)),
        "--target",
        "80/20",
        "--max-abandon",
        "0.05",
        "-w",
        "1",
        "--json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert [row["interval"] for row in plan["intervals"]] == [0, 1]
    assert all(row["total"] == row["agents"]["national"] for row in plan["intervals"])
    # Each line over the day, with whether it meets the target.
    [(label, line)] = plan["by_skill"].items()
    assert label == "national_tax/zh"
    assert set(line) == {"service_level", "abandon_rate", "met"}
    assert line["met"] is (line["service_level"]["mean"] >= 0.8)
    # Why the seats are there: the only group serves the only line.
    reason = plan["groups"]["national"]
    assert reason["serves"] == ["national_tax/zh"]
    assert reason["sole_server"] == ["national_tax/zh"]
    assert plan["cost"] == sum(row["total"] for row in plan["intervals"])


def test_staff_table_shows_each_line_over_the_day(tmp_path: Path) -> None:
    args = ["staff", str(small_scenario(tmp_path)), "--target", "80/20", "-w", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Each line over the day" in result.stdout
    assert "national_tax/zh" in result.stdout
    assert "Why each group's seats" in result.stdout
    assert "only server of national_tax/zh" in result.stdout


# ---------------------------------------------------------------- bad input is refused up front


def test_a_negative_replication_count_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", str(small_scenario(tmp_path)), "-n", "-3"])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Error: Invalid value for '--replications' / '-n'" in result.stderr.splitlines()[-1]
    assert "Traceback" not in result.output


def test_zero_replications_is_refused_not_replaced_by_the_default(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", str(small_scenario(tmp_path)), "-n", "0"])
    assert result.exit_code == 2
    assert "Invalid value for '--replications' / '-n'" in result.stderr


def test_a_plot_into_a_missing_folder_is_refused_before_running(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent" / "dir" / "x"
    args = ["simulate", str(small_scenario(tmp_path)), "-w", "1", "--plot", str(missing)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert f"--plot {missing}: the folder {missing.parent} does not exist" in result.stderr
    assert "By interval" not in result.stdout  # nothing ran


def test_a_bad_target_is_refused_before_running(tmp_path: Path) -> None:
    args = ["simulate", str(small_scenario(tmp_path)), "-w", "1", "--target", "120/20"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "--target: target '120/20'" in result.stderr
    assert result.stdout == ""


def test_a_group_skill_no_traffic_line_has_names_the_entry(tmp_path: Path) -> None:
    groups = [
        {"group": "national", "count": 4, "skills": {"national_tax": 1}},
        {"group": "typo", "count": 1, "skills": {"nationl_tax": 1}},
    ]
    result = runner.invoke(app, ["simulate", str(small_scenario(tmp_path, agents=groups))])
    assert result.exit_code == 2
    assert (
        "small.yaml: agents[1].skills.nationl_tax: group 'typo' names skill 'nationl_tax', "
        "which no traffic line has (traffic skills: national_tax)"
    ) in result.stderr


def test_a_traffic_line_only_an_overflow_pool_could_take_names_the_entry(tmp_path: Path) -> None:
    traffic = {
        "skill": "finanse",
        "calls_per_interval": 3,
        "handle_time": {"dist": "exponential", "mean_s": 200},
    }
    groups = [
        {"group": "national", "count": 4, "skills": {"national_tax": 1}},
        {"group": "pool", "count": 1, "overflow": True},
    ]
    base = yaml.safe_load(small_scenario(tmp_path).read_text(encoding="utf-8"))["traffic"]
    path = small_scenario(tmp_path, traffic=[*base, traffic], agents=groups)
    result = runner.invoke(app, ["simulate", str(path)])
    assert result.exit_code == 2
    assert "traffic[1].skill: no agent group lists skill 'finanse'" in result.stderr


def test_errors_are_never_wrapped_at_80_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    path = small_scenario(tmp_path, traffic=[{"skill": "finance", "calls_per_interval": -3}])
    result = runner.invoke(app, ["simulate", str(path)])
    assert result.exit_code == 2
    line = (
        "small.yaml: agents[0].skills.national_tax: group 'national' names skill "
        "'national_tax', which no traffic line has (traffic skills: finance)"
    )
    assert len(line) > 80
    assert line in result.stderr.splitlines()


# ---------------------------------------------------------------- clock times, table widths


def test_intervals_are_shown_as_clock_times(tmp_path: Path) -> None:
    path = small_scenario(tmp_path, intervals={"count": 2, "minutes": 30, "start": "08:30"})
    result = runner.invoke(app, ["simulate", str(path), "-w", "1"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "08:30-09:00" in result.stdout
    assert "09:00-09:30" in result.stdout
    assert "+0:00" not in result.stdout
    erlang = runner.invoke(app, ["staff", str(path), "--erlang", "--json"])
    assert [row["clock"] for row in json.loads(erlang.stdout)["erlang"]] == [
        "08:30-09:00",
        "09:00-09:30",
    ]


def test_the_default_day_starts_at_nine(tmp_path: Path) -> None:
    result = runner.invoke(app, ["staff", str(small_scenario(tmp_path)), "--erlang", "--json"])
    assert [row["clock"] for row in json.loads(result.stdout)["erlang"]] == [
        "09:00-09:30",
        "09:30-10:00",
    ]


def test_a_bad_start_time_names_the_field(tmp_path: Path) -> None:
    path = small_scenario(tmp_path, intervals={"count": 2, "start": "25:00"})
    result = runner.invoke(app, ["simulate", str(path)])
    assert result.exit_code == 2
    assert "intervals.start: must be a clock time HH:MM" in result.stderr


def test_a_table_wider_than_80_columns_says_how_to_widen(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["simulate", str(small_scenario(tmp_path)), "-w", "1"], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    assert "By interval" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "was squeezed into 80; widen the terminal, run with COLUMNS=" in result.stderr
