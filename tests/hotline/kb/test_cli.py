"""``hotline kb`` from a shell: import (idempotent, errors name file and field), search, export."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.cli import app
from hotline.db.session import create_engine, create_sessionmaker
from tests.hotline.kb.helpers import SAMPLE, seed_topics


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    """The CLI's database, with the call-summary taxonomy the articles name."""
    monkeypatch.setenv("HOTLINE_DATABASE_URL", database_url)

    async def seed() -> None:
        engine = create_engine(database_url)
        try:
            await seed_topics(create_sessionmaker(engine))
        finally:
            await engine.dispose()

    asyncio.run(seed())


def test_import_search_export(env: None, tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["kb", "import", str(SAMPLE)])
    assert first.exit_code == 0, first.output
    assert "104 versions created" in first.output
    again = runner.invoke(app, ["kb", "import", str(SAMPLE)])
    assert "0 versions created, 0 updated, 104 unchanged" in again.output
    found = runner.invoke(
        app,
        ["kb", "search", "专票怎么红冲", "--region", "wenzhou", "--date", "2026-03-01", "--json"],
    )
    rows = json.loads(found.stdout)
    assert rows[0]["id"] == "kb-inv-003"
    assert all({"id", "score"} <= set(r) for r in rows)
    assert rows == sorted(rows, key=lambda r: -r["score"])
    out = tmp_path / "out"
    assert runner.invoke(app, ["kb", "export", str(out)]).exit_code == 0
    assert len(list(out.glob("*.md"))) == 104
    # A rebuilt index ranks exactly as the one written by the import.
    rebuilt = runner.invoke(app, ["kb", "reindex"])
    assert "indexed 104 versions" in rebuilt.output, rebuilt.output
    again_found = runner.invoke(
        app,
        ["kb", "search", "专票怎么红冲", "--region", "wenzhou", "--date", "2026-03-01", "--json"],
    )
    assert json.loads(again_found.stdout) == rows
    initials = runner.invoke(app, ["kb", "search", "grsds", "--date", "2026-03-01", "--json"])
    assert json.loads(initials.stdout)


def test_a_bad_file_fails_the_import_naming_it(env: None, tmp_path: Path) -> None:
    shutil.copy(SAMPLE / "kb-iit-004.md", tmp_path / "kb-iit-004.md")
    bad = tmp_path / "kb-iit-004.md"
    bad.write_text(bad.read_text(encoding="utf-8").replace("owner:", "owner_x:"), encoding="utf-8")
    result = CliRunner().invoke(app, ["kb", "import", str(tmp_path)])
    assert result.exit_code == 2
    assert "kb-iit-004.md: owner: is missing" in result.output
