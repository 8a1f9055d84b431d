"""ARI over real HTTP and WebSocket on loopback, plus the `/_emulator` control API.

Runs inside a test's event loop (`async with run_emulator(port=0, speed=50) as emu`) or
standalone (`python -m cti.emulator`).  The event-vs-response race of gotcha 3 is a setting:
`events_first` delivers the events a request causes before its HTTP response, `response_first`
after it, `random(<seed>)` picks per request.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import logging
import random
import re
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from cti.emulator.clock import AsyncioScheduler, format_timestamp
from cti.emulator.core import Asterisk
from cti.emulator.errors import AriError
from cti.emulator.model import Json
from cti.emulator.phones import PersonPhones, phone_routes
from cti.emulator.rest import REASONS, RestRequest, RestResponse, dispatch
from cti.emulator.scripts import AgentScript, TaxpayerScript
from cti.emulator.state import LabConfig


class _RefusedUpgradeFilter(logging.Filter):
    """A refused websocket upgrade (401, 400) is normal ARI behaviour, not a server error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing handshake" not in record.getMessage()


logging.getLogger("uvicorn.error").addFilter(_RefusedUpgradeFilter())

_RANDOM_RACE = re.compile(r"^random\((\d+)\)$")
_MISSING_APP_PAGE = (
    '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\r\n<html><head>\r\n'
    "<title>400 Bad Request</title>\r\n</head><body>\r\n<h1>Bad Request</h1>\r\n"
    "<p>HTTP request is missing param: [app]</p>\r\n<hr />\r\n<address>Asterisk</address>\r\n"
    "</body></html>\r\n"
)


_Barrier = tuple[tuple["SocketSink", int], ...]
"""Messages other sockets must have sent before a message goes out: (socket, count) pairs."""


class SocketSink:
    """Queue + writer task for one events websocket; `flushed()` waits until the queue is sent."""

    def __init__(self, websocket: WebSocket) -> None:
        self._websocket = websocket
        self._queue: asyncio.Queue[tuple[Json, _Barrier] | None] = asyncio.Queue()
        self._queued = 0
        self._sent = 0
        self._progress = asyncio.Event()
        self._journal: deque[tuple[str, str]] | None = None
        self.closed = False

    @property
    def queued(self) -> int:
        """Messages queued on this socket so far (sent or not)."""
        return self._queued

    def send(self, message: Json, after: _Barrier = ()) -> None:
        """Queue ``message``; it goes out once every (socket, count) of ``after`` is sent."""
        if self.closed:
            return
        self._queued += 1
        self._queue.put_nowait((message, after))

    def bind_journal(self, journal: deque[tuple[str, str]]) -> None:
        self._journal = journal

    async def flushed(self, target: int | None = None) -> None:
        """Wait until the first ``target`` messages (default: all queued so far) are sent."""
        target = self._queued if target is None else target
        while self._sent < target and not self.closed:
            self._progress.clear()
            await self._progress.wait()

    async def run_writer(self) -> None:
        try:
            while True:
                item = await self._queue.get()
                if item is None:
                    return
                message, after = item
                for other, count in after:
                    # A barrier only names messages queued before this one, so two sockets
                    # never wait for each other.
                    await other.flushed(count)
                await self._websocket.send_text(json.dumps(message, separators=(",", ":")))
                self._sent += 1
                if self._journal is not None:
                    self._journal.append(("event", str(message.get("type"))))
                self._progress.set()
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass
        finally:
            self.closed = True
            self._progress.set()

    def stop(self) -> None:
        self.closed = True
        self._queue.put_nowait(None)
        self._progress.set()


