"""The real service's database writes in the CTI benchmark's loop (``benchmarks/cti.py --db``).

`RecordingDirector` is the benchmark's in-memory director plus the bookkeeping the production
director makes for each notification, through the production `Recorder`: its write queue on a
pool of its own, call ids reserved ahead, and the screen pop's read of the caller's previous
calls after each offer. So the event -> command latency includes whatever the database costs the
call path, and the write queue's lag says how far the bookkeeping trails the calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, make_url, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from cti.calls.ports import CallKey, CallPhase, EndedBy, InboundCall, IvrPlan, LegFailure
from hotline.db import migrate
from hotline.db.models import Agent, Call, CallEvent, Site
from hotline.db.session import create_engine, create_sessionmaker, transaction
from hotline.db.write_queue import WriteQueue
from hotline.telephony.recorder import Recorder

DEFAULT_POSTGRES_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


@dataclass
class BenchDatabase:
    url: str
    kind: str
    site_id: int = 0
    agent_ids: dict[str, int] = field(default_factory=dict)


@contextlib.asynccontextmanager
async def bench_database(kind: str, agents: list[str]) -> AsyncIterator[BenchDatabase]:
    """A new, migrated database (a SQLite file or a scratch PostgreSQL database), with one site
    and one agent row per endpoint; removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="hotline-bench-") as folder:
            database = BenchDatabase(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}", kind)
            await _prepare(database, agents)
            yield database
        return
    admin = os.environ.get("HOTLINE_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_ADMIN)
    name = f"hotline_bench_{uuid.uuid4().hex[:8]}"
    await _admin(admin, f'CREATE DATABASE "{name}"')
    try:
        url = make_url(admin).set(database=name).render_as_string(hide_password=False)
        database = BenchDatabase(url, kind)
        await _prepare(database, agents)
        yield database
    finally:
        await _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _prepare(database: BenchDatabase, agents: list[str]) -> None:
    engine = create_engine(database.url)
    try:
        await migrate.upgrade(engine)
        async with transaction(create_sessionmaker(engine)) as session:
            site = Site(
                code="bench", name="Bench", ari_url="http://127.0.0.1:1", ari_username="u",
                ari_password="p",
            )  # fmt: skip
            session.add(site)
            rows = [Agent(code=f"b{n}", name=endpoint, languages=["zh"]) for n, endpoint in
                    enumerate(agents)]  # fmt: skip
            session.add_all(rows)
            await session.flush()
            database.site_id = site.id
            database.agent_ids = {row.name: row.id for row in rows}
    finally:
        await engine.dispose()


async def count_rows(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            calls = await session.scalar(select(func.count(Call.id)))
            closed = await session.scalar(
                select(func.count(Call.id)).where(Call.ended_at.is_not(None))
            )
            journal = await session.scalar(select(func.count()).select_from(CallEvent))
        return {"calls": calls or 0, "calls_closed": closed or 0, "journal": journal or 0}
    finally:
        await engine.dispose()


class CallBook:
    """What the production director writes, per notification, through the real recorder."""

    def __init__(self, database: BenchDatabase, pool_size: int = 4) -> None:
        self.engine = create_engine(database.url, pool_size=pool_size, max_overflow=0)
        sessionmaker = create_sessionmaker(self.engine)
        self.writes = WriteQueue(sessionmaker, name="cti")
        self.recorder = Recorder(sessionmaker, self.writes)
        self.database = database
        self.ids: dict[CallKey, int] = {}
        self.agent_of: dict[CallKey, int] = {}

    async def close(self) -> None:
        await self.writes.stop(drain_timeout_s=600)
        await self.engine.dispose()

    @staticmethod
    def _now() -> datetime:
        return datetime.now(UTC)

    async def _journal(self, key: CallKey, kind: str, data: Mapping[str, Any]) -> None:
        call_id = self.ids.get(key)
        if call_id is not None:
            await self.recorder.journal(call_id, self._now(), kind, data)

    async def _update(self, key: CallKey, values: Mapping[str, Any]) -> None:
        call_id = self.ids.get(key)
        if call_id is not None:
            await self.recorder.update_call(call_id, {"live_state": {}, **values})

    async def arrived(self, call: InboundCall) -> None:
        now = self._now()
        arrived = InboundCall(
            call.key, call.caller_number, call.caller_name, call.dialled, call.channel_name, now
        )
        call_id = await self.recorder.open_call(
            arrived, site_id=self.database.site_id, region="unknown"
        )
        self.ids[call.key] = call_id
        await self._journal(call.key, "arrived", {"open": True, "channel": call.channel_name})
        await self._update(call.key, {})

    async def queued(self, key: CallKey, language: str, line: str) -> None:
        now = self._now()
        await self._journal(key, "ivr_completed", {"language": language, "line": line})
        await self._update(
            key, {"language": language, "business_line": line, "ivr_done_at": now,
                  "queued_at": now},
        )  # fmt: skip

    async def offered(self, key: CallKey, agent: str, number: str) -> None:
        await self._update(key, {"first_offered_at": self._now(), "routing_stage": 0})
        await self._journal(key, "offer", {"agent_id": agent})
        call_id = self.ids.get(key)
        if call_id is not None:  # the screen pop's read, after the dial as in the service
            await self.recorder.previous_calls(number, before_id=call_id)

    async def answered(self, key: CallKey, agent: str) -> None:
        agent_id = self.database.agent_ids[agent]
        self.agent_of[key] = agent_id
        await self._journal(key, "offer_answered", {"agent_id": agent})
        await self._update(key, {"answered_at": self._now(), "agent_id": agent_id})
        await self.recorder.log_agent_state(agent_id, self._now(), "on_call",
                                            site_id=self.database.site_id)  # fmt: skip

    async def talk_ended(self, key: CallKey, agent: str, ended_by: EndedBy) -> None:
        await self._journal(key, "talk_ended", {"agent_id": agent, "ended_by": ended_by.value})
        await self._update(key, {"ended_by": ended_by.value})
        await self.recorder.log_agent_state(self.database.agent_ids[agent], self._now(),
                                            "wrap_up", site_id=self.database.site_id)  # fmt: skip

    async def finished(self, key: CallKey) -> None:
        await self._journal(key, "call_finished", {})
        call_id = self.ids.pop(key, None)
        if call_id is not None:
            outcome = "answered" if self.agent_of.pop(key, None) else "abandoned_queue"
            await self.recorder.close_call(call_id, outcome, {"ended_at": self._now()})

    async def journal(self, key: CallKey, kind: str, data: Mapping[str, Any]) -> None:
        await self._journal(key, kind, data)


def recording(director_cls: type, book: CallBook) -> Any:
    """A subclass of the benchmark's director that also keeps the books."""

    class RecordingDirector(director_cls):  # type: ignore[misc,valid-type]
        def __post_init__(self) -> None:
            super().__post_init__()
            self.numbers: dict[CallKey, str] = {}

        async def call_arrived(self, call: InboundCall) -> IvrPlan:
            plan: IvrPlan = await super().call_arrived(call)
            self.numbers[call.key] = call.caller_number
            await book.arrived(call)
            return plan

        async def ivr_completed(self, key: CallKey, *, language: str, line: str) -> None:
            await book.queued(key, language, line)
            await super().ivr_completed(key, language=language, line=line)

        async def _offered(self, key: CallKey, agent: str) -> None:
            await book.offered(key, agent, self.numbers.get(key, ""))

        async def offer_answered(self, key: CallKey, *, agent_id: str) -> None:
            await super().offer_answered(key, agent_id=agent_id)
            await book.answered(key, agent_id)

        async def talk_ended(self, key: CallKey, *, agent_id: str, ended_by: EndedBy) -> None:
            await book.talk_ended(key, agent_id, ended_by)
            await super().talk_ended(key, agent_id=agent_id, ended_by=ended_by)

        async def caller_left(self, key: CallKey, *, phase: CallPhase) -> None:
            await book.journal(key, "caller_left", {"phase": phase.value})
            await super().caller_left(key, phase=phase)

        async def offer_failed(self, key: CallKey, *, agent_id: str, failure: LegFailure) -> None:
            await book.journal(key, "offer_failed", {"agent_id": agent_id})
            await super().offer_failed(key, agent_id=agent_id, failure=failure)

        async def call_finished(self, key: CallKey) -> None:
            self.numbers.pop(key, None)
            await book.finished(key)
            await super().call_finished(key)

        async def journal(self, key: CallKey, kind: str, data: Mapping[str, Any]) -> None:
            await book.journal(key, kind, data)

    return RecordingDirector


async def sample_lag(writes: WriteQueue, into: list[float], period_s: float = 0.05) -> None:
    while True:
        into.append(writes.lag_s() * 1000)
        await asyncio.sleep(period_s)
