"""Calls: the list with filters, one call's record with its timeline, and the actions an agent
takes on the call they are handling (hold, unhold, transfer, hang up).

Personal data policy (taxpayer numbers and names):

* lists show masked numbers to every role; an agent lists only the calls they handled;
* a call's detail shows the number in full to the agent who handled it and to supervisors,
  directors and admins, and every such read is audited (``personal_data_read``, subject the call);
  another agent is refused.

Actions go through :class:`CallActions`, the telephony service's port for API commands (the
service checks the call's live phase and drives ``CallControl``); it sits in
``AppState.extras[CALL_ACTIONS_KEY]`` when telephony runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Protocol

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import Field, model_validator
from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from hotline import audit
from hotline.api.paging import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    Key,
    PageStatements,
    Sort,
    choose_sort,
    next_link,
    parse_datetime,
)
from hotline.api.params import MAX_ROW_ID, BigRowId
from hotline.auth.principal import Principal, require
from hotline.db.models import Agent, Site, Skill
from hotline.db.models.call import Call, CallEvent, CallOutcome
from hotline.deps import AppState, AppStateDep, SessionDep
from hotline.errors import ConflictError, ForbiddenError, NotFoundError, ServiceUnavailableError
from hotline.masking import mask_phone
from hotline.roles import Role
from hotline.schemas.base import Moment, Schema, trusted
from hotline.schemas.page import Page
from hotline.summaries.topics import field_error
from hotline.telephony.live import TRANSFER_RINGING

if TYPE_CHECKING:
    from hotline.telephony.live import LiveCall
    from hotline.telephony.service import TelephonyService

CALL_ACTIONS_KEY = "call_actions"
TALK = "talk"
TRANSFER_RING_TIMEOUT_S = 20.0

call_readers = require(Role.AGENT, Role.SUPERVISOR, Role.DIRECTOR, Role.ADMIN)
call_handlers = require(Role.AGENT)
CallReader = Annotated[Principal, Depends(call_readers)]
CallHandler = Annotated[Principal, Depends(call_handlers)]
# Roles that read any call's detail in full (audited); an agent reads only their own calls.
OVERSEERS = frozenset({Role.SUPERVISOR, Role.DIRECTOR, Role.ADMIN})


router = APIRouter(prefix="/calls", tags=["calls"])


class CallActions(Protocol):
    """What the API asks of the telephony service; each method is a no-op on a finished call."""

    def live_phase(self, call_id: int) -> str | None:
        """The phase of a live call ("ivr", "queue", "ringing", "talk", "survey"), or None."""

    def on_hold(self, call_id: int) -> bool: ...

    def handling_agent(self, call_id: int) -> int | None:
        """The agent talking with the caller of a live call (None when nobody is)."""

    async def hold(self, call_id: int) -> None: ...

    async def unhold(self, call_id: int) -> None: ...

    async def hangup(self, call_id: int) -> None: ...

    async def transfer(self, call_id: int, *, to_agent_id: int) -> None:
        """Blind transfer to another logged-in agent; raise an ``AppError`` if it cannot be."""

    async def requeue(self, call_id: int, *, line: str, language: str) -> None:
        """Blind transfer to the queue ``line`` x ``language``; raise an ``AppError`` if the
        call cannot go back to a queue."""


# ---------------------------------------------------------------------------------- schemas
class CallSummary(Schema):
    id: int
    site: str
    kind: str
    caller_number: str | None
    region: str
    language: str | None
    business_line: str | None
    arrived_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    wait_s: float | None
    talk_s: float | None
    outcome: str | None
    agent_id: int | None
    routing_stage: int | None


CallPage = Page[CallSummary]


class JournalEntry(Schema):
    seq: int
    at: datetime
    kind: str
    data: dict[str, Any]


class RecordingPart(Schema):
    """Who talked with the caller from which second of the recording on."""

    agent_id: int
    agent: str | None = Field(description="the agent's name")
    from_s: float = Field(description="seconds into the recording where this agent's talk starts")


class RecordingSegment(Schema):
    """One file of a call's recording. A call has one, unless the call engine moved to another
    instance during the talk and the recording running then had stopped: the talk since the
    takeover is then the next segment (docs/cluster.md)."""

    segment: int = Field(description="1, 2, ... in the order they were recorded")
    started_at: datetime | None
    url: str | None = Field(description="GET it for audio/wav; null once purged")


class RecordingRef(Schema):
    """Where a recorded call's audio is (who may play it: docs/cti.md)."""

    url: str | None = Field(description="GET it for audio/wav; null once purged")
    started_at: datetime | None
    duration_s: float | None
    purged_at: datetime | None = Field(description="deleted at the end of the retention")
    parts: list[RecordingPart] = Field(
        default_factory=list,
        description="the agents heard, in order: the first one, then each one a blind transfer "
        "or a transfer to a queue brought in (one recording runs through all of them)",
    )
    segments: list[RecordingSegment] = Field(
        default_factory=list, description="the recording's files, the first one at `url`"
    )