@dataclass
class Emulator:
    """The emulated server: core state, race policy and the ASGI application."""

    speed: float = 1.0
    race: str = "events_first"
    config: LabConfig = field(default_factory=LabConfig)
    base_url: str = "http://127.0.0.1:8088"

    def __post_init__(self) -> None:
        self.scheduler = AsyncioScheduler(self.speed)
        self.core = Asterisk(self.scheduler, self.config)
        self.phones = PersonPhones(self.core)
        self.sinks: set[SocketSink] = set()
        # What went out, in order: ("event", type) when written to a socket and
        # ("response", "METHOD /path") when an HTTP response is handed to the server.
        self.journal: deque[tuple[str, str]] = deque(maxlen=1000)
        match = _RANDOM_RACE.match(self.race)
        if self.race not in ("events_first", "response_first") and match is None:
            raise ValueError(f"race must be events_first, response_first or random(N): {self.race}")
        self._rng = random.Random(int(match.group(1)) if match else 0)
        self.app = Starlette(
            routes=[
                WebSocketRoute("/ari/events", self._events_socket),
                Route("/_emulator/calls", self._control_calls, methods=["POST"]),
                Route("/_emulator/calls/{channel_id}", self._control_hangup, methods=["DELETE"]),
                Route("/_emulator/endpoints", self._control_endpoints, methods=["POST"]),
                Route(
                    "/_emulator/endpoints/{endpoint:path}",
                    self._control_remove_endpoint,
                    methods=["DELETE"],
                ),
                Route("/_emulator/state", self._control_state, methods=["GET"]),
                Route("/_emulator/played", self._control_played, methods=["GET"]),
                *phone_routes(self.phones, self._control_allowed, self._flush),
                Route(
                    "/ari/{path:path}",
                    self._rest,
                    methods=["GET", "POST", "PUT", "DELETE", "PATCH"],
                ),
            ]
        )

    # ------------------------------------------------------------------ in-process API
    def add_endpoint(self, endpoint: str, script: AgentScript) -> None:
        self.core.add_endpoint(endpoint, script)

    def place_call(self, script: TaxpayerScript) -> Json:
        result = self.core.place_call(script)
        self.scheduler.drain()
        return result

    # ------------------------------------------------------------------ auth
    def _authenticate(self, headers: Any, query: dict[str, str]) -> tuple[bool, bool]:
        """(authenticated, read_only) from basic auth or `api_key=user:pass`, like Asterisk."""
        credentials: str | None = None
        header = headers.get("authorization")
        if header and header.lower().startswith("basic "):
            with contextlib.suppress(binascii.Error, UnicodeDecodeError):
                credentials = base64.b64decode(header[6:]).decode()
        if credentials is None:
            credentials = query.get("api_key")
        if credentials is None or ":" not in credentials:
            return False, False
        user, _, password = credentials.partition(":")
        known = self.config.users.get(user)
        if known is None or known[0] != password:
            return False, False
        return True, known[1]

    # ------------------------------------------------------------------ REST over HTTP
    def _pick_race(self) -> str:
        if self.race.startswith("random"):
            return self._rng.choice(("events_first", "response_first"))
        return self.race

    async def _flush(self) -> None:
        self.scheduler.drain()
        await asyncio.gather(*(sink.flushed() for sink in list(self.sinks)))

    async def _rest(self, request: Request) -> Response:
        query = dict(request.query_params)
        authenticated, read_only = self._authenticate(request.headers, query)
        if not authenticated:
            return JSONResponse(
                {"message": "Authentication required"},
                status_code=401,
                headers={"WWW-Authenticate": 'Basic realm="Asterisk REST Interface"'},
            )
        if read_only and request.method != "GET":
            return JSONResponse({"message": "Write access denied"}, status_code=403)
        query.pop("api_key", None)
        raw = await request.body()
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                return JSONResponse({"message": "Invalid JSON body"}, status_code=400)
        rest = RestRequest(
            method=request.method,
            path="/" + request.path_params["path"],
            query=query,
            body=body,
            base_url=str(request.base_url).rstrip("/"),
        )
        if self._pick_race() == "response_first":
            self.core.apps.hold()
            try:
                result = dispatch(self.core, rest)
            except BaseException:
                self.core.apps.release()
                raise
            self._validate(rest, result)
            return self._http_response(rest, result, BackgroundTask(self._release_held))
        result = dispatch(self.core, rest)
        self._validate(rest, result)
        await self._flush()
        return self._http_response(rest, result, None)

    def _validate(self, rest: RestRequest, result: RestResponse) -> None:
        validator = self.core.validator
        if validator is not None and rest.path != "/api-docs/resources.json":
            problems = validator.response_errors(rest.method, rest.path, result.status, result.body)
            self.core.spec_errors += problems

    async def _release_held(self) -> None:
        self.core.apps.release()
        await self._flush()

    def _http_response(
        self, rest: RestRequest, result: RestResponse, task: BackgroundTask | None
    ) -> Response:
        self.journal.append(("response", f"{rest.method} {rest.path}"))
        if result.status == 204 or result.body is None:
            return Response(status_code=result.status, background=task)
        if isinstance(result.body, bytes):
            return Response(
                result.body,
                status_code=result.status,
                media_type=result.content_type,
                background=task,
            )
        return JSONResponse(result.body, status_code=result.status, background=task)

    # ------------------------------------------------------------------ events websocket
    async def _events_socket(self, websocket: WebSocket) -> None:
        query = dict(websocket.query_params)
        authenticated, _ = self._authenticate(websocket.headers, query)
        if not authenticated:
            await websocket.send_denial_response(
                JSONResponse({"message": "Authentication required"}, status_code=401)
            )
            return
        names = [name for name in (query.get("app") or "").split(",") if name]
        if not names:
            await websocket.send_denial_response(HTMLResponse(_MISSING_APP_PAGE, status_code=400))
            return
        await websocket.accept()
        sink = SocketSink(websocket)
        sink.bind_journal(self.journal)
        self.sinks.add(sink)
        writer = asyncio.create_task(sink.run_writer())
        subscribe_all = query.get("subscribeAll", "false").lower() == "true"
        self.core.apps.attach(names, sink, subscribe_all)
        try:
            while True:
                # Requests are handled as they come; each reply waits in its socket's writer
                # for the events the request caused (see _rest_over_ws), so no request waits
                # for the events of the ones before it to be written.
                text = await websocket.receive_text()
                self._rest_over_ws(sink, names[0], text)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self.sinks.discard(sink)
            self.core.apps.detach(sink)
            sink.stop()
            with contextlib.suppress(asyncio.CancelledError):
                await writer

    def _rest_over_ws(self, sink: SocketSink, app_name: str, text: str) -> None:
        """Asterisk 22 `RESTRequest` -> `RESTResponse` on the same socket (gotcha 18)."""
        try:
            message = json.loads(text)
        except ValueError:
            message = {}
        if not isinstance(message, dict) or message.get("type") != "RESTRequest":
            reply: Json = {
                "type": "RESTResponse",
                "transaction_id": "",
                "request_id": "",
                "status_code": 400,
                "reason_phrase": "Bad request",
                "uri": "",
                "content_type": "application/json",
                "message_body": json.dumps({"message": "Unknown request type."}),
            }
            sink.send(self._ws_envelope(reply, app_name))
            return
        uri = str(message.get("uri", ""))
        parts = urlsplit(uri)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        for item in message.get("query_strings") or []:
            query[str(item.get("name"))] = str(item.get("value"))
        body: Any = None
        if message.get("message_body"):
            with contextlib.suppress(ValueError):
                body = json.loads(str(message["message_body"]))
        result = dispatch(
            self.core,
            RestRequest(
                method=str(message.get("method", "GET")).upper(),
                path="/" + parts.path.lstrip("/"),
                query=query,
                body=body,
                base_url=self.base_url,
            ),
        )
        reply = {
            "type": "RESTResponse",
            "transaction_id": message.get("transaction_id", ""),
            "request_id": message.get("request_id", ""),
            "status_code": result.status,
            "reason_phrase": REASONS.get(result.status, ""),
            "uri": parts.path,
        }
        if isinstance(result.body, bytes):
            # A text frame cannot carry audio faithfully; fetch recordings' files over HTTP.
            reply["content_type"] = result.content_type or "application/octet-stream"
            reply["message_body"] = result.body.decode("latin-1")
        elif result.body is not None:
            reply["content_type"] = "application/json"
            reply["message_body"] = json.dumps(result.body, separators=(",", ":"))
        # The request's own events precede its response, on this socket and on the others.
        self.scheduler.drain()
        barrier = tuple((other, other.queued) for other in self.sinks if other is not sink)
        sink.send(self._ws_envelope(reply, app_name), after=barrier)

    def _ws_envelope(self, reply: Json, app_name: str) -> Json:
        reply["application"] = app_name
        reply["timestamp"] = format_timestamp(self.scheduler.now())
        reply["asterisk_id"] = self.config.entity_id
        return reply

    # ------------------------------------------------------------------ control API
    async def _control_body(self, request: Request) -> Json:
        raw = await request.body()
        body = json.loads(raw) if raw else {}
        if not isinstance(body, dict):
            raise AriError(400, "JSON object expected")
        return body

    def _control_allowed(self, request: Request) -> bool:
        ok, read_only = self._authenticate(request.headers, dict(request.query_params))
        return ok and (not read_only or request.method == "GET")

    async def _control_calls(self, request: Request) -> Response:
        if not self._control_allowed(request):
            return JSONResponse({"message": "Authentication required"}, status_code=401)
        try:
            script = TaxpayerScript.from_json(await self._control_body(request))
            result = self.place_call(script)
        except (AriError, ValueError, TypeError) as error:
            return JSONResponse({"message": str(error)}, status_code=400)
        await self._flush()
        return JSONResponse(result, status_code=201)

    async def _control_hangup(self, request: Request) -> Response:
        if not self._control_allowed(request):
            return JSONResponse({"message": "Authentication required"}, status_code=401)
        try:
            self.core.hang_up_taxpayer(request.path_params["channel_id"])
        except AriError as error:
            return JSONResponse(error.body, status_code=error.status)
        await self._flush()
        return Response(status_code=204)

    async def _control_endpoints(self, request: Request) -> Response:
        if not self._control_allowed(request):
            return JSONResponse({"message": "Authentication required"}, status_code=401)
        try:
            body = await self._control_body(request)
            endpoint = str(body.pop("endpoint"))
            self.add_endpoint(endpoint, AgentScript.from_json(body))
        except (AriError, KeyError, ValueError, TypeError) as error:
            return JSONResponse({"message": f"invalid endpoint script: {error}"}, status_code=400)
        return JSONResponse({"endpoint": endpoint}, status_code=201)

    async def _control_remove_endpoint(self, request: Request) -> Response:
        if not self._control_allowed(request):
            return JSONResponse({"message": "Authentication required"}, status_code=401)
        try:
            self.core.remove_endpoint(request.path_params["endpoint"])
        except AriError as error:
            return JSONResponse(error.body, status_code=error.status)
        return Response(status_code=204)

    async def _control_state(self, request: Request) -> Response:
        if not self._control_allowed(request):
            return JSONResponse({"message": "Authentication required"}, status_code=401)
        return JSONResponse(self.core.state_summary())

    async def _control_played(self, request: Request) -> Response:
        """What the server played, oldest first: ``channel`` or ``caller`` (a caller number)
        keep what that line heard; ``since`` the entries after that ``seq``."""
        if not self._control_allowed(request):
            return JSONResponse({"message": "Authentication required"}, status_code=401)
        query = request.query_params
        since_text = query.get("since", "0")
        if not since_text.isdigit():
            return JSONResponse(
                {"message": f"since must be a whole number (a seq), not {since_text!r}"},
                status_code=400,
            )
        entries = self.core.played_media(
            channel_id=query.get("channel") or None,
            caller=query.get("caller") or None,
            since=int(since_text),
        )
        return JSONResponse({"played": [entry.to_json() for entry in entries]})


