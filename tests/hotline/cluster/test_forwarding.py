"""A standby's answers when it cannot forward, and what /readyz says of the lease."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from hotline.cluster.leadership import leader_only
from hotline.cluster.lease import Lease
from hotline.config import ClusterSettings, Settings
from hotline.db.session import create_engine
from hotline.main import create_app
from tests.ports import refusing_port

SCRAPE = {"Authorization": "Bearer scrape-token-for-tests"}


@contextlib.asynccontextmanager
async def _instance(database_url: str, name: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=database_url,
        metrics_token=SecretStr("scrape-token-for-tests"),
        cluster=ClusterSettings(instance_id=name, advertise_url=f"http://{name}.test"),
    )
    app: FastAPI = create_app(settings, components=[leader_only([])])
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hotline.test") as http:
            yield http


@contextlib.asynccontextmanager
async def _held_elsewhere(database_url: str, advertise_url: str) -> AsyncIterator[None]:
    """The lease held by another instance for the whole test (a long TTL, never renewed)."""
    engine = create_engine(database_url)
    lease = Lease(engine, instance_id="elsewhere", advertise_url=advertise_url, ttl_s=60)
    try:
        assert await lease.try_acquire() is not None
        yield
    finally:
        await lease.release()
        await engine.dispose()


@pytest.mark.asyncio
async def test_readyz_says_which_instance_leads(database_url: str) -> None:
    async with _instance(database_url, "node-a") as http:
        bare = await http.get("/readyz")
        detailed = await http.get("/readyz", headers=SCRAPE)
        metrics = await http.get("/metrics", headers=SCRAPE)
    assert bare.json()["role"] == "leader"
    assert "checks" not in bare.json()
    cluster = detailed.json()["checks"]["cluster"]
    assert cluster["leader"] == "node-a"
    assert cluster["leading"] is True
    assert "hotline_cluster_leader 1.0" in metrics.text
    assert "hotline_cluster_takeovers_total 1.0" in metrics.text


@pytest.mark.asyncio
async def test_a_standby_with_no_leader_to_reach_answers_503_in_words(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("on SQLite the instance always leads: nothing is forwarded")
    # A leader that advertised no URL, then one whose URL answers nothing (a port held closed:
    # a probed-then-released one might be serving something else by the time it is tried).
    with refusing_port() as port:
        cases = {"": "no instance runs the call engine", f"http://127.0.0.1:{port}": "did not"}
        for url, words in cases.items():
            async with (
                _held_elsewhere(database_url, url),
                _instance(database_url, "node-b") as http,
            ):
                assert (await http.get("/readyz")).json()["role"] == "standby"
                reply = await http.put(
                    "/api/v1/agent/session/state",
                    json={"state": "ready"},
                    headers={"Authorization": "Bearer whatever"},
                )
                # Not engine-bound: answered here (no credentials, so 401), never forwarded.
                local = await http.get("/api/v1/calls")
            assert reply.status_code == 503, reply.text
            assert reply.headers["retry-after"] == "2"
            assert reply.headers["content-type"].startswith("application/problem+json")
            body = reply.json()
            assert body["error"] == "no_leader"
            assert words in body["detail"]
            assert "retry" in body["detail"]
            assert local.status_code == 401
