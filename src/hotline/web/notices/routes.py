"""GET /admin/notifications: the administrator's view of notices leaving the process.

Per channel (e-mail, webhook): whether it is configured, how many notices are pending, sent,
failed for good or skipped (no address), the last error and the last success, and a "retry
now" button per channel. It reads the same status as ``GET /api/v1/admin/notifications`` and
retries through the same function as its ``POST .../retry``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from hotline.api import notices as api
from hotline.deps import AppStateDep, SessionDep
from hotline.roles import Role
from hotline.web import nav
from hotline.web.session import PageUser
from hotline.web.templating import render

router = APIRouter(include_in_schema=False)
nav.register("nav.notices", "/admin/notifications", [Role.ADMIN], order=90)


@router.get("/admin/notifications")
async def status_page(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
    retried: int | None = None,
) -> Response:
    if Role.ADMIN not in principal.roles:
        return RedirectResponse("/home", status_code=303)
    status = await api.notice_status(session, state)
    return render(
        request,
        "notices/status.html",
        {"user": principal, "channels": status.channels, "retried": retried},
    )


@router.post("/admin/notifications/retry")
async def retry(
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
    channel: Annotated[str, Form(pattern="^(email|webhook)$")],
) -> Response:
    """Posted by htmx (the CSRF header comes with it); the browser then loads the page again,
    which says how many notices were made due."""
    if Role.ADMIN not in principal.roles:
        return RedirectResponse("/home", status_code=303)
    done = await api.retry_now(session, state, principal, channel)
    return Response(headers={"HX-Redirect": f"/admin/notifications?retried={done.retried or 0}"})
