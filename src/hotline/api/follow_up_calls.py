"""回访 by phone: ``POST /workorders/{id}/follow-up-call``.

The service rings the caller's own logged-in phone (desk phone or softphone), then the
taxpayer's number on the order, and bridges them (``hotline.telephony.follow_ups``). The answer
comes at once (202, the new call's id); the call's outcome is written into the order's history
when it ends. Refusals: 403 for a role that may not do 回访 or an order the caller may not see,
409 ``wrong_state`` when the order is not resolved (waiting for 回访), ``no_taxpayer_number``,
``no_phone`` when the caller has no phone signed in, ``phone_busy`` when they are on another
call; 503 when telephony is not running here.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi import Path as PathParam
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.auth.principal import Principal, require
from hotline.db.models import Agent, Call
from hotline.deps import AppStateDep, SessionDep, release_connection
from hotline.errors import ConflictError, ServiceUnavailableError
from hotline.roles import Role
from hotline.telephony import TELEPHONY_KEY, TelephonyService
from hotline.telephony.follow_ups import FollowUpRefused
from hotline.telephony.roster import routing_id
from hotline.workorders import queries
from hotline.workorders.actors import actor_for
from hotline.workorders.errors import domain_errors
from hotline.workorders.store import SqlWorkOrderStore
from workorders import access, lifecycle
from workorders.errors import WrongStateError
from workorders.model import Action, Status

router = APIRouter(tags=["work orders"])

# The roles of the lifecycle's follow_up rule (admins may do everything).
CALLER_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
callers = require(*CALLER_ROLES)
FollowUpCaller = Annotated[Principal, Depends(callers)]


class FollowUpCallPlaced(BaseModel):
    order_id: str
    call_id: int
    status: str = "dialling"


class NoPhoneError(ConflictError):
    """The caller has no desk phone, or none signed in."""

    slug = "no_phone"


class PhoneBusyError(ConflictError):
    slug = "phone_busy"


class NoTaxpayerNumberError(ConflictError):
    slug = "no_taxpayer_number"


@router.post(
    "/workorders/{order_id}/follow-up-call",
    response_model=FollowUpCallPlaced,
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        409: {"description": "not resolved yet, no taxpayer number, or no phone signed in"},
        503: {"description": "telephony is not running on this instance"},
    },
)
async def follow_up_call(
    order_id: Annotated[str, PathParam(max_length=64, description="id or reference")],
    session: SessionDep,
    state: AppStateDep,
    principal: FollowUpCaller,
) -> FollowUpCallPlaced:
    """Call the taxpayer back for 回访: your phone rings first, then the taxpayer's."""
    actor = await actor_for(session, principal)
    if queries.looks_like_reference(order_id):
        order_id = await queries.id_of_reference(session, order_id)
    agent_id = await session.scalar(select(Agent.id).where(Agent.user_id == principal.user_id))
    await release_connection(session)
    with domain_errors():
        order = await SqlWorkOrderStore(state.sessionmaker).get(order_id)
        access.as_seen_by(order, actor)
        lifecycle.acting_role(lifecycle.RULES[Action.FOLLOW_UP], actor)
        if order.status is not Status.RESOLVED:
            raise WrongStateError(
                f"work order {order.reference} is {order.status.value}: 回访 calls are made "
                "once it is resolved and before the follow-up is recorded"
            )
    if not order.taxpayer.phone:
        raise NoTaxpayerNumberError(
            f"work order {order.reference} has no taxpayer phone number to call"
        )
    language = await _language_of_call(session, order.call_id)
    await release_connection(session)  # not held while the phones ring
    service = state.extras.get(TELEPHONY_KEY)
    if not isinstance(service, TelephonyService):
        raise ServiceUnavailableError("telephony is not running on this instance")
    if agent_id is None:
        raise NoPhoneError(
            f"user '{principal.username}' has no desk phone (no agent record): ask an "
            "administrator to link one, then sign in to the desk"
        )
    try:
        call_id = await service.follow_ups.place(
            agent_id=routing_id(agent_id),
            order_id=order.id,
            user_id=principal.user_id,
            number=order.taxpayer.phone,
            language=language,
        )
    except FollowUpRefused as exc:
        refusal = PhoneBusyError if exc.reason == "phone_busy" else NoPhoneError
        raise refusal(str(exc)) from None
    return FollowUpCallPlaced(order_id=order.id, call_id=call_id)


async def _language_of_call(session: AsyncSession, call_id: str | None) -> str | None:
    """The language the taxpayer chose on the call the order came from (the 回访 survey is
    asked in it); None for an order made by hand, or a call that never chose one."""
    if call_id is None or not call_id.isdigit():
        return None
    language: str | None = await session.scalar(
        select(Call.language).where(Call.id == int(call_id))
    )
    return language