_TALK_STARTS = ("offer_answered", "transfer_answered")


async def recording_segment_names(session: AsyncSession, call: Call) -> dict[int, str]:
    """The call's recording files by segment number: the first from the call row, the others
    (after a takeover during the talk) from the journal's ``recording_started`` entries."""
    if call.recording_name is None:
        return {}
    names = {1: call.recording_name}
    entries = await session.scalars(
        select(CallEvent)
        .where(CallEvent.call_id == call.id, CallEvent.kind == "recording_started")
        .order_by(CallEvent.seq)
    )
    for entry in entries:
        data = entry.data or {}
        segment, name = data.get("segment"), data.get("name")
        if isinstance(segment, int) and segment > 1 and isinstance(name, str):
            names.setdefault(segment, name)
    return dict(sorted(names.items()))


async def recording_segments(session: AsyncSession, call: Call) -> list[RecordingSegment]:
    started: dict[int, datetime | None] = {1: call.recording_started_at}
    entries = await session.scalars(
        select(CallEvent)
        .where(CallEvent.call_id == call.id, CallEvent.kind == "recording_started")
        .order_by(CallEvent.seq)
    )
    for entry in entries:
        segment = (entry.data or {}).get("segment")
        if isinstance(segment, int) and segment > 1:
            started.setdefault(segment, entry.at)
    gone = call.recording_purged_at is not None
    base = f"/api/v1/calls/{call.id}/recording"
    return [
        RecordingSegment(
            segment=segment,
            started_at=started.get(segment),
            url=None if gone else (base if segment == 1 else f"{base}?segment={segment}"),
        )
        for segment in await recording_segment_names(session, call)
    ]


async def recording_parts(session: AsyncSession, call: Call) -> list[RecordingPart]:
    """The recording's parts from the call's journal: each agent connected while it ran."""
    started = call.recording_started_at
    if call.recording_name is None or started is None:
        return []
    entries = (
        await session.scalars(
            select(CallEvent)
            .where(CallEvent.call_id == call.id, CallEvent.kind.in_(_TALK_STARTS))
            .order_by(CallEvent.seq)
        )
    ).all()
    end = call.recording_duration_s
    found: list[tuple[int, float]] = []
    for entry in entries:
        raw = (entry.data or {}).get("agent_id" if entry.kind == "offer_answered" else "to")
        if raw is None or not str(raw).isdigit():
            continue
        # The first answer comes a moment before the recording starts: it is second 0.
        offset = max(0.0, (entry.at - started).total_seconds())
        if end is not None and offset > end:
            break  # after the recording stopped (not heard in it)
        if not found or found[-1][0] != int(raw):
            found.append((int(raw), round(offset, 1)))
    ids = [agent_id for agent_id, _ in found]
    rows = await session.execute(select(Agent.id, Agent.name).where(Agent.id.in_(ids)))
    names: dict[int, str] = {agent_id: name for agent_id, name in rows}
    return [RecordingPart(agent_id=a, agent=names.get(a), from_s=at) for a, at in found]


class CallDetail(CallSummary):
    channel_id: str
    caller_name: str | None
    dialled: str
    priority: int
    ivr_choices: dict[str, Any]
    ivr_done_at: datetime | None
    queued_at: datetime | None
    first_offered_at: datetime | None
    ivr_s: float | None
    ring_s: float | None
    hold_s: float | None
    ended_by: str | None
    routing_level: int | None
    survey_score: int | None
    abandon_snapshot: dict[str, Any] | None
    callback_id: int | None
    live_phase: str | None = Field(description="the phase of a live call; null once it ended")
    recording: RecordingRef | None = Field(default=None, description="null: not recorded")
    timeline: list[JournalEntry]


class QueueRef(Schema):
    line: str = Field(min_length=1, max_length=32, description="business line, e.g. national_tax")
    language: str = Field(min_length=1, max_length=8, description="language code, e.g. zh")


