"""Mounts the pages on the FastAPI app: static files, CSRF check, routers, login redirects."""

from __future__ import annotations

import importlib

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from hotline.web import apidocs, pages
from hotline.web.csrf import CsrfMiddleware
from hotline.web.session import LoginRequired, login_redirect
from hotline.web.templating import AREAS, WEB_DIR


async def _login_required(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return login_redirect(exc)


def install_web(app: FastAPI) -> None:
    """Called by ``create_app`` (which turns off FastAPI's CDN-based /docs and /redoc)."""
    apidocs.add_security_scheme(app)
    app.add_middleware(CsrfMiddleware)
    app.add_exception_handler(LoginRequired, _login_required)
    # Each area's static files under /static/<area>, the shared ones (vendor, layout) under /static.
    for area in AREAS:
        app.mount(f"/static/{area}", StaticFiles(directory=WEB_DIR / area / "static"), name=area)
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static", check_dir=False), name="static")
    app.include_router(apidocs.docs_router(app))
    app.include_router(pages.router)
    for area in AREAS:
        app.include_router(importlib.import_module(f"hotline.web.{area}.routes").router)
