"""Standby mode: the engine components run only on the instance holding the lease.

``leader_only(components)`` wraps the call engine (telephony, the summary guard, the work-order
sweeper, the notice delivery worker) in one component. On PostgreSQL it takes the lease at start
if it can (so a lone instance starts exactly as before), then a background loop renews it while
leading, or tries to take it every ``poll_interval_s`` while standing by.

Gaining the lease starts the components: telephony rebuilds the live state from the database
and resynchronises every ARI site through its usual adoption path (``hotline.main``). Losing it
(a renewal refused or not answered before the deadline) closes the fence at once: every ARI
client of the term refuses commands (``AriClient.gate_commands``); the engine's database
writes are fenced by the database itself (``hotline.db.fence``: each batch's transaction checks
the term's token, so no write lands once another instance took the lease), then the
components are
stopped, each within a bound so that a stop hung on a dead database cannot keep the instance
from standing by again.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import structlog
from prometheus_client import Counter, Gauge
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from cti.ari.client import tls_context, warm_up
from hotline.cluster.lease import Lease
from hotline.cluster.membership import Membership, fingerprint
from hotline.cluster.site_mark import ForeignDatabase, SiteMarker
from hotline.config import Settings
from hotline.db.fence import WRITE_FENCE_KEY, WriteFence, idle_timeout_for
from hotline.deps import AppState

log = structlog.get_logger(__name__)

CLUSTER_KEY = "cluster"
# The fence of the current term, read by the telephony component for its ARI clients.
ARI_GATE_KEY = "ari_gate"
# Called with each ARI command this process sends (metrics: when it last commanded Asterisk).
ARI_OBSERVER_KEY = "ari_command_observer"

Stop = Callable[[], Awaitable[None]]
Component = Callable[[AppState], Awaitable[Stop]]

T = TypeVar("T")

STOP_BOUND_S = 10.0  # one component's stop, at most, after the lease was lost


def default_instance_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class ClusterMetrics:
    def __init__(self, state: AppState) -> None:
        registry = state.metrics.registry
        self.leader = Gauge(
            "hotline_cluster_leader", "1 while this instance holds the call-engine lease",
            registry=registry,
        )  # fmt: skip
        self.token = Gauge(
            "hotline_cluster_lease_token", "The fencing token of this instance's current term",
            registry=registry,
        )  # fmt: skip
        self.takeovers = Counter(
            "hotline_cluster_takeovers_total",
            "Times this instance took the lease and started the call engine",
            registry=registry,
        )
        self.losses = Counter(
            "hotline_cluster_lease_losses_total",
            "Times this instance lost the lease while leading (fenced, then stopped the engine)",
            registry=registry,
        )
        self.resync = Gauge(
            "hotline_cluster_resync_seconds",
            "How long the last engine start took (database rebuild and ARI resync)",
            registry=registry,
        )
        self.fenced = Counter(
            "hotline_ari_commands_fenced_total",
            "ARI commands refused before sending because this instance's lease term had ended",
            registry=registry,
        )
        self.writes_fenced = Counter(
            "hotline_cluster_writes_fenced_total",
            "Engine database writes refused because their lease term had ended (never retried)",
            registry=registry,
        )
        self.last_command = Gauge(
            "hotline_ari_last_command_timestamp_seconds",
            "Wall-clock time of the last ARI command (not a GET) this process sent",
            registry=registry,
        )


class Leadership:
    """This instance's place in the cluster; ``state.extras[CLUSTER_KEY]``."""

    def __init__(
        self, state: AppState, lease: Lease, components: list[Component], settings: Settings
    ) -> None:
        self._state = state
        self.lease = lease
        self._components = components
        self._cluster = settings.cluster
        self.metrics = ClusterMetrics(state)
        self._stops: list[Stop] = []
        self._loop: asyncio.Task[None] | None = None
        self._starting: asyncio.Task[None] | None = None
        self._abandoned: set[asyncio.Task[Any]] = set()
        self.leading = False
        self.last_resync_s: float | None = None
        # Set when a site carried another database's mark: at start, the start is refused.
        self.refused: ForeignDatabase | None = None

    @property
    def instance_id(self) -> str:
        return self.lease.instance_id

    @property
    def role(self) -> str:
        """``leader`` (engine running), ``starting`` (lease held, engine rebuilding) or
        ``standby``."""
        if not self.lease.holds():
            return "standby"
        return "leader" if self.leading else "starting"

    @property
    def forward_timeout_s(self) -> float:
        return self._cluster.forward_timeout_s

    async def leader_url(self) -> str | None:
        """Where to forward engine-bound requests: the live leader's advertised URL, if any."""
        info = await self._bounded(self.lease.current(), 2.0)
        if info is None or not info.live or info.holder == self.instance_id:
            return None
        return info.advertise_url or None

    async def start(self) -> None:
        if self.lease.embedded:
            await self._lead()
            return
        token = await self._bounded(self.lease.try_acquire(), self.lease.ttl_s)
        # The loop renews from now on: an engine start (the resync) may outlast the lease.
        self._loop = asyncio.create_task(self._run(), name="cluster-lease")
        if token is not None:
            await self._lead()
            if self.refused is not None:  # pointed at another database: refuse the start
                await self.stop()
                raise self.refused

    async def stop(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
        await self._cancel_start()
        await self._stop_engine(bound_s=None)
        with contextlib.suppress(Exception):  # the row expires on its own anyway
            await self._bounded(self.lease.release(), self.lease.ttl_s)

    # ------------------------------------------------------------------ the loop

    async def _run(self) -> None:
        while True:
            try:
                if self.lease.token is not None:
                    await asyncio.sleep(self._cluster.renew_interval_s)
                    # Wait no longer than the fence stays open: a renewal that has not come
                    # back by then is a lost lease.
                    renewed = await self._bounded(self.lease.renew(), self.lease.remaining_s)
                    if not renewed or not self.lease.holds():
                        await self._lose()
                else:
                    await asyncio.sleep(self._cluster.poll_interval_s)
                    token = await self._bounded(self.lease.try_acquire(), self.lease.ttl_s)
                    if token is not None:
                        self._starting = asyncio.create_task(self._lead(), name="engine-start")
            except asyncio.CancelledError:
                raise
            except Exception:  # the loop must outlive any one failure
                log.exception("cluster_lease_loop_failed")
                await self._lose()

    async def _lead(self) -> None:
        started = time.perf_counter()
        self._state.extras[ARI_GATE_KEY] = self._counted(self.lease.gate())
        self._state.extras[ARI_OBSERVER_KEY] = self._observe_command
        if not self.lease.embedded and self.lease.token is not None:
            # The same term fences the engine's database writes (hotline.db.fence).
            self._state.extras[WRITE_FENCE_KEY] = WriteFence(
                name=self.lease.name,
                token=self.lease.token,
                idle_timeout_s=idle_timeout_for(
                    self._cluster.lease_ttl_s, self._cluster.renew_interval_s
                ),
                on_refused=self.metrics.writes_fenced.inc,
            )
        try:
            for component in self._components:
                self._stops.append(await component(self._state))
        except ForeignDatabase as refused:
            # Stays a standby: this instance's database is not the one commanding the sites.
            log.error("cluster_site_refused", instance=self.instance_id, detail=str(refused))
            self.refused = refused
            # Released, not only dropped: a corrected instance need not wait for the expiry.
            await self._bounded(self.lease.release(), self.lease.ttl_s)
            await self._stop_engine(bound_s=STOP_BOUND_S)
            return
        except Exception:
            log.exception("cluster_engine_start_failed")
            self.lease.drop()  # another instance may do better; this one tries again later
            await self._stop_engine(bound_s=STOP_BOUND_S)
            return
        self.leading = True
        self.last_resync_s = time.perf_counter() - started
        self.metrics.resync.set(self.last_resync_s)
        self.metrics.leader.set(1)
        self.metrics.token.set(self.lease.token or 0)
        self.metrics.takeovers.inc()
        log.info(
            "cluster_engine_started",
            instance=self.instance_id,
            token=self.lease.token,
            resync_s=round(self.last_resync_s, 3),
        )

    async def _lose(self) -> None:
        """Fence first (the gate closes with the term), then stop the components."""
        self.lease.drop()
        await self._cancel_start()
        if not self.leading and not self._stops:
            return
        self.leading = False
        self.metrics.leader.set(0)
        self.metrics.losses.inc()
        await self._stop_engine(bound_s=STOP_BOUND_S)

    async def _cancel_start(self) -> None:
        starting, self._starting = self._starting, None
        if starting is not None and not starting.done():
            starting.cancel()
            await asyncio.wait({starting}, timeout=STOP_BOUND_S)

    async def _stop_engine(self, *, bound_s: float | None) -> None:
        stops, self._stops = self._stops, []
        for stop in reversed(stops):
            try:
                if bound_s is None:
                    await stop()
                else:
                    await self._bounded(stop(), bound_s)
            except Exception:
                log.exception("cluster_engine_stop_failed")
        self._state.extras.pop(ARI_GATE_KEY, None)
        self._state.extras.pop(ARI_OBSERVER_KEY, None)
        self._state.extras.pop(WRITE_FENCE_KEY, None)
        self.leading = False

    async def _bounded(self, work: Awaitable[T], bound_s: float) -> T | None:
        """``work``'s result, or None once ``bound_s`` passed; a late task is abandoned rather
        than awaited (cancelling a query on a dead socket can hang as long as the query)."""
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task}, timeout=max(bound_s, 0.0))
        if task in done:
            return task.result()
        task.cancel()
        self._abandoned.add(task)
        task.add_done_callback(self._abandoned.discard)
        log.warning("cluster_step_timed_out", bound_s=round(bound_s, 3))
        return None

    def _counted(self, gate: Callable[[], bool]) -> Callable[[], bool]:
        def allowed() -> bool:
            if gate():
                return True
            self.metrics.fenced.inc()
            return False

        return allowed

    def _observe_command(self, method: str, path: str, query: object) -> None:
        if method != "GET":
            self.metrics.last_command.set(time.time())

    # ------------------------------------------------------------------ /readyz

    async def health(self) -> dict[str, Any]:
        """Never unready for being a standby: a standby serves the API and the pages."""
        result: dict[str, Any] = {
            "ok": True,
            "instance": self.instance_id,
            "role": self.role,
            "leading": self.role == "leader",
        }
        if self.lease.embedded:
            return {**result, "leader": self.instance_id, "mode": "embedded"}
        try:
            info = await self._bounded(self.lease.current(), 2.0)
        except Exception as exc:  # the probe reports, it does not raise
            return {**result, "leader": None, "error": type(exc).__name__}
        if info is None or not info.live:
            return {**result, "leader": None}
        return {
            **result,
            "leader": info.holder,
            "leader_url": info.advertise_url,
            "token": info.token,
            "since": info.since.isoformat(),
            "expires_at": info.expires_at.isoformat(),
            "resync_s": self.last_resync_s,
        }


