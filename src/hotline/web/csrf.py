"""CSRF protection for requests authenticated by the session cookie (double-submit token).

The browser holds two cookies: ``hotline_session`` (HttpOnly, the JWT) and ``hotline_csrf`` (a
random token the page's script may read). A state-changing request that relies on the session
cookie must repeat the token in the ``X-CSRF-Token`` header (htmx and the desk's fetch helper add
it); another site can make the browser send the cookies but cannot read the token to copy it.
Requests with ``Authorization: Bearer`` carry no ambient credential and are not checked. The
login and logout forms check the token as a form field themselves (a plain HTML form cannot set a
header), so those two paths are left to their handlers; the API's own password login
(``/api/v1/auth/token``, which Swagger UI's Authorize button posts from a browser that may hold a
session cookie) does not rely on the cookie and is not checked either.
"""

from __future__ import annotations

import json
import secrets
from http.cookies import SimpleCookie

from starlette.types import ASGIApp, Receive, Scope, Send

from hotline.auth.principal import SESSION_COOKIE

CSRF_COOKIE = "hotline_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_CHECKED_PATHS = frozenset({"/login", "/logout"})
UNCHECKED_PATHS = FORM_CHECKED_PATHS | {"/api/v1/auth/token"}


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(cookie: str | None, sent: str | None) -> bool:
    return bool(cookie) and bool(sent) and secrets.compare_digest(str(cookie), str(sent))


class CsrfMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        cookies = SimpleCookie()
        cookies.load(headers.get("cookie", ""))
        by_cookie = SESSION_COOKIE in cookies and "authorization" not in headers
        if not by_cookie or scope["path"] in UNCHECKED_PATHS:
            await self.app(scope, receive, send)
            return
        token = cookies[CSRF_COOKIE].value if CSRF_COOKIE in cookies else None
        if tokens_match(token, headers.get(CSRF_HEADER)):
            await self.app(scope, receive, send)
            return
        body = json.dumps(
            {
                "error": "csrf_failed",
                "detail": "a request signed in by the session cookie must send the "
                "X-CSRF-Token header equal to the hotline_csrf cookie",
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
