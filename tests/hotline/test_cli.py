"""The ``hotline`` command line, run in-process through typer's runner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from hotline.cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hangzhou.yaml"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("HOTLINE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("HOTLINE_DEMO_PASSWORD", "demo-password-1")
    monkeypatch.setenv("HOTLINE_DEMO_ARI_PASSWORD", "demo-ari-secret")
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def _command_paths(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            paths.extend(_command_paths(command, (*prefix, name)))
        else:
            paths.append((*prefix, name))
    return paths


def test_every_command_has_help(runner: CliRunner) -> None:
    paths = _command_paths(typer.main.get_command(app))
    for expected in [("import",), ("serve",), ("db", "upgrade"), ("user", "create")]:
        assert expected in paths
    for path in paths:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage" in result.output


def test_db_upgrade_then_import_twice(runner: CliRunner) -> None:
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert "database at revision" in upgraded.output
    for _ in range(2):
        result = runner.invoke(app, ["import", str(EXAMPLE)])
        assert result.exit_code == 0, result.output
        assert "40 agents" in result.output
    current = runner.invoke(app, ["db", "current"])
    assert current.exit_code == 0


def test_import_error_names_file_entry_and_field(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 80 columns and no terminal, like CI; the path alone is longer than a line.
    monkeypatch.setenv("COLUMNS", "80")
    folder = tmp_path / ("a-folder-with-a-long-name-" * 3)
    folder.mkdir()
    bad = folder / "bad.yaml"
    bad.write_text(
        "version: 1\nskills:\n  - {business_line: national_tax, language: zh, name: N}\n"
        "agents:\n  - {code: A1, name: X, languages: [zh], skills: {national_tax: 0}}\n"
    )
    result = runner.invoke(app, ["import", str(bad)])
    assert result.exit_code == 2  # the file is wrong: an input error
    assert "nothing was written" in result.stderr
    lines = result.stderr.splitlines()
    [line] = [line for line in lines if "agents[0] (code=A1): skills.national_tax" in line]
    assert str(bad) in line  # never wrapped: file, entry and field on one line


def test_version(runner: CliRunner) -> None:
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"hotline {version('hotline')}\n"


def test_usage_errors_exit_2_on_one_line(runner: CliRunner) -> None:
    result = runner.invoke(app, ["calendar", "show"])
    assert result.exit_code == 2
    assert "Error: Missing argument 'month'." in result.stderr.splitlines()


def test_user_create_reads_the_password_from_stdin(runner: CliRunner) -> None:
    result = runner.invoke(
        app,
        [
            "user",
            "create",
            "ops.lead",
            "--role",
            "ops",
            "--full-name",
            "Ops Lead",
            "--password-stdin",
        ],
        input="a-long-password\n",
    )
    assert result.exit_code == 0, result.output
    assert "created user ops.lead" in result.output
    again = runner.invoke(
        app,
        ["user", "create", "ops.lead", "--role", "ops", "--password-stdin"],
        input="pw-123456\n",
    )
    assert again.exit_code == 1
    assert "already exists" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["user", "create", "x.y", "--role", "boss", "--password-stdin"], "unknown role boss"),
        (["user", "create", "x.y", "--role", "agent", "--password-stdin"], "password"),
    ],
)
def test_user_create_rejects_bad_input(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, args, input="short\n")
    assert result.exit_code == 2
    assert message in result.output


def test_invalid_settings_stop_the_cli_with_a_message(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLINE_DATABASE_URL", "mysql://nope")
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "database_url" in result.output


def test_user_create_applies_the_password_policy(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["user", "create", "li.lei", "--role", "agent", "--password-stdin"],
        input="password123\n",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "password is one of the most common passwords" in result.output
