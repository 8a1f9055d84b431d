"""What the agent desktop needs in one read: the session, the wrap-up end, the call in hand.

The desktop calls this when it opens and after its event stream reconnects, so a network blip
never loses the call in progress (the stream itself replays nothing). Answering is the softphone's
business (``hotline.api.softphone``, ``softphone.mode``): the desk only reports the mode.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter

from hotline.api.access import AgentUser
from hotline.deps import AppState, AppStateDep, SessionDep
from hotline.errors import ConflictError
from hotline.schemas.base import Schema
from hotline.summaries import service
from hotline.telephony import TELEPHONY_KEY
from hotline.telephony.schemas import SessionRead
from routing import UnknownAgentError, agent_view

router = APIRouter(tags=["agent desk"])


class DeskCall(Schema):
    call_id: int
    phase: str  # ringing (offered to this agent), talk, survey, ...
    on_hold: bool
    offered: bool


class DeskState(Schema):
    session: SessionRead | None
    wrap_up_until: datetime | None
    pending_reason: str | None
    call: DeskCall | None
    unsummarised_call_id: int | None
    softphone: str  # softphone.mode: sip | emulator | off
    summary_required: bool


def _call_in_hand(state: AppState, agent_id: int) -> DeskCall | None:
    telephony = state.extras.get(TELEPHONY_KEY)
    if telephony is None:
        return None
    me = str(agent_id)
    for call in telephony.ctx.calls.by_key.values():
        if call.outcome not in (None, "answered"):
            continue
        if call.agent_id == me and call.phase == "talk":
            return DeskCall(
                call_id=call.call_id, phase="talk", on_hold=call.hold_since is not None,
                offered=False,
            )  # fmt: skip
        if call.offered_agent == me and call.phase == "ringing":
            return DeskCall(call_id=call.call_id, phase="ringing", on_hold=False, offered=True)
    return None


@router.get("/agent/desk", response_model=DeskState)
async def desk_state(principal: AgentUser, session: SessionDep, state: AppStateDep) -> Any:
    agent_id = await service.own_agent_id(session, principal.user_id)
    telephony = state.extras.get(TELEPHONY_KEY)
    current: SessionRead | None = None
    wrap_until: datetime | None = None
    pending: str | None = None
    if telephony is not None:
        try:
            current = SessionRead.model_validate(await telephony.agents.view(agent_id))
            view = await telephony.acd.read(lambda s, _now: agent_view(s, str(agent_id)))
        except (ConflictError, UnknownAgentError):
            current = None
        else:
            tz = state.clock.now().tzinfo
            if view.wrap_up_until is not None:
                wrap_until = datetime.fromtimestamp(view.wrap_up_until, tz)
            pending = view.pending_reason
    return DeskState(
        session=current,
        wrap_up_until=wrap_until,
        pending_reason=pending,
        call=_call_in_hand(state, agent_id),
        unsummarised_call_id=await service.unsummarised_call(session, agent_id),
        softphone=state.settings.softphone.mode,
        summary_required=state.settings.desk.summary_required,
    )