@dataclass
class RunningEmulator:
    emulator: Emulator
    server: uvicorn.Server
    host: str
    port: int

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ari_url(self) -> str:
        return f"{self.base_url}/ari"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}/ari/events"

    @property
    def core(self) -> Asterisk:
        return self.emulator.core

    def add_endpoint(self, endpoint: str, script: AgentScript) -> None:
        self.emulator.add_endpoint(endpoint, script)

    def add_person_phone(self, endpoint: str) -> None:
        """A phone that rings until a person answers it (``/_emulator/phones``): the demo's and
        the browser tests' human agents."""
        self.emulator.phones.add(endpoint)

    def place_call(self, script: TaxpayerScript) -> Json:
        return self.emulator.place_call(script)


@contextlib.asynccontextmanager
async def run_emulator(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    speed: float = 1.0,
    race: str = "events_first",
    config: LabConfig | None = None,
) -> AsyncIterator[RunningEmulator]:
    """Serve the emulator on the running loop; port 0 picks a free port."""
    emulator = Emulator(speed=speed, race=race, config=config or LabConfig())
    uv_config = uvicorn.Config(
        emulator.app,
        host=host,
        port=port,
        log_level="warning",
        lifespan="off",
        ws="websockets-sansio",
        # Asterisk's websocket server negotiates no extension: no per-message compression, whose
        # zlib work would also be a large share of both sides' CPU under load.
        ws_per_message_deflate=False,
        access_log=False,
    )
    server = uvicorn.Server(uv_config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("emulator server stopped during start-up")
        await asyncio.sleep(0.005)
    bound_port = int(server.servers[0].sockets[0].getsockname()[1])
    emulator.base_url = f"http://{host}:{bound_port}"
    try:
        yield RunningEmulator(emulator, server, host, bound_port)
    finally:
        server.should_exit = True
        for sink in list(emulator.sinks):
            sink.stop()
        await task
