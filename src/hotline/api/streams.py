"""Server-sent-event streams: one per agent (screen pop) and one for supervisors (wallboard).

Both relay messages of the bus (``hotline.bus``; on PostgreSQL the bridged one,
``hotline.bus_bridge``, which carries them across replicas) as ``text/event-stream``: ``id:`` is a
per-connection sequence number, ``event:`` the message's ``type``, ``data:`` the message as JSON,
and a ``: heartbeat`` comment every 15 s keeps proxies from closing an idle connection. The wire
format is FastAPI's own (``fastapi.sse``: ``EventSourceResponse`` and ``format_sse_event``, which
splits multi-line values as the SSE specification says); this module only decides what to send.
On the agent's stream the bus keeps no history, so a reconnecting client starts from the live
edge; the desktop reloads state through the REST API after a reconnect. The wallboard's topic is
retained (``hotline.bus``): its ``id:`` is ``<epoch>.<seq>`` (on PostgreSQL a position valid on
every replica), and a client that reconnects with
``Last-Event-ID`` (what ``EventSource`` sends by itself) or ``?last_event_id=`` (a new
``EventSource`` cannot set headers) first gets what it missed, or a ``reset`` event when the
service cannot tell (restarted, or the client is too far behind) and the page reloads its
snapshot.

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

from fastapi import APIRouter, Depends, Query, Request
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
WALLBOARD_RETAINED = (
    5_000  # messages kept for reconnecting wallboards (a few seconds of a busy day)
)

Transform = Callable[[Message], Awaitable[Message]]

agent_stream_readers = require(Role.AGENT)
wallboard_readers = require(Role.SUPERVISOR, Role.DIRECTOR, Role.WALLBOARD)
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


def format_event(seq: int | str, message: Message) -> bytes:
    """One SSE frame: the message's type as the event name, the message as one line of JSON."""
    kind = " ".join(str(message.get("type", "message")).split())  # an event name is one line
    data = json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str)
    return format_sse_event(data_str=data, event=kind, id=str(seq))


def parse_event_id(value: str | None) -> tuple[str, int] | None:
    """``<epoch>.<seq>`` as the wallboard stream writes it; anything else is no position."""
    if not value:
        return None
    epoch, _, seq = value.strip().partition(".")
    if not epoch or not seq.isdigit():
        return ("", 0)  # a position nobody gave: the client is told to reset
    return epoch, int(seq)


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
    epoch: str | None = None,
) -> AsyncIterator[bytes]:
    """Frames for one client until it disconnects (the server then cancels this generator).

    ``epoch``: the topic is retained, and a message's own ``seq`` makes its id (a position the
    client can resume from); otherwise the id counts this connection's frames."""
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
        if epoch is not None and "seq" in message:
            yield format_event(f"{epoch}.{message['seq']}", message)
        else:
            yield format_event(seq, message)


def _stream(frames: AsyncIterator[bytes]) -> EventSourceResponse:
    return EventSourceResponse(
        frames,
        # no-transform and X-Accel-Buffering: proxies must pass each frame on as it comes.
        headers={"Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no"},
    )


async def _subscribed(
    state: AppState,
    topic: str,
    heartbeat_s: float,
    transform: Transform,
    resume: tuple[str, int] | None = None,
    *,
    retained: bool = False,
) -> AsyncIterator[bytes]:
    async with state.bus.subscribe(topic, resume=resume) as subscription:
        epoch = state.bus.epoch if retained else None
        async for frame in relay(
            subscription, heartbeat_s=heartbeat_s, transform=transform, epoch=epoch
        ):
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
    request: Request,
    _: WallboardReader,
    session: SessionDep,
    state: AppStateDep,
    last_event_id: Annotated[
        str | None,
        Query(
            max_length=64,
            description="resume after this event id (as the Last-Event-ID header does)",
        ),
    ] = None,
) -> EventSourceResponse:
    """Supervisors' stream: call and queue changes, today's counters per queue, agent states;
    caller numbers masked. Resumable: ``Last-Event-ID`` (or ``?last_event_id=``) replays what the
    client missed, or sends ``reset`` when that cannot be told."""
    require_event_stream(request)
    await session.close()  # as above: do not hold a pooled connection for the stream's life
    state.bus.retain(WALLBOARD_TOPIC, WALLBOARD_RETAINED)
    resume = parse_event_id(request.headers.get("last-event-id") or last_event_id)

    async def masked(message: Message) -> Message:
        return mask_for_wallboard(message)

    frames = _subscribed(state, WALLBOARD_TOPIC, heartbeat_of(state), masked, resume, retained=True)
    return _stream(frames)
