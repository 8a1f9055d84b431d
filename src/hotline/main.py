"""The composition root: ``create_app(settings)`` wires everything; nothing connects at import."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.controller import ControllerOptions
from cti.calls.ports import CallControl, CallKey, IvrPlan, VoicemailSpec
from cti.calls.sites import CtiSites, SiteConfig
from hotline import __doc__ as package_doc
from hotline import openapi
from hotline.admission import FairAdmissionMiddleware
from hotline.api import API_PREFIX, add_routes, api_router
from hotline.api.calls import CALL_ACTIONS_KEY, TelephonyCallActions
from hotline.api.health import router as health_router
from hotline.audit_reads import AUDIT_READS_KEY, open_read_audits
from hotline.bus_bridge import bridge_events
from hotline.centre.live import DEFAULT_POLL_S
from hotline.clock import Clock, SystemClock
from hotline.cluster.forwarding import ForwardToLeaderMiddleware
from hotline.cluster.leadership import ARI_GATE_KEY, ARI_OBSERVER_KEY, leader_only
from hotline.config import Profile, Settings
from hotline.db import migrate
from hotline.db.fence import term_sessionmaker
from hotline.db.session import create_engine, create_sessionmaker
from hotline.deps import AppState
from hotline.errors import install_error_handlers
from hotline.looplag import LOOP_LAG_KEY, LoopLagMonitor
from hotline.metrics import Metrics
from hotline.middleware import RequestContextMiddleware
from hotline.telephony import TELEPHONY_KEY, TelephonyService
from hotline.telephony.component import follow_configuration
from hotline.telephony.database import start_cti_database, stop_cti_database
from hotline.warmup import warm_up_routes
from hotline.web.app import install_web
from hotline.workorders.diverted_questions import question_filer
from hotline.workorders.follow_up_calls import outcome_recorder
from hotline.workorders.sweeper import rules_cache
from routing import Policy

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
        engine = create_engine(
            settings.database_url,
            echo=settings.database_echo,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_pool_overflow,
            pool_timeout_s=settings.database_pool_timeout_s,
        )
        state = AppState(
            settings=settings,
            engine=engine,
            sessionmaker=create_sessionmaker(engine),
            clock=clock or SystemClock(),
            metrics=metrics,
        )
        app.state.hotline = state
        lag = state.extras[LOOP_LAG_KEY] = LoopLagMonitor(
            metrics, alarm_s=settings.loop_lag_alarm_ms / 1000
        )
        lag.start()
        stops: list[Callable[[], Awaitable[None]]] = [lag.stop]
        if settings.auth.secret_is_ephemeral and settings.profile is not Profile.TEST:
            log.warning(
                "jwt_secret_random",
                detail="HOTLINE_AUTH__JWT_SECRET is not set: tokens are signed with a random "
                "secret of this process and end with it",
            )
        try:
            if settings.auto_migrate:
                await migrate.upgrade(engine)
            stops.append(await bridge_events(state))  # before the components take state.bus
            reads = state.extras[AUDIT_READS_KEY] = open_read_audits(settings.database_url, engine)
            reads.start()
            stops.append(reads.stop)  # after the components: theirs may still be audited
            await warm_up_routes(app.router)  # before the calls flow: see hotline.warmup
            for component in components or []:
                stops.append(await component(state))
            if settings.gc_freeze_after_start and settings.profile is not Profile.TEST:
                freeze_start_up_objects(_FROZEN)
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
        # Served by hotline.web from local files (FastAPI's defaults load them from a CDN).
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    openapi.install(app)  # after the error handlers: it amends the document they wrap
    # Added before the request context so that it runs inside it (request id, metrics, logs).
    # Innermost of the three: a read forwarded to the leader or refused before the API holds
    # no place in the line.
    app.add_middleware(
        FairAdmissionMiddleware,
        limit=settings.api_concurrency,
        prefix=API_PREFIX + "/",
        metrics=metrics,
        hold_budget_s=settings.api_read_hold_budget_s,
    )
    app.add_middleware(ForwardToLeaderMiddleware)
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    add_routes(app.router, health_router)
    add_routes(app.router, api_router(), prefix=API_PREFIX)
    install_web(app)
    return app


_FROZEN: set[str] = set()  # "done" once this process has frozen (see below)


def freeze_start_up_objects(done: set[str]) -> bool:
    """Move every object alive after start-up out of the collector's sight (``gc.freeze``).

    What start-up builds (modules, routes, schemas, the telephony model) lives as long as the
    process, yet each full collection walked all of it again, on the loop, while the requests in
    flight waited (see BENCHMARKS.md, "API under load", the tail). The collection before the
    freeze keeps start-up's garbage out of the frozen set. Once per process: ``hotline serve``
    and the demo start one app, but tests start hundreds in one process, and freezing again
    would keep each earlier app's leftovers for good. True when this call froze.
    """
    if "done" in done:
        return False
    done.add("done")
    gc.collect()
    gc.freeze()
    return True


# ------------------------------------------------------------------ live telephony wiring
class _LateControl:
    """The service needs a ``CallControl`` before the sites exist (they need its director):
    this forwards every command to the sites once they are bound."""

    def __init__(self) -> None:
        self._target: CallControl | None = None

    def bind(self, target: CallControl) -> None:
        self._target = target

    @property
    def target(self) -> CallControl:
        if self._target is None:
            raise RuntimeError("telephony: no ARI sites bound yet")
        return self._target

    async def offer(
        self, key: CallKey, *, agent_id: str, endpoint: str, ring_timeout_s: float
    ) -> None:
        await self.target.offer(
            key, agent_id=agent_id, endpoint=endpoint, ring_timeout_s=ring_timeout_s
        )

    async def cancel_offer(self, key: CallKey, *, agent_id: str) -> None:
        await self.target.cancel_offer(key, agent_id=agent_id)

    async def announce(
        self, key: CallKey, *, position: int | None, expected_wait_s: float | None
    ) -> None:
        await self.target.announce(key, position=position, expected_wait_s=expected_wait_s)

    async def offer_callback(self, key: CallKey) -> None:
        await self.target.offer_callback(key)

    async def divert(
        self,
        key: CallKey,
        *,
        target: str,
        voicemail: VoicemailSpec | None = None,
        prompt: tuple[str, ...] = (),
    ) -> None:
        await self.target.divert(key, target=target, voicemail=voicemail, prompt=prompt)

    async def hold(self, key: CallKey) -> None:
        await self.target.hold(key)

    async def unhold(self, key: CallKey) -> None:
        await self.target.unhold(key)

    async def transfer(
        self, key: CallKey, *, agent_id: str, endpoint: str, ring_timeout_s: float
    ) -> None:
        await self.target.transfer(
            key, agent_id=agent_id, endpoint=endpoint, ring_timeout_s=ring_timeout_s
        )

    async def requeue(self, key: CallKey, *, line: str, language: str) -> None:
        await self.target.requeue(key, line=line, language=language)

    async def hangup(self, key: CallKey) -> None:
        await self.target.hangup(key)

    async def place_callback(
        self,
        key: CallKey,
        *,
        agent_id: str,
        agent_endpoint: str,
        taxpayer_number: str,
        ring_timeout_s: float,
        plan: IvrPlan | None = None,
    ) -> None:
        await self.target.place_callback(
            key,
            agent_id=agent_id,
            agent_endpoint=agent_endpoint,
            taxpayer_number=taxpayer_number,
            ring_timeout_s=ring_timeout_s,
            plan=plan,
        )


async def enabled_sites(state: AppState) -> list[SiteConfig]:
    """The ARI sites to connect to: every enabled site in the database."""
    from sqlalchemy import select

    from hotline.db.models import Site

    async with state.sessionmaker() as session:
        rows = (await session.scalars(select(Site).where(Site.enabled).order_by(Site.code))).all()
    return [
        SiteConfig(
            code=row.code,
            ari_url=row.ari_url,
            username=row.ari_username,
            password=row.ari_password,
            app=row.app_name,
            rest_transport=state.settings.ari_rest_transport,
            callback_dial=row.callback_dial,
            callback_caller_id=row.callback_caller_id,
        )
        for row in rows
    ]


def live_telephony(
    *,
    policy: Policy | None = None,
    controller_options: ControllerOptions | None = None,
    connect_timeout_s: float = 10.0,
    follow_config: bool = True,
    config_poll_s: float = DEFAULT_POLL_S,
    always_open: bool = False,
) -> Component:
    """The telephony component: the service (routing, persistence, agent sessions) plus one ARI
    connection and call controller per enabled site. The service starts first so that the
    controllers have a director from their first event; the sites stop first.

    ``follow_config``: the service runs the configuration version in force (``policy`` until
    one is published); ``always_open`` ignores the versions' service hours (the demo)."""

    async def start(state: AppState) -> Callable[[], Awaitable[None]]:
        late = _LateControl()
        database = await start_cti_database(state)
        service = TelephonyService(
            sessionmaker=database.sessionmaker,
            clock=state.clock,
            bus=state.bus,
            control=late,
            policy=policy,
            writes=database.writes,
            api_sessionmaker=state.sessionmaker,
            recording=state.settings.recording,
        )
        # 回访 calls end by writing their outcome into the order's history (on the API's pool).
        # On the API's pool, but under the engine's fence: they are the engine's writes.
        api_writes = _engine_writes_on_api_pool(state)
        service.follow_ups.on_finished = outcome_recorder(api_writes, state.clock)
        # Voicemails and work-order diverts become work orders (on the API's pool).
        service.acd.on_question = question_filer(api_writes, state.clock, rules_cache(state))
        sites = CtiSites(await enabled_sites(state), service.director, options=controller_options)
        _fence(state, sites)
        late.bind(sites)
        service.attach_supervision(sites)
        await service.start()
        unfollow = (
            await follow_configuration(
                state, service, poll_s=config_poll_s, always_open=always_open
            )
            if follow_config
            else None
        )
        state.extras[TELEPHONY_KEY] = service
        state.extras[CALL_ACTIONS_KEY] = TelephonyCallActions(service)
        for code, runner in sites.runners.items():
            state.health_checks[f"ari:{code}"] = _site_health(runner.health)
        sites.start()
        adoption = asyncio.create_task(_adopt_live_calls(sites, service), name="adopt-live-calls")
        try:
            await asyncio.wait_for(asyncio.shield(adoption), connect_timeout_s)
        except TimeoutError:
            # Not fatal: the streams keep reconnecting, /readyz reports the sites as down, and
            # the calls of the last run are adopted once every site is back.
            log.warning("ari_sites_not_connected", sites=sorted(sites.runners))

        async def stop() -> None:
            adoption.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await adoption
            for code in sites.runners:
                state.health_checks.pop(f"ari:{code}", None)
            state.extras.pop(CALL_ACTIONS_KEY, None)
            state.extras.pop(TELEPHONY_KEY, None)
            if unfollow is not None:
                await unfollow()
            await sites.stop()
            await service.stop()
            await stop_cti_database(state, database)

        return stop

    return start


