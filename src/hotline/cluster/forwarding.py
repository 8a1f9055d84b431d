"""Forwarding: on a standby, engine-bound API requests are sent on to the leader over HTTP.

Why HTTP forwarding rather than, say, a command queue in PostgreSQL: a call action must answer
with the engine's own verdict (202, 409 "the call is not in talk", 404...), at once and in the
project's error shape; relaying the request keeps the exact handler, its validation, auth and
audit, and the response is the leader's, byte for byte. The load balancer can then spread
agents over every instance without knowing which one leads.

Only the requests that need the live engine are forwarded (``ENGINE_ROUTES``): agent sessions
and states, call actions (hold, transfer, hang-up, monitoring), the desk, follow-up calls and the
emulator softphone. Everything else is served by the instance that received it. The
``Authorization`` header and cookies travel unchanged; the leader checks them as usual (every
instance shares the JWT secret). A request already forwarded once is never forwarded again (a
leader that lost its lease in between answers 503 instead of bouncing it back).
"""

from __future__ import annotations

import re
import time

import httpx
import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from hotline.cluster.leadership import CLUSTER_KEY, Leadership
from hotline.errors import problem

log = structlog.get_logger(__name__)

FORWARDED_HEADER = "x-hotline-forwarded-by"
RETRY_AFTER_S = 2
LEADER_CACHE_S = 0.5  # how long a looked-up leader URL is trusted before the next lookup

_ANY = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
ENGINE_ROUTES: tuple[tuple[frozenset[str], re.Pattern[str]], ...] = (
    (_ANY, re.compile(r"^/api/v1/agent/session(/state)?$")),
    (frozenset({"PUT"}), re.compile(r"^/api/v1/agents/[^/]+/state$")),
    (frozenset({"GET"}), re.compile(r"^/api/v1/agent/desk$")),
    (frozenset({"POST"}), re.compile(r"^/api/v1/agent/softphone/emulator/[^/]+$")),
    (frozenset({"POST"}), re.compile(r"^/api/v1/calls/[^/]+/(hold|unhold|hangup|transfer)$")),
    (_ANY, re.compile(r"^/api/v1/calls/[^/]+/monitor(/[^/]+)?$")),
    (frozenset({"POST"}), re.compile(r"^/api/v1/workorders/[^/]+/follow-up-call$")),
)
# Hop-by-hop headers (RFC 9110 7.6.1) and the ones httpx sets itself.
_DROPPED = frozenset(
    {"host", "connection", "keep-alive", "transfer-encoding", "te", "upgrade", "content-length",
     "proxy-authorization", "proxy-connection", "trailer"}
)  # fmt: skip


def engine_bound(method: str, path: str) -> bool:
    return any(method in methods and pattern.match(path) for methods, pattern in ENGINE_ROUTES)


class ForwardToLeaderMiddleware:
    """Passes engine-bound requests to the leader when this instance stands by."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._http: httpx.AsyncClient | None = None
        self._leader: tuple[float, str | None] = (0.0, None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not engine_bound(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        leadership = _leadership(scope)
        if leadership is None or leadership.role == "leader":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
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
        await self._forward(request, send, url, leadership)

    async def _forward(
        self, request: Request, send: Send, url: str, leadership: Leadership
    ) -> None:
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
            await self._unavailable(
                request,
                send,
                f"the call-engine leader at {url} did not answer: retry in {RETRY_AFTER_S} seconds",
            )
            return
        await send(
            {
                "type": "http.response.start",
                "status": reply.status_code,
                "headers": [
                    (name.encode("latin-1"), value.encode("latin-1"))
                    for name, value in reply.headers.items()
                    if name.lower() not in _DROPPED and name.lower() != "content-encoding"
                ]
                + [(b"content-length", str(len(reply.content)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": reply.content})

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


def _leadership(scope: Scope) -> Leadership | None:
    state = getattr(scope["app"].state, "hotline", None)
    found = None if state is None else state.extras.get(CLUSTER_KEY)
    return found if isinstance(found, Leadership) else None
