"""The composition root: ``create_app(settings)`` wires everything; nothing connects at import."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI

from hotline import __doc__ as package_doc
from hotline.api import api_router
from hotline.api.health import router as health_router
from hotline.clock import Clock, SystemClock
from hotline.config import Settings
from hotline.db import migrate
from hotline.db.session import create_engine, create_sessionmaker
from hotline.deps import AppState
from hotline.errors import install_error_handlers
from hotline.metrics import Metrics
from hotline.middleware import RequestContextMiddleware

log = structlog.get_logger(__name__)

# A component started after the database is ready and stopped before it closes (ARI sites, the
# routing loop, the work-order sweeper); later issues register theirs here.
Component = Callable[[AppState], Awaitable[Callable[[], Awaitable[None]]]]


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    components: list[Component] | None = None,
) -> FastAPI:
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url, echo=settings.database_echo)
        state = AppState(
            settings=settings,
            engine=engine,
            sessionmaker=create_sessionmaker(engine),
            clock=clock or SystemClock(),
            metrics=metrics,
        )
        app.state.hotline = state
        stops: list[Callable[[], Awaitable[None]]] = []
        try:
            if settings.auto_migrate:
                await migrate.upgrade(engine)
            for component in components or []:
                stops.append(await component(state))
            log.info("hotline_started", database=engine.url.render_as_string(hide_password=True))
            yield
        finally:
            for stop in reversed(stops):
                await stop()
            await engine.dispose()

    app = FastAPI(
        title="hotline",
        summary="Contact-centre backend for the 12366 tax hotline",
        description=package_doc or "",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    app.include_router(health_router)
    app.include_router(api_router())
    return app