class TransferRequest(Schema):
    """Exactly one target: an agent, a queue, or a queue by its skill code."""

    agent_id: int | None = Field(
        default=None, description="the agent to transfer the caller to (must be logged in)"
    )
    queue: QueueRef | None = Field(
        default=None, description="the queue (business line x language) to put the caller back in"
    )
    skill: str | None = Field(
        default=None,
        min_length=3,
        max_length=41,
        pattern=r"^[^.]+\.[^.]+$",
        description="the queue as a skill code 'line.language', e.g. national_tax.zh",
    )

    @model_validator(mode="after")
    def _one_target(self) -> TransferRequest:
        given = [n for n in ("agent_id", "queue", "skill") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of agent_id, queue or skill")
        return self

    def target_queue(self) -> tuple[str, str, str] | None:
        """(line, language, the field that named it), or None for a transfer to an agent."""
        if self.queue is not None:
            return self.queue.line, self.queue.language, "queue"
        if self.skill is not None:
            line, language = self.skill.split(".")
            return line, language, "skill"
        return None


class ActionResult(Schema):
    call_id: int
    action: str
    accepted: bool = True


# ---------------------------------------------------------------------------------- queries
CALL_SORTS = (
    Sort(
        "-arrived_at",
        (
            Key(Call.arrived_at.expression, True, parse=parse_datetime),
            Key(Call.id.expression, True),
        ),
    ),
    Sort(
        "arrived_at",
        (Key(Call.arrived_at.expression, parse=parse_datetime), Key(Call.id.expression)),
    ),
)


class CallFilters(Schema):
    # The API's common names (docs/api.md): ``from``/``to`` for the time range.
    from_: Moment | None = Field(default=None, alias="from", description="arrived at or after")
    to: Moment | None = Field(default=None, description="arrived before")
    arrived_from: Moment | None = Field(default=None, description="deprecated: use `from`")
    arrived_to: Moment | None = Field(default=None, description="deprecated: use `to`")
    outcome: CallOutcome | None = None
    agent_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)
    business_line: str | None = Field(default=None, max_length=32)
    site: str | None = Field(default=None, max_length=32)
    sort: str | None = Field(default=None, max_length=64, description="-arrived_at or arrived_at")
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, max_length=1000, description="the `next` cursor")


# The filters of the list, in the order their conditions are written: each one's bound
# parameter takes the name of the filter (the statement is kept per set of filters given:
# ``PageStatements``).
_CALL = Call.__table__.c
_SITE = Site.__table__.c
_CONDITIONS: tuple[tuple[str, Callable[[Any], ColumnElement[bool]]], ...] = (
    ("start", lambda value: _CALL.arrived_at >= value),
    ("end", lambda value: _CALL.arrived_at < value),
    ("outcome", lambda value: _CALL.outcome == value),
    ("agent_id", lambda value: _CALL.agent_id == value),
    ("business_line", lambda value: _CALL.business_line == value),
    ("site", lambda value: _SITE.code == value),
    ("own_agent", lambda value: _CALL.agent_id == value),
)


def _filter_values(filters: CallFilters, own_agent: int | None) -> dict[str, Any]:
    """The values of the filters given, by name (a filter not given is absent)."""
    values = {
        "start": filters.from_ or filters.arrived_from,
        "end": filters.to or filters.arrived_to,
        "outcome": filters.outcome,
        "agent_id": filters.agent_id,
        "business_line": filters.business_line,
        "site": filters.site,
        "own_agent": own_agent,
    }
    return {name: value for name, value in values.items() if value is not None}


def _listed(given: frozenset[str]) -> Select[Any]:
    """The listed columns of the calls matching the filters named in ``given``, each compared
    with a bound parameter of its name. Core columns, not the ORM's: the rows are plain rows
    either way, and a Core statement skips the ORM's execution and loading steps."""
    query = select(
        *(_SITE.code.label("site") if name == "site" else _CALL[name] for name in _LISTED_FIELDS)
    )
    query = query.join_from(Call.__table__, Site.__table__, _SITE.id == _CALL.site_id)
    for name, condition in _CONDITIONS:
        if name in given:
            query = query.where(condition(bindparam(name)))
    return query


_PAGES = PageStatements()
# The listed columns, in the order of ``CallSummary``'s fields (the site from the join): a row
# becomes a summary's fields by position, without a lookup by name per field.
_LISTED_FIELDS = tuple(CallSummary.model_fields)


