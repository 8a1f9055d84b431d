"""GET /desk: the page itself; everything live on it comes from the REST API and the agent's
event stream (see ``static/desk.js``).

The softphone: ``desk.js`` reads ``GET /api/v1/agent/softphone`` and starts
``static/softphone.js`` in ``<div id="softphone">`` with the page's translation function; the
mode (sip, emulator, off) is the service's ``softphone.mode``, never the page's guess. The
desk's Answer button answers through it in every mode (docs/desk.md).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.responses import RedirectResponse, Response

from hotline.db.models import Agent, AgentEndpoint, Site
from hotline.deps import AppStateDep, SessionDep
from hotline.roles import Role
from hotline.summaries.topics import tree
from hotline.telephony.reasons import NOT_READY_REASONS
from hotline.web import i18n, nav
from hotline.web.session import PageUser
from hotline.web.templating import lang_of, render

router = APIRouter(include_in_schema=False)
nav.register("nav.desk", "/desk", [Role.AGENT], order=10, home=True)
DEMO_PEOPLE_KEY = "demo_people"  # AppState.extras: the demo's logins meant for people
SCRIPT_MESSAGES = ("desk.", "state.", "reason.", "caller.", "call.", "summary.", "wo.", "kb.",
                   "error.", "line.", "language.", "softphone.")  # fmt: skip


@router.get("/desk")
async def desk_page(
    request: Request, principal: PageUser, session: SessionDep, state: AppStateDep
) -> Response:
    if Role.AGENT not in principal.roles:
        return RedirectResponse("/home", status_code=303)
    lang = lang_of(request)
    agent = await session.scalar(select(Agent).where(Agent.user_id == principal.user_id))
    endpoints: dict[str, str] = {}
    if agent is not None:
        rows = await session.execute(
            select(Site.code, AgentEndpoint.dial_string)
            .join(Site, Site.id == AgentEndpoint.site_id)
            .where(AgentEndpoint.agent_id == agent.id)
            .order_by(Site.code)
        )
        endpoints = {code: dial for code, dial in rows}
    areas = await tree(session)
    name = "name_zh" if lang == "zh-CN" else "name_en"
    topics = [
        {
            "code": a.code,
            "name": getattr(a, name),
            "children": [{"code": c.code, "name": getattr(c, name)} for c in a.children],
        }
        for a in areas
    ]
    boot: dict[str, Any] = {
        "agent": None if agent is None else {"id": agent.id, "code": agent.code,
                                             "name": agent.name},
        "endpoints": endpoints,
        "reasons": [r for r in NOT_READY_REASONS if r not in ("forced", "summary_pending")],
        "topics": topics,
        "softphone": state.settings.softphone.mode,
        "summaryRequired": state.settings.desk.summary_required,
        "messages": i18n.bundle(lang, SCRIPT_MESSAGES),
        "lang": lang,
    }  # fmt: skip
    return render(
        request,
        "desk.html",
        {
            "user": principal,
            "boot_json": json.dumps(boot, ensure_ascii=False).replace("</", "<\\/"),
            "reasons": boot["reasons"],
        },
    )
