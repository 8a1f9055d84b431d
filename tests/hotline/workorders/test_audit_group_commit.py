"""Supervisors reading pages of work orders at once: each page waits until its personal-data
audit entry is committed, and the entries of concurrent pages are committed together
(``hotline.audit_reads``). Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from sqlalchemy import insert, select

from hotline.audit_reads import read_audits, read_entry
from hotline.clock import utc_now
from hotline.db.models import AuditLog
from hotline.db.session import transaction
from tests.hotline.workorders.conftest import TAXPAYER, Centre
from tests.waiting import WAIT_S

pytestmark = pytest.mark.asyncio

PAGES = 8


async def _until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(WAIT_S):
        while not condition():
            await asyncio.sleep(0.005)


async def test_concurrent_pages_are_answered_only_once_their_audit_is_committed_together(
    centre: Centre, app: FastAPI
) -> None:
    await centre.create()
    state = app.state.hotline
    writer = read_audits(state.extras)
    batches_before = writer.stats.batches
    async with state.engine.connect() as blocker:
        # Hold the database's write lock: no audit entry can be committed meanwhile.
        if blocker.dialect.name == "sqlite":
            row = read_entry(
                at=utc_now(),
                action="blocker",
                actor_user_id=None,
                actor_username=None,
                subject_type=None,
                subject_id=None,
                detail={},
                request_id=None,
                client_ip=None,
            )
            await blocker.execute(insert(AuditLog.__table__), [row])
        else:
            await blocker.exec_driver_sql("LOCK TABLE audit_log IN EXCLUSIVE MODE")
        pages = [
            asyncio.create_task(
                centre.client.get("/api/v1/workorders", headers=centre.headers("supervisor"))
            )
            for _ in range(PAGES)
        ]
        await _until(lambda: writer.pending == PAGES)
        for _ in range(50):
            await asyncio.sleep(0)
        assert not any(page.done() for page in pages)  # no taxpayer shown before the audit
        await blocker.rollback()
    answers = await asyncio.wait_for(asyncio.gather(*pages), WAIT_S)
    assert [answer.status_code for answer in answers] == [200] * PAGES
    assert {answer.json()["items"][0]["taxpayer"]["phone"] for answer in answers} == {
        TAXPAYER["phone"]
    }
    async with transaction(centre.sessionmaker) as session:
        entries = list(
            await session.scalars(
                select(AuditLog).where(
                    AuditLog.action == "personal_data_read",
                    AuditLog.actor_username == "supervisor-user",
                )
            )
        )
    assert len(entries) == PAGES
    assert {entry.detail["purpose"] for entry in entries} == {"list"}
    assert len({entry.request_id for entry in entries}) == PAGES
    # One commit for the page that reached the lock first, one for the others that gathered.
    assert writer.stats.batches - batches_before <= 2