async def _agent_of(session: AsyncSession, principal: Principal) -> int | None:
    agent_id: int | None = await session.scalar(
        select(Agent.id).where(Agent.user_id == principal.user_id)
    )
    return agent_id


async def _scope(session: AsyncSession, principal: Principal) -> int | None:
    """The agent an agent-only principal is restricted to (None: no restriction)."""
    if principal.has_any(OVERSEERS):
        return None
    agent_id = await _agent_of(session, principal)
    if agent_id is None:
        raise NotFoundError(f"no agent is linked to user '{principal.username}'")
    return agent_id


def _summary(call: Any, site: str, *, full_number: bool) -> dict[str, Any]:
    """A summary's fields from a ``Call``."""
    return {
        "id": call.id,
        "site": site,
        "kind": call.kind,
        "caller_number": call.caller_number if full_number else mask_phone(call.caller_number),
        "region": call.region,
        "language": call.language,
        "business_line": call.business_line,
        "arrived_at": call.arrived_at,
        "answered_at": call.answered_at,
        "ended_at": call.ended_at,
        "wait_s": call.wait_s,
        "talk_s": call.talk_s,
        "outcome": call.outcome,
        "agent_id": call.agent_id,
        "routing_stage": call.routing_stage,
    }


def _actions(state: AppState) -> CallActions | None:
    actions: CallActions | None = state.extras.get(CALL_ACTIONS_KEY)
    return actions


# ---------------------------------------------------------------------------------- endpoints
@router.get("", response_model=CallPage)
async def list_calls(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: CallReader,
    filters: Annotated[CallFilters, Query()],
) -> CallPage:
    """Calls, newest first by default, in keyset pages (docs/api.md). Numbers are masked; an
    agent sees only the calls they handled."""
    sort = choose_sort(CALL_SORTS, filters.sort)
    own_agent = await _scope(session, principal)
    # Plain rows of the listed columns, not ORM objects: a list page has no use for identity
    # tracking or for decoding each call's JSON columns (IVR choices, live state), which were
    # most of a page's cost under load.
    values = _filter_values(filters, own_agent)
    given = frozenset(values)
    rows, total, capped = await _PAGES.page_and_total(
        session, given, lambda: _listed(given), values, sort, filters.cursor, filters.limit
    )
    link = next_link(request, response, sort, rows, filters.limit)
    # Built without validation: every value comes from typed columns, and validating a page's
    # rows field by field (with the input schema's NUL check on each text) was a tenth of the
    # request's CPU under load. The response is still serialised by the CallPage schema.
    items = []
    for row in rows[: filters.limit]:
        fields = dict(zip(_LISTED_FIELDS, row, strict=False))  # the total rides last: dropped
        fields["caller_number"] = mask_phone(fields["caller_number"])
        items.append(trusted(CallSummary, fields))
    return CallPage(items=items, limit=filters.limit, next=link, total=total, total_capped=capped)


async def _load(session: AsyncSession, call_id: int) -> tuple[Call, str]:
    row = (
        await session.execute(
            select(Call, Site.code).join(Site, Site.id == Call.site_id).where(Call.id == call_id)
        )
    ).first()
    if row is None:
        raise NotFoundError(f"call {call_id} does not exist")
    return row[0], row[1]


@router.get("/{call_id}", response_model=CallDetail)
async def get_call(
    call_id: BigRowId,
    request: Request,
    session: SessionDep,
    principal: CallReader,
    state: AppStateDep,
) -> CallDetail:
    """One call with its journal (timeline) and, for an abandon, the agents who could have
    answered. The number is shown in full and the read is audited."""
    own_agent = await _scope(session, principal)
    call, site = await _load(session, call_id)
    if own_agent is not None and call.agent_id != own_agent:
        raise ForbiddenError(f"call {call_id} was handled by another agent")
    entries = (
        await session.scalars(
            select(CallEvent).where(CallEvent.call_id == call_id).order_by(CallEvent.seq)
        )
    ).all()
    actions = _actions(state)
    detail = CallDetail(
        **_summary(call, site, full_number=True),
        channel_id=call.channel_id,
        caller_name=call.caller_name,
        dialled=call.dialled,
        priority=call.priority,
        ivr_choices=call.ivr_choices or {},
        ivr_done_at=call.ivr_done_at,
        queued_at=call.queued_at,
        first_offered_at=call.first_offered_at,
        ivr_s=call.ivr_s,
        ring_s=call.ring_s,
        hold_s=call.hold_s,
        ended_by=call.ended_by,
        routing_level=call.routing_level,
        survey_score=call.survey_score,
        abandon_snapshot=call.abandon_snapshot,
        callback_id=call.callback_id,
        live_phase=actions.live_phase(call.id) if actions is not None else None,
        recording=await _recording(session, call),
        timeline=[JournalEntry.model_validate(e, from_attributes=True) for e in entries],
    )
    # In the request's own transaction: the entry commits with the response it audits.
    audit.add(
        session,
        action=audit.PERSONAL_DATA_READ,
        actor_user_id=principal.user_id,
        actor_username=principal.username,
        subject_type="call",
        subject_id=str(call.id),
        detail={"via": "call_detail", "fields": ["caller_number", "caller_name"]},
        request_id=getattr(request.state, "request_id", None),
        client_ip=request.client.host if request.client else None,
    )
    return detail


