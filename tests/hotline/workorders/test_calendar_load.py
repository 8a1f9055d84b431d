"""Loading a year's schedule (``hotline calendar load``, ``POST /api/v1/calendar/years``): it is
validated, stored, used by the deadline arithmetic, and a draft year is flagged to admins."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.cli import app
from tests.hotline.workorders.conftest import Centre

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "calendar"
DRAFT_WARNING = "the working-day calendar for 2027 was loaded from a draft"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("HOTLINE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cal.db'}")
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def due(runner: CliRunner) -> tuple[int, str]:
    args = ["calendar", "due", "--db", "--from", "2026-12-30T09:00+08:00", "--add", "3 days"]
    result = runner.invoke(app, args)
    return result.exit_code, result.stdout.strip() or result.stderr.strip()


def test_cli_loads_years_that_the_deadline_arithmetic_then_uses(runner: CliRunner) -> None:
    loaded = runner.invoke(app, ["calendar", "load", str(EXAMPLES / "2026.yaml")])
    assert loaded.exit_code == 0, loaded.output
    assert loaded.stdout.startswith("2026 (official, 国务院办公厅关于2026年部分节假日安排的通知")
    assert "365 days written (33 holidays, 6 make-up working days)" in loaded.stdout
    code, message = due(runner)
    assert code == 2
    assert "calendar for 2027 is not loaded" in message

    refused = runner.invoke(app, ["calendar", "load", str(EXAMPLES / "2027.yaml")])
    assert refused.exit_code == 2
    assert "status: draft" in refused.stderr
    assert "--draft" in refused.stderr

    draft = runner.invoke(app, ["calendar", "load", str(EXAMPLES / "2027.yaml"), "--draft"])
    assert draft.exit_code == 0, draft.output
    assert "warning: 2027 is a draft" in draft.stderr
    assert due(runner) == (0, "2027-01-04T17:00:00+08:00")
    shown = runner.invoke(app, ["calendar", "show", "2027-02", "--db", "--json"])
    assert '"2027-02-08": "holiday"' in shown.stdout


def test_cli_reports_every_problem_with_file_entry_and_field(
    runner: CliRunner, tmp_path: Path
) -> None:
    bad = tmp_path / "2028.yaml"
    bad.write_text(
        "version: 1\nyear: 2028\nstatus: official\nnotice: {title: 通知}\n"
        "holidays:\n  - {name: 春节, from: 2028-01-30, to: 2028-01-26}\n"
        "working_days:\n  - {name: 春节, date: 2028-02-02}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["calendar", "load", str(bad)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert f"error: {bad}: holidays[0].to: 2028-01-26 is before from (2028-01-30)" in lines
    assert any(line.startswith(f"error: {bad}: working_days[0]: 2028-02-02 is a") for line in lines)
    assert lines[-1] == "nothing was written"


@pytest.mark.asyncio
async def test_api_loads_a_year_keeps_admin_edits_and_warns_about_a_draft(centre: Centre) -> None:
    admin = centre.headers("admin")
    closure = await centre.client.put(
        "/api/v1/calendar/days/2027-03-03", json={"kind": "holiday", "note": "x"}, headers=admin
    )
    assert closure.status_code == 200, closure.text
    text = (EXAMPLES / "2027.yaml").read_bytes()
    yaml_type = {"Content-Type": "application/yaml"}

    refused = await centre.client.post(
        "/api/v1/calendar/years", content=text, headers={**admin, **yaml_type}
    )
    assert refused.status_code == 422
    assert refused.json()["error"] == "invalid_calendar_file"
    assert "allow_draft=true" in refused.json()["detail"][0]

    forbidden = await centre.client.post(
        "/api/v1/calendar/years?allow_draft=true",
        content=text,
        headers={**centre.headers("supervisor"), **yaml_type},
    )
    assert forbidden.status_code == 403

    loaded = await centre.client.post(
        "/api/v1/calendar/years?allow_draft=true", content=text, headers={**admin, **yaml_type}
    )
    assert loaded.status_code == 200, loaded.text
    body = loaded.json()
    assert (body["year"], body["status"], body["days_written"], body["days_kept"]) == (
        2027,
        "draft",
        364,
        1,
    )
    day = await centre.client.get("/api/v1/calendar/days/2027-03-03", headers=admin)
    assert day.json()["source"] == "admin:admin-user"  # the admin's closure survived
    new_year = await centre.client.get("/api/v1/calendar/days/2027-01-01", headers=admin)
    assert (new_year.json()["kind"], new_year.json()["note"]) == ("holiday", "元旦")

    overview = await centre.client.get("/api/v1/calendar", headers=admin)
    assert 2027 in overview.json()["loaded_years"]
    assert any(DRAFT_WARNING in warning for warning in overview.json()["warnings"])
    ready = await centre.client.get("/readyz", headers=admin)  # details need a login
    assert ready.status_code == 200
    calendar = ready.json()["checks"]["calendar"]
    assert calendar["ok"] is True
    assert any(DRAFT_WARNING in warning for warning in calendar["warnings"])


@pytest.mark.asyncio
async def test_api_names_the_entry_and_field_of_a_bad_json_body(centre: Centre) -> None:
    body = {
        "version": 1,
        "year": 2027,
        "status": "official",
        "notice": {"title": "通知"},
        "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-13-01"}],
    }
    response = await centre.client.post(
        "/api/v1/calendar/years", json=body, headers=centre.headers("admin")
    )
    assert response.status_code == 422
    assert {k: v for k, v in response.json().items() if k in ("error", "detail")} == {
        "error": "invalid_calendar_file",
        "detail": ["holidays[0].to: must be a date YYYY-MM-DD (got '2027-13-01')"],
    }
    garbage = await centre.client.post(
        "/api/v1/calendar/years", content=b"{not json", headers=centre.headers("admin")
    )
    assert garbage.status_code == 422
    assert garbage.json()["detail"][0].startswith("the body is not valid JSON")
