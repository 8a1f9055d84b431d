"""Cluster members: an instance whose configuration differs from a running one's is refused.

Two instances of one cluster must agree on more than the database: the code and its migration
head (an engine started by older code would misread newer rows), the lease timing (the fence's
arithmetic assumes one TTL on both sides), the time zone (reports and calendars), the ARI
transport and the token secret (a user signed in on one replica must stay signed in on the
other). Each instance writes these as a *fingerprint* in ``cluster_member`` and refreshes its
row while it runs; at start, a live member (seen within ``LIVE_TTLS`` lease TTLs) with a
different fingerprint refuses the newcomer with every differing key and both values.
Secrets enter the fingerprint only as a short hash.

A member that died without leaving stops being live after a few TTLs, so a corrected instance
can start then. On SQLite (one process by design) nothing is stored or compared.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from collections.abc import Coroutine
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.cluster.site_mark import foreign_sites_preflight
from hotline.config import Settings
from hotline.db.migrate import head_revision

log = structlog.get_logger(__name__)

# A member not seen for this many lease TTLs is gone (killed, or cut from the database).
LIVE_TTLS = 3

_LIVE_OTHERS = text(
    """
    SELECT instance_id, fingerprint FROM cluster_member
    WHERE instance_id <> :me AND seen_at > now() - make_interval(secs => :horizon)
    ORDER BY instance_id
    """
)
_JOIN = text(
    """
    INSERT INTO cluster_member (instance_id, fingerprint, started_at, seen_at)
    VALUES (:me, :fingerprint, now(), now())
    ON CONFLICT (instance_id) DO UPDATE SET
        fingerprint = EXCLUDED.fingerprint, started_at = now(), seen_at = now()
    """
)
_SEEN = text("UPDATE cluster_member SET seen_at = now() WHERE instance_id = :me")
_LEAVE = text("DELETE FROM cluster_member WHERE instance_id = :me")
_TABLE_EXISTS = text("SELECT to_regclass('cluster_member') IS NOT NULL")


@dataclass(frozen=True)
class Difference:
    key: str
    ours: str
    theirs: str


class ConfigurationMismatch(Exception):
    """This instance's fingerprint differs from a live member's: it must not join."""

    def __init__(self, member: str, differences: list[Difference]) -> None:
        self.member = member
        self.differences = differences
        lines = "; ".join(
            f"{d.key}: this instance has {d.ours!r}, {member} has {d.theirs!r}" for d in differences
        )
        super().__init__(
            f"refused to start: the configuration differs from the running instance {member} "
            f"({lines}); give both instances the same configuration and code, or stop {member} "
            "first"
        )


def _secret_hash(secret: str) -> str:
    # Enough to tell two secrets apart, far too little to guess one from.
    return "sha256:" + hashlib.sha256(secret.encode()).hexdigest()[:12]


def _code_version() -> str:
    try:
        return version("hotline")
    except PackageNotFoundError:  # pragma: no cover - a source tree never installed
        return "unknown"


def fingerprint(settings: Settings) -> dict[str, str]:
    """What must agree between the instances of one cluster, as flat strings.

    The ARI sites are not in it: they are rows of the shared database, so two instances on one
    database read the same ones, and an administrator editing a site must not block the next
    rolling restart. Two databases are told apart by the database identity instead.
    """
    cluster = settings.cluster
    return {
        "code_version": _code_version(),
        "migration_head": head_revision() or "",
        "cluster.lease_ttl_s": str(cluster.lease_ttl_s),
        "cluster.renew_interval_s": str(cluster.renew_interval_s),
        "timezone": settings.timezone,
        "ari_rest_transport": settings.ari_rest_transport,
        # A random secret per process (outside production) differs by construction: compared
        # as such, so only a mix of random and configured, or two configured ones, is refused.
        "auth.jwt_secret": "(random per process)"
        if settings.auth.secret_is_ephemeral
        else _secret_hash(settings.auth.jwt_secret.get_secret_value()),
    }


def differences(ours: dict[str, str], theirs: dict[str, str]) -> list[Difference]:
    """Every key on which the two fingerprints differ (a key one side lacks counts)."""
    return [
        Difference(key, ours.get(key, "(absent)"), theirs.get(key, "(absent)"))
        for key in sorted(ours.keys() | theirs.keys())
        if ours.get(key) != theirs.get(key)
    ]


class Membership:
    """This instance's row in ``cluster_member`` (PostgreSQL only)."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        instance_id: str,
        fingerprint: dict[str, str],
        ttl_s: float,
        refresh_interval_s: float,
    ) -> None:
        self._engine = engine
        self.instance_id = instance_id
        self.fingerprint = fingerprint
        self._horizon_s = ttl_s * LIVE_TTLS
        self._refresh_interval_s = refresh_interval_s
        self._loop: asyncio.Task[None] | None = None

    async def check(self) -> None:
        """Raise ``ConfigurationMismatch`` if a live member's fingerprint differs from ours."""
        async with self._engine.connect() as connection:
            if not await connection.scalar(_TABLE_EXISTS):
                return  # not migrated yet: no member can be running
            rows = (
                await connection.execute(
                    _LIVE_OTHERS, {"me": self.instance_id, "horizon": self._horizon_s}
                )
            ).all()
        for member, stored in rows:
            found = differences(self.fingerprint, json.loads(stored))
            if found:
                raise ConfigurationMismatch(member, found)

    async def join(self) -> None:
        """Check, then register and keep the row fresh until ``leave``."""
        await self.check()
        await self._autocommit(_JOIN, fingerprint=json.dumps(self.fingerprint, sort_keys=True))
        log.info("cluster_member_joined", instance=self.instance_id)
        self._loop = asyncio.create_task(self._refresh(), name="cluster-member")

    async def leave(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
        with contextlib.suppress(Exception):  # the row stops being live on its own anyway
            await _abandon_after(self._autocommit(_LEAVE), self._refresh_interval_s)

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(self._refresh_interval_s)
            try:
                await _abandon_after(self._autocommit(_SEEN), self._refresh_interval_s)
            except asyncio.CancelledError:
                raise
            except Exception:  # a database blip: the lease loop handles leadership
                log.warning("cluster_member_refresh_failed", instance=self.instance_id)

    async def _autocommit(self, statement: object, **params: object) -> None:
        async with self._engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(statement, {"me": self.instance_id, **params})  # type: ignore[call-overload]


async def _abandon_after(work: Coroutine[Any, Any, None], bound_s: float) -> None:
    """Run ``work`` for at most ``bound_s``; a late one is cancelled but never awaited, since
    cancelling a query on a silent socket can hang as long as the query (a partition)."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=bound_s)
    if task in done:
        task.result()
        return
    task.cancel()
    _ABANDONED.add(task)
    task.add_done_callback(_ABANDONED.discard)
    raise TimeoutError(f"cluster_member: no answer within {bound_s} s")


_ABANDONED: set[asyncio.Task[None]] = set()


async def preflight(settings: Settings, instance_id: str) -> None:
    """The start-time checks alone (configuration, then the sites' database marks), on a
    short-lived engine: what ``hotline serve`` runs before uvicorn so that a refusal is a
    one-line CLI error rather than a failed lifespan's traceback. Nothing is marked."""
    from hotline.db.session import create_engine

    if settings.is_sqlite:
        return
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            if not await connection.scalar(_TABLE_EXISTS):
                return
        member = Membership(
            engine,
            instance_id=instance_id,
            fingerprint=fingerprint(settings),
            ttl_s=settings.cluster.lease_ttl_s,
            refresh_interval_s=settings.cluster.renew_interval_s,
        )
        await member.check()
        await foreign_sites_preflight(engine, settings.cluster.lease_ttl_s)
    finally:
        await engine.dispose()
