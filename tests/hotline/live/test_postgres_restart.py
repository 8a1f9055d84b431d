"""PostgreSQL stopped and started again while supervisors read and calls flow (issue 11: the
database restarted under load).

The service runs in a process of its own on a private PostgreSQL server (the machine's shared
one must not be restarted). While the database is down the API keeps answering: 503
``database_unavailable`` in the error shape with ``Retry-After``, never a 500 and never a
request left hanging; when it is back the API recovers by itself; and every taxpayer call,
including those that arrived while the database was down, has exactly one closed call record.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy import select

from cti.emulator import AgentScript, LabConfig, run_emulator
from hotline.config import Settings
from hotline.db import migrate
from hotline.db.models.call import Call
from hotline.db.session import create_engine
from hotline.demo.runner import import_centre
from tests.hotline.live.private_postgres import PrivatePostgres, unavailable_reason
from tests.hotline.live.test_demo_flow import ARI_PASSWORD, SPEED, _centre, _taxpayer, _token
from tests.hotline.live.test_sigkill_restart import _agent_ready, _closed_calls, _service

ENDPOINTS = ("/api/v1/calls", "/api/v1/queues", "/api/v1/workorders")
READERS = 6  # concurrent supervisors polling (a light load: the machine is shared)
HANG_S = 10.0  # an answer slower than this counts as a hang
CALLS = 9  # three before the stop, three while the database is down, three after it is back
DOWN_S = 3.0


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(f"no private PostgreSQL server for the restart test: {reason}")
    server = PrivatePostgres()
    try:
        server.start()
        yield server
    finally:
        server.remove()


class Readers:
    """Supervisors reading the three endpoints in turn, as fast as they are answered; every
    answer is classified, and anything but 200 or a proper 503 is kept for the assertion."""

    def __init__(self, http: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.http = http
        self.headers = headers
        self.statuses: Counter[int] = Counter()
        self.wrong: list[str] = []
        self.slowest_s = 0.0
        self._stop = asyncio.Event()

    async def _read(self, first: int) -> None:
        turn = first
        while not self._stop.is_set():
            path = ENDPOINTS[turn % len(ENDPOINTS)]
            turn += 1
            started = time.monotonic()
            try:
                response = await self.http.get(path, headers=self.headers, timeout=HANG_S)
            except httpx.HTTPError as exc:
                self.wrong.append(f"{path}: {type(exc).__name__} (no answer in {HANG_S} s?)")
                continue
            self.slowest_s = max(self.slowest_s, time.monotonic() - started)
            self.statuses[response.status_code] += 1
            if response.status_code == 200:
                continue
            body = response.json() if response.content else {}
            proper = (
                response.status_code == 503
                and body.get("error") == "database_unavailable"
                and body.get("detail")
                and response.headers.get("retry-after", "").isdigit()
            )
            if not proper:
                self.wrong.append(f"{path}: {response.status_code} {response.text[:200]}")
            await asyncio.sleep(0.05)  # a refusing service is not hammered in a tight loop

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Readers]:
        tasks = [asyncio.create_task(self._read(n)) for n in range(READERS)]
        try:
            yield self
        finally:
            self._stop.set()
            await asyncio.gather(*tasks)


async def _until(check: object, what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{what} within {seconds} s")


@pytest.mark.asyncio
async def test_the_api_answers_503_while_postgres_restarts_and_no_call_is_lost(
    private_postgres: PrivatePostgres,
) -> None:
    url = private_postgres.url
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()
    settings = Settings(database_url=url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    numbers = [f"139058{n:05d}" for n in range(CALLS)]
    callers = [_taxpayer(number, patience_s=3000.0, survey=None) for number in numbers]
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _centre(emulator.base_url))
        emulator.add_endpoint("PJSIP/2001", AgentScript(answer_after_s=1.0, talk_s=4.0))
        async with (
            _service(url) as (_, base_url),
            httpx.AsyncClient(base_url=base_url, timeout=HANG_S) as http,
        ):
            await _agent_ready(http)
            boss = await _token(http, "boss")
            readers = Readers(http, boss)
            async with readers.running():
                for caller in callers[:3]:
                    emulator.place_call(caller)
                    await asyncio.sleep(0.1)

                async def three_recorded() -> bool:
                    return (await _closed_calls(http, boss))[0] >= 3

                await _until(three_recorded, "the first calls were not recorded", 30)

                # In a thread: the readers go on while pg_ctl waits for the server.
                await asyncio.to_thread(private_postgres.stop)
                ok_before_stop = readers.statuses[200]
                for caller in callers[3:6]:  # taxpayers keep calling while the database is down
                    emulator.place_call(caller)
                    await asyncio.sleep(0.1)
                await asyncio.sleep(DOWN_S)
                refused_while_down = readers.statuses[503]
                await asyncio.to_thread(private_postgres.start)

                async def answers_again() -> bool:
                    return (await http.get("/api/v1/calls", headers=boss)).status_code == 200

                await _until(answers_again, "the API did not recover by itself", 30)
                ok_after_restart = readers.statuses[200]
                for caller in callers[6:]:
                    emulator.place_call(caller)
                    await asyncio.sleep(0.1)

                async def all_closed() -> bool:
                    return await _closed_calls(http, boss) == (CALLS, CALLS)

                await _until(all_closed, "not every call was recorded and closed", 90)
            assert readers.wrong == [], readers.wrong[:5]
            assert ok_before_stop > 0
            assert refused_while_down > 0, readers.statuses  # the outage was seen, and said
            assert readers.statuses[200] > ok_after_restart  # the readers themselves recovered
            assert readers.slowest_s < HANG_S

    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = (
                await connection.execute(select(Call.caller_number).where(Call.kind == "inbound"))
            ).all()
    finally:
        await engine.dispose()
    # Each taxpayer once, those who called during the outage included: none lost, none doubled.
    assert sorted(row.caller_number for row in rows) == sorted(numbers)
