"""The database's mark on each ARI site: an instance on another database may not command it.

Two clusters on two databases (a second instance given the wrong ``database_url``) would each
take their own lease and both command the same Asterisk servers. Their leases cannot see each
other, so the sites carry the evidence: the leader writes its database's identity (a UUID
created once in ``cluster_identity``) with an expiry into the Asterisk global ``MARK_VARIABLE``
of every enabled site, and renews it while it leads. Before commanding a site, an instance reads
the mark; one naming another database that has not expired refuses the site, naming both
identities. The expiry (``MARK_TTLS`` lease TTLs, wall clock) lets a restored or replaced
database take the sites over once the old cluster has been gone that long.

Wall clocks of two machines differ a little; the expiry is many TTLs long, so a skew of a
second or two only shifts when a dead cluster's mark is ignored. PostgreSQL only: on SQLite the
single process commands its sites as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from cti.ari.client import AriClient
from cti.errors import AriError
from hotline.db.models import Site

log = structlog.get_logger(__name__)

MARK_VARIABLE = "HOTLINE_DATABASE"
MARK_TTLS = 5  # a mark not renewed for this many lease TTLs is stale

_CREATE_IDENTITY = text(
    """
    INSERT INTO cluster_identity (key, identity, created_at) VALUES ('database', :identity, now())
    ON CONFLICT (key) DO NOTHING
    """
)
_READ_IDENTITY = text("SELECT identity FROM cluster_identity WHERE key = 'database'")
_IDENTITY_TABLE = text("SELECT to_regclass('cluster_identity') IS NOT NULL")


class ForeignDatabase(Exception):
    """A site is marked, unexpired, by another database: this instance must not command it."""

    def __init__(self, site: str, ours: str, theirs: str, expires_in_s: float) -> None:
        self.site, self.ours, self.theirs = site, ours, theirs
        super().__init__(
            f"refused to command site {site}: it is led by the cluster of database {theirs}, "
            f"and this instance's database is {ours}; check database_url (every instance of one "
            f"cluster must use the same database), or wait {expires_in_s:.0f} s for that mark "
            "to expire if that database is gone for good"
        )


@dataclass(frozen=True)
class Mark:
    identity: str
    expires_at: float  # Unix time

    def render(self) -> str:
        return f"{self.identity} {self.expires_at:.0f}"

    @classmethod
    def parse(cls, value: str) -> Mark | None:
        """The mark in ``value``; None when unset or not ours to understand (ignored)."""
        identity, _, expires = value.strip().partition(" ")
        try:
            return cls(str(uuid.UUID(identity)), float(expires))
        except ValueError:
            return None


async def database_identity(engine: AsyncEngine) -> str:
    """This database's identity, created by the first instance to ask."""
    async with engine.begin() as connection:
        await connection.execute(_CREATE_IDENTITY, {"identity": str(uuid.uuid4())})
        return str(await connection.scalar(_READ_IDENTITY))


async def check_site(
    client: AriClient, site: str, identity: str, now: Callable[[], float] = time.time
) -> None:
    """Raise ``ForeignDatabase`` if ``site`` carries another database's live mark."""
    mark = Mark.parse((await client.get_global_variable(MARK_VARIABLE)).value)
    if mark is not None and mark.identity != identity and mark.expires_at > now():
        raise ForeignDatabase(site, identity, mark.identity, mark.expires_at - now())


def _client(site: Site, timeout_s: float) -> AriClient:
    return AriClient(
        site.ari_url, site.ari_username, site.ari_password, site.app_name, timeout=timeout_s
    )


async def _enabled_sites(engine: AsyncEngine) -> list[Site]:
    async with AsyncSession(engine) as session:
        return list((await session.scalars(select(Site).where(Site.enabled.is_(True)))).all())


class SiteMarker:
    """While this instance leads: check every site, then renew the mark on each."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        ttl_s: float,
        gate: Callable[[], bool] | None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._engine = engine
        self._ttl_s = ttl_s
        self._gate = gate
        self._now = now
        self._clients: dict[str, AriClient] = {}
        self._loop: asyncio.Task[None] | None = None
        self.identity = ""

    async def start(self) -> None:
        """Refuse (``ForeignDatabase``) before any mark is written if a site is another's."""
        self.identity = await database_identity(self._engine)
        for site in await _enabled_sites(self._engine):
            # A third of the TTL: a site that does not answer must not hold a takeover up long.
            client = _client(site, self._ttl_s / 3)
            if self._gate is not None:  # a mark is a command: fenced like the others
                client.gate_commands(self._gate)
            self._clients[site.code] = client
        try:
            # All sites at once: a takeover waits for the slowest site, not for their sum.
            await asyncio.gather(
                *(self._check(code, client) for code, client in self._clients.items())
            )
            await self._mark_all()
        except BaseException:
            await self.stop()
            raise
        self._loop = asyncio.create_task(self._renew(), name="site-marks")

    async def stop(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
        clients, self._clients = self._clients, {}
        for client in clients.values():
            with contextlib.suppress(Exception):
                await client.aclose()

    async def _check(self, code: str, client: AriClient) -> None:
        with contextlib.suppress(AriError):  # unreachable or not answering: nothing to read
            await check_site(client, code, self.identity, self._now)

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self._ttl_s)
            await self._mark_all()

    async def _mark_all(self) -> None:
        mark = Mark(self.identity, self._now() + MARK_TTLS * self._ttl_s).render()

        async def write(code: str, client: AriClient) -> None:
            try:
                await client.set_global_variable(MARK_VARIABLE, mark)
            except Exception as exc:  # one site down must not stop the others' marks
                log.warning("site_mark_failed", site=code, error=type(exc).__name__)

        await asyncio.gather(*(write(code, client) for code, client in self._clients.items()))


async def foreign_sites_preflight(engine: AsyncEngine, ttl_s: float) -> None:
    """The start-time check alone (``hotline serve``, before uvicorn): no mark is written."""
    async with engine.connect() as connection:
        if not await connection.scalar(_IDENTITY_TABLE):
            return
    identity = await database_identity(engine)
    for site in await _enabled_sites(engine):
        async with _client(site, ttl_s) as client:
            with contextlib.suppress(AriError):
                await check_site(client, site.code, identity)
