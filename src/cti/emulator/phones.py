"""Agent phones a person answers: in the demo the emulator's phone rings in a web page.

A scripted `AgentScript` answers by itself; a *person's* phone rings until somebody answers or
hangs up through the control API, exactly as a desk phone waits for its agent:

    POST /_emulator/phones                        {"endpoint": "PJSIP/1001"}  -> 201 (idempotent)
    GET  /_emulator/phones/{endpoint}             the phone's state
    GET  /_emulator/phones/{endpoint}/events      server-sent events: the state, then each change
    POST /_emulator/phones/{endpoint}/answer      204; 409 when it is not ringing
    POST /_emulator/phones/{endpoint}/hangup      204 (reject while ringing); 409 when idle

A state is `{"endpoint", "state": idle|ringing|talking, "channel_id", "caller_number",
"caller_name"}`. The control routes take the ARI credentials, like the rest of `/_emulator`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from cti.emulator.channels import ChannelLine
from cti.emulator.dialplan import FOREVER, Line, Program, ProgramFactory
from cti.emulator.errors import AriError
from cti.emulator.model import Json
from cti.emulator.scripts import AgentScript

if TYPE_CHECKING:
    from cti.emulator.core import Asterisk

PhoneState = Literal["idle", "ringing", "talking"]
# A comment line now and then keeps proxies and browsers from closing an idle event stream.
KEEPALIVE_S = 15.0


@dataclass
class PersonPhone:
    endpoint: str
    state: PhoneState = "idle"
    line: ChannelLine | None = None
    caller_number: str = ""
    caller_name: str = ""

    def to_json(self) -> Json:
        return {
            "endpoint": self.endpoint,
            "state": self.state,
            "channel_id": self.line.channel_id if self.line is not None else None,
            "caller_number": self.caller_number,
            "caller_name": self.caller_name,
        }


@dataclass(frozen=True)
class PersonScript(AgentScript):
    """The `AgentScript` of a person's phone: it rings and waits for the control API."""

    phones: PersonPhones | None = field(default=None, compare=False)
    endpoint: str = ""

    def program(self) -> ProgramFactory:
        phones, endpoint = self.phones, self.endpoint
        assert phones is not None

        def run(line: Line) -> Program:
            line.app("NoOp", f"a person's phone {endpoint}")
            line.ringing()
            phones.ringing(endpoint, line)
            yield FOREVER

        return run


class PersonPhones:
    """The person phones of one emulated Asterisk and the listeners of their state."""

    def __init__(self, core: Asterisk) -> None:
        self._core = core
        self._phones: dict[str, PersonPhone] = {}
        self._listeners: dict[str, set[asyncio.Queue[Json]]] = {}

    def add(self, endpoint: str) -> PersonPhone:
        """Make `endpoint` (e.g. PJSIP/1001) a person's phone; adding it again changes nothing."""
        phone = self._phones.get(endpoint)
        if phone is None:
            self._core.add_endpoint(endpoint, PersonScript(phones=self, endpoint=endpoint))
            phone = self._phones[endpoint] = PersonPhone(endpoint)
        return phone

    def get(self, endpoint: str) -> PersonPhone:
        phone = self._phones.get(endpoint)
        if phone is None:
            raise AriError(404, f"{endpoint} is not a person's phone")
        return phone

    # ------------------------------------------------------------------ the line's side
    def ringing(self, endpoint: str, line: Line) -> None:
        phone = self.get(endpoint)
        assert isinstance(line, ChannelLine)
        phone.line = line
        phone.state = "ringing"
        phone.caller_number, phone.caller_name = line.caller_number, line.caller_name
        self._core.observers[line.channel_id] = lambda event_type, _fields: self._channel_event(
            phone, line, event_type
        )
        self._publish(phone)

    def _channel_event(self, phone: PersonPhone, line: ChannelLine, event_type: str) -> None:
        if event_type == "ChannelDestroyed" and phone.line is line:
            self._core.observers.pop(line.channel_id, None)
            phone.line = None
            phone.state = "idle"
            phone.caller_number = phone.caller_name = ""
            self._publish(phone)

    # ------------------------------------------------------------------ the person's side
    def answer(self, endpoint: str) -> None:
        phone = self.get(endpoint)
        if phone.state != "ringing" or phone.line is None:
            raise AriError(409, f"{endpoint} is not ringing")
        phone.line.answer()
        phone.state = "talking"
        self._publish(phone)

    def hangup(self, endpoint: str) -> None:
        """Hang up the call, or reject it while it rings (cause 21, as a person pressing reject)."""
        phone = self.get(endpoint)
        if phone.line is None:
            raise AriError(409, f"{endpoint} has no call")
        phone.line.hangup(21 if phone.state == "ringing" else 16)

    # ------------------------------------------------------------------ listeners
    def _publish(self, phone: PersonPhone) -> None:
        for queue in self._listeners.get(phone.endpoint, ()):
            queue.put_nowait(phone.to_json())

    async def events(self, endpoint: str) -> AsyncIterator[Json]:
        """The phone's state now, then every change, until the caller stops iterating."""
        phone = self.get(endpoint)
        queue: asyncio.Queue[Json] = asyncio.Queue()
        listeners = self._listeners.setdefault(endpoint, set())
        listeners.add(queue)
        try:
            yield phone.to_json()
            while True:
                yield await queue.get()
        finally:
            listeners.discard(queue)