def _engine_writes_on_api_pool(state: AppState) -> async_sessionmaker[AsyncSession]:
    """The API's pool for what the engine's hooks file there (work orders, follow-up outcomes);
    under a leader lease each commit proves the engine's term first (``hotline.db.fence``)."""
    return term_sessionmaker(state.extras, state.engine, state.sessionmaker)


def _fence(state: AppState, sites: CtiSites) -> None:
    """Under a leader lease (``hotline.cluster``) every ARI client of this engine refuses
    commands once the lease's term ends, before anything else learns of the loss."""
    gate = state.extras.get(ARI_GATE_KEY)
    observer = state.extras.get(ARI_OBSERVER_KEY)
    for runner in sites.runners.values():
        if gate is not None:
            runner.client.gate_commands(gate)
        if observer is not None:
            runner.client.observe_requests(observer)


async def _adopt_live_calls(sites: CtiSites, service: TelephonyService) -> None:
    """After a restart: once every site is connected and resynchronised, the calls the database
    still has as live carry on if their channel is still up in Asterisk, and are closed if not.
    Done once, with every site's channels, because the service adopts all sites in one pass."""
    await sites.wait_connected(None)
    alive = [
        CallKey(code, channel.id)
        for code, runner in sites.runners.items()
        for channel in await runner.client.list_channels()
    ]
    await service.adopt_live_calls(alive)


