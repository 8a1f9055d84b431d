"""The browser session: the cookie that carries the API's token, and the page guard.

A page that needs a user raises :class:`LoginRequired` when the cookie is missing, expired or
revoked; the handler installed by ``install_web`` turns it into a redirect to the login page that
keeps the path to come back to.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.responses import RedirectResponse, Response

from hotline.auth.principal import SESSION_COOKIE, Principal, current_principal
from hotline.config import Settings
from hotline.deps import SessionDep
from hotline.errors import AuthenticationError
from hotline.web import nav
from hotline.web.csrf import CSRF_COOKIE, new_token


class LoginRequired(Exception):
    def __init__(self, next_path: str, *, expired: bool) -> None:
        self.next_path = next_path
        self.expired = expired


def safe_next(value: str | None) -> str:
    """Only a path on this site (``/x``, never ``//host`` or ``https://...``): no open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def login_redirect(exc: LoginRequired) -> RedirectResponse:
    url = "/login?next=" + quote(exc.next_path, safe="/")
    if exc.expired:
        url += "&expired=1"
    return RedirectResponse(url, status_code=303)


async def page_principal(request: Request, session: SessionDep) -> Principal:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if SESSION_COOKIE not in request.cookies:
        raise LoginRequired(path, expired=False)
    try:
        return await current_principal(request, session)
    except AuthenticationError:
        raise LoginRequired(path, expired=True) from None


PageUser = Annotated[Principal, Depends(page_principal)]


def home_of(principal: Principal) -> str:
    """Each role's home page: the first work page its areas registered (``nav.home_for``)."""
    return nav.home_for(principal.roles)


def set_session(
    response: Response, settings: Settings, token: str, expires_at: datetime, now: datetime
) -> None:
    max_age = max(int((expires_at - now).total_seconds()), 0)
    secure = settings.desk.secure_cookies
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="lax", secure=secure,
        path="/",
    )  # fmt: skip
    # A fresh CSRF token with each sign-in (the script reads it, so not HttpOnly).
    response.set_cookie(
        CSRF_COOKIE, new_token(), max_age=max_age, httponly=False, samesite="strict",
        secure=secure, path="/",
    )  # fmt: skip


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
