"""A thin, typed async client for the Asterisk REST Interface.

One method per ARI operation the contact centre uses, returning the generated models. Design rules:

* Credentials travel only in the ``Authorization: Basic`` header (REST and websocket), never in a
  URL, so no access log, proxy log or exception message can leak them. A base URL that embeds
  credentials is refused.
* No automatic retry of anything but a GET, and a GET only once and only when the connection
  failed: a POST whose answer was lost may have taken effect, so the caller decides (ids are chosen
  client-side with :func:`new_id` so that the caller can look the resource up instead).
* Every error status becomes a typed :mod:`cti.errors` exception carrying status, message, method
  and path; transport failures become :class:`~cti.errors.AriUnavailableError`.
* Two wires, same methods and errors: HTTP (httpx, any Asterisk) or, with
  ``rest_transport="websocket"``, REST over a websocket (Asterisk 22 ``RESTRequest``), which
  costs the engine a fraction of the CPU per request (see BENCHMARKS.md, CTI engine).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import logging
import re
import ssl
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from html import unescape
from types import TracebackType
from typing import Any, Literal, TypeVar
from urllib.parse import quote, urlencode

import httpx
from pydantic import TypeAdapter, ValidationError
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from cti.ari.models import (
    Application,
    AriModel,
    AsteriskInfo,
    AsteriskPing,
    Bridge,
    Channel,
    DeviceState,
    DeviceStateState,
    LiveRecording,
    Playback,
    Sound,
    StoredRecording,
    Variable,
)
from cti.errors import AriFencedError, AriResponseError, AriUnavailableError, http_error

logger = logging.getLogger(__name__)

ModelT = TypeVar("ModelT", bound=AriModel)

QueryValue = str | int | float | bool | Sequence[str] | None
PlaybackOperation = Literal["restart", "pause", "unpause", "reverse", "forward"]
MuteDirection = Literal["both", "in", "out"]
SpyDirection = Literal["none", "both", "out", "in"]

DEFAULT_TIMEOUT = 10.0
RestTransport = Literal["http", "websocket"]
RequestObserver = Callable[[str, str, Mapping[str, str]], None]
_UNLIMITED_SLOTS = 1_000_000
"""Requests in flight when the limits set no maximum of connections."""
DEFAULT_LIMITS = httpx.Limits(max_connections=12, max_keepalive_connections=12, keepalive_expiry=30)
"""A few connections, all kept open. Asterisk answers a request in well under a millisecond, so
a dozen in flight carry hundreds of calls; httpcore's pool walks every connection (with a
readability check on each idle one) per request, so a larger pool costs CPU on every request
(measured: 100 connections, about half the throughput of 12). Closing idle ones would mean a
new TCP connection per burst."""


@cache
def tls_context() -> ssl.SSLContext:
    """The TLS settings every ARI client of this process shares (httpx's defaults: certifi's
    authorities, or ``SSL_CERT_FILE``/``SSL_CERT_DIR``). httpx builds a fresh context for each
    client, even for plain http, which reads and parses the whole CA bundle: tens of ms of CPU
    on the event loop, and a takeover builds a client per site and another per site's mark."""
    return httpx.create_ssl_context()


_WARM_UP_REPLY = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]"


async def warm_up() -> None:
    """Pay now, while nothing waits, what an ARI client's first requests pay in a process.

    httpx imports httpcore (and h11, its event-loop backend, its exception map) only when a
    client first sends, and the lists a resync reads build their validators on first use: a
    standby taking over paid for all of it on the takeover's clock (a seventh of the engine
    start at 2,000 agents, BENCHMARKS.md, issue 18). So: the shared TLS context, then a client
    made like the engine's reads the channels and bridges of a throwaway server on loopback
    (two empty lists). Nothing reaches Asterisk. Best effort: a failure only leaves the cost
    where it was, so it is logged, never raised."""
    tls_context()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while await reader.readuntil(b"\r\n\r\n"):
                writer.write(_WARM_UP_REPLY)
                await writer.drain()
        writer.close()

    try:
        server = await asyncio.start_server(answer, "127.0.0.1", 0)
    except OSError as error:
        logger.info("ARI warm-up skipped: %r", error)
        return
    try:
        port = server.sockets[0].getsockname()[1]
        client = AriClient(f"http://127.0.0.1:{port}", "warm-up", "warm-up", "warm-up")
        async with client:
            await client.list_channels()
            await client.list_bridges()
    except Exception as error:  # e.g. an HTTP proxy from the environment that refuses loopback
        logger.info("ARI warm-up incomplete: %r", error)
    finally:
        server.close()
        await server.wait_closed()


