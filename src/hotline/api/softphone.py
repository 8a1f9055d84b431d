"""The browser softphone: the agent's own SIP configuration, and the admin's account writes."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import StreamingResponse
from pydantic import Field, SecretStr

from hotline.api.access import Admin, AgentUser
from hotline.api.params import RowId
from hotline.deps import AppStateDep, SessionDep
from hotline.schemas.base import Code, Schema
from hotline.softphone import service

router = APIRouter(tags=["softphone"])

SiteQuery = Query(default=None, description="site code; optional with one site")
SipUser = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$", description="PJSIP auth username")


class SoftphoneConfig(Schema):
    """How this agent's desk runs its softphone; the mode is the service's decision."""

    mode: Literal["sip", "emulator", "off"]
    reason: str | None = Field(
        description="why the mode is off: desk_phone, site_not_configured, softphone_disabled"
    )
    site: str
    endpoint: str = Field(description="the dial string the service originates, e.g. PJSIP/1001")
    display_name: str
    ws_url: str | None
    sip_uri: str | None
    auth_user: str | None
    password: str | None = Field(description="the agent's own SIP password (sip mode only)")
    ice_servers: list[dict[str, Any]]


class SoftphoneAccountIn(Schema):
    sip_user: str = SipUser
    password: SecretStr = Field(min_length=8, max_length=255)


class SoftphoneAccountRead(Schema):
    agent_id: int
    site: str
    sip_user: str
    password_set: bool = True


@router.get("/agent/softphone", response_model=SoftphoneConfig)
async def my_softphone(
    principal: AgentUser,
    session: SessionDep,
    state: AppStateDep,
    response: Response,
    site: Code | None = SiteQuery,
) -> SoftphoneConfig:
    view = await service.agent_softphone(
        session, state.settings.softphone, user_id=principal.user_id, site=site
    )
    # The body carries a password: no cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return SoftphoneConfig.model_validate(view)


@router.put("/agents/{agent_id}/softphone/{site}", response_model=SoftphoneAccountRead)
async def set_softphone_account(
    agent_id: RowId, site: Code, data: SoftphoneAccountIn, _: Admin, session: SessionDep
) -> SoftphoneAccountRead:
    await service.set_account(
        session,
        agent_id=agent_id,
        site=site,
        sip_user=data.sip_user,
        password=data.password.get_secret_value(),
    )
    return SoftphoneAccountRead(agent_id=agent_id, site=site, sip_user=data.sip_user)


@router.delete("/agents/{agent_id}/softphone/{site}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_softphone_account(
    agent_id: RowId, site: Code, _: Admin, session: SessionDep
) -> None:
    await service.remove_account(session, agent_id=agent_id, site=site)


# ---------------------------------------------------------------- emulator mode (the demo)
@router.get(
    "/agent/softphone/emulator/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def emulated_phone_events(
    principal: AgentUser, state: AppStateDep, site: Code | None = SiteQuery
) -> StreamingResponse:
    """Server-sent events `phone` with the state of the agent's emulator phone (idle, ringing,
    talking); opening the stream makes the endpoint a person's phone in the emulator."""
    # Its own short transaction: a stream lasts the whole shift and must hold no connection.
    async with state.sessionmaker() as session:
        phone = await service.emulated_phone(
            session, state.settings.softphone, user_id=principal.user_id, site=site
        )
    await phone.register()
    return StreamingResponse(
        phone.events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.post("/agent/softphone/emulator/{action}", status_code=status.HTTP_204_NO_CONTENT)
async def emulated_phone_action(
    action: Literal["answer", "hangup"],
    principal: AgentUser,
    session: SessionDep,
    state: AppStateDep,
    site: Code | None = SiteQuery,
) -> None:
    """Answer the ringing emulator phone, or hang it up (reject while it rings); 409 when there
    is nothing to answer or hang up."""
    phone = await service.emulated_phone(
        session, state.settings.softphone, user_id=principal.user_id, site=site
    )
    await phone.act(action)
