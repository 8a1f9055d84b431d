"""``hotline reports fold`` from a shell, on SQLite and PostgreSQL: catch up, then nothing to do,
a range folded again, and bad bounds refused in words (exit 2)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from typer.testing import CliRunner

from hotline.cli import app
from hotline.db.session import create_engine, create_sessionmaker
from tests.hotline.reports.centre import seed_synthetic


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("HOTLINE_DATABASE_URL", database_url)
    # A fixed "now": with the real clock a quarter hour that ends between the two folds below
    # gives the second one a bucket to fold, and "up to date" would depend on the minute.
    monkeypatch.setattr("hotline.clock.utc_now", lambda: datetime(2026, 3, 12, 4, 0, tzinfo=UTC))

    async def seed() -> None:
        engine = create_engine(database_url)
        try:
            await seed_synthetic(create_sessionmaker(engine), date(2026, 3, 2))
        finally:
            await engine.dispose()

    asyncio.run(seed())


def test_fold_catches_up_then_refolds_a_range(env: None) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["reports", "fold"])
    assert first.exit_code == 0, first.output
    assert "folded" in first.output
    again = runner.invoke(app, ["reports", "fold"])
    assert again.exit_code == 0, again.output
    assert "up to date" in again.output
    ranged = runner.invoke(
        app,
        ["reports", "fold", "--from", "2026-03-02T00:00:00+08:00",
         "--to", "2026-03-03T00:00:00+08:00"],
    )  # fmt: skip
    assert ranged.exit_code == 0, ranged.output
    assert "again" in ranged.output
    for bad in (["--from", "2026-03-02"], ["--from", "2026-03-02T00:00:00", "--to", "x"]):
        refused = runner.invoke(app, ["reports", "fold", *bad])
        assert refused.exit_code == 2, refused.output
