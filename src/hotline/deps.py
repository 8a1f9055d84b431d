"""Typed dependency aliases shared by the routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hotline.bus import EventBus
from hotline.clock import Clock
from hotline.config import Settings
from hotline.db.session import commit_in_turn
from hotline.metrics import Metrics


@dataclass
class AppState:
    """Everything the lifespan builds; reachable from a request as ``request.app.state.hotline``."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    metrics: Metrics
    bus: EventBus = field(default_factory=EventBus)
    # Health checks contributed by components (e.g. one per ARI site): name -> callable.
    health_checks: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)


async def get_app_state(request: Request) -> AppState:
    # Async on purpose: FastAPI runs a plain ``def`` dependency in its thread pool, and this one
    # is in nearly every request; the hop to a worker thread and back cost more than the rest
    # of the dependency solving under the API load benchmark.
    state: AppState = request.app.state.hotline
    return state


AppStateDep = Annotated[AppState, Depends(get_app_state)]


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed here on success, rolled back on any error.

    Takes the request rather than ``AppStateDep``: one dependency layer less for FastAPI to
    solve on nearly every request (a measurable share of a request's CPU under load)."""
    state: AppState = request.app.state.hotline
    async with state.sessionmaker() as session:
        try:
            yield session
            await commit_in_turn(session)
        except BaseException:
            await session.rollback()
            raise


# scope="function": the commit runs before the response is sent. With FastAPI's default for a
# dependency with yield ("request") it ran after: a client was told 200 (or 201) for a write, or
# for a read whose audit entry, that then failed to commit, and a database stopped at that moment
# (tests/hotline/live/test_postgres_restart.py) cut the connection mid-answer instead of a 503.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def release_connection(session: AsyncSession) -> None:
    """End the request's transaction so far (committing it) and give its connection back to the
    pool, before the handler takes another one (a unit of work with its own transaction). A
    request never holds one connection while it waits for a second: under load that is how a
    pool deadlocks. The session takes a connection again when it is next used."""
    await session.commit()