def new_id(prefix: str) -> str:
    """A fresh client-chosen ARI id such as ``agent-3f2a...``; unique across sites and restarts."""
    if not prefix or not re.fullmatch(r"[A-Za-z0-9_.-]+", prefix):
        raise ValueError(f"id prefix must be non-empty and URL-safe, got {prefix!r}")
    return f"{prefix}-{uuid.uuid4().hex}"


@dataclass(frozen=True)
class EventEndpoint:
    """Where and how to open the ARI events websocket; ``repr`` never shows the credentials."""

    url: str
    headers: Mapping[str, str] = field(repr=False)


@dataclass(frozen=True, slots=True)
class _Reply:
    """An ARI answer, whichever wire it came over."""

    status: int
    text: str
    reason: str = ""

    def json(self) -> Any:
        return json.loads(self.text)


class RestWebSocket:
    """ARI REST requests as Asterisk 22 ``RESTRequest`` messages over a websocket (gotcha 18).

    Requests are multiplexed on one socket and matched to their ``RESTResponse`` by
    ``request_id``: no connection pool, no HTTP framing or parsing on either side. The socket
    belongs to ``endpoint``'s app, which must not be the app whose events the service reads (a
    second socket for an app replaces the first, gotcha 14).

    Failures are httpx's transport errors, so the client maps them as it maps HTTP's: a request
    whose socket drops before its answer fails with :class:`httpx.ReadError` (outcome unknown;
    :class:`AriClient` never re-sends it unless it is a GET). The next request reopens the socket.
    """

    def __init__(self, endpoint: EventEndpoint, *, open_timeout: float = DEFAULT_TIMEOUT) -> None:
        self._endpoint = endpoint
        self._open_timeout = open_timeout
        self._connection: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._opening = asyncio.Lock()
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)

    async def _connect(self) -> ClientConnection:
        connection = self._connection
        if connection is not None:
            return connection
        async with self._opening:
            if self._connection is None:
                try:
                    self._connection = await connect(
                        self._endpoint.url,
                        additional_headers=dict(self._endpoint.headers),
                        open_timeout=self._open_timeout,
                        proxy=None,  # like the events socket: never via $HTTP_PROXY
                        max_size=8 * 1024 * 1024,
                        compression=None,  # Asterisk offers none; small JSON gains little
                    )
                except (OSError, TimeoutError, WebSocketException) as error:
                    raise httpx.ConnectError(f"ARI websocket: {error!r}") from error
                self._reader = asyncio.get_running_loop().create_task(
                    self._read(self._connection), name="ari-rest-websocket"
                )
            return self._connection

    async def _read(self, connection: ClientConnection) -> None:
        try:
            async for text in connection:
                self._answer(text)
        except WebSocketException:
            pass
        finally:
            if self._connection is connection:
                self._connection = None
            pending, self._pending = self._pending, {}
            for future in pending.values():
                if not future.done():
                    future.set_exception(httpx.ReadError("ARI websocket closed"))

    def _answer(self, text: str | bytes) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            logger.warning("ARI websocket: a message that is not JSON was dropped")
            return
        if not isinstance(message, dict) or message.get("type") != "RESTResponse":
            return  # the REST app has no channels: nothing else is expected here
        future = self._pending.pop(str(message.get("request_id")), None)
        if future is not None and not future.done():
            future.set_result(message)

    async def request(
        self, method: str, uri: str, body: str | None, timeout: float | None
    ) -> _Reply:
        """Send one request (``uri`` relative to ``/ari/``, query included); await its answer."""
        request_id = str(next(self._ids))
        message: dict[str, Any] = {
            "type": "RESTRequest",
            "transaction_id": request_id,
            "request_id": request_id,
            "method": method,
            "uri": uri,
        }
        if body is not None:
            message["content_type"] = "application/json"
            message["message_body"] = body
        connection = await self._connect()
        answer: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = answer
        try:
            await connection.send(json.dumps(message, separators=(",", ":")))
        except WebSocketException as error:
            self._pending.pop(request_id, None)
            raise httpx.WriteError(f"ARI websocket: {error!r}") from error
        try:
            reply = await asyncio.wait_for(answer, timeout)
        except TimeoutError as error:
            self._pending.pop(request_id, None)
            raise httpx.ReadTimeout("no RESTResponse in time") from error
        return _Reply(
            int(reply.get("status_code", 500)),
            str(reply.get("message_body") or ""),
            str(reply.get("reason_phrase") or ""),
        )

    async def aclose(self) -> None:
        connection, reader = self._connection, self._reader
        self._connection = self._reader = None
        if connection is not None:
            await connection.close()
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader


