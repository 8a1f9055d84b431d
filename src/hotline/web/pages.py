"""Login, logout, the language switch, ``/`` (each role to its home) and the placeholder home."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from hotline.api.auth import TooManyAttempts, sign_in
from hotline.deps import AppStateDep
from hotline.errors import AuthenticationError
from hotline.web import i18n
from hotline.web.csrf import CSRF_COOKIE, new_token, tokens_match
from hotline.web.session import PageUser, clear_session, home_of, safe_next, set_session
from hotline.web.templating import render

router = APIRouter(include_in_schema=False)


def _login_form(
    request: Request, *, next_path: str, message: str | None, status_code: int = 200
) -> Response:
    token = request.cookies.get(CSRF_COOKIE) or new_token()
    response = render(
        request,
        "login.html",
        {"next": next_path, "message": message, "csrf_token": token},
        status_code=status_code,
    )
    if request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(CSRF_COOKIE, token, httponly=False, samesite="strict", path="/")
    return response


@router.get("/login")
async def login_page(
    request: Request,
    next: Annotated[str, Query(max_length=500)] = "/",
    expired: bool = False,
) -> Response:
    return _login_form(
        request, next_path=safe_next(next), message="login.expired" if expired else None
    )


@router.post("/login")
async def login_submit(
    request: Request,
    state: AppStateDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    next_path = safe_next(next)
    if not tokens_match(request.cookies.get(CSRF_COOKIE), csrf_token):
        return _login_form(request, next_path=next_path, message="login.csrf", status_code=403)
    try:
        token = await sign_in(request, state, username, password)
    except AuthenticationError:
        return _login_form(request, next_path=next_path, message="login.failed", status_code=401)
    except TooManyAttempts as refused:
        response = _login_form(
            request, next_path=next_path, message="login.throttled", status_code=429
        )
        response.headers.update(refused.headers or {})
        return response
    response = RedirectResponse(next_path, status_code=303)
    set_session(response, state.settings, token.access_token, token.expires_at, state.clock.now())
    return response


@router.post("/logout")
async def logout(
    request: Request, csrf_token: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    """Ends the browser session (the token itself expires on its own)."""
    if not tokens_match(request.cookies.get(CSRF_COOKIE), csrf_token):
        return RedirectResponse("/", status_code=303)
    response = RedirectResponse("/login", status_code=303)
    clear_session(response)
    return response


@router.get("/lang/{code}")
async def switch_language(
    code: str,
    next: Annotated[str, Query(max_length=500)] = "/",
) -> Response:
    """A preference, not a state change of the service: a plain link may set it."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in i18n.LANGS:
        response.set_cookie(i18n.LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", path="/")
    return response


@router.get("/")
async def root(principal: PageUser) -> Response:
    return RedirectResponse(home_of(principal), status_code=303)


@router.get("/home")
async def home(request: Request, principal: PageUser) -> Response:
    return render(request, "home.html", {"user": principal, "roles": sorted(principal.roles)})