def _site_health(health: Callable[[], dict[str, object]]) -> Callable[[], dict[str, object]]:
    def check() -> dict[str, object]:
        result = health()
        return {"ok": bool(result.get("connected")), **result}

    return check


def standard_components(settings: Settings) -> list[Component]:
    """What ``hotline serve`` runs beside the API: telephony (routing, persistence and one ARI
    connection per enabled site), the heavy-caller watch, the report rollups and, unless
    disabled, the work-order escalation sweeper and the notice delivery worker; all of them only
    on the instance holding the leader lease (``hotline.cluster``: always this one on SQLite)."""
    from hotline.callers.heavy import heavy_caller_component
    from hotline.reports.rollup_job import rollup_component
    from hotline.summaries.guard import summary_guard
    from hotline.workorders.delivery import delivery_component
    from hotline.workorders.sweeper import sweeper_component

    components = [live_telephony(), summary_guard(), heavy_caller_component()]
    wo = settings.workorders
    if wo.sweep_enabled:
        components.append(
            sweeper_component(
                interval_seconds=wo.sweep_interval_s,
                batch_size=wo.sweep_batch_size,
                workers=wo.sweep_workers,
            )
        )
    if settings.notices.worker_enabled:
        components.append(delivery_component())
    components.append(rollup_component())
    return [leader_only(components)]
