"""GET /callbacks: the supervisors' page of busy callbacks (list, filters, each one's attempts).

The page reads through the same query functions as the API (``hotline.api.callbacks``), never
the API over HTTP; its reschedule and cancel buttons post to the API from the browser
(``callbacks.js``, with the session cookie and the CSRF header), so that the refusals (409, 422)
and the audit trail are the API's own. Numbers are masked as in the API's list.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlalchemy import select
from starlette.responses import Response

from hotline.api.callbacks import (
    CALLBACK_SORT,
    CallbackFilters,
    attempts_of,
    filtered,
    summary_of,
)
from hotline.db.models import Site
from hotline.db.models.call import Callback
from hotline.deps import AppStateDep, SessionDep
from hotline.roles import Role
from hotline.web import nav
from hotline.web.session import PageUser
from hotline.web.templating import render

router = APIRouter(include_in_schema=False)
READERS = (Role.SUPERVISOR, Role.ADMIN, Role.DIRECTOR)
MANAGERS = (Role.SUPERVISOR, Role.ADMIN)
nav.register("nav.callbacks", "/callbacks", list(READERS), order=40)
STATES = ("pending", "due", "in_progress", "failed", "done", "cancelled")
PAGE_ROWS = 100


def _offset(moment: datetime) -> str:
    """``+08:00`` for the centre's zone: the page's time inputs are in the centre's time."""
    text = moment.strftime("%z")
    return f"{text[:3]}:{text[3:]}"


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""


@router.get("/callbacks")
async def callbacks_page(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
    line: str = "",
    day: str = "",
) -> Response:
    if not principal.has_any(READERS):
        return render(request, "callbacks.html", {"user": principal, "forbidden": True}, 403)
    zone = ZoneInfo(state.settings.timezone)
    now = state.clock.now()
    wanted = [s for s in request.query_params.getlist("state") if s in STATES]
    bad_date = False
    query: dict[str, Any] = {"state": wanted or None, "line": line[:32] or None}
    if day:
        try:
            start = datetime.fromisoformat(day).replace(tzinfo=zone)
            query |= {"from": start, "to": start + timedelta(days=1)}
        except ValueError:
            bad_date = True
    try:
        filters = CallbackFilters.model_validate(query)
    except ValidationError:
        filters, bad_date = CallbackFilters(), True
    base = filtered(
        select(Callback, Site.code).join(Site, Site.id == Callback.site_id), filters, now
    )
    rows = (await session.execute(base.order_by(*CALLBACK_SORT.order_by()).limit(PAGE_ROWS))).all()
    items = []
    for row, site in rows:
        item = summary_of(row, site, now, full_number=False)
        item["due_local"] = _local(row.next_attempt_at, zone)
        item["history"] = [
            {**a.model_dump(), "at_local": _local(a.at, zone)}
            for a in await attempts_of(session, row.id)
        ]
        items.append(item)
    lines = sorted(set(await session.scalars(select(Callback.business_line).distinct())))
    return render(
        request,
        "callbacks.html",
        {
            "user": principal,
            "forbidden": False,
            "items": items,
            "states": STATES,
            "wanted": wanted,
            "line": line,
            "lines": lines,
            "day": day if not bad_date else "",
            "bad_date": bad_date,
            "may_change": principal.has_any(MANAGERS),
            "offset": _offset(now.astimezone(zone)),
            "min_local": now.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        },
    )
