"""A few seconds' memory of whom a token stands for, so that a client polling the API does not
cost a database read (on SQLite, several hops to its thread) on every request.

Under the load benchmark (50 supervisors polling, calls flowing) the principal's read was the
largest single cost of a ``/queues`` request, which otherwise answers from memory. Why a cached
principal stays as current as a read one:

* an entry is keyed by the whole token, stored only after the token's signature, expiry and
  stamp were checked: another or a tampered token is a miss and goes the full way;
* an entry lives at most ``ttl`` and never past the token's own expiry (nor before the moment
  it was checked, for a clock set back);
* every change to a user or their roles that SQLAlchemy writes in this process through a
  session (logout, a password or role change, deactivation, deletion, the importer; objects
  flushed or a bulk ``update``/``delete`` statement) voids every entry: the write and the
  commit that ends it each bump a process-wide generation, and an entry
  filled under an earlier generation is never used. A request that read the user before the
  change committed therefore cannot store a stale principal for later requests;
* a change written by another process (a second instance, the CLI on the same database) is
  seen within ``ttl`` (``auth.principal_cache_s``; 0 turns the cache off).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from hotline.db.models import User, UserRole

if TYPE_CHECKING:
    from hotline.auth.principal import Principal

_CHANGED = "hotline_users_changed"


class _Generation:
    """How many times users or roles were written in this process (flushes and commits)."""

    value = 0

    @classmethod
    def bump(cls) -> None:
        cls.value += 1


def users_generation() -> int:
    return _Generation.value


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _: UOWTransaction) -> None:
    # At after_flush the session's new / dirty / deleted still list what this flush wrote.
    touched = chain(session.new, session.dirty, session.deleted)
    if any(isinstance(instance, User | UserRole) for instance in touched):
        session.info[_CHANGED] = True
        _Generation.bump()


@event.listens_for(Session, "do_orm_execute")
def _on_statement(state: ORMExecuteState) -> None:
    # A bulk ``update(User)`` / ``delete(UserRole)`` through a session flushes no object.
    mapper = state.bind_mapper
    writes = state.is_update or state.is_delete
    if writes and mapper is not None and mapper.class_ in (User, UserRole):
        state.session.info[_CHANGED] = True
        _Generation.bump()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        _Generation.bump()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)


@dataclass(frozen=True)
class _Entry:
    principal: Principal
    generation: int
    checked_at: datetime
    fresh_until: datetime

    def fresh(self, now: datetime) -> bool:
        # A clock that went back (a simulation's) re-checks: the token may be from its future.
        return self.generation == _Generation.value and self.checked_at <= now < self.fresh_until


class PrincipalCache:
    """Token -> principal, for at most ``ttl`` and while no user was written since."""

    def __init__(self, ttl: timedelta, max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, _Entry] = {}

    @property
    def enabled(self) -> bool:
        return self.ttl > timedelta(0)

    def get(self, token: str, now: datetime) -> Principal | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        if not entry.fresh(now):
            del self._entries[token]
            return None
        return entry.principal

    def put(
        self,
        token: str,
        principal: Principal,
        *,
        generation: int,
        now: datetime,
        token_expires_at: datetime,
    ) -> None:
        """Remember ``principal`` for ``token``, read under ``generation`` (taken before the
        read: if users were written since, the entry is void from the start)."""
        if not self.enabled or generation != _Generation.value:
            return
        if len(self._entries) >= self.max_entries:
            self._evict(now)
        until = min(now + self.ttl, token_expires_at)
        self._entries[token] = _Entry(principal, generation, now, until)

    def _evict(self, now: datetime) -> None:
        # Many distinct live tokens within ``ttl``: drop the stale ones, or all if none is.
        keep = {token: entry for token, entry in self._entries.items() if entry.fresh(now)}
        self._entries = keep if len(keep) < self.max_entries else {}

    def __len__(self) -> int:
        return len(self._entries)


PRINCIPAL_CACHE_KEY = "principal_cache"


def principal_cache(extras: dict[str, Any], ttl_s: float) -> PrincipalCache:
    """The app's cache (one per app, kept in its state's extras), made on first use."""
    cache = extras.get(PRINCIPAL_CACHE_KEY)
    if not isinstance(cache, PrincipalCache):
        cache = PrincipalCache(timedelta(seconds=ttl_s))
        extras[PRINCIPAL_CACHE_KEY] = cache
    return cache
