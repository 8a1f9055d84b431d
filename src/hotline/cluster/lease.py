"""The call engine's leader lease: one row in ``cluster_lease`` with a fencing token.

Why a lease row and not a session advisory lock (what the sweeper uses): the lock is freed the
moment the holder's database session dies, so a standby could take over while the old leader,
cut from the database but alive, still has ARI commands in flight: it only learns of the loss
the next time it touches that connection. A lease with an expiry gives both sides a deadline
they can reason about without talking to each other:

* the holder renews with ``expires_at = now() + ttl`` (the database's clock) and, on its own
  monotonic clock, stops trusting the lease at ``sent + ttl - margin``, where ``sent`` is taken
  *before* the renewal left, so before the database stamped ``now()``;
* a standby may take the row only once ``expires_at < now()``.

So the holder's deadline always passes ``margin`` before the row can change hands, whatever
happened to its connection (a hung socket, a terminated backend, a partition): the fence
(``holds``) needs no round trip. ``token`` grows at each new term; an engine started in one term
checks that term's token, so objects left over from an earlier term stay fenced even when the
same instance leads again.

On SQLite (embedded, one process by design) the instance always leads and nothing is stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncEngine

log = structlog.get_logger(__name__)

ENGINE_LEASE = "call-engine"

_ACQUIRE = text(
    """
    INSERT INTO cluster_lease
        (name, holder, advertise_url, token, acquired_at, renewed_at, expires_at)
    VALUES (:name, :holder, :url, 1, now(), now(), now() + make_interval(secs => :ttl))
    ON CONFLICT (name) DO UPDATE SET
        holder = EXCLUDED.holder,
        advertise_url = EXCLUDED.advertise_url,
        token = cluster_lease.token + 1,
        acquired_at = now(),
        renewed_at = now(),
        expires_at = EXCLUDED.expires_at
    WHERE cluster_lease.expires_at < now()
    RETURNING token
    """
)
_RENEW = text(
    """
    UPDATE cluster_lease
    SET renewed_at = now(), expires_at = now() + make_interval(secs => :ttl)
    WHERE name = :name AND holder = :holder AND token = :token AND expires_at > now()
    RETURNING token
    """
)
_RELEASE = text(
    """
    UPDATE cluster_lease SET expires_at = now()
    WHERE name = :name AND holder = :holder AND token = :token
    RETURNING token
    """
)
_READ = text(
    """
    SELECT holder, advertise_url, token, acquired_at, renewed_at, expires_at,
           expires_at > now() AS live
    FROM cluster_lease WHERE name = :name
    """
)


@dataclass(frozen=True)
class LeaderInfo:
    """The lease row as the database has it now."""

    holder: str
    advertise_url: str
    token: int
    since: datetime
    renewed_at: datetime
    expires_at: datetime
    live: bool  # not expired by the database's clock


class Lease:
    """One named lease; ``holds()`` is the fence the ARI clients consult before each command."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        instance_id: str,
        advertise_url: str = "",
        ttl_s: float = 3.0,
        name: str = ENGINE_LEASE,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self.instance_id = instance_id
        self.advertise_url = advertise_url
        self.ttl_s = ttl_s
        self.name = name
        # The margin absorbs the clock-rate difference between this process and the database
        # (tiny on one machine, bounded by NTP slewing across machines).
        self._margin_s = max(0.1, ttl_s * 0.2)
        self._monotonic = monotonic
        self.embedded = engine.dialect.name != "postgresql"
        self.token: int | None = 1 if self.embedded else None
        self._deadline = float("inf") if self.embedded else 0.0

    # ------------------------------------------------------------------ the fence

    def holds(self, token: int | None = None) -> bool:
        """True while this instance may act as leader (for term ``token`` when given)."""
        if self.token is None or (token is not None and token != self.token):
            return False
        return self._monotonic() < self._deadline

    def gate(self) -> Callable[[], bool]:
        """The fence of the current term: false for ever once this term ends."""
        token = self.token
        return lambda: self.holds(token)

    @property
    def remaining_s(self) -> float:
        return max(0.0, self._deadline - self._monotonic()) if self.token is not None else 0.0

    # ------------------------------------------------------------------ database round trips

    async def try_acquire(self) -> int | None:
        """Take the lease if it is free or expired; the new term's token, or None."""
        if self.embedded:
            return self.token
        sent = self._monotonic()
        token = await self._autocommit(
            _ACQUIRE,
            {
                "name": self.name,
                "holder": self.instance_id,
                "url": self.advertise_url,
                "ttl": self.ttl_s,
            },
        )
        if not isinstance(token, int):
            return None
        self.token = token
        self._deadline = sent + self.ttl_s - self._margin_s
        log.info("cluster_lease_taken", instance=self.instance_id, token=self.token)
        return self.token

    async def renew(self) -> bool:
        """Extend the current term; False (and the fence closed) when it is over."""
        if self.embedded:
            return True
        if self.token is None:
            return False
        sent = self._monotonic()
        token = await self._autocommit(
            _RENEW,
            {"name": self.name, "holder": self.instance_id, "token": self.token, "ttl": self.ttl_s},
        )
        if token is None or not self.holds():
            self.drop()
            return False
        self._deadline = sent + self.ttl_s - self._margin_s
        return True

    def drop(self) -> None:
        """Forget the term locally (the fence closes); the row expires on its own."""
        if self.token is not None and not self.embedded:
            log.warning("cluster_lease_lost", instance=self.instance_id, token=self.token)
            self.token = None
            self._deadline = 0.0

    async def release(self) -> None:
        """End the term now, so that a standby need not wait for the expiry (a clean stop)."""
        if self.embedded or self.token is None:
            return
        token, self.token, self._deadline = self.token, None, 0.0
        await self._autocommit(
            _RELEASE, {"name": self.name, "holder": self.instance_id, "token": token}
        )
        log.info("cluster_lease_released", instance=self.instance_id, token=token)

    async def _autocommit(self, statement: TextClause, params: dict[str, object]) -> object:
        """One statement in a transaction of its own, committed by the server itself.

        Never BEGIN, UPDATE, COMMIT in three round trips: a partition that swallows the COMMIT
        would leave the row locked, and the standby waiting on it, for as long as the dead
        session lingers.
        """
        async with self._engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            return await autocommit.scalar(statement, params)

    async def current(self) -> LeaderInfo | None:
        """Who leads according to the database (None: nobody ever did, or SQLite)."""
        if self.embedded:
            return None
        async with self._engine.connect() as connection:
            row = (await connection.execute(_READ, {"name": self.name})).one_or_none()
        if row is None:
            return None
        return LeaderInfo(
            holder=row.holder,
            advertise_url=row.advertise_url,
            token=int(row.token),
            since=row.acquired_at,
            renewed_at=row.renewed_at,
            expires_at=row.expires_at,
            live=bool(row.live),
        )
