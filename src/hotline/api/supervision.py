"""A supervisor's listen / whisper / barge on a talking call, and the playback of recordings.

Monitoring (supervisor, admin): ``POST /calls/{id}/monitor`` rings the supervisor's phone and
connects it to a snoop of the agent's leg (see :mod:`cti.calls.monitor`), ``PATCH`` switches the
mode, ``DELETE`` ends it. The phone is the body's ``endpoint`` or, without one, the dial string
of the agent record linked to the supervisor's user on the call's site (logged in or not).
Every start, switch and stop is audited and written to the call's journal.

Playback (``GET /calls/{id}/recording``): supervisors and directors, and a specialist who
handles a work order raised from that call. The audio is streamed as Asterisk stored it
(``audio/wav``) with single byte ranges, so a browser can seek. Each playback is audited: a
request from the first byte (a player starting) is one entry; the range requests of a seek are
part of the same playback.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cti.calls.ports import (
    CallKey,
    MonitorMode,
    MonitorRefused,
    RecordingUnavailable,
    UnknownMonitor,
)
from hotline import audit
from hotline.api.calls import _load, recording_segment_names
from hotline.api.params import BigRowId
from hotline.auth.principal import Principal, require
from hotline.db.models import Agent, Site, WorkOrderRow
from hotline.db.models.directory import AgentEndpoint
from hotline.deps import AppStateDep, SessionDep
from hotline.errors import (
    AppError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ServiceUnavailableError,
)
from hotline.roles import Role
from hotline.schemas.base import Schema
from hotline.summaries.topics import field_error
from hotline.telephony import monitors as monitor_rows
from hotline.telephony.component import get_telephony
from hotline.telephony.recordings import MAX_SEGMENTS
from hotline.telephony.service import TelephonyService

router = APIRouter(prefix="/calls", tags=["calls"])

monitors = require(Role.SUPERVISOR, Role.ADMIN)
Monitoring = Annotated[Principal, Depends(monitors)]
listeners = require(Role.SUPERVISOR, Role.DIRECTOR, Role.SPECIALIST)
Listener = Annotated[Principal, Depends(listeners)]
RECORDING_READERS = frozenset({Role.SUPERVISOR, Role.DIRECTOR})
"""Roles that play any call's recording; a specialist plays those of their work orders' calls."""

MONITOR_STARTED = "call_monitor_started"
MONITOR_SWITCHED = "call_monitor_switched"
MONITOR_STOPPED = "call_monitor_stopped"
RECORDING_PLAYED = "call_recording_played"
TALK = "talk"

Mode = MonitorMode


class MonitorStart(Schema):
    mode: Mode = Field(description="listen: hear both; whisper: speak to the agent; barge: to both")
    endpoint: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        pattern=r"^[A-Za-z]+/[^\s,]+$",
        description="the supervisor's phone (e.g. PJSIP/8001); default: their own agent phone",
    )


class MonitorSwitch(Schema):
    mode: Mode


class MonitorOut(Schema):
    monitor_id: str
    call_id: str
    mode: Mode
    supervisor_endpoint: str


class RangeNotSatisfiable(AppError):
    status_code = 416
    slug = "range_not_satisfiable"


async def _service(state: AppStateDep) -> TelephonyService:  # async: no thread hop
    return get_telephony(state)


Telephony = Annotated[TelephonyService, Depends(_service)]


def _live_key(service: TelephonyService, call_id: int) -> CallKey:
    """The live call's key, or 409 saying why it cannot be monitored."""
    for call in service.ctx.calls.by_key.values():
        if call.call_id == call_id and call.outcome in (None, "answered"):
            if call.phase != TALK:
                raise ConflictError(f"call {call_id} is not in talk: it is in phase '{call.phase}'")
            return call.key
    raise ConflictError(f"call {call_id} has ended: there is nothing to monitor")


async def own_endpoint(session: AsyncSession, user_id: int, site: str | None) -> str | None:
    """The dial string of the agent record linked to the user (on ``site``, or the first one):
    their softphone or desk phone."""
    query = (
        select(AgentEndpoint.dial_string)
        .join(Agent, Agent.id == AgentEndpoint.agent_id)
        .join(Site, Site.id == AgentEndpoint.site_id)
        .where(Agent.user_id == user_id)
        .order_by(Site.code)
        .limit(1)
    )
    if site is not None:
        query = query.where(Site.code == site)
    return await session.scalar(query)


