"""The fencing token on the call engine's database writes: a term that ended commits nothing.

The leader lease (``hotline.cluster.lease``) closes the ARI fence on the leader's own clock
before the row can change hands. Database writes need more than that: a leader paused or cut
off with a batch already on the wire would commit it whenever it comes back, after the new
leader rebuilt its state from the database, and undo the new leader's rows. So each batch of
the engine's write queue proves, inside its own transaction, that its term is still the current
one, and the database refuses it otherwise.

How, and why this way:

* **One statement at the head of the batch, no extra transaction.** The batch's transaction
  first runs ``SELECT ... FROM cluster_lease WHERE name = :lease AND token = :mine FOR KEY
  SHARE``. No row: the term is over, the transaction is rolled back and the batch refused.
  A row: the transaction now holds a key-share lock on the lease row until it commits.
* **Why the lock makes it safe.** ``token`` is in a unique index
  (``uq_cluster_lease_name_token``), so the standby's takeover, which changes the token, needs
  the row's strongest lock and waits for every batch that locked the old term to commit (a few
  milliseconds; a standby's poll takes the same lock even while the row is not yet free, so it
  may wait as long). Either a batch commits before the new term begins, or it finds the new
  token and is refused: no old-term write ever lands after a takeover. A renewal changes only
  the times, needs a weaker lock that does not conflict with key-share, and never waits for the
  writer (so the fence's own clock is not slowed by bookkeeping).
* **A frozen old leader cannot hold the takeover up.** The same statement sets
  ``idle_in_transaction_session_timeout`` for the transaction (``set_config(..., true)``): a
  writer paused or partitioned between two statements of its batch is disconnected by the
  server after that long, releasing its locks (on the lease row and on the call rows it
  touched) without any help from the client. It is shorter than the time a standby must wait
  for the row to expire anyway, so it adds nothing to a takeover.
* **The call path never waits on it.** The check runs in the background writer, once per
  batch (up to 200 writes), on the connection the batch uses anyway: it costs one round trip
  per batch, not per write, and ``put`` still returns at once.
* **The engine's other writes.** What the engine commits outside its write queue (the diverted
  questions' outbox, the recordings' purge, the work orders and follow-up outcomes its hooks
  file, and the leader's other components: the escalation sweeper, the notice claims, the
  heavy-caller alerts) goes through sessions from :func:`fenced_sessionmaker`: the same check
  runs just before each commit (``before_commit``), so those commits are refused the same
  way. The work-order store commits on a Core connection of the sessionmaker's engine, not a
  session: it finds the fence with :func:`fence_of` and runs :meth:`WriteFence.check_connection`
  before its commit. A
  transaction that only read (no statement but SELECTs, nothing flushed) is not checked: it
  changes nothing, and the engine's reads, thousands at a resync, cost no extra round trip.
* **The database decides, not the leader's clock.** The ARI fence closes on the leader's own
  deadline, before the row can change hands, because Asterisk cannot be asked whose term it
  is. The database can: a write made after that deadline but before any other instance took
  the row still commits (its term is still the current one, and the key-share lock keeps it
  so until the commit). Refusing it would lose the last writes of a leader that was merely
  slow to renew, and the engine that takes over (the same instance, often) would rebuild from a
  database missing them.

A refused batch is counted (``hotline_cluster_writes_fenced_total``, and
``hotline_cti_writes_total{outcome="fenced"}``) and logged (``write_fenced``, ``commit_fenced``
outside the queue), and set aside, never retried: retrying it would make it current again.
What it would have written is the new leader's to decide, from Asterisk and the rows committed
before the takeover.

On SQLite (one process, which always leads) there is no fence and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session

log = structlog.get_logger(__name__)

# Where the leader puts the current term's fence for the components it starts.
WRITE_FENCE_KEY = "write_fence"
# Where a fenced sessionmaker keeps its fence (its ``info``), for the writers that take a
# sessionmaker but commit on a Core connection of its engine (the work-order store).
_FENCE_INFO = "write_fence"

_CHECK = text(
    """
    SELECT set_config('idle_in_transaction_session_timeout', :idle_ms, true)
    FROM cluster_lease
    WHERE name = :name AND token = :token
    FOR KEY SHARE
    """
)
# Set in a session's info by a check made at the head of its transaction, so that the commit
# does not check the same term a second time.
_CHECKED = "fence_checked_token"
# Set once the transaction executed anything but a SELECT (or flushed): only then is there
# something for the fence to refuse. A read that commits costs no round trip.
_WROTE = "fence_wrote"


class FencedOut(Exception):
    """The write's term is over: another instance leads (or may lead) now."""

    def __init__(self, name: str, token: int) -> None:
        super().__init__(f"lease {name!r} term {token} has ended (the database has a newer one)")
        self.token = token


