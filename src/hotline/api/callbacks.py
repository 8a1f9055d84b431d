"""Busy callbacks for supervisors: list them, read one with its attempts, reschedule, cancel.

The database holds the truth the engine works from (``callback.status`` and
``next_attempt_at``), so a change here is one conditional UPDATE on the row: it only matches a
callback that is still pending. The engine starts an attempt with the same kind of UPDATE
(``Recorder.claim_callback``: pending and due -> dialling), so whichever of the two the database
applies first wins and the other is refused (here a 409, there a withdrawn offer): a cancelled
callback is never dialled and a dialled one is never cancelled under the agent's feet. When the
engine runs in this process it is told at once (``Callbacks.changed``) so that a callback waiting
in routing leaves the line now rather than when it is next offered.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field
from sqlalchemy import ColumnElement, Select, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hotline import audit
from hotline.api.paging import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    Key,
    Sort,
    capped_total,
    choose_sort,
    next_link,
    page_query,
    parse_datetime,
)
from hotline.api.params import BigRowId
from hotline.auth.principal import Principal, require
from hotline.db.models import Agent, Site
from hotline.db.models.call import Call, Callback
from hotline.deps import AppState, AppStateDep, SessionDep
from hotline.errors import ConflictError, InvalidInputError, NotFoundError
from hotline.masking import mask_phone
from hotline.roles import Role
from hotline.schemas.base import Moment, Schema
from hotline.schemas.page import Page
from hotline.telephony.component import TELEPHONY_KEY

router = APIRouter(prefix="/callbacks", tags=["callbacks"])
_Query = TypeVar("_Query", bound=Select)  # type: ignore[type-arg]

callback_readers = require(Role.SUPERVISOR, Role.ADMIN, Role.DIRECTOR)
callback_managers = require(Role.SUPERVISOR, Role.ADMIN)
CallbackReader = Annotated[Principal, Depends(callback_readers)]
CallbackManager = Annotated[Principal, Depends(callback_managers)]

# How far ahead a callback may be moved: a promise to call back is about days, not months.
RESCHEDULE_WINDOW = timedelta(days=14)
CALLBACK_RESCHEDULED = "callback_rescheduled"
CALLBACK_CANCELLED = "callback_cancelled"

State = Literal["pending", "due", "in_progress", "failed", "done", "cancelled"]
_STATUS_OF_STATE = {"in_progress": "dialling", "failed": "failed", "done": "done"}


def state_of(row: Callback, now: datetime) -> State:
    """What a supervisor sees: a pending callback is *due* once its time has come."""
    if row.status == "pending":
        due = row.next_attempt_at is None or row.next_attempt_at <= now
        return "due" if due else "pending"
    if row.status == "dialling":
        return "in_progress"
    if row.status == "done":
        return "done"
    if row.status == "failed":
        return "failed"
    return "cancelled"


# ---------------------------------------------------------------------------------- schemas
class CallbackSummary(Schema):
    id: int
    site: str
    number: str = Field(description="the taxpayer's number, masked in lists")
    business_line: str
    language: str
    state: State
    attempts: int
    last_outcome: str | None
    due_at: datetime | None = Field(description="when the next attempt may start")
    requested_at: datetime
    origin_call_id: int


class Attempt(Schema):
    call_id: int
    at: datetime = Field(description="when the attempt was dialled")
    agent_id: int | None
    agent_name: str | None
    outcome: str | None = Field(description="answered, failed, abandoned, ...; null while live")
    cause: str | None = Field(description="why it ended: who hung up, or the leg failure")
    talk_s: float | None


class CallbackDetail(CallbackSummary):
    attempts_history: list[Attempt]


class CallbackPage(Page[CallbackSummary]):
    pass


class Reschedule(Schema):
    due_at: Moment = Field(description="the new time of the next attempt (with a UTC offset)")


class Cancel(Schema):
    reason: str = Field(min_length=1, max_length=200, description="why, for the audit trail")


class CallbackFilters(Schema):
    state: list[State] | None = Field(default=None, description="repeatable")
    line: str | None = Field(default=None, max_length=32, description="business line")
    from_: Moment | None = Field(default=None, alias="from", description="due at or after")
    to: Moment | None = Field(default=None, description="due before")
    sort: str | None = Field(default=None, max_length=64, description="next_attempt_at (only)")
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, max_length=1000, description="the `next` cursor")


# Sorted by due time, nearest first; settled callbacks (no due time) last; then the id.
CALLBACK_SORT = Sort(
    "next_attempt_at",
    (
        Key(Callback.next_attempt_at.expression, nullable=True, parse=parse_datetime),
        Key(Callback.id.expression),
    ),
)


def _state_condition(state: State, now: datetime) -> ColumnElement[bool]:
    if state == "pending":
        return and_(Callback.status == "pending", Callback.next_attempt_at > now)
    if state == "due":
        return and_(
            Callback.status == "pending",
            or_(Callback.next_attempt_at.is_(None), Callback.next_attempt_at <= now),
        )
    if state == "cancelled":
        return Callback.status == "cancelled"
    return Callback.status == _STATUS_OF_STATE[state]


def filtered(query: _Query, filters: CallbackFilters, now: datetime) -> _Query:
    if filters.state:
        query = query.where(or_(*(_state_condition(s, now) for s in filters.state)))
    if filters.line is not None:
        query = query.where(Callback.business_line == filters.line)
    if filters.from_ is not None:
        query = query.where(Callback.next_attempt_at >= filters.from_)
    if filters.to is not None:
        query = query.where(Callback.next_attempt_at < filters.to)
    return query


def summary_of(row: Callback, site: str, now: datetime, *, full_number: bool) -> dict[str, object]:
    return {
        "id": row.id,
        "site": site,
        "number": row.number if full_number else mask_phone(row.number),
        "business_line": row.business_line,
        "language": row.language,
        "state": state_of(row, now),
        "attempts": row.attempts,
        "last_outcome": row.last_outcome,
        "due_at": row.next_attempt_at,
        "requested_at": row.requested_at,
        "origin_call_id": row.origin_call_id,
    }


async def _load(session: AsyncSession, callback_id: int) -> tuple[Callback, str]:
    found = (
        await session.execute(
            select(Callback, Site.code)
            .join(Site, Site.id == Callback.site_id)
            .where(Callback.id == callback_id)
        )
    ).first()
    if found is None:
        raise NotFoundError(f"callback {callback_id} does not exist")
    return found[0], found[1]


async def attempts_of(session: AsyncSession, callback_id: int) -> list[Attempt]:
    rows = await session.execute(
        select(Call, Agent.name)
        .outerjoin(Agent, Agent.id == Call.agent_id)
        .where(Call.callback_id == callback_id, Call.kind == "callback")
        .order_by(Call.arrived_at, Call.id)
    )
    return [
        Attempt(
            call_id=call.id,
            at=call.arrived_at,
            agent_id=call.agent_id,
            agent_name=name,
            outcome=call.outcome,
            cause=call.ended_by,
            talk_s=call.talk_s,
        )
        for call, name in rows
    ]


def _refuse_settled(row: Callback, now: datetime) -> None:
    state = state_of(row, now)
    if state == "in_progress":
        raise ConflictError(f"callback {row.id} is being dialled now: wait until the attempt ends")
    if state in ("done", "failed", "cancelled"):
        raise ConflictError(f"callback {row.id} is {state}: only an open callback can change")


async def _tell_engine(state: AppState, callback_id: int) -> None:
    service = state.extras.get(TELEPHONY_KEY)
    if service is not None:
        await service.callbacks.changed(callback_id)


def _audit(
    session: AsyncSession,
    request: Request,
    principal: Principal,
    action: str,
    row_id: int,
    detail: dict[str, object],
) -> None:
    audit.add(
        session,
        action=action,
        actor_user_id=principal.user_id,
        actor_username=principal.username,
        subject_type="callback",
        subject_id=str(row_id),
        detail=detail,
        request_id=getattr(request.state, "request_id", None),
        client_ip=request.client.host if request.client else None,
    )


# ---------------------------------------------------------------------------------- endpoints
@router.get("", response_model=CallbackPage)
async def list_callbacks(
    request: Request,
    response: Response,
    session: SessionDep,
    state: AppStateDep,
    principal: CallbackReader,
    filters: Annotated[CallbackFilters, Query()],
) -> CallbackPage:
    """Callbacks, nearest due time first (settled ones last), in keyset pages (docs/api.md).
    Numbers are masked."""
    sort = choose_sort((CALLBACK_SORT,), filters.sort)
    now = state.clock.now()
    base = filtered(
        select(Callback, Site.code).join(Site, Site.id == Callback.site_id), filters, now
    )
    total, capped = await capped_total(session, base)
    rows = list(await session.execute(page_query(base, sort, filters.cursor, filters.limit)))
    link = next_link(request, response, sort, rows, filters.limit, lambda r: r[0])
    items = [
        CallbackSummary(**summary_of(r[0], r[1], now, full_number=False))
        for r in rows[: filters.limit]
    ]
    return CallbackPage(
        items=items, limit=filters.limit, next=link, total=total, total_capped=capped
    )


@router.get("/{callback_id}", response_model=CallbackDetail)
async def get_callback(
    callback_id: BigRowId,
    request: Request,
    session: SessionDep,
    state: AppStateDep,
    principal: CallbackReader,
) -> CallbackDetail:
    """One callback with the history of its attempts. A supervisor, who may have to call the
    taxpayer, sees the number in full (the read is audited); other roles see it masked."""
    row, site = await _load(session, callback_id)
    full = Role.SUPERVISOR in principal.roles
    detail = CallbackDetail(
        **summary_of(row, site, state.clock.now(), full_number=full),
        attempts_history=await attempts_of(session, callback_id),
    )
    if full:
        _audit(
            session,
            request,
            principal,
            audit.PERSONAL_DATA_READ,
            row.id,
            {"via": "callback_detail", "fields": ["number"]},
        )
    return detail


async def _change(
    session: AsyncSession, callback_id: int, now: datetime, **values: object
) -> Callback:
    """The conditional UPDATE: only a callback still pending changes (see the module doc)."""
    row, _site = await _load(session, callback_id)
    _refuse_settled(row, now)
    result = await session.execute(
        update(Callback)
        .where(Callback.id == callback_id, Callback.status == "pending")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        await session.refresh(row)
        _refuse_settled(row, now)
        raise ConflictError(f"callback {callback_id} changed meanwhile: read it again")
    return row


@router.post("/{callback_id}/reschedule", response_model=CallbackSummary)
async def reschedule_callback(
    callback_id: BigRowId,
    body: Reschedule,
    request: Request,
    session: SessionDep,
    state: AppStateDep,
    principal: CallbackManager,
) -> CallbackSummary:
    """Move the next attempt of a pending callback. The time must be in the future and at most
    14 days ahead (422 naming ``due_at``); a callback being dialled or settled is a 409."""
    now = state.clock.now()
    if body.due_at <= now:
        raise _body_error("due_at", "is in the past: choose a time after now")
    if body.due_at > now + RESCHEDULE_WINDOW:
        raise _body_error("due_at", "is more than 14 days ahead: choose a nearer time")
    row, site = await _load(session, callback_id)
    before = row.next_attempt_at
    await _change(session, callback_id, now, next_attempt_at=body.due_at)
    _audit(
        session,
        request,
        principal,
        CALLBACK_RESCHEDULED,
        callback_id,
        {"from": before.isoformat() if before else None, "to": body.due_at.isoformat()},
    )
    await session.commit()
    await _tell_engine(state, callback_id)
    await session.refresh(row)
    return CallbackSummary(**summary_of(row, site, now, full_number=False))


@router.post("/{callback_id}/cancel", response_model=CallbackSummary)
async def cancel_callback(
    callback_id: BigRowId,
    body: Cancel,
    request: Request,
    session: SessionDep,
    state: AppStateDep,
    principal: CallbackManager,
) -> CallbackSummary:
    """Cancel a pending callback, with the reason (kept in the audit trail and as its last
    outcome). A callback being dialled or settled is a 409."""
    now = state.clock.now()
    row, site = await _load(session, callback_id)
    await _change(
        session,
        callback_id,
        now,
        status="cancelled",
        next_attempt_at=None,
        last_outcome="cancelled",
    )
    _audit(session, request, principal, CALLBACK_CANCELLED, callback_id, {"reason": body.reason})
    await session.commit()
    await _tell_engine(state, callback_id)
    await session.refresh(row)
    return CallbackSummary(**summary_of(row, site, now, full_number=False))


def _body_error(name: str, message: str) -> InvalidInputError:
    return InvalidInputError([{"loc": ["body", name], "msg": message, "type": "value_error"}])


__all__ = ["CALLBACK_SORT", "attempts_of", "filtered", "router", "state_of", "summary_of"]