def lease_engine(database_url: str, ttl_s: float) -> AsyncEngine:
    """The lease's own engine: a fresh connection per round trip (no pooled socket that a
    partition left half-open), each bounded by the TTL."""
    return create_async_engine(
        database_url,
        poolclass=NullPool,
        connect_args={
            "timeout": ttl_s,
            "command_timeout": ttl_s,
            # Bounds the wait behind a lock held by a session that a partition froze.
            "server_settings": {"lock_timeout": str(int(ttl_s * 1000))},
        },
    )


async def _site_marks(state: AppState) -> Stop:
    """The first engine component on PostgreSQL: no site is commanded before it is checked
    and marked with this database's identity (``hotline.cluster.site_mark``)."""
    marker = SiteMarker(
        state.engine,
        ttl_s=state.settings.cluster.lease_ttl_s,
        gate=state.extras.get(ARI_GATE_KEY),
    )
    await marker.start()
    return marker.stop


def leader_only(components: list[Component]) -> Component:
    """One component running ``components`` on whichever instance holds the lease."""

    async def start(state: AppState) -> Stop:
        settings = state.settings
        cluster = settings.cluster
        embedded = state.engine.dialect.name != "postgresql"
        engine = (
            state.engine if embedded else lease_engine(settings.database_url, cluster.lease_ttl_s)
        )
        lease = Lease(
            engine,
            instance_id=cluster.instance_id or default_instance_id(),
            advertise_url=cluster.advertise_url,
            ttl_s=cluster.lease_ttl_s,
        )
        membership = None
        if not embedded:
            # Before anything leads: a misconfigured newcomer is refused (ConfigurationMismatch).
            membership = Membership(
                engine,
                instance_id=lease.instance_id,
                fingerprint=fingerprint(settings),
                ttl_s=cluster.lease_ttl_s,
                refresh_interval_s=cluster.renew_interval_s,
            )
            try:
                await membership.join()
            except Exception:
                await engine.dispose()
                raise
        # Built now, while standing by, rather than on the takeover's clock: the TLS context
        # the engine's ARI clients share, and what httpx leaves to a process's first request
        # (``cti.ari.client.warm_up``). A lone SQLite instance starts its engine right away.
        if embedded:
            tls_context()
        else:
            await warm_up()
        engine_components = components if embedded else [_site_marks, *components]
        leadership = Leadership(state, lease, engine_components, settings)
        state.extras[CLUSTER_KEY] = leadership
        state.health_checks["cluster"] = leadership.health
        await leadership.start()

        async def stop() -> None:
            await leadership.stop()
            if membership is not None:
                await membership.leave()
            state.health_checks.pop("cluster", None)
            state.extras.pop(CLUSTER_KEY, None)
            if not embedded:
                await engine.dispose()

        return stop

    return start
