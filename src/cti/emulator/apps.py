"""Stasis applications: registration, websocket attachment, subscriptions and event routing.

This module decides *who* hears an event; the core decides *what* happened.  The rules come from
the recordings (README gotchas 4, 5, 8, 14, 15): a channel that entered Stasis from the dialplan is
followed only until StasisEnd, an originated channel until it is destroyed, a bridge while one of
the app's channels is in it or hung up inside it, and subscribeAll apps hear everything except
other apps' StasisStart/StasisEnd.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from cti.emulator.clock import Scheduler, format_timestamp
from cti.emulator.model import Json


class EventSink(Protocol):
    """One events websocket.  `send` must not block; delivery order is the call order."""

    def send(self, message: Json) -> None: ...


@dataclass
class Application:
    name: str
    sink: EventSink | None = None
    subscribe_all: bool = False
    channels: set[str] = field(default_factory=set)  # followed until StasisEnd or destruction
    explicit_channels: set[str] = field(default_factory=set)
    bridge_members: dict[str, set[str]] = field(default_factory=dict)
    sticky_bridges: set[str] = field(default_factory=set)  # an app channel hung up inside
    explicit_bridges: set[str] = field(default_factory=set)
    device_names: list[str] = field(default_factory=list)

    def follows_channel(self, channel_id: str) -> bool:
        return channel_id in self.channels or channel_id in self.explicit_channels

    def follows_bridge(self, bridge_id: str) -> bool:
        return (
            bool(self.bridge_members.get(bridge_id))
            or bridge_id in self.sticky_bridges
            or bridge_id in self.explicit_bridges
        )

    def bridge_ids(self) -> list[str]:
        ids = {b for b, members in self.bridge_members.items() if members}
        ids |= self.sticky_bridges | self.explicit_bridges
        return sorted(ids)

    def channel_ids(self) -> list[str]:
        return sorted(self.channels | self.explicit_channels)

    @property
    def has_resources(self) -> bool:
        return bool(self.channel_ids() or self.bridge_ids() or self.device_names)

    def to_json(self) -> Json:
        if self.subscribe_all:
            return {
                "name": self.name,
                "channel_ids": ["__AST_CHANNEL_ALL_TOPIC"],
                "bridge_ids": ["__AST_BRIDGE_ALL_TOPIC"],
                "endpoint_ids": ["__AST_ENDPOINT_ALL_TOPIC"],
                "device_names": ["__AST_DEVICE_STATE_ALL_TOPIC"],
                "events_allowed": [],
                "events_disallowed": [],
            }
        return {
            "name": self.name,
            "channel_ids": self.channel_ids(),
            "bridge_ids": self.bridge_ids(),
            "endpoint_ids": [],
            "device_names": list(self.device_names),
            "events_allowed": [],
            "events_disallowed": [],
        }


@dataclass(frozen=True)
class Audience:
    """What an event is about; the registry turns it into recipient apps."""

    channel_ids: tuple[str, ...] = ()
    bridge_ids: tuple[str, ...] = ()
    device_name: str | None = None
    only_app: str | None = None  # StasisStart/StasisEnd/user events: that app alone
    everyone_subscribed_all: bool = True


class AppRegistry:
    def __init__(self, scheduler: Scheduler, asterisk_id: str) -> None:
        self._scheduler = scheduler
        self.asterisk_id = asterisk_id
        self.apps: dict[str, Application] = {}
        self._held = 0
        self._pending: list[tuple[EventSink, Json]] = []
        self.dropped: list[Json] = []  # events an inactive app missed (never replayed)

    # ------------------------------------------------------------------ sockets
    def attach(self, names: Iterable[str], sink: EventSink, subscribe_all: bool) -> None:
        for name in names:
            app = self.apps.get(name)
            if app is None:
                app = self.apps[name] = Application(name)
            if app.sink is not None and app.sink is not sink:
                # The old socket stays open but hears nothing more (gotcha 14).
                self._send(app.sink, self.envelope("ApplicationReplaced", {}, name))
            app.sink = sink
            app.subscribe_all = subscribe_all

    def detach(self, sink: EventSink) -> None:
        for app in list(self.apps.values()):
            if app.sink is sink:
                app.sink = None
                self.collect(app.name)

    def collect(self, name: str) -> None:
        """Destroy an app that has neither a socket nor resources."""
        app = self.apps.get(name)
        if app is not None and app.sink is None and not app.has_resources:
            del self.apps[name]

    def collect_all(self) -> None:
        for name in list(self.apps):
            self.collect(name)

    def is_active(self, name: str) -> bool:
        app = self.apps.get(name)
        return app is not None and app.sink is not None

    # ------------------------------------------------------------------ subscriptions
    def follow_channel(self, app_name: str, channel_id: str) -> None:
        app = self.apps.get(app_name)
        if app is not None:
            app.channels.add(channel_id)

    def unfollow_channel(self, app_name: str, channel_id: str) -> None:
        app = self.apps.get(app_name)
        if app is not None:
            app.channels.discard(channel_id)

    def forget_channel(self, channel_id: str) -> None:
        for app in self.apps.values():
            app.channels.discard(channel_id)
            app.explicit_channels.discard(channel_id)
            for members in app.bridge_members.values():
                members.discard(channel_id)
        self.collect_all()

    def channel_entered(self, channel_id: str, bridge_id: str) -> None:
        for app in self.apps.values():
            if app.follows_channel(channel_id):
                app.bridge_members.setdefault(bridge_id, set()).add(channel_id)

    def channel_left(self, channel_id: str, bridge_id: str, hung_up: bool) -> None:
        for app in self.apps.values():
            members = app.bridge_members.get(bridge_id)
            if members and channel_id in members:
                members.discard(channel_id)
                if hung_up:
                    app.sticky_bridges.add(bridge_id)
        self.collect_all()

    def forget_bridge(self, bridge_id: str) -> None:
        for app in self.apps.values():
            app.bridge_members.pop(bridge_id, None)
            app.sticky_bridges.discard(bridge_id)
            app.explicit_bridges.discard(bridge_id)
        self.collect_all()

    # ------------------------------------------------------------------ delivery
    def envelope(self, event_type: str, fields: Json, app_name: str) -> Json:
        message: Json = {"type": event_type, "timestamp": format_timestamp(self._scheduler.now())}
        message.update(fields)
        message["asterisk_id"] = self.asterisk_id
        message["application"] = app_name
        return message

    def recipients(self, audience: Audience) -> list[Application]:
        chosen: list[Application] = []
        for app in self.apps.values():
            if audience.only_app is not None:
                if app.name == audience.only_app:
                    chosen.append(app)
                continue
            if (
                (app.subscribe_all and audience.everyone_subscribed_all)
                or any(app.follows_channel(c) for c in audience.channel_ids)
                or any(app.follows_bridge(b) for b in audience.bridge_ids)
                or (audience.device_name is not None and audience.device_name in app.device_names)
            ):
                chosen.append(app)
        return chosen

    def publish(self, event_type: str, fields: Json, audience: Audience) -> None:
        for app in self.recipients(audience):
            message = self.envelope(event_type, fields, app.name)
            if app.sink is None:
                self.dropped.append(message)  # "Inactive Stasis app missed message"
            else:
                self._send(app.sink, message)

    def _send(self, sink: EventSink, message: Json) -> None:
        if self._held:
            self._pending.append((sink, message))
        else:
            sink.send(message)

    def hold(self) -> None:
        """Buffer outgoing events (the HTTP response of the current request goes first)."""
        self._held += 1

    def release(self) -> None:
        self._held = max(0, self._held - 1)
        if self._held == 0:
            pending, self._pending = self._pending, []
            for sink, message in pending:
                sink.send(message)
