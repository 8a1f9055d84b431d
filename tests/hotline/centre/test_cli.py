"""``hotline config`` from a shell: validate (every problem, naming the file), publish, diff,
show, rollback; a stale base is refused."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hotline.cli import app
from hotline.db.session import create_engine, create_sessionmaker

from .helpers import EXAMPLE, example, staff_every_line


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("HOTLINE_DATABASE_URL", database_url)

    async def seed() -> None:
        engine = create_engine(database_url)
        try:
            await staff_every_line(create_sessionmaker(engine))
        finally:
            await engine.dispose()

    asyncio.run(seed())


def test_validate_lists_every_problem_naming_the_file(tmp_path: Path) -> None:
    data = example()
    data["routing"]["default"]["stages"][2]["after_s"] = 10
    data["ivr"]["lines"][0]["line"] = "customs"
    bad = tmp_path / "edited.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(app, ["config", "validate", str(bad)])
    assert result.exit_code == 2
    assert (
        "error: edited.yaml: routing.default.stages[2].after_s: must be > stages[1].after_s"
        in result.output
    )
    assert (
        "error: edited.yaml: ivr.lines[0].line: unknown line 'customs' (not in lines)"
        in result.output
    )
    assert "nothing was published" in result.output
    good = CliRunner().invoke(app, ["config", "validate", str(EXAMPLE)])
    assert good.exit_code == 0, good.output
    assert "centre.yaml: valid" in good.output


def test_publish_diff_show_rollback(env: None, tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(
        app, ["config", "publish", str(EXAMPLE), "--reason", "start", "--by", "ann"]
    )
    assert first.exit_code == 0, first.output
    assert "published version 1" in first.output
    same = runner.invoke(app, ["config", "diff", str(EXAMPLE)])
    assert "the same as version 1 in force" in same.output

    data = example()
    data["routing"]["default"]["announce_every_s"] = 30
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    diff = runner.invoke(app, ["config", "diff", str(edited), "--json"])
    assert json.loads(diff.stdout)["changes"] == [
        {"path": "routing.default.announce_every_s", "old": 45, "new": 30}
    ]
    second = runner.invoke(app, ["config", "publish", str(edited), "--reason", "more often"])
    assert second.exit_code == 0, second.output
    stale = runner.invoke(
        app, ["config", "publish", str(EXAMPLE), "--reason", "mine", "--base", "1"]
    )
    assert stale.exit_code == 2
    assert "version 2 is in force but this edit started from version 1" in stale.output

    shown = runner.invoke(app, ["config", "show", "1"])
    assert "# version 1, published by ann" in shown.output
    assert "# The 12366 centre's configuration" in shown.output  # the file as written
    back = runner.invoke(app, ["config", "rollback", "1", "--reason", "too chatty"])
    assert back.exit_code == 0, back.output
    assert "version 1 is back in force as version 3" in back.output
    history = runner.invoke(app, ["config", "show", "--history", "--json"])
    assert [v["version"] for v in json.loads(history.stdout)] == [3, 2, 1]
    missing = runner.invoke(app, ["config", "rollback", "9"])
    assert missing.exit_code == 2
    assert "no configuration version 9" in missing.output
