"""Forwarding: on a standby, engine-bound requests are sent on to the leader over HTTP.

Why HTTP forwarding rather than, say, a command queue in PostgreSQL: a call action must answer
with the engine's own verdict (202, 409 "the call is not in talk", 404...), at once and in the
project's error shape; relaying the request keeps the exact handler, its validation, auth and
audit, and the response is the leader's, byte for byte. The load balancer can then spread
agents over every instance without knowing which one leads.

Only the requests that need the live engine are forwarded (``ENGINE_ROUTES``): agent sessions
and states, call actions (hold, transfer, hang-up, monitoring), the desk, follow-up calls and the
emulator softphone; and the reads of the engine's live state: the floor (its pages, its snapshot,
the roster and the queue tiles), the call page and a call's detail (its live phase), a
recording's or a voicemail's audio (read over the leader's ARI connections), the caller panel
(the offer ringing now), and the callback changes the engine schedules. Everything else is
served by the instance that received it.

Why forward the reads rather than rebuild them here from the bus or the database: the live state
(who is ready, who waits where, since when) exists only in the leader's memory; the database has
it late and partly (the write queue), and a standby rebuilding it from the bus would be a second
routing engine to keep in step. One forwarded read shows the supervisor exactly what the leader
sees, whichever instance the load balancer chose.

A route marked *local when no leader* (the pages, a call's detail, the caller panel, the callback
changes) is served here when no leader answers: the page then says in words that no instance
runs the call engine just now (``engine_elsewhere``), and the database-only parts still work.
The others answer ``503 no_leader``. The ``Authorization`` header and cookies travel unchanged
(the leader checks them as usual: every instance shares the JWT secret). A request already
forwarded once is never forwarded again (a leader that lost its lease in between answers 503,
or serves a page locally, instead of bouncing it back).
"""

from __future__ import annotations

import re
import time

import httpx
import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hotline.cluster.leadership import CLUSTER_KEY, Leadership
from hotline.deps import AppState
from hotline.errors import problem

log = structlog.get_logger(__name__)

FORWARDED_HEADER = "x-hotline-forwarded-by"
RETRY_AFTER_S = 2
LEADER_CACHE_S = 0.5  # how long a looked-up leader URL is trusted before the next lookup

_ANY = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
_GET = frozenset({"GET"})
_POST = frozenset({"POST"})
# (methods, path, served here when no leader answers)
ENGINE_ROUTES: tuple[tuple[frozenset[str], re.Pattern[str], bool], ...] = (
    (_ANY, re.compile(r"^/api/v1/agent/session(/state)?$"), False),
    (frozenset({"PUT"}), re.compile(r"^/api/v1/agents/[^/]+/state$"), False),
    (_GET, re.compile(r"^/api/v1/agent/desk$"), False),
    (_POST, re.compile(r"^/api/v1/agent/softphone/emulator/[^/]+$"), False),
    (_POST, re.compile(r"^/api/v1/calls/[^/]+/(hold|unhold|hangup|transfer)$"), False),
    (_ANY, re.compile(r"^/api/v1/calls/[^/]+/monitor(/[^/]+)?$"), False),
    (_POST, re.compile(r"^/api/v1/workorders/[^/]+/follow-up-call$"), False),
    # Reads of the live engine (the leader's memory, its ARI connections).
    (_GET, re.compile(r"^/api/v1/agents/roster$"), False),
    (_GET, re.compile(r"^/api/v1/queues$"), False),
    (_GET, re.compile(r"^/api/v1/calls/[^/]+/recording$"), False),
    (_GET, re.compile(r"^/api/v1/workorders/[^/]+/voicemail$"), False),
    # The engine checks a log-in it holds in memory before an agent is deleted.
    (frozenset({"DELETE"}), re.compile(r"^/api/v1/agents/[^/]+$"), False),
    (_GET, re.compile(r"^/api/v1/calls/[^/]+$"), True),
    (_GET, re.compile(r"^/api/v1/calls/[^/]+/caller$"), True),
    # The leader's schedule learns the change at once; a later leader reads it at its start.
    (_POST, re.compile(r"^/api/v1/callbacks/[^/]+/(reschedule|cancel)$"), True),
    # The pages drawn from the live engine, and the 回访 button's panel.
    (_GET, re.compile(r"^/floor(/hall|/snapshot)?$"), True),
    (_GET, re.compile(r"^/calls/[^/]+$"), True),
    (_POST, re.compile(r"^/workorders/[^/]+/follow-up-call/panel$"), True),
)  # fmt: skip
# Hop-by-hop headers (RFC 9110 7.6.1) and the ones httpx sets itself.
_DROPPED = frozenset(
    {"host", "connection", "keep-alive", "transfer-encoding", "te", "upgrade", "content-length",
     "proxy-authorization", "proxy-connection", "trailer"}
)  # fmt: skip


