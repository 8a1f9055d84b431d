"""OAuth2 password flow: POST /api/v1/auth/token; GET /api/v1/auth/me."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy.ext.asyncio import AsyncSession

from hotline import audit
from hotline.api.access import AnyUser
from hotline.auth.tokens import issue_token
from hotline.deps import AppState, AppStateDep, SessionDep
from hotline.errors import AuthenticationError
from hotline.schemas.users import MeRead, TokenRead
from hotline.services import users as user_service

router = APIRouter(prefix="/auth", tags=["auth"])


async def sign_in(
    request: Request, session: AsyncSession, state: AppState, username: str, password: str
) -> TokenRead:
    """Check the password, audit the attempt and issue a token; shared by the API's password
    flow and the login page (whose cookie carries the very same token)."""
    user = await user_service.authenticate(session, username, password)
    request_id = getattr(request.state, "request_id", None)
    client_ip = request.client.host if request.client else None
    if user is None:
        state.metrics.logins.labels("failed").inc()
        await audit.record(
            state.sessionmaker,
            action=audit.LOGIN_FAILED,
            actor_username=username[:64],
            request_id=request_id,
            client_ip=client_ip,
        )
        raise AuthenticationError("incorrect username or password")
    state.metrics.logins.labels("succeeded").inc()
    await audit.record(
        state.sessionmaker,
        action=audit.LOGIN_SUCCEEDED,
        actor_user_id=user.id,
        actor_username=user.username,
        request_id=request_id,
        client_ip=client_ip,
    )
    token, expires_at = issue_token(
        state.settings.auth,
        user_id=user.id,
        username=user.username,
        roles=user.role_names,
        now=state.clock.now(),
    )
    return TokenRead(access_token=token, expires_at=expires_at)


@router.post("/token", response_model=TokenRead)
async def login(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    state: AppStateDep,
) -> TokenRead:
    return await sign_in(request, session, state, form.username, form.password)


@router.get("/me", response_model=MeRead)
async def me(principal: AnyUser) -> MeRead:
    return MeRead(
        id=principal.user_id,
        username=principal.username,
        roles=sorted(principal.roles),
        department_id=principal.department_id,
    )
