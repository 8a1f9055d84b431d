"""`hotline simulate SCENARIO --live` end to end: emulator, service and database on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from hotline.cli import app
from hotline.livesim.callers import plan_calls
from simulations.runner import simulate
from tests.hotline.livesim.scenarios import TINY, tiny

runner = CliRunner()


def _write(tmp_path: Path, **changes: object) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump({**TINY, **changes}), encoding="utf-8")
    return path


def _keys(data: object) -> object:
    """The shape of a JSON document: its keys, nested, without the values."""
    if isinstance(data, dict):
        return {key: _keys(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_keys(item) for item in data]
    return None


def test_a_tiny_day_runs_live_and_every_call_is_accounted_for(tmp_path: Path) -> None:
    path = _write(tmp_path)
    result = runner.invoke(app, ["simulate", str(path), "--live", "--speed", "30", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    live = document.pop("live")
    counted = [call for call in plan_calls(tiny(), TINY["seed"]) if call.interval >= 0]
    assert live["calls_placed"] == live["calls_recorded"] >= len(counted) > 0
    assert live["lost_calls"] == live["stuck_calls"] == live["failed_calls"] == 0
    assert live["ivr_abandons"] == 0
    assert live["ari_errors"] == live["director_errors"] == 0
    assert live["events_per_s"] > live["calls_per_s"] > 0
    overall = document["overall"]
    assert overall["offered"] == {"mean": len(counted), "ci95": 0.0}
    outcomes = ("answered", "abandoned", "callbacks", "diverted")
    assert sum(overall[name]["mean"] for name in outcomes) == len(counted)
    assert overall["answered"]["mean"] > 0
    assert [row["offered"]["mean"] for row in document["by_interval"]] == [
        sum(1 for call in counted if call.interval == index) for index in range(2)
    ]
    assert document["replications"] == 1
    offline = simulate(tiny(), replications=2).to_dict()
    assert _keys(document) == _keys(offline)


def test_a_scenario_that_cannot_run_live_is_refused_with_the_field(tmp_path: Path) -> None:
    path = _write(tmp_path, callbacks={"offer_after_s": 30, "accept_probability": 0.5})
    result = runner.invoke(app, ["simulate", str(path), "--live"])
    assert result.exit_code == 2
    assert "cannot run live" in result.output
    assert "tiny.yaml: callbacks: not supported live" in result.output


def test_help_lists_the_offline_options_and_the_live_ones() -> None:
    result = runner.invoke(app, ["simulate", "--help"])
    assert result.exit_code == 0
    for option in ("--replications", "--seed", "--workers", "--json", "--plot", "--target"):
        assert option in result.output
    for option in ("--max-abandon", "--live", "--speed", "--database"):
        assert option in result.output


def test_hotline_simulate_passes_the_chart_language_on(tmp_path: Path) -> None:
    path, chart = _write(tmp_path), tmp_path / "day.png"
    args = ["simulate", str(path), "-n", "1", "-w", "1", "--plot", str(chart), "--lang", "en"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert '<html lang="en">' in chart.with_suffix(".html").read_text(encoding="utf-8")
    refused = runner.invoke(app, ["simulate", str(path), "--live", "--lang", "fr"])
    assert refused.exit_code == 2
    assert "--lang 'fr'" in refused.output