async def _monitor_phone(session: AsyncSession, principal: Principal, site: str) -> str:
    """The supervisor's own phone on the call's site, else the phone they gave last."""
    endpoint = await own_endpoint(session, principal.user_id, site)
    endpoint = endpoint or await monitor_rows.remembered_phone(session, principal.user_id)
    if endpoint is None:
        raise field_error(
            "endpoint",
            f"you have no phone on site {site}: give the endpoint to ring (e.g. PJSIP/8001)",
        )
    return endpoint


def _audit(
    session: AsyncSession,
    request: Request,
    principal: Principal,
    action: str,
    call_id: int,
    **detail: object,
) -> None:
    audit.add(
        session,
        action=action,
        actor_user_id=principal.user_id,
        actor_username=principal.username,
        subject_type="call",
        subject_id=str(call_id),
        detail=dict(detail),
        request_id=getattr(request.state, "request_id", None),
        client_ip=request.client.host if request.client else None,
    )


async def _journal(service: TelephonyService, call_id: int, kind: str, **data: object) -> None:
    await service.recorder.journal(call_id, service.ctx.now(), kind, dict(data))


@router.post(
    "/{call_id}/monitor",
    response_model=MonitorOut,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "the call has ended or is not in talk"}},
)
async def start_monitor(
    call_id: BigRowId,
    data: MonitorStart,
    request: Request,
    session: SessionDep,
    principal: Monitoring,
    service: Telephony,
) -> MonitorOut:
    """Ring the supervisor's phone and connect it to the agent's call in ``mode``."""
    _call, site = await _load(session, call_id)
    key = _live_key(service, call_id)
    if data.endpoint is not None:
        endpoint = data.endpoint
        await monitor_rows.remember_phone(session, principal.user_id, endpoint)
    else:
        endpoint = await _monitor_phone(session, principal, site)
    supervision = service.supervision
    if supervision is None:
        raise ServiceUnavailableError("no ARI site is connected in this process")
    try:
        monitor_id = await supervision.start_monitor(key, mode=data.mode, endpoint=endpoint)
    except MonitorRefused as error:
        raise ConflictError(f"call {call_id} cannot be monitored: {error}") from error
    _audit(
        session,
        request,
        principal,
        MONITOR_STARTED,
        call_id,
        monitor_id=monitor_id,
        mode=data.mode,
        endpoint=endpoint,
    )
    await service.monitor_started(key, monitor_id, call_id, user_id=principal.user_id)
    await _journal(
        service,
        call_id,
        "monitor_started",
        monitor_id=monitor_id,
        mode=data.mode,
        by=principal.username,
    )
    return MonitorOut(
        monitor_id=monitor_id, call_id=str(call_id), mode=data.mode, supervisor_endpoint=endpoint
    )


@router.patch(
    "/{call_id}/monitor/{monitor_id}",
    response_model=MonitorOut,
    responses={409: {"description": "the call has ended or is not in talk"}},
)
async def switch_monitor(
    call_id: BigRowId,
    monitor_id: Annotated[str, Path(max_length=80)],
    data: MonitorSwitch,
    request: Request,
    session: SessionDep,
    principal: Monitoring,
    service: Telephony,
) -> MonitorOut:
    """Change the mode (listen, whisper, barge) without ringing the supervisor again."""
    await _load(session, call_id)
    key = _live_key(service, call_id)
    supervision = service.supervision
    if supervision is None:
        raise ServiceUnavailableError("no ARI site is connected in this process")
    try:
        await supervision.switch_monitor(key, monitor_id, mode=data.mode)
    except UnknownMonitor as error:
        raise NotFoundError(f"monitor {monitor_id} is not running on call {call_id}") from error
    except MonitorRefused as error:
        raise ConflictError(f"call {call_id}: {error}") from error
    endpoint = supervision.monitor_endpoint(key, monitor_id) or ""
    await service.monitor_switched(monitor_id, data.mode)
    _audit(
        session,
        request,
        principal,
        MONITOR_SWITCHED,
        call_id,
        monitor_id=monitor_id,
        mode=data.mode,
    )
    await _journal(
        service,
        call_id,
        "monitor_switched",
        monitor_id=monitor_id,
        mode=data.mode,
        by=principal.username,
    )
    return MonitorOut(
        monitor_id=monitor_id, call_id=str(call_id), mode=data.mode, supervisor_endpoint=endpoint
    )


