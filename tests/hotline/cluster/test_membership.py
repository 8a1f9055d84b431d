"""A second instance whose configuration differs from a running one's is refused at start, with
each differing key and both values named; on SQLite nothing is compared."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from hotline.cluster.leadership import leader_only
from hotline.cluster.membership import ConfigurationMismatch
from hotline.config import ClusterSettings, Settings
from hotline.main import create_app


def _settings(database_url: str, name: str, **overrides: object) -> Settings:
    ttl = overrides.pop("ttl", 3.0)
    return Settings(
        database_url=database_url,
        cluster=ClusterSettings(instance_id=name, lease_ttl_s=ttl),
        **overrides,  # type: ignore[arg-type]
    )


@contextlib.asynccontextmanager
async def _running(settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_app(settings, components=[leader_only([])])
    async with app.router.lifespan_context(app):
        yield app


@pytest.mark.asyncio
async def test_a_second_instance_configured_differently_is_refused_naming_each_key(
    database_url: str,
) -> None:
    same = _settings(database_url, "node-c")
    other = _settings(database_url, "node-b", timezone="Asia/Urumqi", ttl=4.0)
    async with _running(_settings(database_url, "node-a")):
        if database_url.startswith("sqlite"):
            # Embedded: one process by design, nothing stored, nothing compared.
            async with _running(other):
                return
        with pytest.raises(ConfigurationMismatch) as refused:
            async with _running(other):
                pytest.fail("a misconfigured instance started")
        message = str(refused.value)
        assert "node-a" in message
        assert "timezone: this instance has 'Asia/Urumqi', node-a has 'Asia/Shanghai'" in message
        assert "cluster.lease_ttl_s: this instance has '4.0', node-a has '3.0'" in message
        assert {d.key for d in refused.value.differences} == {
            "cluster.lease_ttl_s",
            "timezone",
        }
        async with _running(same):  # the same configuration joins beside it
            pass
    # node-a left cleanly (its row is gone): the other configuration may start now.
    async with _running(other):
        pass


def test_hotline_serve_refuses_in_one_line_without_a_traceback(pg_url: str) -> None:
    """The CLI's refusal: exit status 2 and the message on stderr, before uvicorn starts."""
    import asyncio

    async def scenario() -> subprocess.CompletedProcess[str]:
        async with _running(_settings(pg_url, "node-a")):
            env = {
                **os.environ,
                "HOTLINE_DATABASE_URL": pg_url,
                "HOTLINE_TIMEZONE": "Asia/Urumqi",
                "HOTLINE_CLUSTER__INSTANCE_ID": "node-b",
            }
            return await asyncio.to_thread(
                subprocess.run,
                [str(Path(sys.executable).parent / "hotline"), "serve", "--port", "0"],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )

    done = asyncio.run(scenario())
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "timezone: this instance has 'Asia/Urumqi', node-a has 'Asia/Shanghai'" in done.stderr
