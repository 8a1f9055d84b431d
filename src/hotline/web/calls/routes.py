"""GET /calls/{id}: one call's page: what happened (the journal), the agent's summary and, for
the roles allowed, the recording in an ``<audio>`` player fed by the API's playback endpoint
(which audits each playback). The wallboard and the work-order console link here.

Open to supervisors, directors and admins, and to a specialist handling a work order raised
from the call; the taxpayer's number is shown masked (the API's detail is the audited full
read). Who may play the recording is the API's rule (:func:`hotline.api.supervision.may_play`).
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.responses import Response

from hotline.api.calls import recording_parts, recording_segments
from hotline.api.supervision import may_play
from hotline.auth.principal import Principal
from hotline.cluster.forwarding import engine_elsewhere
from hotline.db.models import Agent, Site
from hotline.db.models.call import Call, CallEvent
from hotline.db.models.summary import CallSummaryRow
from hotline.deps import AppStateDep, SessionDep
from hotline.masking import mask_phone
from hotline.roles import Role
from hotline.telephony.component import TELEPHONY_KEY
from hotline.web.session import PageUser
from hotline.web.templating import render

router = APIRouter(include_in_schema=False)
OVERSEERS = frozenset({Role.SUPERVISOR, Role.DIRECTOR, Role.ADMIN})
MONITORS = frozenset({Role.SUPERVISOR, Role.ADMIN})  # the API's rule for listen/whisper/barge
JOURNAL_LIMIT = 500


async def _may_open(session: SessionDep, principal: Principal, call_id: int) -> bool:
    return principal.has_any(OVERSEERS) or await may_play(session, principal, call_id)


def _clock(seconds: float) -> str:
    """Where a part starts in the player's terms: minutes and seconds."""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _in_talk(state: AppStateDep, call_id: int) -> bool:
    """Whether the call is live and in talk in this process (the monitor panel's condition)."""
    service = state.extras.get(TELEPHONY_KEY)
    if service is None:
        return False
    return any(
        c.call_id == call_id and c.outcome in (None, "answered") and c.phase == "talk"
        for c in service.ctx.calls.by_key.values()
    )


@router.get("/calls/{call_id}")
async def call_page(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
    call_id: int,
) -> Response:
    context: dict[str, object] = {"user": principal, "call_id": call_id}
    if not 0 < call_id < 2**63 or not await _may_open(session, principal, call_id):
        return render(request, "call.html", {**context, "refused": True}, 403)
    row = (
        await session.execute(
            select(Call, Site.code, Agent.name)
            .join(Site, Site.id == Call.site_id)
            .outerjoin(Agent, Agent.id == Call.agent_id)
            .where(Call.id == call_id)
        )
    ).first()
    if row is None:
        return render(request, "call.html", {**context, "missing": True}, 404)
    call, site, agent_name = row
    zone = ZoneInfo(state.settings.timezone)

    def local(moment: datetime | None) -> str:
        return "" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")

    events = (
        await session.scalars(
            select(CallEvent)
            .where(CallEvent.call_id == call_id)
            .order_by(CallEvent.seq)
            .limit(JOURNAL_LIMIT)
        )
    ).all()
    summaries = (
        await session.scalars(
            select(CallSummaryRow)
            .where(CallSummaryRow.call_id == call_id)
            .order_by(CallSummaryRow.id)
        )
    ).all()
    recording = None
    if call.recording_name is not None and await may_play(session, principal, call_id):
        recording = {
            "url": f"/api/v1/calls/{call_id}/recording",
            "purged": local(call.recording_purged_at) if call.recording_purged_at else "",
            "started": local(call.recording_started_at),
            "duration": round(call.recording_duration_s or 0),
            # One recording runs through a transfer: who is heard from which second.
            "parts": [
                {"agent": part.agent or f"#{part.agent_id}", "at": _clock(part.from_s)}
                for part in await recording_parts(session, call)
            ],
            # More than one file when a takeover interrupted the recording during the talk.
            "segments": [
                {"number": s.segment, "started": local(s.started_at), "url": s.url}
                for s in await recording_segments(session, call)
            ],
        }
    return render(
        request,
        "call.html",
        {
            **context,
            "monitor": principal.has_any(MONITORS) and _in_talk(state, call_id),
            # Served here only when no leader answered (the cluster forwards this page).
            "no_leader": call.ended_at is None and engine_elsewhere(state),
            "call": call,
            "site": site,
            "agent_name": agent_name or "",
            "number": mask_phone(call.caller_number),
            "arrived": local(call.arrived_at),
            "answered": local(call.answered_at),
            "ended": local(call.ended_at),
            "journal": [
                {
                    "at": local(e.at),
                    "kind": e.kind,
                    "data": json.dumps(e.data, ensure_ascii=False, sort_keys=True)
                    if e.data
                    else "",
                }
                for e in events
            ],
            "summaries": summaries,
            "recording": recording,
            "recorded": call.recording_name is not None,
        },
    )
