"""Shared state of the emulated Asterisk and the event factory every role module uses."""

from __future__ import annotations

import contextlib
import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cti.emulator.apps import AppRegistry, Audience
from cti.emulator.clock import Callback, Scheduler, TimerHandle
from cti.emulator.dialplan import Dialplan
from cti.emulator.model import Bridge, Channel, Json, LiveRecording, Playback, PlayedMedia
from cti.emulator.validation import SpecValidator

Q850_TEXT = {
    0: "Unknown",
    1: "Unallocated (unassigned) number",
    16: "Normal Clearing",
    17: "User busy",
    18: "No user responding",
    19: "User alerting, no answer",
    20: "Subscriber absent",
    21: "Call Rejected",
    27: "Destination out of order",
    34: "Circuit/channel congestion",
    38: "Network out of order",
}

SOFT_EXPLICIT = 32  # AST_SOFTHANGUP_EXPLICIT: ARI DELETE /channels/{id}
SOFT_DEV = 16  # the other Local half tearing down (gotcha 7)


@dataclass
class LabConfig:
    """Identity of the emulated server, as reported by /asterisk/info and every event."""

    system_name: str = "hotline-lab"
    entity_id: str = "02:fc:00:00:00:01"
    version: str = "22.10.1"
    users: dict[str, tuple[str, bool]] = field(
        default_factory=lambda: {"hotline": ("secret", False), "viewer": ("viewer", True)}
    )
    # Debug option: the compact ARI spec (cti/ari/apispec.json) or a directory of api-docs JSON;
    # every event and REST body is then checked and
    # problems are collected in `Asterisk.spec_errors` (never raised: the call flow goes on).
    api_docs: str | None = None
    # How many of the latest emitted events `Asterisk.emitted` keeps for debugging and tests: a
    # window, not a history, so a demo that runs for days keeps a flat memory.
    event_log_size: int = 1000
    # Languages in which the project's prompt set (cti.sounds, `hotline sounds install`) is
    # installed; () emulates a stock Asterisk with only its core English sounds.
    prompt_languages: tuple[str, ...] = ("zh", "en", "ko")
    # Files taken out of that set, as "<lang>/<sound id>" (``ko/hotline/goodbye``): a site where
    # one recording is missing in one language, which `hotline config check-sounds` must name.
    absent_sounds: tuple[str, ...] = ()