@router.delete(
    "/{call_id}/monitor/{monitor_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "no such monitor running on the call"}},
)
async def stop_monitor(
    call_id: BigRowId,
    monitor_id: Annotated[str, Path(max_length=80)],
    request: Request,
    session: SessionDep,
    principal: Monitoring,
    service: Telephony,
) -> Response:
    """End the monitor: the supervisor's phone is hung up, the call goes on."""
    call, site = await _load(session, call_id)
    supervision = service.supervision
    if supervision is None:
        raise ServiceUnavailableError("no ARI site is connected in this process")
    key = next(
        (c.key for c in service.ctx.calls.by_key.values() if c.call_id == call_id),
        CallKey(site, call.channel_id),
    )
    try:
        await supervision.stop_monitor(key, monitor_id)
    except UnknownMonitor as error:
        raise NotFoundError(
            f"monitor {monitor_id} is not running on call {call_id} (it ended with the call "
            "or the supervisor hung up)"
        ) from error
    _audit(session, request, principal, MONITOR_STOPPED, call_id, monitor_id=monitor_id)
    await service.flush()  # the monitor's row is closed before the floor reads the list again
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------------- the floor's side

monitoring_router = APIRouter(prefix="/monitoring", tags=["calls"])
floor_readers = require(Role.SUPERVISOR, Role.DIRECTOR, Role.ADMIN)
FloorReader = Annotated[Principal, Depends(floor_readers)]
ENDPOINT_PATTERN = r"^[A-Za-z]+/[^\s,]+$"


class MonitorPhoneIn(Schema):
    endpoint: str = Field(
        min_length=3,
        max_length=128,
        pattern=ENDPOINT_PATTERN,
        description="the phone to ring for your monitors (e.g. PJSIP/8001)",
    )


class MonitorPhoneOut(Schema):
    endpoint: str | None = Field(description="what a monitor rings when the call gives none")
    source: str | None = Field(
        description="remembered (given on the floor or to a monitor), agent (your own agent "
        "phone) or null (none: give one)"
    )


class RunningMonitorOut(Schema):
    monitor_id: str
    call_id: str
    mode: Mode
    supervisor_endpoint: str
    supervisor: str | None
    supervisor_user_id: int | None
    started_at: datetime


async def monitor_phone_of(session: AsyncSession, user_id: int) -> MonitorPhoneOut:
    remembered = await monitor_rows.remembered_phone(session, user_id)
    if remembered is not None:
        return MonitorPhoneOut(endpoint=remembered, source="remembered")
    own = await own_endpoint(session, user_id, None)
    return MonitorPhoneOut(endpoint=own, source=None if own is None else "agent")


@monitoring_router.get("/phone", response_model=MonitorPhoneOut)
async def get_monitor_phone(session: SessionDep, principal: Monitoring) -> MonitorPhoneOut:
    """The phone your monitors ring: the one you gave last, else your own agent phone."""
    return await monitor_phone_of(session, principal.user_id)


@monitoring_router.put("/phone", response_model=MonitorPhoneOut)
async def put_monitor_phone(
    data: MonitorPhoneIn, session: SessionDep, principal: Monitoring
) -> MonitorPhoneOut:
    """Remember the phone your monitors ring (kept per user, across sessions)."""
    await monitor_rows.remember_phone(session, principal.user_id, data.endpoint)
    await session.commit()
    return MonitorPhoneOut(endpoint=data.endpoint, source="remembered")


@monitoring_router.get("/monitors", response_model=list[RunningMonitorOut])
async def list_running_monitors(
    session: SessionDep, principal: FloorReader
) -> list[RunningMonitorOut]:
    """Who listens to which call now, since when (kept in the database: a restart keeps them)."""
    return running_monitors_out(await monitor_rows.running_views(session))


