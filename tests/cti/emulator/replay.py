"""Replay one recorded ARI trace against the emulator and collect what it answered.

Requests are sent in recorded order, paced by the emulator's own clock (recorded `t` seconds of
emulated time) and only after the events the recording shows before them have arrived.  Recorded
ids are translated as they become known: client-chosen ids are kept, server-made ids are mapped
by first appearance (response bodies, then events aligned by type and channel name pattern).
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

from cti.ari import apispec
from cti.emulator import LabConfig, RunningEmulator, run_emulator

TRACES = Path(__file__).resolve().parents[1] / "traces"
API_DOCS = apispec.COMPACT_SPEC  # the validator reads the compact spec like an api-docs folder

SERVER_ID = re.compile(r"hotline-lab-\d+\.\d+")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NAME_COUNTER = re.compile(r"-[0-9a-f]{8}(?=;|$|,)")
WAIT_FOR_EVENTS_S = 1.0  # real seconds; only reached when the emulator misses an event
NUDGE_S = 0.05  # emulated seconds added per poll while a recorded event is still missing
MAX_NUDGE_S = 1.0

LAB_USERS = {"hotline": ("secret", False), "viewer": ("viewer", True)}


def is_noise(event: dict[str, Any]) -> bool:
    """Events Asterisk repeats a variable number of times (compared as sets, never counted)."""
    return event["type"] in ("ChannelConnectedLine", "ChannelCallerId", "DeviceStateChanged") or (
        event["type"] == "ChannelVarset" and event.get("variable") == "BRIDGEPEER"
    )


def load_trace(name: str) -> list[dict[str, Any]]:
    lines = (TRACES / f"{name}.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def name_base(name: str) -> str:
    """`Local/1001@agents-00000002;1` -> `Local/1001@agents-00000002` (the pair's common part)."""
    return name.rsplit(";", 1)[0]


def name_pattern(name: str) -> str:
    return NAME_COUNTER.sub("-*", SERVER_ID.sub("<id>", name))


@dataclass
class Exchange:
    """One recorded request with its recorded and replayed responses."""

    request: dict[str, Any]
    recorded: dict[str, Any] | None
    status: int | None = None
    body: Any = None


@dataclass
class Replay:
    trace: list[dict[str, Any]]
    emulator: RunningEmulator
    speed: float
    stepped: bool = True  # drive the emulator's clock by hand: exact timing under any load
    id_map: dict[str, str] = field(default_factory=dict)
    base_map: dict[str, str] = field(default_factory=dict)
    sockets: dict[str, ClientConnection] = field(default_factory=dict)
    received: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    exchanges: list[Exchange] = field(default_factory=list)
    ws_replies: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    missing_waits: list[dict[tuple[str, str], int]] = field(default_factory=list)
    _readers: list[asyncio.Task[None]] = field(default_factory=list)
    _start: float = 0.0

    # ------------------------------------------------------------------ id translation
    def learn(self, recorded: Any, actual: Any) -> None:
        """Walk a recorded and a replayed JSON value in parallel and map the ids they share."""
        if isinstance(recorded, dict) and isinstance(actual, dict):
            rec_id, act_id = recorded.get("id"), actual.get("id")
            if isinstance(rec_id, str) and isinstance(act_id, str):
                self.id_map.setdefault(rec_id, act_id)
                rec_name, act_name = recorded.get("name"), actual.get("name")
                if isinstance(rec_name, str) and isinstance(act_name, str) and ";" in rec_name:
                    self.base_map.setdefault(name_base(rec_name), name_base(act_name))
            for key in recorded.keys() & actual.keys():
                if key != "channels":
                    self.learn(recorded[key], actual[key])
        elif isinstance(recorded, list) and isinstance(actual, list) and len(recorded) == 1:
            self.learn(recorded[0], actual[0])

    def translate(self, text: str) -> str:
        def swap(match: re.Match[str]) -> str:
            return self.id_map.get(match.group(0), match.group(0))

        return UUID.sub(swap, SERVER_ID.sub(swap, text))

    def _align_events(self) -> None:
        """Map ids of recorded events to received ones by (conn, type, name pattern) ordinal."""
        seen_rec: dict[tuple[str, str, str], int] = defaultdict(int)
        recorded_by_key: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        for line in self.trace:
            if line["dir"] == "event" and "channel" in line:
                key = (line["conn"], line["type"], name_pattern(line["channel"]["name"]))
                recorded_by_key[key].append(line)
        actual_by_key: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        for conn, events in self.received.items():
            for event in events:
                if "channel" in event:
                    key = (conn, event["type"], name_pattern(event["channel"]["name"]))
                    actual_by_key[key].append(event)
        del seen_rec
        for key, recorded_events in recorded_by_key.items():
            for rec, act in zip(recorded_events, actual_by_key.get(key, []), strict=False):
                self.learn(rec["channel"], act["channel"])

    # ------------------------------------------------------------------ sockets
    async def _open_socket(self, line: dict[str, Any], expected: dict[str, Any]) -> None:
        conn = line["conn"]
        query = dict(line["query"])
        headers: dict[str, str] = {}
        if line.get("auth") == "basic":
            user = line.get("auth_user", "hotline")
            token = base64.b64encode(f"{user}:{LAB_USERS[user][0]}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        url = self.emulator.ws_url + "?" + "&".join(f"{k}={quote(v)}" for k, v in query.items())
        exchange = Exchange(line, expected)
        self.exchanges.append(exchange)
        try:
            socket = await websockets.connect(url, additional_headers=headers)
        except websockets.InvalidStatus as refused:
            exchange.status = refused.response.status_code
            raw = refused.response.body or b""
            try:
                exchange.body = json.loads(raw)
            except ValueError:
                exchange.body = raw.decode()
            return
        exchange.status = 101
        self.sockets[conn] = socket
        self._readers.append(asyncio.create_task(self._read(conn, socket)))

    async def _read(self, conn: str, socket: ClientConnection) -> None:
        try:
            async for text in socket:
                message = json.loads(text)
                if message.get("type") == "RESTResponse":
                    self.received[conn + "#rest"].append(message)
                else:
                    self.received[conn].append(message)
        except websockets.ConnectionClosed:
            return

    # ------------------------------------------------------------------ pacing
    def _emulated_elapsed(self) -> float:
        return self.emulator.core.scheduler.now() - self._start

    async def _pace(self, t: float) -> None:
        remaining = t - self._emulated_elapsed()
        if remaining <= 0:
            return
        if self.stepped:
            self.emulator.emulator.scheduler.advance(remaining)
            await asyncio.sleep(0)
        else:
            await asyncio.sleep(remaining / self.speed)

    async def _await_events_before(self, index: int) -> None:
        """Wait until every (conn, type) count recorded before `index` has been received."""
        wanted: dict[tuple[str, str], int] = defaultdict(int)
        for line in self.trace[:index]:
            if line["dir"] == "event" and not is_noise(line):
                wanted[(line["conn"], line["type"])] += 1
        deadline = asyncio.get_running_loop().time() + WAIT_FOR_EVENTS_S
        nudged_s = 0.0
        polls = 0
        while asyncio.get_running_loop().time() < deadline:
            polls += 1
            have: dict[tuple[str, str], int] = defaultdict(int)
            for conn, events in self.received.items():
                for event in events:
                    if not is_noise(event):
                        have[(conn, event["type"])] += 1
            if all(have[key] >= count for key, count in wanted.items()):
                return
            await asyncio.sleep(0.005)
            if self.stepped and polls > 4 and nudged_s < MAX_NUDGE_S:
                # Real Asterisk is sometimes a little slower than the recording's timestamps
                # suggest (or faster); let emulated time run on a bit before giving up.
                self.emulator.emulator.scheduler.advance(NUDGE_S)
                nudged_s += NUDGE_S
        self.missing_waits.append(
            {key: count - have[key] for key, count in wanted.items() if have[key] < count}
        )

    # ------------------------------------------------------------------ the run
    async def run(self) -> None:
        if self.stepped:
            self.emulator.emulator.scheduler.pause()
        self._start = self.emulator.core.scheduler.now()
        auth = ("hotline", LAB_USERS["hotline"][0])
        async with httpx.AsyncClient(base_url=self.emulator.base_url, auth=auth) as client:
            for index, line in enumerate(self.trace):
                if line["dir"] != "request":
                    continue
                await self._pace(float(line["t"]))
                await self._await_events_before(index)
                self._align_events()
                expected = self._recorded_response(index)
                if line.get("transport") == "ws":
                    await self._ws_request(line, expected)
                elif line["method"] == "CLOSE":
                    socket = self.sockets.pop(line["conn"], None)
                    if socket is not None:
                        await socket.close()
                elif line.get("websocket"):
                    assert expected is not None
                    await self._open_socket(line, expected)
                else:
                    await self._http_request(client, line, expected)
            await self._pace(float(self.trace[-1]["t"]) + 0.5)
            await asyncio.sleep(0.02)
        for socket in self.sockets.values():
            await socket.close()
        for reader in self._readers:
            await reader
        self._align_events()

    def _recorded_response(self, index: int) -> dict[str, Any] | None:
        line = self.trace[index]
        for later in self.trace[index + 1 :]:
            if later["dir"] != "response":
                continue
            if line.get("transport") == "ws":
                if later.get("transport") == "ws":
                    return later
                continue
            if later.get("transport") != "ws" and later["path"] == line["path"]:
                return later
        return None

    async def _http_request(
        self, client: httpx.AsyncClient, line: dict[str, Any], expected: dict[str, Any] | None
    ) -> None:
        query = {k: self.translate(v) for k, v in line["query"].items()}
        path = self.translate(line["path"])
        kwargs: dict[str, Any] = {"params": query}
        if line.get("body") is not None:
            kwargs["content"] = self.translate(json.dumps(line["body"]))
            kwargs["headers"] = {"Content-Type": "application/json"}
        user = line.get("auth_user")
        if user is not None:
            wrong = "bad password" in (line.get("note") or "")
            password = "not-the-password" if wrong else LAB_USERS[user][0]
            kwargs["auth"] = (user, password)
        response = await client.request(line["method"], path, **kwargs)
        exchange = Exchange(line, expected, response.status_code)
        if response.content:
            try:
                exchange.body = response.json()
            except ValueError:
                exchange.body = response.text
        self.exchanges.append(exchange)
        if expected is not None and exchange.body is not None:
            self.learn(expected.get("body"), exchange.body)

    async def _ws_request(self, line: dict[str, Any], expected: dict[str, Any] | None) -> None:
        message = {k: v for k, v in line.items() if k not in ("dir", "t", "transport", "conn")}
        message.pop("note", None)
        rest_key = line["conn"] + "#rest"
        before = len(self.received[rest_key])
        await self.sockets[line["conn"]].send(self.translate(json.dumps(message)))
        deadline = asyncio.get_running_loop().time() + WAIT_FOR_EVENTS_S
        while len(self.received[rest_key]) <= before:
            if asyncio.get_running_loop().time() > deadline:
                return
            await asyncio.sleep(0.005)
        assert expected is not None
        self.ws_replies.append((expected, self.received[rest_key][before]))


async def replay_trace(
    name: str, speed: float, *, stepped: bool = True, race: str = "events_first"
) -> Replay:
    """Replay a trace; `stepped` drives the clock by hand, otherwise it runs at `speed`."""
    trace = load_trace(name)
    config = LabConfig(users=dict(LAB_USERS))
    async with run_emulator(port=0, speed=speed, race=race, config=config) as emu:
        replay = Replay(trace, emu, speed, stepped)
        await replay.run()
    return replay