class CoreState:
    """Everything the role mixins share: objects by id, counters, scheduler, app registry."""

    def __init__(self, scheduler: Scheduler, config: LabConfig | None = None) -> None:
        self.scheduler = scheduler
        self.config = config or LabConfig()
        self.apps = AppRegistry(scheduler, self.config.entity_id)
        self.dialplan = Dialplan()
        self.channels: dict[str, Channel] = {}
        self.bridges: dict[str, Bridge] = {}
        self.playbacks: dict[str, Playback] = {}
        self.playback_queues: dict[str, list[str]] = {}  # target uri -> playback ids, head plays
        self.live_recordings: dict[str, LiveRecording] = {}
        self.stored_recordings: dict[str, str] = {}
        self.stored_durations: dict[str, int] = {}  # seconds, for the audio file read back
        self.device_states: dict[str, str] = {}
        self.global_vars: dict[str, str] = {}
        self.startup_time = scheduler.now()
        self._seq = itertools.count()
        self._local_counter = itertools.count()
        self._snoop_counter = itertools.count()
        # Timers owned by the server rather than a channel; each leaves the list when it fires.
        self.server_timers: list[TimerHandle] = []
        # (type, fields) of the latest events, for debugging and tests (bounded: see LabConfig).
        self.emitted: deque[tuple[str, Json]] = deque(maxlen=self.config.event_log_size)
        # Every media started on a channel or bridge, with the file's language: what callers
        # heard (``GET /_emulator/played``). Bounded like ``emitted``; ``seq`` keeps counting,
        # so a reader asks for what came after the last entry it saw.
        self.played: deque[PlayedMedia] = deque(maxlen=self.config.event_log_size)
        self._played_seq = itertools.count(1)
        self.validator: SpecValidator | None = None
        self.spec_errors: list[str] = []
        if self.config.api_docs:
            self.validator = SpecValidator.from_path(Path(self.config.api_docs))
        # Scripted taxpayers, by the id of the channel they listen on: an event reaches only the
        # taxpayers it concerns (a list of every live one made each event cost O(live calls)).
        self.observers: dict[str, Callable[[str, Json], None]] = {}

    # ------------------------------------------------------------------ ids and names
    def new_channel_id(self) -> str:
        unique = f"{int(self.scheduler.now())}.{next(self._seq)}"
        # Plain `<epoch>.<seq>` when no systemname is configured, as Asterisk does.
        return f"{self.config.system_name}-{unique}" if self.config.system_name else unique

    def new_local_suffix(self) -> str:
        return f"{next(self._local_counter):08x}"

    def new_snoop_suffix(self) -> str:
        return f"{next(self._snoop_counter):08x}"

    def later(self, channel: Channel | None, delay_s: float, step: Callback) -> None:
        """A timer owned by a channel (cancelled when it goes) or by the server."""
        owner = channel.timers if channel is not None else self.server_timers

        def fire() -> None:
            # A fired timer is forgotten at once: over a long run the lists would otherwise keep
            # every timer (and the closure it holds) that was ever set.
            with contextlib.suppress(ValueError):
                owner.remove(handle)
            step()

        handle = self.scheduler.call_later(delay_s, fire)
        owner.append(handle)

    # ------------------------------------------------------------------ event factory
    def emit(self, event_type: str, fields: Json, audience: Audience) -> None:
        if self.validator is not None:
            sample = self.apps.envelope(event_type, fields, "validation")
            self.spec_errors += self.validator.event_errors(sample)
        self.emitted.append((event_type, fields))
        if self.observers:
            self._notify_observers(event_type, fields, audience)
        self.apps.publish(event_type, fields, audience)

    def _notify_observers(self, event_type: str, fields: Json, audience: Audience) -> None:
        concerned = dict.fromkeys(audience.channel_ids)
        for bridge_id in audience.bridge_ids:
            bridge = self.bridges.get(bridge_id)
            if bridge is not None:
                concerned.update(dict.fromkeys(bridge.channel_ids))
        for channel_id in concerned:
            observer = self.observers.get(channel_id)
            if observer is not None:
                observer(event_type, fields)

    def emit_channel(self, event_type: str, channel: Channel, **extra: Any) -> None:
        fields: Json = dict(extra)
        fields["channel"] = channel.to_json()
        audience = Audience(channel_ids=(channel.id,))
        self.emit(event_type, fields, audience)

    def emit_varset(self, channel: Channel, variable: str, value: str) -> None:
        channel.variables[variable] = value
        fields: Json = {"variable": variable, "value": value, "channel": channel.to_json()}
        self.emit("ChannelVarset", fields, Audience(channel_ids=(channel.id,)))

    def emit_hangup_request(self, channel: Channel, cause: int, soft: bool) -> None:
        extra: Json = {"cause": cause}
        if soft:
            extra["soft"] = True
        self.emit_channel("ChannelHangupRequest", channel, **extra)

    def emit_caller_id(self, channel: Channel) -> None:
        self.emit_channel(
            "ChannelCallerId",
            channel,
            caller_presentation=0,
            caller_presentation_txt="Presentation Allowed, Not Screened",
        )

    def emit_dial(self, peer: Channel, dialstatus: str) -> None:
        dialstring = peer.dial_dialstring
        if peer.dial_string_once:  # /channels/{id}/dial reports the dial string only once
            peer.dial_dialstring = ""
        fields: Json = {
            "dialstatus": dialstatus,
            "forward": "",
            "dialstring": dialstring,
            "peer": peer.to_json(),
        }
        self.emit("Dial", fields, Audience(channel_ids=(peer.id,)))

    def emit_device_state(self, name: str, state: str) -> None:
        fields: Json = {"device_state": {"name": name, "state": state}}
        self.emit("DeviceStateChanged", fields, Audience(device_name=name))

    def log_played(
        self,
        target_uri: str,
        media_uri: str,
        language: str,
        resolved: str | None,
        *,
        failed: bool,
        playback_id: str | None,
    ) -> None:
        kind, _, target_id = target_uri.partition(":")
        if kind == "bridge":
            bridge = self.bridges.get(target_id)
            channel_ids = tuple(bridge.channel_ids) if bridge is not None else ()
        else:
            channel_ids = (target_id,)
        callers = tuple(
            channel.caller.number
            for channel in (self.channels.get(c) for c in channel_ids)
            if channel is not None
        )
        self.played.append(
            PlayedMedia(
                seq=next(self._played_seq),
                at=self.scheduler.now(),
                playback_id=playback_id,
                target_uri=target_uri,
                channel_ids=channel_ids,
                callers=callers,
                media_uri=media_uri,
                language=language,
                resolved=resolved,
                failed=failed,
            )
        )

    def played_media(
        self, *, channel_id: str | None = None, caller: str | None = None, since: int = 0
    ) -> list[PlayedMedia]:
        """The log, oldest first: entries after ``since`` heard by a channel or caller number."""
        return [
            entry
            for entry in self.played
            if entry.seq > since
            and (channel_id is None or channel_id in entry.channel_ids)
            and (caller is None or caller in entry.callers)
        ]

    # ------------------------------------------------------------------ cross-role hooks
    def leave_bridge(self, channel: Channel, reason: str) -> None:
        raise NotImplementedError

    def fail_playbacks_for(self, target_uri: str) -> None:
        raise NotImplementedError

    def stop_recordings_of(self, bridge_id: str) -> None:
        raise NotImplementedError

    def stop_recordings_on_channel(self, channel_id: str) -> None:
        raise NotImplementedError

    def recording_heard_dtmf(self, channel_id: str, digit: str) -> None:
        raise NotImplementedError

    def teardown_single(
        self, channel: Channel, cause: int, *, by_api: bool, hangup_cause: int | None
    ) -> None:
        raise NotImplementedError

    def local_device_changed(self, channel: Channel, state: str) -> None:
        raise NotImplementedError

    def refresh_bridge_peers(self, bridge: Bridge) -> None:
        raise NotImplementedError
