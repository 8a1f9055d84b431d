"""`hotline demo` runs on uvloop, as `hotline serve` does under uvicorn."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from hotline.demo import DemoOptions
from hotline.demo import runner as demo_runner


def test_the_demo_runs_on_the_loop_the_service_gets_from_uvicorn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("uvloop")

    async def which_loop(options: DemoOptions) -> demo_runner.DemoStats:
        loop = type(asyncio.get_running_loop())
        return demo_runner.DemoStats(agents_ready=[f"{loop.__module__}.{loop.__name__}"])

    monkeypatch.setattr(demo_runner, "run_demo", which_loop)
    stats = demo_runner.run_demo_on_uvloop(DemoOptions(database=Path("unused.db")))
    assert stats.agents_ready[0].startswith("uvloop")
