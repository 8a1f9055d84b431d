"""The typer commands end to end on small scenario files, plus the chart files they write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
    assert "occupancy" in data["overall"]


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
    assert "<canvas" not in page or "cdn" not in page.lower()
    assert "src=" not in page  # self-contained: no external script
    assert '"Service level"' in page


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


def test_staff_table_shows_each_line_over_the_day(tmp_path: Path) -> None:
    args = ["staff", str(small_scenario(tmp_path)), "--target", "80/20", "-w", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Each line over the day" in result.stdout
    assert "national_tax/zh" in result.stdout