def _route(method: str, path: str) -> tuple[bool, bool]:
    """(forwarded to the leader, served here when no leader answers)."""
    for methods, pattern, local in ENGINE_ROUTES:
        if method in methods and pattern.match(path):
            return True, local
    return False, False


def engine_bound(method: str, path: str) -> bool:
    return _route(method, path)[0]


def engine_elsewhere(state: AppState) -> bool:
    """True on an instance that does not run the call engine now (a standby, or a leader still
    rebuilding): its pages say that no instance leads rather than "not running here"."""
    found = state.extras.get(CLUSTER_KEY)
    return isinstance(found, Leadership) and found.role != "leader"


class ForwardToLeaderMiddleware:
    """Passes engine-bound requests to the leader when this instance stands by."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._http: httpx.AsyncClient | None = None
        self._leader: tuple[float, str | None] = (0.0, None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        bound, local = (
            _route(scope["method"], scope["path"]) if scope["type"] == "http" else (False, False)
        )
        if not bound:
            await self.app(scope, receive, send)
            return
        leadership = _leadership(scope)
        if leadership is None or leadership.role == "leader":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        if local and (
            leadership.role == "starting"
            or FORWARDED_HEADER in request.headers
            or not await self._leader_url(leadership)
        ):
            # No leader to ask: this instance answers with what it has, and says so.
            await self.app(scope, receive, send)
            return
        if leadership.role == "starting":
            await self._unavailable(
                request,
                send,
                "the call engine is starting on this instance (rebuilding the live calls): "
                f"retry in {RETRY_AFTER_S} seconds",
            )
            return
        if FORWARDED_HEADER in request.headers:
            await self._unavailable(
                request,
                send,
                "the instance this request was forwarded to no longer leads the call engine: "
                f"retry in {RETRY_AFTER_S} seconds",
            )
            return
        url = await self._leader_url(leadership)
        if not url:
            await self._unavailable(
                request,
                send,
                "no instance runs the call engine just now (a takeover takes a few seconds): "
                f"retry in {RETRY_AFTER_S} seconds",
            )
            return
        if await self._forward(request, send, url, leadership):
            return
        if local:
            await self.app(scope, _replay(await request.body(), receive), send)
            return
        await self._unavailable(
            request,
            send,
            f"the call-engine leader at {url} did not answer: retry in {RETRY_AFTER_S} seconds",
        )

    async def _forward(
        self, request: Request, send: Send, url: str, leadership: Leadership
    ) -> bool:
        """Relay the request and its answer; False (nothing sent) when the leader did not
        answer."""
        headers = [(name, value) for name, value in request.headers.items() if name not in _DROPPED]
        headers.append((FORWARDED_HEADER, leadership.instance_id))
        target = url.rstrip("/") + request.scope.get("raw_path", b"").decode("latin-1")
        if request.url.query:
            target += "?" + request.url.query
        body = await request.body()
        try:
            reply = await self._client(leadership).request(
                request.method, target, headers=headers, content=body
            )
        except httpx.HTTPError as error:
            log.warning("forward_to_leader_failed", leader=url, error=type(error).__name__)
            self._leader = (0.0, None)  # look it up again next time (a takeover, perhaps)
            return False
        await send(
            {
                "type": "http.response.start",
                "status": reply.status_code,
                "headers": [
                    (name.encode("latin-1"), value.encode("latin-1"))
                    # multi_items: each Set-Cookie of a page stays a header of its own
                    for name, value in reply.headers.multi_items()
                    if name.lower() not in _DROPPED and name.lower() != "content-encoding"
                ]
                + [(b"content-length", str(len(reply.content)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": reply.content})
        return True

    def _client(self, leadership: Leadership) -> httpx.AsyncClient:
        if self._http is None:
            timeout = leadership.forward_timeout_s
            self._http = httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        return self._http

    async def _leader_url(self, leadership: Leadership) -> str | None:
        """The leader's advertised URL, looked up at most every ``LEADER_CACHE_S``."""
        checked, url = self._leader
        now = time.monotonic()
        if now - checked < LEADER_CACHE_S:
            return url
        try:
            url = await leadership.leader_url()
        except Exception as error:  # the database is out of reach: no leader we can name
            log.warning("leader_lookup_failed", error=type(error).__name__)
            url = None
        self._leader = (now, url)
        return url

    async def _unavailable(self, request: Request, send: Send, detail: str) -> None:
        response = problem(request, 503, "no_leader", detail, {"Retry-After": str(RETRY_AFTER_S)})
        await response(request.scope, request.receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The request's body again, for the local handler once the forward read it."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # the client's disconnect, when it comes
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return again


def _leadership(scope: Scope) -> Leadership | None:
    state = getattr(scope["app"].state, "hotline", None)
    found = None if state is None else state.extras.get(CLUSTER_KEY)
    return found if isinstance(found, Leadership) else None