@dataclass(frozen=True)
class WriteFence:
    """The term a writer belongs to: ``token`` of lease ``name``."""

    name: str
    token: int
    idle_timeout_s: float = 1.5
    # Told how many writes were refused (the leader's metric), whichever path refused them.
    on_refused: Callable[[int], None] | None = None

    def _params(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "token": self.token,
            "idle_ms": str(max(100, int(self.idle_timeout_s * 1000))),
        }

    async def check(self, session: AsyncSession) -> None:
        """Raise :class:`FencedOut` unless the term is current; otherwise lock it (key-share)
        until ``session`` commits or rolls back."""
        if await session.scalar(_CHECK, self._params()) is None:
            raise FencedOut(self.name, self.token)
        session.info[_CHECKED] = self.token

    async def check_connection(self, connection: AsyncConnection) -> None:
        """The same proof on a Core connection, inside its transaction, just before it
        commits: raise :class:`FencedOut` (counted, logged) once the term is over."""
        if await connection.scalar(_CHECK, self._params()) is None:
            self.refused(1)
            log.error("commit_fenced", lease=self.name, token=self.token)
            raise FencedOut(self.name, self.token)

    def refused(self, count: int) -> None:
        if self.on_refused is not None:
            self.on_refused(count)

    def _before_commit(self, session: Session) -> None:
        # Runs inside SQLAlchemy's greenlet: the synchronous execute is awaited underneath.
        checked = session.info.pop(_CHECKED, None) == self.token
        # Objects still pending count: the commit flushes them after this hook.
        pending = bool(session.new or session.dirty or session.deleted)
        if checked or not (session.info.pop(_WROTE, False) or pending):
            return
        found = session.execute(_CHECK, self._params()).scalar()
        session.info.pop(_WROTE, None)  # the check itself is not a write
        if found is None:
            self.refused(1)
            log.error("commit_fenced", lease=self.name, token=self.token)
            raise FencedOut(self.name, self.token)


def _note_statement(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info[_WROTE] = True


def _note_flush(session: Session, context: object) -> None:
    session.info[_WROTE] = True


def _forget(session: Session) -> None:
    session.info.pop(_WROTE, None)
    session.info.pop(_CHECKED, None)


def fenced_sessionmaker(engine: AsyncEngine, fence: WriteFence) -> async_sessionmaker[AsyncSession]:
    """Sessions on ``engine`` whose every commit proves ``fence``'s term first (key-share lock
    on the lease row, then COMMIT), and fails with :class:`FencedOut` once the term is over."""

    class FencedSession(Session):
        pass

    event.listen(FencedSession, "before_commit", fence._before_commit)
    event.listen(FencedSession, "do_orm_execute", _note_statement)
    event.listen(FencedSession, "after_flush", _note_flush)
    event.listen(FencedSession, "after_rollback", _forget)
    return async_sessionmaker(
        engine,
        expire_on_commit=False,
        autoflush=False,
        sync_session_class=FencedSession,
        info={_FENCE_INFO: fence},
    )


def fence_of(sessionmaker: async_sessionmaker[AsyncSession]) -> WriteFence | None:
    """The fence of a :func:`fenced_sessionmaker`, or None: a writer that commits on its own
    connection of the sessionmaker's engine runs :meth:`WriteFence.check_connection` itself."""
    info = sessionmaker.kw.get("info") or {}
    fence = info.get(_FENCE_INFO)
    return fence if isinstance(fence, WriteFence) else None


def term_sessionmaker(
    extras: Mapping[str, object],
    engine: AsyncEngine,
    default: async_sessionmaker[AsyncSession],
) -> async_sessionmaker[AsyncSession]:
    """For a component the leader starts: sessions fenced by the current term when there is
    one (``extras[WRITE_FENCE_KEY]``, PostgreSQL under the lease), ``default`` otherwise."""
    fence = extras.get(WRITE_FENCE_KEY)
    return fenced_sessionmaker(engine, fence) if isinstance(fence, WriteFence) else default


def idle_timeout_for(ttl_s: float, renew_interval_s: float) -> float:
    """How long a writer may sit idle inside a batch: less than the least time between the
    writer's last statement and the row's expiry (one TTL after the last renewal, which came
    at most a renewal interval before), so that a frozen writer never delays a takeover."""
    return max(0.2, min(ttl_s - renew_interval_s, ttl_s / 2))
