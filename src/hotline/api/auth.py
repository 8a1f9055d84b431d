"""Signing in and out: POST /auth/token (OAuth2 password flow), POST /auth/logout,
POST /auth/password (change one's own), GET /auth/me.

Logins are throttled per client address and per username, and a run of failures locks the
username for a while (``hotline.auth.throttle``); every refusal episode and lockout is audited.
The password check runs off the event loop (``hotline.auth.passwords``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from hotline import audit
from hotline.api.access import AnyUser
from hotline.auth.throttle import LoginThrottle, Refusal
from hotline.auth.tokens import issue_token
from hotline.db.models import User
from hotline.deps import AppState, AppStateDep, SessionDep
from hotline.errors import AppError, AuthenticationError, InvalidInputError
from hotline.schemas.users import MeRead, PasswordChange, TokenRead
from hotline.services import users as user_service

router = APIRouter(prefix="/auth", tags=["auth"])

_THROTTLE_KEY = "login_throttle"


class TooManyAttempts(AppError):
    status_code = 429
    slug = "too_many_requests"


def login_throttle(state: AppState) -> LoginThrottle:
    """The process's throttle, made on first use with the settings of this app."""
    throttle = state.extras.get(_THROTTLE_KEY)
    if throttle is None:
        throttle = state.extras[_THROTTLE_KEY] = LoginThrottle(state.settings.auth.login)
    assert isinstance(throttle, LoginThrottle)
    return throttle


def _client(request: Request) -> dict[str, Any]:
    return {
        "request_id": getattr(request.state, "request_id", None),
        "client_ip": request.client.host if request.client else None,
    }


async def _refuse(state: AppState, request: Request, username: str, refusal: Refusal) -> None:
    state.metrics.logins.labels("throttled").inc()
    if refusal.first:
        await audit.record(
            state.sessionmaker,
            action=audit.ACCOUNT_LOCKED if refusal.scope == "locked" else audit.LOGIN_THROTTLED,
            actor_username=username[:64],
            detail={"scope": refusal.scope, "retry_after_s": refusal.retry_after_s},
            **_client(request),
        )
    raise TooManyAttempts(
        f"{refusal.reason}; try again in {refusal.retry_after_s} s",
        headers={"Retry-After": str(refusal.retry_after_s)},
    )


def _token(state: AppState, user: User) -> TokenRead:
    token, expires_at = issue_token(
        state.settings.auth,
        user_id=user.id,
        username=user.username,
        roles=user.role_names,
        stamp=user.token_stamp,
        now=state.clock.now(),
    )
    return TokenRead(access_token=token, expires_at=expires_at)


@router.post(
    "/token",
    response_model=TokenRead,
    responses={429: {"description": "too many failed logins, or the user is locked"}},
)
async def login(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    state: AppStateDep,
) -> TokenRead:
    return await sign_in(request, state, form.username, form.password)


async def sign_in(request: Request, state: AppState, username: str, password: str) -> TokenRead:
    """Throttle, check the password, audit the attempt and issue a token; shared by the API's
    password flow and the login page (whose cookie carries the very same token)."""
    throttle = login_throttle(state)
    address = request.client.host if request.client else "unknown"
    refusal = throttle.check(username=username, address=address, now=_now(state))
    if refusal is not None:
        await _refuse(state, request, username, refusal)
    # No request session: the password check must not hold a pooled connection. Too many checks
    # waiting already: PasswordCheckBusy, a 503 with Retry-After.
    user = await user_service.sign_in(state.sessionmaker, username, password)
    if user is None:
        state.metrics.logins.labels("failed").inc()
        await audit.record(
            state.sessionmaker,
            action=audit.LOGIN_FAILED,
            actor_username=username[:64],
            **_client(request),
        )
        lockout = throttle.failed(username=username, address=address, now=_now(state))
        if lockout is not None:
            await _refuse(state, request, username, lockout)
        raise AuthenticationError("incorrect username or password")
    throttle.succeeded(username=username)
    state.metrics.logins.labels("succeeded").inc()
    await audit.record(
        state.sessionmaker,
        action=audit.LOGIN_SUCCEEDED,
        actor_user_id=user.id,
        actor_username=user.username,
        **_client(request),
    )
    return _token(state, user)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    request: Request, principal: AnyUser, session: SessionDep, state: AppStateDep
) -> None:
    """Revoke every token of the signed-in user (this one and those on other devices)."""
    user_service.revoke_tokens(await user_service.get_user(session, principal.user_id))
    # Committed before the audit entry is written in a transaction of its own: an open write
    # would hold SQLite's lock against it.
    await session.commit()
    await audit.record(
        state.sessionmaker,
        action=audit.LOGGED_OUT,
        actor_user_id=principal.user_id,
        actor_username=principal.username,
        **_client(request),
    )


@router.post(
    "/password",
    response_model=TokenRead,
    responses={422: {"description": "the current password is wrong or the new one is refused"}},
)
async def change_password(
    request: Request,
    data: PasswordChange,
    principal: AnyUser,
    session: SessionDep,
    state: AppStateDep,
) -> TokenRead:
    """Change one's own password. Every earlier token is revoked; the answer is a new one."""
    throttle = login_throttle(state)
    address = request.client.host if request.client else "unknown"
    refusal = throttle.check(username=principal.username, address=address, now=_now(state))
    if refusal is not None:
        await _refuse(state, request, principal.username, refusal)
    try:
        user = await user_service.change_own_password(
            session,
            principal.user_id,
            data.current_password.get_secret_value(),
            data.new_password.get_secret_value(),
        )
    except InvalidInputError as exc:
        if _wrong_current(exc):  # guessing the current password counts as a failed login
            throttle.failed(username=principal.username, address=address, now=_now(state))
        raise
    await session.commit()  # before the audit write, as in logout
    await audit.record(
        state.sessionmaker,
        action=audit.PASSWORD_CHANGED,
        actor_user_id=principal.user_id,
        actor_username=principal.username,
        subject_type="user",
        subject_id=str(principal.user_id),
        **_client(request),
    )
    return _token(state, user)


@router.get("/me", response_model=MeRead)
async def me(principal: AnyUser) -> MeRead:
    return MeRead(
        id=principal.user_id,
        username=principal.username,
        roles=sorted(principal.roles),
        department_id=principal.department_id,
    )


def _now(state: AppState) -> float:
    return state.clock.now().timestamp()


def _wrong_current(exc: InvalidInputError) -> bool:
    detail = exc.detail
    return isinstance(detail, list) and any(d.get("type") == "wrong_password" for d in detail)
