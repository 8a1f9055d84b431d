"""No pool deadlock: a request never holds one connection while it waits for another, and the
CTI engine writes on a pool of its own, so API load never starves call handling.

The API pool here is two connections with no overflow and a short wait: today's pattern (the
principal's session held while the audit entry opens a second) deadlocks it with a handful of
concurrent readers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.ports import CallKey, CallPhase
from hotline.config import Settings
from hotline.db.models import AuditLog, Call
from hotline.db.session import transaction
from hotline.main import create_app
from hotline.roles import Role
from hotline.telephony import TELEPHONY_KEY, TelephonyService, telephony_component
from tests.fixtures.app import FixedClock, Users
from tests.hotline.telephony.builders import SITE, inbound, seed_directory
from tests.hotline.telephony.fakes import RecordingControl

pytestmark = pytest.mark.asyncio

READERS = 24
CALLS = 12
# A liveness guard, not a speed assertion: on a deadlocked pool the readers never all finish.
STUCK_S = 120


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        metrics_token=SecretStr("scrape-token-for-tests"),
        database_pool_size=2,
        database_pool_overflow=0,
        database_pool_timeout_s=5,
    )


@pytest_asyncio.fixture
async def app(settings: Settings, clock: FixedClock) -> AsyncIterator[FastAPI]:
    application = create_app(
        settings, clock=clock, components=[telephony_component(RecordingControl())]
    )
    async with application.router.lifespan_context(application):
        yield application


def _service(app: FastAPI) -> TelephonyService:
    service = app.state.hotline.extras[TELEPHONY_KEY]
    assert isinstance(service, TelephonyService)
    return service


async def _calls_flow(service: TelephonyService, clock: FixedClock, first: int) -> None:
    for n in range(first, first + CALLS):
        key = CallKey(SITE, f"pool-{n}")
        await service.director.call_arrived(inbound(key.call_id, clock.now()))
        await service.director.ivr_completed(key, language="zh", line="national_tax")
        await service.director.caller_left(key, phase=CallPhase.QUEUE)
        await service.director.call_finished(key)
        await asyncio.sleep(0)  # let the readers interleave


async def test_many_concurrent_readers_on_a_small_pool_all_answer_and_calls_are_recorded(
    app: FastAPI,
    client: httpx.AsyncClient,
    users: Users,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
) -> None:
    seeded = await seed_directory(app_sessionmaker)
    service = _service(app)
    await service.agents.login(seeded.agents["a1"], site=SITE)  # not ready: calls wait
    await _calls_flow(service, clock, 0)
    await service.flush()
    async with transaction(app_sessionmaker) as session:
        call_id = await session.scalar(select(func.min(Call.id)))
    supervisor = users.headers(Role.SUPERVISOR)
    paths = [f"/api/v1/calls/{call_id}", "/api/v1/calls", "/api/v1/workorders", "/api/v1/queues"]

    async def read(n: int) -> int:
        response = await client.get(paths[n % len(paths)], headers=supervisor)
        return response.status_code

    readers = asyncio.gather(*(read(n) for n in range(READERS)))
    calls = asyncio.create_task(_calls_flow(service, clock, CALLS))
    statuses = await asyncio.wait_for(readers, STUCK_S)
    await calls
    assert statuses == [200] * READERS

    await service.flush()
    async with transaction(app_sessionmaker) as session:
        recorded = await session.scalar(
            select(func.count(Call.id)).where(Call.outcome == "abandoned_queue")
        )
        audited = await session.scalar(
            select(func.count(AuditLog.id)).where(
                AuditLog.action == "personal_data_read", AuditLog.subject_id == str(call_id)
            )
        )
    assert recorded == 2 * CALLS  # every call, during the API load too
    assert audited == READERS // len(paths)  # each detail read audited, in its own request


async def test_readyz_and_metrics_show_the_cti_write_queue(
    client: httpx.AsyncClient,
) -> None:
    scraper = {"Authorization": "Bearer scrape-token-for-tests"}
    # The details are for a permitted login or the scrape token (a bare probe gets the status).
    ready = (await client.get("/readyz", headers=scraper)).json()
    assert ready["checks"]["cti_writes"]["ok"] is True
    assert ready["checks"]["cti_writes"]["depth"] == 0
    scraped = await client.get(
        "/metrics", headers={"Authorization": "Bearer scrape-token-for-tests"}
    )
    assert scraped.status_code == 200
    for name in (
        "hotline_cti_write_lag_seconds",
        "hotline_cti_write_queue_depth",
        "hotline_cti_write_lag_alarm",
        'hotline_cti_writes_total{outcome="written"}',
    ):
        assert name in scraped.text