async def _recording(session: AsyncSession, call: Call) -> RecordingRef | None:
    if call.recording_name is None:
        return None
    purged = call.recording_purged_at
    return RecordingRef(
        url=None if purged is not None else f"/api/v1/calls/{call.id}/recording",
        started_at=call.recording_started_at,
        duration_s=call.recording_duration_s,
        purged_at=purged,
        parts=await recording_parts(session, call),
        segments=await recording_segments(session, call),
    )


async def _own_talking_call(
    session: AsyncSession, state: AppState, principal: Principal, call_id: int
) -> CallActions:
    """Refuse with the reason unless the principal's agent is talking on this live call."""
    agent_id = await _agent_of(session, principal)
    if agent_id is None:
        raise NotFoundError(f"no agent is linked to user '{principal.username}'")
    call, _site = await _load(session, call_id)
    actions = _actions(state)
    if actions is None:
        raise ServiceUnavailableError("telephony is not running on this instance")
    handler = actions.handling_agent(call_id)
    if handler is None:
        handler = call.agent_id
    if handler != agent_id:
        raise ForbiddenError(f"call {call_id} is handled by another agent, not by you")
    phase = actions.live_phase(call_id)
    if phase != TALK:
        where = "it has ended" if phase is None else f"it is in phase '{phase}'"
        raise ConflictError(f"call {call_id} is not in talk: {where}")
    return actions


@router.post("/{call_id}/hold", response_model=ActionResult, status_code=status.HTTP_202_ACCEPTED)
async def hold_call(
    call_id: BigRowId, session: SessionDep, principal: CallHandler, state: AppStateDep
) -> ActionResult:
    """Put the caller on hold (music on hold); only the agent talking on the call may."""
    actions = await _own_talking_call(session, state, principal, call_id)
    if actions.on_hold(call_id):
        raise ConflictError(f"call {call_id} is already on hold")
    await actions.hold(call_id)
    return ActionResult(call_id=call_id, action="hold")


@router.post("/{call_id}/unhold", response_model=ActionResult, status_code=status.HTTP_202_ACCEPTED)
async def unhold_call(
    call_id: BigRowId, session: SessionDep, principal: CallHandler, state: AppStateDep
) -> ActionResult:
    """Take the caller off hold."""
    actions = await _own_talking_call(session, state, principal, call_id)
    if not actions.on_hold(call_id):
        raise ConflictError(f"call {call_id} is not on hold")
    await actions.unhold(call_id)
    return ActionResult(call_id=call_id, action="unhold")


@router.post("/{call_id}/hangup", response_model=ActionResult, status_code=status.HTTP_202_ACCEPTED)
async def hangup_call(
    call_id: BigRowId, session: SessionDep, principal: CallHandler, state: AppStateDep
) -> ActionResult:
    """End the call from the desktop (the caller may still take the survey)."""
    actions = await _own_talking_call(session, state, principal, call_id)
    await actions.hangup(call_id)
    return ActionResult(call_id=call_id, action="hangup")


