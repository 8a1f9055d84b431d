"""Asterisk objects as the emulator keeps them, and their ARI JSON shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cti.emulator.clock import TimerHandle, format_timestamp

Json = dict[str, Any]

# Channel states seen in the recordings (ARI also defines Rsrved, OffHook, Dialing, Pre-ring).
DOWN, RING, RINGING, UP, BUSY = "Down", "Ring", "Ringing", "Up", "Busy"


@dataclass
class CallerId:
    name: str = ""
    number: str = ""

    def to_json(self) -> Json:
        return {"name": self.name, "number": self.number}

    @property
    def is_empty(self) -> bool:
        return not (self.name or self.number)


@dataclass
class DialplanLocation:
    context: str
    exten: str
    priority: int = 1
    app_name: str = ""
    app_data: str = ""

    def to_json(self) -> Json:
        return {
            "context": self.context,
            "exten": self.exten,
            "priority": self.priority,
            "app_name": self.app_name,
            "app_data": self.app_data,
        }


@dataclass
class Channel:
    id: str
    name: str
    state: str
    caller: CallerId
    connected: CallerId
    dialplan: DialplanLocation
    creationtime: float
    language: str = "en"
    variables: dict[str, str] = field(default_factory=dict)
    # Local pairs: `;1` and `;2` point at each other.
    peer: Channel | None = None
    # Stasis membership: the app the channel is in and whether it arrived by originate/create
    # (then the app stays subscribed until ChannelDestroyed, see README gotcha 5).
    stasis_app: str | None = None
    stasis_args: list[str] = field(default_factory=list)
    stasis_on_answer: tuple[str, list[str]] | None = None
    bridge_id: str | None = None
    dialing: bool = False  # a Dial is in progress with this channel as the peer
    dial_dialstring: str = ""
    dial_string_once: bool = False
    in_dialplan: bool = False  # a dialplan program runs on it (Local ;2, the lab phone)
    program_epoch: int = 0
    variables_inherited: bool = False
    originate_after_answer: tuple[str, str] | None = None  # (context, exten) for ;1
    created_not_dialled: bool = False
    sticky_app: str | None = None  # originated/created into this app: followed until destroyed
    answered: bool = False
    idle_app: tuple[str, str] = ("", "")  # dialplan app of a `;1` outside Stasis
    settled: bool = False  # a Local `;2` past its post-answer settling step
    after_answer_program: Any = None  # a dialplan.ProgramFactory run on `;1` once answered
    hangup_cause: int | None = None
    destroyed: bool = False
    timers: list[TimerHandle] = field(default_factory=list)
    on_hold: bool = False
    moh_class: str | None = None
    muted: set[str] = field(default_factory=set)
    # Which special role the channel plays: "local1", "local2", "pjsip", "snoop", "helper".
    kind: str = "local1"
    device_name: str | None = None
    spied_id: str | None = None  # a snoop: the channel it listens to (it dies with it)

    def to_json(self) -> Json:
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "protocol_id": "",
            "caller": self.caller.to_json(),
            "connected": self.connected.to_json(),
            "accountcode": "",
            "dialplan": self.dialplan.to_json(),
            "creationtime": format_timestamp(self.creationtime),
            "language": self.language,
        }

    def cancel_timers(self) -> None:
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()


@dataclass
class Bridge:
    id: str
    bridge_type: str  # "mixing" | "holding"
    name: str
    creationtime: float
    channel_ids: list[str] = field(default_factory=list)
    moh_helper: str | None = None  # name of the Announcer/ARI_MOH channel while bridge MOH plays
    announcer_busy: bool = False  # a holding bridge has one announcer slot (MOH or a playback)
    recorder: str | None = None  # name of the Recorder/ARI channel while recording

    @property
    def technology(self) -> str:
        return "holding_bridge" if self.bridge_type == "holding" else "simple_bridge"

    def to_json(self) -> Json:
        return {
            "id": self.id,
            "technology": self.technology,
            "bridge_type": self.bridge_type,
            "bridge_class": "stasis",
            "creator": "Stasis",
            "name": self.name,
            "channels": sorted(self.channel_ids),  # Asterisk lists members in hash order
            "creationtime": format_timestamp(self.creationtime),
            "video_mode": "talker",
        }


@dataclass
class Playback:
    id: str
    media: list[str]
    target_uri: str
    language: str = "en"
    state: str = "queued"
    index: int = 0
    timer: TimerHandle | None = None
    remaining_s: float | None = None
    started_at: float = 0.0

    @property
    def target_kind(self) -> str:
        return self.target_uri.split(":", 1)[0]

    @property
    def target_id(self) -> str:
        return self.target_uri.split(":", 1)[1]

    def to_json(self) -> Json:
        body: Json = {"id": self.id, "media_uri": self.media[self.index]}
        if self.index + 1 < len(self.media) and self.state in ("queued", "playing", "continuing"):
            body["next_media_uri"] = self.media[self.index + 1]
        body.update({"target_uri": self.target_uri, "language": self.language})
        body["state"] = self.state
        return body


@dataclass(frozen=True)
class PlayedMedia:
    """One media the server started playing (or could not): what a test reads to know what a
    caller heard. ``language`` is the one asked for (the playback's ``lang``, else the channel's);
    ``resolved`` the language directory of the file that played after Asterisk's search
    (``catalogue.language_search``), None for a sound no directory has (``failed``) and for
    media that are not sounds."""

    seq: int
    at: float
    playback_id: str | None  # None: a sound the server plays on its own (the recording's beep)
    target_uri: str
    channel_ids: tuple[str, ...]  # who heard it: the channel, or the bridge's members then
    callers: tuple[str, ...]  # their caller numbers, so that a test can find a taxpayer's line
    media_uri: str
    language: str
    resolved: str | None
    failed: bool

    def to_json(self) -> Json:
        scheme, _, name = self.media_uri.partition(":")
        played_file = (
            f"sounds/{self.resolved}/{name}"
            if scheme == "sound" and self.resolved is not None
            else None
        )
        return {
            "seq": self.seq,
            "timestamp": format_timestamp(self.at),
            "playback_id": self.playback_id,
            "target_uri": self.target_uri,
            "channels": list(self.channel_ids),
            "callers": list(self.callers),
            "media_uri": self.media_uri,
            "language": self.language,
            "resolved_language": self.resolved,
            "file": played_file,
            "failed": self.failed,
        }


@dataclass
class LiveRecording:
    name: str
    format: str
    target_uri: str
    state: str = "queued"
    started_at: float = 0.0
    duration: int | None = None
    terminate_on: str = "none"  # channel recordings: the DTMF that ends them

    def to_json(self) -> Json:
        body: Json = {
            "name": self.name,
            "format": self.format,
            "state": self.state,
            "target_uri": self.target_uri,
        }
        if self.duration is not None:
            body["duration"] = self.duration
        return body
