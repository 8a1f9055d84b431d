"""The supervisors' floor: ``/floor`` (wallboard, roster, alerts, actions) and ``/floor/hall``
(the same picture for a hall TV: large type, no controls).

Both pages open with a snapshot rendered into the page (tiles, roster, the stream position it
was taken at) and then follow the wallboard stream from exactly that position, so nothing
between the two is missed; ``GET /floor/snapshot`` gives a fresh snapshot when the stream says
``reset`` (see ``static/floor.js`` and docs/floor.md). They read the same service functions as
the API (``telephony.wallboard``), never the API over HTTP.

The live state is the leader's: on a standby the cluster's forwarding
(``hotline.cluster.forwarding``) sends these requests to the leader, so a supervisor sees the
same floor on either instance. When no instance leads, the standby draws the page itself with no
live data and a notice saying so; the page asks for a fresh snapshot every few seconds until a
leader answers.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from starlette.responses import RedirectResponse, Response

from hotline.api.floor import read_rows
from hotline.api.streams import WALLBOARD_RETAINED, WALLBOARD_TOPIC
from hotline.api.supervision import monitor_phone_of, running_monitors_out
from hotline.cluster.forwarding import engine_elsewhere
from hotline.db.models import Agent
from hotline.deps import AppState, AppStateDep, SessionDep
from hotline.roles import Role
from hotline.telephony import NOT_READY_REASONS, TELEPHONY_KEY, TelephonyService
from hotline.telephony import monitors as monitor_rows
from hotline.telephony.wallboard import roster, tiles
from hotline.web import i18n, nav
from hotline.web.session import PageUser
from hotline.web.templating import lang_of, render

router = APIRouter(include_in_schema=False)
# The supervisors' work page; directors open it from the bar (their home is the reports).
nav.register(
    "nav.floor", "/floor", [Role.SUPERVISOR, Role.DIRECTOR], order=20, home=[Role.SUPERVISOR]
)
nav.register("nav.hall", "/floor/hall", [Role.WALLBOARD], order=21, home=True)

FLOOR_ROLES = frozenset({Role.SUPERVISOR, Role.DIRECTOR})
HALL_ROLES = FLOOR_ROLES | {Role.WALLBOARD}
SCRIPT_MESSAGES = ("floor.", "state.", "reason.", "line.", "language.", "error.")
# Reasons a supervisor may set: not those the service itself sets (a missed call, a phone down).
FORCE_REASONS = tuple(
    r for r in NOT_READY_REASONS if r not in ("summary_pending", "rona", "unreachable",
                                              "transfer_ringing", "login")
)  # fmt: skip


async def monitors_now(session: SessionDep) -> list[dict[str, Any]]:
    """The monitors running now (from the database: they outlive a restart of the service)."""
    views = await monitor_rows.running_views(session)
    return [m.model_dump(mode="json") for m in running_monitors_out(views)]


async def snapshot(state: AppState, session: SessionDep) -> dict[str, Any]:
    """Tiles, roster and the stream position they were read at (``epoch.seq``): the page opens
    the stream from there, so a change made between the read and the connection is replayed."""
    state.bus.retain(WALLBOARD_TOPIC, WALLBOARD_RETAINED)
    position = f"{state.bus.epoch}.{state.bus.last_seq(WALLBOARD_TOPIC)}"
    service = state.extras.get(TELEPHONY_KEY)
    if not isinstance(service, TelephonyService):
        # On a standby the request came here only because no leader answered (the cluster's
        # forwarding sends the floor to the leader): the page says so and asks again.
        reason = "no_leader" if engine_elsewhere(state) else "not_running"
        return {"running": False, "reason": reason, "tiles": [], "agents": [],
                "position": position}  # fmt: skip
    # No await between the position and the reads below would be ideal; the reads await the
    # routing lock, so a change may land in both the snapshot and the replay: applying an
    # event twice is harmless (every message carries the whole new state of its subject).
    queue_tiles = await tiles(service)
    entries = await roster(service)
    rows = await session.execute(select(Agent.id, Agent.code, Agent.name))
    names = {agent_id: (code, name) for agent_id, code, name in rows}
    return {
        "running": True,
        "tiles": [t.model_dump(mode="json") for t in queue_tiles],
        "agents": [r.model_dump(mode="json") for r in read_rows(entries, names)],
        "position": position,
    }


def _boot(request: Request, state: AppState, data: dict[str, Any], *, hall: bool,
          can_act: bool, user_id: int | None = None, phone: str | None = None) -> str:  # fmt: skip
    floor = state.settings.floor
    boot = {
        "hall": hall,
        "canAct": can_act,
        "userId": user_id,
        "phone": phone or "",
        "snapshot": data,
        "thresholds": floor.model_dump(),
        "reasons": list(FORCE_REASONS),
        "messages": i18n.bundle(lang_of(request), SCRIPT_MESSAGES),
        "lang": lang_of(request),
    }
    return json.dumps(boot, ensure_ascii=False).replace("</", "<\\/")


@router.get("/floor")
async def floor_page(
    request: Request, principal: PageUser, session: SessionDep, state: AppStateDep
) -> Response:
    if not principal.has_any(FLOOR_ROLES):
        return RedirectResponse("/home", status_code=303)
    data = await snapshot(state, session)
    data["monitors"] = await monitors_now(session)
    can_act = Role.SUPERVISOR in principal.roles
    boot = _boot(request, state, data, hall=False, can_act=can_act, user_id=principal.user_id,
                 phone=(await monitor_phone_of(session, principal.user_id)).endpoint)  # fmt: skip
    return render(
        request,
        "floor.html",
        {
            "user": principal,
            "boot_json": boot,
            "can_act": can_act,
            "reasons": FORCE_REASONS,
            "off_reason": data.get("reason"),
        },
    )


@router.get("/floor/hall")
async def hall_page(
    request: Request, principal: PageUser, session: SessionDep, state: AppStateDep
) -> Response:
    if not principal.has_any(HALL_ROLES):
        return RedirectResponse("/home", status_code=303)
    data = await snapshot(state, session)
    return render(
        request,
        "hall.html",
        {
            "user": principal,
            "boot_json": _boot(request, state, data, hall=True, can_act=False),
            "off_reason": data.get("reason"),
        },
    )


@router.get("/floor/snapshot")
async def floor_snapshot(
    request: Request, principal: PageUser, session: SessionDep, state: AppStateDep
) -> Response:
    """The pages' fresh picture after a ``reset`` (JSON; the same roles as the hall)."""
    if not principal.has_any(HALL_ROLES):
        return JSONResponse({"error": "forbidden", "detail": "not a floor role"}, status_code=403)
    data = await snapshot(state, session)
    if principal.has_any(FLOOR_ROLES):  # not on the hall's TV
        data["monitors"] = await monitors_now(session)
    return JSONResponse(data)