@router.post(
    "/{call_id}/transfer", response_model=ActionResult, status_code=status.HTTP_202_ACCEPTED
)
async def transfer_call(
    call_id: BigRowId,
    data: TransferRequest,
    session: SessionDep,
    principal: CallHandler,
    state: AppStateDep,
) -> ActionResult:
    """Blind transfer of the caller to another logged-in agent, or back to a queue (line x
    language): the agent leaves the call for wrap-up and the caller waits for the new queue."""
    actions = await _own_talking_call(session, state, principal, call_id)
    queue = data.target_queue()
    if queue is not None:
        line, language, field = queue
        known = await session.scalar(
            select(Skill.id).where(Skill.business_line == line, Skill.language == language)
        )
        if known is None:
            raise field_error(field, f"no queue {line}.{language}: unknown line or language")
        await actions.requeue(call_id, line=line, language=language)
        return ActionResult(call_id=call_id, action="transfer_to_queue")
    assert data.agent_id is not None  # exactly one target (the schema)
    if await session.get(Agent, data.agent_id) is None:
        raise NotFoundError(f"agent {data.agent_id} does not exist")
    if data.agent_id == actions.handling_agent(call_id):
        raise ConflictError("the call is already with that agent")
    await actions.transfer(call_id, to_agent_id=data.agent_id)
    return ActionResult(call_id=call_id, action="transfer")


_ON_ANOTHER_CALL = {"on_call": "on another call", "reserved": "being offered another call"}
"""Routing states in which an agent's phone is busy: a blind transfer to them is refused."""


class TelephonyCallActions:
    """:class:`CallActions` over the telephony service: reads its live calls, drives its
    ``CallControl``, keeps the hold time of the call record and journals each command."""

    def __init__(self, service: TelephonyService) -> None:
        self._service = service

    def _live(self, call_id: int) -> LiveCall | None:
        for call in self._service.ctx.calls.by_key.values():
            if call.call_id == call_id and call.outcome in (None, "answered"):
                return call
        return None

    def live_phase(self, call_id: int) -> str | None:
        call = self._live(call_id)
        return None if call is None else call.phase

    def on_hold(self, call_id: int) -> bool:
        call = self._live(call_id)
        return call is not None and call.hold_since is not None

    def handling_agent(self, call_id: int) -> int | None:
        call = self._live(call_id)
        if call is None or call.agent_id is None:
            return None
        return int(call.agent_id)

    async def _journal(self, call: LiveCall, kind: str, **data: Any) -> None:
        ctx = self._service.ctx
        await ctx.recorder.journal(call.call_id, ctx.now(), kind, {"by": "api", **data})

    async def hold(self, call_id: int) -> None:
        call = self._live(call_id)
        if call is None:
            return
        await self._service.ctx.control.hold(call.key)
        call.hold_since = self._service.ctx.now()
        await self._journal(call, "hold")

    async def unhold(self, call_id: int) -> None:
        call = self._live(call_id)
        if call is None:
            return
        await self._service.ctx.control.unhold(call.key)
        if call.hold_since is not None:
            call.hold_s += (self._service.ctx.now() - call.hold_since).total_seconds()
            call.hold_since = None
        await self._journal(call, "unhold")

    async def hangup(self, call_id: int) -> None:
        call = self._live(call_id)
        if call is None:
            return
        await self._journal(call, "hangup")
        await self._service.ctx.control.hangup(call.key)

    async def transfer(self, call_id: int, *, to_agent_id: int) -> None:
        call = self._live(call_id)
        if call is None:
            return
        endpoint = self._service.ctx.endpoint_for(str(to_agent_id), call.key.site)
        if endpoint is None:
            raise ConflictError(
                f"agent {to_agent_id} is not logged in with a phone on site {call.key.site}"
            )
        if call.agent_id == str(to_agent_id):
            raise ConflictError(f"agent {to_agent_id} is already talking with this caller")
        busy = _ON_ANOTHER_CALL.get((await self._service.agents.view(to_agent_id)).status)
        if busy is not None:
            raise ConflictError(f"agent {to_agent_id} is {busy}")
        await self._journal(call, "transfer", to_agent_id=to_agent_id, endpoint=endpoint)
        await self._service.transfer_requested(call.key, agent_id=str(to_agent_id))
        await self._service.ctx.control.transfer(
            call.key,
            agent_id=str(to_agent_id),
            endpoint=endpoint,
            ring_timeout_s=TRANSFER_RING_TIMEOUT_S,
        )

    async def requeue(self, call_id: int, *, line: str, language: str) -> None:
        call = self._live(call_id)
        if call is None:
            return
        if call.kind != "inbound":
            raise ConflictError(f"call {call_id} is a callback: it has no queue to go back to")
        ringing = call.extra.get(TRANSFER_RINGING)
        if ringing is not None:
            raise ConflictError(f"call {call_id} is being transferred: agent {ringing} is ringing")
        await self._journal(call, "transfer_to_queue", line=line, language=language)
        await self._service.ctx.control.requeue(call.key, line=line, language=language)
