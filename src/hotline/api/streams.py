"""Server-sent-event streams: one per agent (screen pop) and one for supervisors (wallboard).

Both relay messages of the in-process bus (``hotline.bus``) as ``text/event-stream``: ``id:`` is a
per-connection sequence number, ``event:`` the message's ``type``, ``data:`` the message as JSON,
and a ``: heartbeat`` comment every 15 s keeps proxies from closing an idle connection. The wire
format is FastAPI's own (``fastapi.sse``: ``EventSourceResponse`` and ``format_sse_event``, which
splits multi-line values as the SSE specification says); this module only decides what to send.
The bus keeps no history, so a reconnecting client starts from the live edge (``Last-Event-ID``
is not replayed); the desktop reloads state through the REST API after a reconnect.

The streams answer only clients that ask for ``Accept: text/event-stream`` (what ``EventSource``
sends): a plain GET would otherwise open a response that never ends.

Personal data: an agent's own stream carries the caller's full number in a screen pop, and each
such delivery is audited (``personal_data_read``, subject the call); the wallboard masks numbers.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from fastapi.sse import EventSourceResponse, format_sse_event
from sqlalchemy import select

from hotline import audit
from hotline.auth.principal import Principal, require
from hotline.bus import Message, Subscription
from hotline.db.models import Agent
from hotline.deps import AppState, AppStateDep, SessionDep
from hotline.errors import AppError, NotFoundError
from hotline.masking import mask_name, mask_phone
from hotline.roles import Role

HEARTBEAT_S = 15.0
EVENT_STREAM = "text/event-stream"
WALLBOARD_TOPIC = "wallboard"

Transform = Callable[[Message], Awaitable[Message]]

agent_stream_readers = require(Role.AGENT)
wallboard_readers = require(Role.SUPERVISOR, Role.DIRECTOR)
AgentStreamReader = Annotated[Principal, Depends(agent_stream_readers)]
WallboardReader = Annotated[Principal, Depends(wallboard_readers)]

router = APIRouter(tags=["realtime"])


class NotAcceptableError(AppError):
    status_code = 406
    slug = "not_acceptable"


def agent_topic(agent_id: int | str) -> str:
    return f"agent:{agent_id}"


def require_event_stream(request: Request) -> None:
    accept = request.headers.get("accept", "")
    if EVENT_STREAM not in accept:
        raise NotAcceptableError(
            f"this endpoint streams server-sent events: send 'Accept: {EVENT_STREAM}'"
        )


def format_event(seq: int, message: Message) -> bytes:
    """One SSE frame: the message's type as the event name, the message as one line of JSON."""
    kind = " ".join(str(message.get("type", "message")).split())  # an event name is one line
    data = json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str)
    return format_sse_event(data_str=data, event=kind, id=str(seq))


def format_comment(text: str) -> bytes:
    """A comment frame (ignored by ``EventSource``; keeps proxies and the client informed)."""
    return format_sse_event(comment=text)


def mask_for_wallboard(message: Message) -> Message:
    masked: dict[str, Any] = dict(message)
    if "caller_number" in masked:
        masked["caller_number"] = mask_phone(masked["caller_number"])
    if "caller_name" in masked:
        masked["caller_name"] = mask_name(masked["caller_name"])
    return masked


async def relay(
    subscription: Subscription,
    *,
    heartbeat_s: float = HEARTBEAT_S,
    transform: Transform | None = None,
) -> AsyncIterator[bytes]:
    """Frames for one client until it disconnects (the server then cancels this generator)."""
    yield format_comment("connected")  # lets the client see at once that the stream is open
    seq = 0
    while True:
        try:
            message = await asyncio.wait_for(subscription.get(), timeout=heartbeat_s)
        except TimeoutError:
            yield format_comment("heartbeat")
            continue
        if transform is not None:
            message = await transform(message)
        seq += 1
        yield format_event(seq, message)


def _stream(frames: AsyncIterator[bytes]) -> EventSourceResponse:
    return EventSourceResponse(
        frames,
        # no-transform and X-Accel-Buffering: proxies must pass each frame on as it comes.
        headers={"Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no"},
    )


async def _subscribed(
    state: AppState, topic: str, heartbeat_s: float, transform: Transform
) -> AsyncIterator[bytes]:
    async with state.bus.subscribe(topic) as subscription:
        async for frame in relay(subscription, heartbeat_s=heartbeat_s, transform=transform):
            yield frame


def heartbeat_of(state: AppState) -> float:
    # Tests shorten the heartbeat through the app state; production keeps the 15 s default.
    return float(state.extras.get("sse_heartbeat_s", HEARTBEAT_S))


@router.get(
    "/agent/events",
    # Not EventSourceResponse here: on a route FastAPI takes that as "the endpoint is a generator";
    # this one is a coroutine that refuses (406, 404) before it returns the stream.
    response_class=StreamingResponse,
    responses={200: {"content": {EVENT_STREAM: {}}, "description": "the agent's event stream"}},
)
async def agent_events(
    request: Request, principal: AgentStreamReader, session: SessionDep, state: AppStateDep
) -> EventSourceResponse:
    """The signed-in agent's own desktop stream: offers (screen pop), answered, ended, state."""
    require_event_stream(request)
    agent_id = await session.scalar(select(Agent.id).where(Agent.user_id == principal.user_id))
    if agent_id is None:
        raise NotFoundError(f"no agent is linked to user '{principal.username}'")
    # Release the database connection now: a stream lasts for hours, and the session
    # dependency's own clean-up runs only when the response ends.
    await session.close()
    request_id = getattr(request.state, "request_id", None)
    client_ip = request.client.host if request.client else None

    async def audit_personal_data(message: Message) -> Message:
        if message.get("caller_number"):
            await audit.record(
                state.sessionmaker,
                action=audit.PERSONAL_DATA_READ,
                actor_user_id=principal.user_id,
                actor_username=principal.username,
                subject_type="call",
                subject_id=str(message.get("call_id", "")),
                detail={"via": "agent_events", "event": message.get("type")},
                request_id=request_id,
                client_ip=client_ip,
            )
        return message

    topic = agent_topic(agent_id)
    return _stream(_subscribed(state, topic, heartbeat_of(state), audit_personal_data))


@router.get(
    "/wallboard/events",
    # Not EventSourceResponse here: on a route FastAPI takes that as "the endpoint is a generator";
    # this one is a coroutine that refuses (406, 404) before it returns the stream.
    response_class=StreamingResponse,
    responses={200: {"content": {EVENT_STREAM: {}}, "description": "the wallboard stream"}},
)
async def wallboard_events(
    request: Request, _: WallboardReader, session: SessionDep, state: AppStateDep
) -> EventSourceResponse:
    """Supervisors' stream: call and queue changes, agent states; caller numbers masked."""
    require_event_stream(request)
    await session.close()  # as above: do not hold a pooled connection for the stream's life

    async def masked(message: Message) -> Message:
        return mask_for_wallboard(message)

    return _stream(_subscribed(state, WALLBOARD_TOPIC, heartbeat_of(state), masked))