def _segment(value: str) -> str:
    # Ids are opaque: quote everything that could change the route (``/``, ``?``, ``#``, spaces).
    if not value:
        raise ValueError("an ARI id or name in a path must not be empty")
    return quote(value, safe=":@-._~")


def _query_value(value: QueryValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if value is None:  # pragma: no cover - filtered out by _query
        raise TypeError("None is not a query value")
    return ",".join(value)  # ARI's allowMultiple parameters take comma-separated lists


def _query(params: Mapping[str, QueryValue]) -> dict[str, str]:
    return {name: _query_value(value) for name, value in params.items() if value is not None}


def _join(value: str | Sequence[str] | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return ",".join(value)


_HTML_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.IGNORECASE | re.DOTALL)
_HTML_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]+>")


def error_message(response: httpx.Response) -> str:
    """The human message of an ARI error response, whatever its shape.

    Asterisk answers ``{"message": ...}`` almost everywhere, ``{"error": ...}`` for channel
    allocation failures, and an HTML page when the HTTP layer itself rejects the request.
    """
    return _error_text(_Reply(response.status_code, response.text, response.reason_phrase))


def _error_text(reply: _Reply) -> str:
    try:
        body = reply.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("message", "error"):
            if isinstance(body.get(key), str):
                return str(body[key])
    text = reply.text.strip()
    if text.startswith("<"):
        match = _HTML_PARAGRAPH.search(text) or _HTML_TITLE.search(text)
        text = match.group(1) if match else _HTML_TAG.sub(" ", text)
        text = unescape(" ".join(text.split()))
    return text[:500] or reply.reason or f"HTTP {reply.status}"