def running_monitors_out(views: list[monitor_rows.MonitorView]) -> list[RunningMonitorOut]:
    return [
        RunningMonitorOut(
            monitor_id=view.monitor_id,
            call_id=str(view.call_id),
            mode=monitor_rows.mode_of(view.mode),
            supervisor_endpoint=view.endpoint,
            supervisor=view.supervisor,
            supervisor_user_id=view.supervisor_user_id,
            started_at=view.started_at,
        )
        for view in views
    ]


# ---------------------------------------------------------------------- recordings

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def audio_response(audio: bytes, media_type: str, span: tuple[int, int] | None) -> Response:
    """A recording's bytes, whole or the ``span`` asked by a Range header (206), never cached."""
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "private, no-store"}
    if span is None:
        return Response(audio, media_type=media_type, headers=headers)
    start, end = span
    headers["Content-Range"] = f"bytes {start}-{end}/{len(audio)}"
    return Response(
        audio[start : end + 1],
        status_code=status.HTTP_206_PARTIAL_CONTENT,
        media_type=media_type,
        headers=headers,
    )


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one byte range asked for (inclusive), None for the whole file; 416 if unsatisfiable.

    Hand-written: the audio comes from Asterisk into memory, not from a file that Starlette's
    ``FileResponse`` could serve with ranges, and a player only ever asks for one range.
    """
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None or (not match.group(1) and not match.group(2)):
        raise RangeNotSatisfiable(
            f"Range '{header}' is not understood: use one range, bytes=START-END"
        )
    first, last = match.group(1), match.group(2)
    if not first:  # the last N bytes
        start, end = max(0, size - int(last)), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        raise RangeNotSatisfiable(f"Range '{header}' is outside the recording's {size} bytes")
    return start, end


async def may_play(session: AsyncSession, principal: Principal, call_id: int) -> bool:
    """Supervisors and directors play any recording; a specialist only those of calls from
    which a work order they handle was raised."""
    if principal.has_any(RECORDING_READERS):
        return True
    if Role.SPECIALIST not in principal.roles:
        return False
    handled = await session.scalar(
        select(WorkOrderRow.id)
        .where(WorkOrderRow.call_id == call_id, WorkOrderRow.handler_user_id == principal.user_id)
        .limit(1)
    )
    return handled is not None


@router.get(
    "/{call_id}/recording",
    response_class=Response,
    responses={
        200: {"content": {"audio/wav": {}}, "description": "the recording"},
        206: {"content": {"audio/wav": {}}, "description": "one byte range of it"},
        404: {"description": "the call was not recorded, or its recording was purged"},
    },
)
async def play_recording(
    call_id: BigRowId,
    request: Request,
    session: SessionDep,
    principal: Listener,
    state: AppStateDep,
    segment: Annotated[
        int,
        Query(ge=1, le=MAX_SEGMENTS, description="which file of the recording (see `segments`)"),
    ] = 1,
) -> Response:
    """Stream the call's recording (``audio/wav``, byte ranges); every playback is audited."""
    call, site = await _load(session, call_id)
    if not await may_play(session, principal, call_id):
        raise ForbiddenError(
            f"only supervisors, directors and the specialist handling a work order of call "
            f"{call_id} may play its recording"
        )
    if call.recording_name is None:
        raise NotFoundError(f"call {call_id} was not recorded")
    if call.recording_purged_at is not None:
        raise NotFoundError(
            f"the recording of call {call_id} was deleted on "
            f"{call.recording_purged_at:%Y-%m-%d} (retention period)"
        )
    name = (await recording_segment_names(session, call)).get(segment)
    if name is None:
        raise NotFoundError(f"the recording of call {call_id} has no segment {segment}")
    supervision = get_telephony(state).supervision
    if supervision is None:
        raise ServiceUnavailableError("no ARI site is connected in this process")
    try:
        audio, media_type = await supervision.recording_audio(site, name)
    except RecordingUnavailable as error:
        raise NotFoundError(f"the recording of call {call_id} cannot be played: {error}") from error
    span = byte_range(request.headers.get("range"), len(audio))
    if span is None or span[0] == 0:
        _audit(
            session,
            request,
            principal,
            RECORDING_PLAYED,
            call_id,
            recording=name,
            range=request.headers.get("range"),
        )
    return audio_response(audio, media_type, span)


__all__ = ["RECORDING_PLAYED", "may_play", "monitoring_router", "router"]
