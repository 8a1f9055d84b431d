"""Who is calling: the principal loaded for each request, and the role guard.

The credential may come from the ``Authorization: Bearer`` header (API clients, the OAuth2 password
flow) or from the ``hotline_session`` cookie (the browser UI, later): both carry the same JWT, so
one guard serves both.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.auth.principal_cache import principal_cache, users_generation
from hotline.auth.tokens import InvalidTokenError, TokenClaims, decode_token
from hotline.config import AuthSettings
from hotline.db.models import User, UserRole
from hotline.deps import AppState
from hotline.errors import AuthenticationError, ForbiddenError
from hotline.roles import Role

SESSION_COOKIE = "hotline_session"


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    roles: frozenset[Role]
    department_id: int | None

    def has_any(self, roles: Iterable[Role]) -> bool:
        return not self.roles.isdisjoint(roles)


def _credential(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise AuthenticationError("unsupported authorization scheme: use 'Bearer <token>'")
        return value.strip()
    return request.cookies.get(SESSION_COOKIE)


# Built once: the statement is the same on every request, only the user id changes.
_PRINCIPAL_ROWS = (
    select(
        User.id, User.username, User.is_active, User.token_stamp, User.department_id, UserRole.role
    )
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(User.id == bindparam("user_id"))
)


async def principal_from_token(
    session: AsyncSession, settings: AuthSettings, token: str, *, now: datetime
) -> Principal:
    """The signed-in user a token stands for, or :class:`AuthenticationError`.

    The one place a token becomes a principal (the API's bearer header and the pages' cookie
    both come here): signature, expiry, and the user's current stamp, activity and roles.
    """
    principal, _ = await _checked(session, settings, token, now=now)
    return principal


async def _checked(
    session: AsyncSession, settings: AuthSettings, token: str, *, now: datetime
) -> tuple[Principal, TokenClaims]:
    try:
        claims = decode_token(settings, token, now=now)
    except InvalidTokenError as exc:
        raise AuthenticationError(str(exc)) from None
    # One query of plain rows (the user's columns, once per role): roles and stamp come from the
    # database, not the token, so a revoked role or token takes effect at once (the principal
    # cache keeps that promise: hotline.auth.principal_cache). Plain rows rather than a ``User``
    # with its roles loaded (two queries and ORM objects): that was about a third of a list
    # request's time under load.
    rows = (await session.execute(_PRINCIPAL_ROWS, {"user_id": claims.user_id})).all()
    user = rows[0] if rows else None
    if user is None or not user.is_active:
        raise AuthenticationError("user unknown or disabled")
    # A stale stamp: the token was issued before a logout, a password change or a role change,
    # or for an earlier user who had this id. Constant-time, as for any secret comparison.
    if not hmac.compare_digest(claims.stamp.encode(), user.token_stamp.encode()):
        raise AuthenticationError("token revoked: sign in again")
    principal = Principal(
        user_id=user.id,
        username=user.username,
        roles=frozenset(Role(row.role) for row in rows if row.role is not None),
        department_id=user.department_id,
    )
    return principal, claims


async def current_principal(request: Request, session: AsyncSession | None = None) -> Principal:
    """The request's signed-in user (401 without one), worked out once per request.

    A plain function, not a FastAPI dependency chain (guard -> principal -> session -> app
    state): each layer FastAPI solves costs Python time on every request, and a polled read
    mostly finds its principal in the cache, where no session is needed at all. On a miss the
    user is read on ``session`` if the caller has one (a page's own), else on a short session
    of its own, ended before the request goes on (so a request never holds one connection
    while waiting for another: that deadlocked the pool at ~15 concurrent requests)."""
    known: Principal | None = getattr(request.state, "principal", None)
    if known is not None:
        return known
    token = _credential(request)
    if token is None:
        raise AuthenticationError("authentication required")
    state: AppState = request.app.state.hotline
    auth = state.settings.auth
    cache = principal_cache(state.extras, auth.principal_cache_s)
    now = state.clock.now()
    principal = cache.get(token, now)
    if principal is None:
        generation = users_generation()  # before the read: a write during it voids the entry
        if session is not None:
            principal, claims = await _checked(session, auth, token, now=now)
            await session.commit()  # the read's connection goes back to the pool
        else:
            async with state.sessionmaker() as own:
                principal, claims = await _checked(own, auth, token, now=now)
                await own.commit()
        cache.put(
            token, principal, generation=generation, now=now, token_expires_at=claims.expires_at
        )
    request.state.principal = principal
    return principal


class RoleGuard:
    """A dependency that admits principals holding at least one of ``roles``.

    The instance stays inspectable (``guard.roles``) so a test can prove, for every route, that
    anonymous callers and every other role are refused.
    """

    def __init__(self, roles: Iterable[Role]) -> None:
        self.roles = frozenset(roles)
        if not self.roles:
            raise ValueError("a guard needs at least one role")

    async def __call__(self, request: Request) -> Principal:
        principal = await current_principal(request)  # called, not a sub-dependency: see there
        if not principal.has_any(self.roles):
            allowed = ", ".join(sorted(self.roles))
            raise ForbiddenError(f"this action needs one of the roles: {allowed}")
        return principal

    def __repr__(self) -> str:
        return f"RoleGuard({sorted(self.roles)})"


def require(*roles: Role) -> RoleGuard:
    return RoleGuard(roles)