@cache
def _list_adapter(model: type[AriModel]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


class AriClient:
    """Typed ARI REST client for one Asterisk server (one site).

    ``base_url`` is the HTTP root of Asterisk (``http://pbx:8088``; a trailing ``/ari`` is
    accepted). ``app`` is the Stasis application this client works for. ``transport`` lets tests
    plug in ``httpx.MockTransport``. Use as an async context manager or call :meth:`aclose`.
    """

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        app: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        rest_transport: RestTransport = "http",
        rest_app: str | None = None,
        limits: httpx.Limits = DEFAULT_LIMITS,
    ) -> None:
        url = httpx.URL(base_url)
        if url.userinfo:
            raise ValueError("put ARI credentials in username/password, never in the base URL")
        if url.scheme not in ("http", "https"):
            raise ValueError(f"ARI base URL must be http(s), got {url.scheme!r}")
        root_path = url.path.rstrip("/")
        if root_path.endswith("/ari"):
            root_path = root_path[: -len("/ari")]
        self._root = url.copy_with(path=root_path or "/", query=None, fragment=None)
        self._username = username
        self._authorization = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode(
            "ascii"
        )
        self.app = app
        if rest_transport not in ("http", "websocket"):
            raise ValueError(
                f"rest_transport must be 'http' or 'websocket', got {rest_transport!r}"
            )
        self._timeout = timeout
        self._observers: list[RequestObserver] = []
        self._gate: Callable[[], bool] | None = None
        self._websocket: RestWebSocket | None = None
        if rest_transport == "websocket":
            # Its own app: the events socket of `app` would be replaced by a second one.
            socket = self.event_endpoint(app=rest_app or f"{app}-rest")
            self._websocket = RestWebSocket(socket, open_timeout=timeout)
        self._http_slots = asyncio.Semaphore(limits.max_connections or _UNLIMITED_SLOTS)
        self._http = httpx.AsyncClient(
            base_url=str(self._root).rstrip("/") + "/ari/",
            auth=httpx.BasicAuth(username, password),
            transport=transport,
            verify=tls_context() if transport is None else True,
            timeout=timeout,
            limits=limits,
            headers={"Accept": "application/json"},
        )

    def __repr__(self) -> str:
        return f"AriClient({str(self._root)!r}, user={self._username!r}, app={self.app!r})"

    async def __aenter__(self) -> AriClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._websocket is not None:
            await self._websocket.aclose()
        await self._http.aclose()

    def observe_requests(self, observer: RequestObserver) -> None:
        """Call ``observer(method, path, query)`` as each request is sent (metrics, benchmarks).

        ``path`` is relative to ``/ari/`` (``channels/<id>/answer``); the query is the encoded
        parameters. The observer must be quick and must not raise.
        """
        self._observers.append(observer)

    def gate_commands(self, allowed: Callable[[], bool]) -> None:
        """Refuse every request but a GET while ``allowed()`` is false, before it is sent.

        The service's fence: an instance whose leader lease may have lapsed must not command
        Asterisk while another takes over. ``allowed`` is called once per request: keep it cheap.
        """
        self._gate = allowed

    def event_endpoint(
        self, *, subscribe_all: bool = False, app: str | None = None
    ) -> EventEndpoint:
        """The events websocket of this client's app (or of ``app``), authenticated by header."""
        scheme = "wss" if self._root.scheme == "https" else "ws"
        query: dict[str, str] = {"app": app or self.app}
        if subscribe_all:
            query["subscribeAll"] = "true"
        root = str(self._root.copy_with(scheme=scheme)).rstrip("/")
        return EventEndpoint(
            url=f"{root}/ari/events?{urlencode(query)}",
            headers={"Authorization": self._authorization},
        )

    # ------------------------------------------------------------------ transport

    async def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, QueryValue] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> _Reply:
        query = _query(params or {})
        if self._websocket is not None:
            return await self._send_now(method, path, query, body)
        # httpcore's pool scans every connection for every queued request each time a request
        # ends: with a few hundred calls waiting for a connection that made each request cost
        # milliseconds of CPU. Queue them here instead, in O(1), one per pool connection.
        async with self._http_slots:
            return await self._send_now(method, path, query, body)

    async def _send_now(
        self, method: str, path: str, query: dict[str, str], body: Mapping[str, Any] | None
    ) -> _Reply:
        if method != "GET" and self._gate is not None and not self._gate():
            raise AriFencedError(f"{method} /ari/{path}: refused, this process may not command")
        for observer in self._observers:
            observer(method, path, query)
        # Only a GET is safe to repeat, and only when the connection failed outright.
        attempts = 2 if method == "GET" else 1
        for attempt in range(1, attempts + 1):
            try:
                reply = await self._exchange(method, path, query, body)
            except httpx.TimeoutException as error:
                raise AriUnavailableError(f"{method} /ari/{path}: timed out") from error
            except httpx.TransportError as error:
                if attempt < attempts:
                    logger.info("ARI %s /ari/%s: %r; retrying once", method, path, error)
                    continue
                raise AriUnavailableError(f"{method} /ari/{path}: {error!r}") from error
            break
        logger.debug("ARI %s /ari/%s -> %s", method, path, reply.status)
        if reply.status >= 400:
            raise http_error(reply.status, _error_text(reply), method, f"/ari/{path}")
        return reply

    async def _exchange(
        self, method: str, path: str, query: dict[str, str], body: Mapping[str, Any] | None
    ) -> _Reply:
        if self._websocket is not None:
            # Straight onto the socket: building httpx URLs and requests would cost more CPU
            # than the whole exchange.
            uri = f"{path}?{urlencode(query, quote_via=quote)}" if query else path
            text = None if body is None else json.dumps(body)
            return await self._websocket.request(method, uri, text, self._timeout)
        response = await self._http.request(method, path, params=query, json=body)
        return _Reply(response.status_code, response.text, response.reason_phrase)

    @staticmethod
    def _json(response: _Reply, method: str, path: str) -> Any:
        try:
            return response.json()
        except ValueError as error:
            raise AriResponseError(f"{method} /ari/{path}: body is not JSON") from error

    async def _model(
        self,
        model: type[ModelT],
        method: str,
        path: str,
        params: Mapping[str, QueryValue] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> ModelT:
        response = await self._send(method, path, params, body)
        try:
            return model.model_validate(self._json(response, method, path))
        except ValidationError as error:
            raise AriResponseError(
                f"{method} /ari/{path}: not a {model.__name__}: {error}"
            ) from error

    async def _models(self, model: type[ModelT], path: str) -> list[ModelT]:
        response = await self._send("GET", path)
        try:
            items: list[ModelT] = _list_adapter(model).validate_python(
                self._json(response, "GET", path)
            )
        except ValidationError as error:
            raise AriResponseError(f"GET /ari/{path}: not a list of {model.__name__}") from error
        return items

    async def _void(
        self,
        method: str,
        path: str,
        params: Mapping[str, QueryValue] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        await self._send(method, path, params, body)

    # ------------------------------------------------------------------ asterisk

    async def get_info(self, only: Sequence[str] | None = None) -> AsteriskInfo:
        return await self._model(AsteriskInfo, "GET", "asterisk/info", {"only": only})

    async def ping(self) -> AsteriskPing:
        return await self._model(AsteriskPing, "GET", "asterisk/ping")

    # ------------------------------------------------------------------ channels

    async def list_sounds(
        self, *, lang: str | None = None, format: str | None = None
    ) -> list[Sound]:
        """``GET /sounds``: every sound file the server has, with its languages and formats."""
        response = await self._send("GET", "sounds", {"lang": lang, "format": format})
        try:
            sounds: list[Sound] = _list_adapter(Sound).validate_python(
                self._json(response, "GET", "sounds")
            )
        except ValidationError as error:
            raise AriResponseError("GET /ari/sounds: not a list of Sound") from error
        return sounds

    async def list_channels(self) -> list[Channel]:
        return await self._models(Channel, "channels")

    async def get_channel(self, channel_id: str) -> Channel:
        return await self._model(Channel, "GET", f"channels/{_segment(channel_id)}")

    async def originate(
        self,
        endpoint: str,
        *,
        channel_id: str | None = None,
        other_channel_id: str | None = None,
        app: str | None = None,
        app_args: str | Sequence[str] | None = None,
        extension: str | None = None,
        context: str | None = None,
        priority: int | None = None,
        label: str | None = None,
        caller_id: str | None = None,
        timeout: int | None = None,
        variables: Mapping[str, str] | None = None,
        originator: str | None = None,
        formats: str | None = None,
    ) -> Channel:
        """Dial ``endpoint``; into ``app`` (Stasis) or into ``context/extension`` (dialplan).

        Pass ``channel_id`` (see :func:`new_id`): if the answer is lost, GET it rather than
        originate twice.
        """
        params: dict[str, QueryValue] = {
            "endpoint": endpoint,
            "channelId": channel_id,
            "otherChannelId": other_channel_id,
            "app": app,
            "appArgs": _join(app_args),
            "extension": extension,
            "context": context,
            "priority": priority,
            "label": label,
            "callerId": caller_id,
            "timeout": timeout,
            "originator": originator,
            "formats": formats,
        }
        body = {"variables": dict(variables)} if variables else None
        return await self._model(Channel, "POST", "channels", params, body)

    async def create_channel(
        self,
        endpoint: str,
        app: str,
        *,
        channel_id: str | None = None,
        other_channel_id: str | None = None,
        app_args: str | Sequence[str] | None = None,
        variables: Mapping[str, str] | None = None,
        originator: str | None = None,
        formats: str | None = None,
    ) -> Channel:
        """Create a channel in Stasis without dialling it (StasisStart comes at once); then dial."""
        params: dict[str, QueryValue] = {
            "endpoint": endpoint,
            "app": app,
            "appArgs": _join(app_args),
            "channelId": channel_id,
            "otherChannelId": other_channel_id,
            "originator": originator,
            "formats": formats,
        }
        body = {"variables": dict(variables)} if variables else None
        return await self._model(Channel, "POST", "channels/create", params, body)

    async def dial(
        self, channel_id: str, *, caller: str | None = None, timeout: int | None = None
    ) -> None:
        params: dict[str, QueryValue] = {"caller": caller, "timeout": timeout}
        await self._void("POST", f"channels/{_segment(channel_id)}/dial", params)

    async def answer(self, channel_id: str) -> None:
        await self._void("POST", f"channels/{_segment(channel_id)}/answer")

    async def ring(self, channel_id: str) -> None:
        await self._void("POST", f"channels/{_segment(channel_id)}/ring")

    async def ring_stop(self, channel_id: str) -> None:
        await self._void("DELETE", f"channels/{_segment(channel_id)}/ring")

    async def hangup(
        self, channel_id: str, *, reason_code: int | None = None, reason: str | None = None
    ) -> None:
        """Hang up; ``reason_code`` is a Q.850 cause, ``reason`` a name such as ``busy``."""
        if reason_code is not None and reason is not None:
            raise ValueError("give reason_code or reason, not both")
        params: dict[str, QueryValue] = {"reason_code": reason_code, "reason": reason}
        await self._void("DELETE", f"channels/{_segment(channel_id)}", params)

    async def play_on_channel(
        self,
        channel_id: str,
        media: str | Sequence[str],
        *,
        playback_id: str | None = None,
        lang: str | None = None,
        offsetms: int | None = None,
        skipms: int | None = None,
    ) -> Playback:
        params: dict[str, QueryValue] = {
            "media": _join(media),
            "playbackId": playback_id,
            "lang": lang,
            "offsetms": offsetms,
            "skipms": skipms,
        }
        return await self._model(Playback, "POST", f"channels/{_segment(channel_id)}/play", params)

    async def start_channel_moh(self, channel_id: str, moh_class: str | None = None) -> None:
        params: dict[str, QueryValue] = {"mohClass": moh_class}
        await self._void("POST", f"channels/{_segment(channel_id)}/moh", params)

    async def stop_channel_moh(self, channel_id: str) -> None:
        await self._void("DELETE", f"channels/{_segment(channel_id)}/moh")

    async def hold(self, channel_id: str) -> None:
        await self._void("POST", f"channels/{_segment(channel_id)}/hold")

    async def unhold(self, channel_id: str) -> None:
        # ARI has no /unhold route: unhold is DELETE on /hold.
        await self._void("DELETE", f"channels/{_segment(channel_id)}/hold")

    async def mute(self, channel_id: str, direction: MuteDirection = "both") -> None:
        await self._void("POST", f"channels/{_segment(channel_id)}/mute", {"direction": direction})

    async def unmute(self, channel_id: str, direction: MuteDirection = "both") -> None:
        params: dict[str, QueryValue] = {"direction": direction}
        await self._void("DELETE", f"channels/{_segment(channel_id)}/mute", params)

    async def send_dtmf(
        self,
        channel_id: str,
        dtmf: str,
        *,
        before: int | None = None,
        between: int | None = None,
        duration: int | None = None,
        after: int | None = None,
    ) -> None:
        params: dict[str, QueryValue] = {
            "dtmf": dtmf,
            "before": before,
            "between": between,
            "duration": duration,
            "after": after,
        }
        await self._void("POST", f"channels/{_segment(channel_id)}/dtmf", params)

    async def snoop(
        self,
        channel_id: str,
        app: str,
        *,
        spy: SpyDirection | None = None,
        whisper: SpyDirection | None = None,
        app_args: str | Sequence[str] | None = None,
        snoop_id: str | None = None,
    ) -> Channel:
        """Start a snoop channel (supervisor listen/whisper) that enters ``app``."""
        params: dict[str, QueryValue] = {
            "app": app,
            "spy": spy,
            "whisper": whisper,
            "appArgs": _join(app_args),
            "snoopId": snoop_id,
        }
        return await self._model(Channel, "POST", f"channels/{_segment(channel_id)}/snoop", params)

    async def get_channel_variable(self, channel_id: str, variable: str) -> Variable:
        params: dict[str, QueryValue] = {"variable": variable}
        path = f"channels/{_segment(channel_id)}/variable"
        return await self._model(Variable, "GET", path, params)

    async def set_channel_variable(
        self, channel_id: str, variable: str, value: str | None = None
    ) -> None:
        params: dict[str, QueryValue] = {"variable": variable, "value": value}
        await self._void("POST", f"channels/{_segment(channel_id)}/variable", params)

    async def get_global_variable(self, variable: str) -> Variable:
        """``GET /asterisk/variable``: a dialplan global (empty string when unset)."""
        params: dict[str, QueryValue] = {"variable": variable}
        return await self._model(Variable, "GET", "asterisk/variable", params)

    async def set_global_variable(self, variable: str, value: str) -> None:
        params: dict[str, QueryValue] = {"variable": variable, "value": value}
        await self._void("POST", "asterisk/variable", params)

    async def continue_in_dialplan(
        self,
        channel_id: str,
        *,
        context: str | None = None,
        extension: str | None = None,
        priority: int | None = None,
        label: str | None = None,
    ) -> None:
        """Leave Stasis (StasisEnd) and resume the dialplan, optionally elsewhere."""
        params: dict[str, QueryValue] = {
            "context": context,
            "extension": extension,
            "priority": priority,
            "label": label,
        }
        await self._void("POST", f"channels/{_segment(channel_id)}/continue", params)

    async def move(
        self, channel_id: str, app: str, *, app_args: str | Sequence[str] | None = None
    ) -> None:
        """Move the channel to another Stasis app (e.g. the survey app)."""
        params: dict[str, QueryValue] = {"app": app, "appArgs": _join(app_args)}
        await self._void("POST", f"channels/{_segment(channel_id)}/move", params)

    async def redirect(self, channel_id: str, endpoint: str) -> None:
        params: dict[str, QueryValue] = {"endpoint": endpoint}
        await self._void("POST", f"channels/{_segment(channel_id)}/redirect", params)

    # ------------------------------------------------------------------ bridges

    async def list_bridges(self) -> list[Bridge]:
        return await self._models(Bridge, "bridges")

    async def get_bridge(self, bridge_id: str) -> Bridge:
        return await self._model(Bridge, "GET", f"bridges/{_segment(bridge_id)}")

    async def create_bridge(
        self,
        bridge_type: str | Sequence[str] = "mixing",
        *,
        bridge_id: str | None = None,
        name: str | None = None,
    ) -> Bridge:
        """Create a bridge; ``bridge_type`` is ``mixing``, ``holding`` or flags such as
        ``["mixing", "dtmf_events"]``. A duplicate ``bridge_id`` raises AriConflictError."""
        params: dict[str, QueryValue] = {
            "type": _join(bridge_type),
            "bridgeId": bridge_id,
            "name": name,
        }
        return await self._model(Bridge, "POST", "bridges", params)

    async def destroy_bridge(self, bridge_id: str) -> None:
        await self._void("DELETE", f"bridges/{_segment(bridge_id)}")

    async def add_channel(
        self,
        bridge_id: str,
        channel: str | Sequence[str],
        *,
        role: str | None = None,
        absorb_dtmf: bool | None = None,
        mute: bool | None = None,
        inhibit_connected_line_updates: bool | None = None,
    ) -> None:
        """Add channels to a bridge; a channel already in another bridge is moved."""
        params: dict[str, QueryValue] = {
            "channel": _join(channel),
            "role": role,
            "absorbDTMF": absorb_dtmf,
            "mute": mute,
            "inhibitConnectedLineUpdates": inhibit_connected_line_updates,
        }
        await self._void("POST", f"bridges/{_segment(bridge_id)}/addChannel", params)

    async def remove_channel(self, bridge_id: str, channel: str | Sequence[str]) -> None:
        params: dict[str, QueryValue] = {"channel": _join(channel)}
        await self._void("POST", f"bridges/{_segment(bridge_id)}/removeChannel", params)

    async def play_on_bridge(
        self,
        bridge_id: str,
        media: str | Sequence[str],
        *,
        playback_id: str | None = None,
        lang: str | None = None,
        offsetms: int | None = None,
        skipms: int | None = None,
        announcer_format: str | None = None,
    ) -> Playback:
        """Play to everyone in the bridge. On a holding bridge with MOH on it fails at once."""
        params: dict[str, QueryValue] = {
            "media": _join(media),
            "playbackId": playback_id,
            "lang": lang,
            "offsetms": offsetms,
            "skipms": skipms,
            "announcer_format": announcer_format,
        }
        return await self._model(Playback, "POST", f"bridges/{_segment(bridge_id)}/play", params)

    async def start_bridge_moh(self, bridge_id: str, moh_class: str | None = None) -> None:
        params: dict[str, QueryValue] = {"mohClass": moh_class}
        await self._void("POST", f"bridges/{_segment(bridge_id)}/moh", params)

    async def stop_bridge_moh(self, bridge_id: str) -> None:
        await self._void("DELETE", f"bridges/{_segment(bridge_id)}/moh")

    async def record_channel(
        self,
        channel_id: str,
        name: str,
        recording_format: str = "wav",
        *,
        max_duration_seconds: int | None = None,
        max_silence_seconds: int | None = None,
        if_exists: Literal["fail", "overwrite", "append"] | None = None,
        beep: bool | None = None,
        terminate_on: Literal["none", "any", "*", "#"] | None = None,
    ) -> LiveRecording:
        """Record what one channel says (a voicemail): the channel must be in Stasis, unbridged.

        RecordingFinished follows at the maximum duration, the terminating digit, a stop, or
        the caller hanging up; the file is then under ``/recordings/stored/{name}``.
        """
        params: dict[str, QueryValue] = {
            "name": name,
            "format": recording_format,
            "maxDurationSeconds": max_duration_seconds,
            "maxSilenceSeconds": max_silence_seconds,
            "ifExists": if_exists,
            "beep": beep,
            "terminateOn": terminate_on,
        }
        path = f"channels/{_segment(channel_id)}/record"
        return await self._model(LiveRecording, "POST", path, params)

    async def record_bridge(
        self,
        bridge_id: str,
        name: str,
        recording_format: str = "wav",
        *,
        max_duration_seconds: int | None = None,
        max_silence_seconds: int | None = None,
        if_exists: Literal["fail", "overwrite", "append"] | None = None,
        beep: bool | None = None,
        terminate_on: str | None = None,
    ) -> LiveRecording:
        params: dict[str, QueryValue] = {
            "name": name,
            "format": recording_format,
            "maxDurationSeconds": max_duration_seconds,
            "maxSilenceSeconds": max_silence_seconds,
            "ifExists": if_exists,
            "beep": beep,
            "terminateOn": terminate_on,
        }
        path = f"bridges/{_segment(bridge_id)}/record"
        return await self._model(LiveRecording, "POST", path, params)

    # ------------------------------------------------------------------ playbacks, recordings

    async def get_playback(self, playback_id: str) -> Playback:
        return await self._model(Playback, "GET", f"playbacks/{_segment(playback_id)}")

    async def stop_playback(self, playback_id: str) -> None:
        """Stop a playback (PlaybackFinished ``done`` follows; 404 once it finished)."""
        await self._void("DELETE", f"playbacks/{_segment(playback_id)}")

    async def control_playback(self, playback_id: str, operation: PlaybackOperation) -> None:
        params: dict[str, QueryValue] = {"operation": operation}
        await self._void("POST", f"playbacks/{_segment(playback_id)}/control", params)

    async def get_live_recording(self, recording_name: str) -> LiveRecording:
        """A live recording: its target and state (AriNotFoundError once it stopped)."""
        path = f"recordings/live/{_segment(recording_name)}"
        return await self._model(LiveRecording, "GET", path)

    async def get_stored_recording(self, recording_name: str) -> StoredRecording:
        """A stored recording's name and format (AriNotFoundError when there is none)."""
        path = f"recordings/stored/{_segment(recording_name)}"
        return await self._model(StoredRecording, "GET", path)

    async def stop_recording(self, recording_name: str) -> None:
        """Stop a live recording and store it (RecordingFinished follows)."""
        await self._void("POST", f"recordings/live/{_segment(recording_name)}/stop")

    async def delete_stored_recording(self, recording_name: str) -> None:
        """Delete a stored recording's file (AriNotFoundError once it is gone)."""
        await self._void("DELETE", f"recordings/stored/{_segment(recording_name)}")

    async def stored_recording_file(self, recording_name: str) -> tuple[bytes, str]:
        """A stored recording's audio and its media type (``audio/wav`` for ``wav``).

        Always over HTTP, even with REST over a websocket: a text frame cannot carry audio.
        """
        path = f"recordings/stored/{_segment(recording_name)}/file"
        async with self._http_slots:
            for observer in self._observers:
                observer("GET", path, {})
            try:
                response = await self._http.get(path, headers={"Accept": "*/*"})
            except httpx.TimeoutException as error:
                raise AriUnavailableError(f"GET /ari/{path}: timed out") from error
            except httpx.TransportError as error:
                raise AriUnavailableError(f"GET /ari/{path}: {error!r}") from error
        if response.status_code >= 400:
            raise http_error(response.status_code, error_message(response), "GET", f"/ari/{path}")
        media_type = response.headers.get("content-type", "application/octet-stream")
        return response.content, media_type.split(";")[0].strip()

    # ------------------------------------------------------------------ applications

    async def list_applications(self) -> list[Application]:
        return await self._models(Application, "applications")

    async def get_application(self, application: str | None = None) -> Application:
        name = _segment(application or self.app)
        return await self._model(Application, "GET", f"applications/{name}")

    async def subscribe(
        self, event_source: str | Sequence[str], *, application: str | None = None
    ) -> Application:
        """Subscribe the app to ``channel:<id>``, ``bridge:<id>``, ``deviceState:<name>``...

        Needed e.g. to receive ChannelDestroyed (with the Q.850 cause) after StasisEnd.
        """
        name = _segment(application or self.app)
        params: dict[str, QueryValue] = {"eventSource": _join(event_source)}
        return await self._model(Application, "POST", f"applications/{name}/subscription", params)

    async def unsubscribe(
        self, event_source: str | Sequence[str], *, application: str | None = None
    ) -> Application:
        name = _segment(application or self.app)
        params: dict[str, QueryValue] = {"eventSource": _join(event_source)}
        path = f"applications/{name}/subscription"
        return await self._model(Application, "DELETE", path, params)

    # ------------------------------------------------------------------ device states

    async def list_device_states(self) -> list[DeviceState]:
        return await self._models(DeviceState, "deviceStates")

    async def get_device_state(self, device_name: str) -> DeviceState:
        return await self._model(DeviceState, "GET", f"deviceStates/{_segment(device_name)}")

    async def set_device_state(self, device_name: str, state: DeviceStateState) -> None:
        """Set a ``Stasis:<name>`` device state (e.g. an agent's presence for BLF lamps)."""
        params: dict[str, QueryValue] = {"deviceState": state}
        await self._void("PUT", f"deviceStates/{_segment(device_name)}", params)

    async def delete_device_state(self, device_name: str) -> None:
        await self._void("DELETE", f"deviceStates/{_segment(device_name)}")


__all__ = [
    "DEFAULT_LIMITS",
    "AriClient",
    "EventEndpoint",
    "RequestObserver",
    "RestTransport",
    "RestWebSocket",
    "error_message",
    "new_id",
    "tls_context",
]
