"""`hotline demo` for a few seconds, sped up: agents log in, taxpayers call, the API shows it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hotline.demo import DemoOptions
from hotline.demo.runner import run_demo

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "hangzhou.yaml"


@pytest.mark.asyncio
async def test_the_demo_logs_agents_in_and_calls_flow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("HOTLINE_DEMO_PASSWORD", raising=False)
    monkeypatch.delenv("HOTLINE_DEMO_ARI_PASSWORD", raising=False)
    database = tmp_path / "demo.db"
    options = DemoOptions(
        port=0,
        calls_per_minute=12.0,  # emulated minutes: about 4 calls per real second
        agents=4,
        duration_s=3.0,
        database=database,
        seed=5,
        example=EXAMPLE,
        speed=20.0,
        status_s=1.0,
    )
    stats = await run_demo(options)
    printed = capsys.readouterr().err
    assert len(stats.agents_ready) == 4
    assert stats.placed > 5
    assert "hotline demo is running" in printed
    assert "/api/v1/wallboard/events" in printed
    assert "password: 'hotline-demo'" in printed
    # The agents the simulator leaves alone are for people, whose desk softphone rings.
    assert "Take calls yourself: open http://127.0.0.1:" in printed
    assert "their phones ring in the page and are answered from it." in printed
    assert "demo: " in printed  # the status line, read through the queue API
    with sqlite3.connect(database) as db:
        (calls,) = db.execute("SELECT count(*) FROM call").fetchone()
        (offers,) = db.execute("SELECT count(*) FROM call_event WHERE kind = 'offer'").fetchone()
        (logged_in,) = db.execute("SELECT count(*) FROM agent_session").fetchone()
        versions = db.execute("SELECT id, published_by FROM config_version").fetchall()
    assert versions == [(1, "demo")]  # examples/centre.yaml, published on the first start
    assert calls > 0
    assert offers > 0
    assert logged_in == 4
