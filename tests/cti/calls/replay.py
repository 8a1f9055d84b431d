"""Replay a real Asterisk recording into the controller (event mapping + state machine).

The recordings were made by a scripted CTI whose ids differ from the ones our controller
chooses. The fake ARI below binds them as the controller asks: the n-th originate the controller
sends is the n-th agent leg the recording originated (with its real outcome: a channel, or the
400/500 Asterisk answered), and the n-th channel playback the controller starts is the n-th one
recorded. Events are then fed in their recorded order with the recorded ids replaced by ours, and
the controller is drained after each one, as if Asterisk had answered at once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cti.ari.events import parse_event
from cti.ari.models import Bridge, Channel, Playback, Variable
from cti.calls.controller import ControllerOptions, SiteCallController
from cti.errors import AriNotFoundError, http_error
from tests.cti.ari.ari_traces import load_trace
from tests.cti.calls.emulated import RecordingDirector

SITE = "lab"


@dataclass
class _Originated:
    trace_id: str | None  # None: Asterisk refused the originate
    status: int
    body: Any


def _originates(trace: Sequence[dict[str, Any]]) -> list[_Originated]:
    found: list[_Originated] = []
    for index, line in enumerate(trace):
        is_agent_originate = (
            line["dir"] == "request"
            and line["method"] == "POST"
            and line["path"] == "/ari/channels"
            and (line.get("query") or {}).get("app") == "hotline"
        )
        if not is_agent_originate:
            continue
        response = next(
            later
            for later in trace[index + 1 :]
            if later["dir"] == "response"
            and later["method"] == "POST"
            and later["path"] == "/ari/channels"
        )
        body = response["body"]
        ok = response["status"] == 200
        found.append(_Originated(body["id"] if ok else None, response["status"], body))
    return found


def _channel_playbacks(trace: Sequence[dict[str, Any]]) -> list[str]:
    return [
        line["query"]["playbackId"]
        for line in trace
        if line["dir"] == "request"
        and line["method"] == "POST"
        and line["path"].startswith("/ari/channels/")
        and line["path"].endswith("/play")
    ]


@dataclass
class ReplayAri:
    """Implements the controller's ARI port from a recording; records every request."""

    trace: Sequence[dict[str, Any]]
    app: str = "hotline"
    requests: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)  # recorded id -> our id
    # Channel variables set through this port, as Asterisk would keep them: (channel, name).
    variables: dict[tuple[str, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._originates = deque(_originates(self.trace))
        self._playbacks = deque(_channel_playbacks(self.trace))

    def _log(self, name: str, *args: Any) -> None:
        self.requests.append((name, args))

    async def answer(self, channel_id: str) -> None:
        self._log("answer", channel_id)

    async def play_on_channel(
        self,
        channel_id: str,
        media: str | Sequence[str],
        *,
        playback_id: str | None = None,
        lang: str | None = None,
    ) -> Playback:
        self._log("play", channel_id, playback_id)
        if not self._playbacks or playback_id is None:
            # The recorded CTI played nothing more: as if the sound file were missing.
            raise AriNotFoundError(404, "Playback not recorded", "POST", "/ari/channels/x/play")
        self.ids[self._playbacks.popleft()] = playback_id
        return Playback(id=playback_id, media_uri="sound:x", state="queued", target_uri="x")

    async def stop_playback(self, playback_id: str) -> None:
        self._log("stop_playback", playback_id)

    async def start_bridge_moh(self, bridge_id: str, moh_class: str | None = None) -> None:
        self._log("start_bridge_moh", bridge_id)

    async def stop_bridge_moh(self, bridge_id: str) -> None:
        self._log("stop_bridge_moh", bridge_id)

    async def start_channel_moh(self, channel_id: str, moh_class: str | None = None) -> None:
        self._log("start_channel_moh", channel_id)

    async def stop_channel_moh(self, channel_id: str) -> None:
        self._log("stop_channel_moh", channel_id)

    async def hold(self, channel_id: str) -> None:
        self._log("hold", channel_id)

    async def unhold(self, channel_id: str) -> None:
        self._log("unhold", channel_id)

    async def create_bridge(
        self, bridge_type: str | Sequence[str] = "mixing", *, bridge_id: str | None = None
    ) -> Bridge:
        self._log("create_bridge", bridge_id)
        return Bridge.model_validate(
            {
                "id": bridge_id or "b",
                "technology": "simple_bridge",
                "bridge_type": "mixing",
                "bridge_class": "stasis",
                "creator": "Stasis",
                "name": "",
                "channels": [],
                "creationtime": "2026-11-22T05:32:06.878+0000",
            }
        )

    async def destroy_bridge(self, bridge_id: str) -> None:
        self._log("destroy_bridge", bridge_id)

    async def add_channel(self, bridge_id: str, channel: str | Sequence[str]) -> None:
        self._log("add_channel", bridge_id, channel)

    async def set_channel_variable(
        self, channel_id: str, variable: str, value: str | None = None
    ) -> None:
        self._log("set_variable", channel_id, variable, value)
        self.variables[(channel_id, variable)] = value or ""

    async def get_channel_variable(self, channel_id: str, variable: str) -> Variable:
        self._log("get_variable", channel_id, variable)
        found = self.variables.get((channel_id, variable))
        if found is None:
            path = f"/ari/channels/{channel_id}/variable"
            raise AriNotFoundError(404, "Provided variable was not found", "GET", path)
        return Variable(value=found)

    async def remove_channel(self, bridge_id: str, channel: str | Sequence[str]) -> None:
        self._log("remove_channel", bridge_id, channel)

    async def originate(
        self,
        endpoint: str,
        *,
        channel_id: str | None = None,
        app: str | None = None,
        app_args: str | Sequence[str] | None = None,
        caller_id: str | None = None,
        timeout: int | None = None,
    ) -> Channel:
        self._log("originate", endpoint, channel_id)
        if not self._originates:
            raise http_error(500, "Allocation failed", "POST", "/ari/channels")
        recorded = self._originates.popleft()
        if recorded.trace_id is None:
            message = recorded.body.get("error") or recorded.body.get("message")
            raise http_error(recorded.status, str(message), "POST", "/ari/channels")
        assert channel_id is not None
        self.ids[recorded.trace_id] = channel_id
        return Channel.model_validate({**recorded.body, "id": channel_id})

    async def get_channel(self, channel_id: str) -> Channel:
        raise AriNotFoundError(404, "Channel not found", "GET", f"/ari/channels/{channel_id}")

    async def hangup(self, channel_id: str, *, reason: str | None = None) -> None:
        self._log("hangup", channel_id)

    async def list_channels(self) -> list[Channel]:
        return []

    async def list_bridges(self) -> list[Bridge]:
        return []

    def translate(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.ids.get(value, value)
        if isinstance(value, list):
            return [self.translate(item) for item in value]
        if isinstance(value, dict):
            return {key: self.translate(item) for key, item in value.items()}
        return value


async def replay(name: str, director: RecordingDirector) -> tuple[ReplayAri, SiteCallController]:
    """Feed every recorded event of trace ``name`` to a fresh controller."""
    trace = load_trace(name)
    ari = ReplayAri(trace)
    controller = SiteCallController(SITE, ari, director, options=ControllerOptions())
    director.control = controller
    try:
        for line in trace:
            if line["dir"] != "event":
                continue
            raw = {key: value for key, value in line.items() if key not in ("dir", "t", "conn")}
            await controller.handle_event(SITE, parse_event(ari.translate(raw)))
            await controller.drain()
    finally:
        await controller.close()
    return ari, controller