# ---------------------------------------------------------------------- HTTP control routes
Allowed = Callable[[Request], bool]
Flush = Callable[[], Awaitable[None]]


def phone_routes(phones: PersonPhones, allowed: Allowed, flush: Flush) -> list[Route]:
    """The `/_emulator/phones` routes; `allowed` checks the ARI credentials, `flush` delivers the
    events an action caused before its response (as the other control routes do)."""

    def refused() -> Response:
        return JSONResponse({"message": "Authentication required"}, status_code=401)

    async def add(request: Request) -> Response:
        if not allowed(request):
            return refused()
        try:
            body = json.loads(await request.body() or b"{}")
            endpoint = str(body["endpoint"])
            if "/" not in endpoint:
                raise ValueError("endpoint must look like PJSIP/1001 or Local/1001@agents")
            phone = phones.add(endpoint)
        except (KeyError, TypeError, ValueError, AriError) as error:
            return JSONResponse({"message": f"invalid phone: {error}"}, status_code=400)
        return JSONResponse(phone.to_json(), status_code=201)

    async def show(request: Request) -> Response:
        if not allowed(request):
            return refused()
        try:
            return JSONResponse(phones.get(request.path_params["endpoint"]).to_json())
        except AriError as error:
            return JSONResponse(error.body, status_code=error.status)

    def action(act: Callable[[str], None]) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            if not allowed(request):
                return refused()
            try:
                act(request.path_params["endpoint"])
            except AriError as error:
                return JSONResponse(error.body, status_code=error.status)
            await flush()
            return Response(status_code=204)

        return handle

    async def events(request: Request) -> Response:
        if not allowed(request):
            return refused()
        endpoint = request.path_params["endpoint"]
        try:
            phones.get(endpoint)
        except AriError as error:
            return JSONResponse(error.body, status_code=error.status)
        return StreamingResponse(
            _sse(phones.events(endpoint)),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    return [
        Route("/_emulator/phones", add, methods=["POST"]),
        Route("/_emulator/phones/{endpoint:path}/events", events, methods=["GET"]),
        Route("/_emulator/phones/{endpoint:path}/answer", action(phones.answer), methods=["POST"]),
        Route("/_emulator/phones/{endpoint:path}/hangup", action(phones.hangup), methods=["POST"]),
        Route("/_emulator/phones/{endpoint:path}", show, methods=["GET"]),
    ]


async def _sse(states: AsyncIterator[Json]) -> AsyncIterator[str]:
    iterator = aiter(states)
    pending: asyncio.Task[Json] | None = None
    try:
        while True:
            pending = pending or asyncio.ensure_future(anext(iterator))
            done, _ = await asyncio.wait({pending}, timeout=KEEPALIVE_S)
            if not done:
                yield ": keep-alive\n\n"
                continue
            state = pending.result()
            pending = None
            yield f"event: phone\ndata: {json.dumps(state, separators=(',', ':'))}\n\n"
    finally:
        if pending is not None:
            # The generator cannot be closed while its `anext` still runs: end that first.
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending
        await iterator.aclose()  # type: ignore[attr-defined]
