"""Bridges: mixing and holding, membership moves, BRIDGEPEER noise and bridge MOH."""

from __future__ import annotations

import uuid

from cti.emulator.apps import Audience
from cti.emulator.errors import AriError, not_found
from cti.emulator.model import Bridge, CallerId, Channel, Json
from cti.emulator.state import CoreState

_BRIDGE_TYPES = {"mixing", "holding", "dtmf_events", "proxy_media", "video_sfu", "video_single"}


class BridgeOps(CoreState):
    def bridge(self, bridge_id: str) -> Bridge:
        bridge = self.bridges.get(bridge_id)
        if bridge is None:
            raise not_found("Bridge")
        return bridge

    def create_bridge(self, params: dict[str, str], bridge_id: str | None = None) -> Json:
        wanted = bridge_id or params.get("bridgeId") or None
        kinds = [k for k in (params.get("type") or "mixing").split(",") if k]
        if not kinds or any(k not in _BRIDGE_TYPES for k in kinds):
            raise AriError(
                500, f"Unable to create bridge. Possible duplicate bridge id '{wanted or '(null)'}'"
            )
        if wanted is not None and wanted in self.bridges:
            raise AriError(409, f"Bridge with id '{wanted}' already exists")
        bridge = Bridge(
            id=wanted or str(uuid.uuid4()),
            bridge_type="holding" if "holding" in kinds else "mixing",
            name=params.get("name") or "",
            creationtime=self.scheduler.now(),
        )
        self.bridges[bridge.id] = bridge
        self.emit("BridgeCreated", {"bridge": bridge.to_json()}, Audience(bridge_ids=(bridge.id,)))
        return bridge.to_json()

    def _members(self, bridge: Bridge) -> list[Channel]:
        return [self.channels[c] for c in bridge.channel_ids if c in self.channels]

    def _bridge_peers(self, bridge: Bridge, channel: Channel) -> str:
        helpers = [h for h in (bridge.recorder, bridge.moh_helper) if h]
        others = [m.name for m in self._members(bridge) if m.id != channel.id]
        return ",".join(helpers + others)

    def _membership_event(self, event_type: str, channel: Channel, bridge: Bridge) -> None:
        self.emit(
            event_type,
            {"bridge": bridge.to_json(), "channel": channel.to_json()},
            Audience(channel_ids=(channel.id,), bridge_ids=(bridge.id,)),
        )

    def refresh_bridge_peers(self, bridge: Bridge) -> None:
        """BRIDGEPEER noise on every member (mixing bridges only), e.g. when a recorder joins."""
        if bridge.bridge_type != "mixing":
            return
        for member in self._members(bridge):
            self.emit_varset(member, "BRIDGEPEER", self._bridge_peers(bridge, member))

    def add_channels(self, bridge_id: str, channel_ids: list[str]) -> None:
        bridge = self.bridge(bridge_id)
        if not channel_ids:
            raise AriError(400, "Missing parameter channel")
        members: list[Channel] = []
        for channel_id in channel_ids:
            channel = self.channels.get(channel_id)
            if channel is None or channel.destroyed:
                raise AriError(400, "Channel not found")
            if channel.stasis_app is None:
                raise AriError(422, "Channel not in Stasis application")
            members.append(channel)
        for channel in members:
            if channel.bridge_id == bridge.id:
                continue
            if channel.bridge_id is not None:
                self.leave_bridge(channel, "moved")
            self._enter(bridge, channel)

    def _enter(self, bridge: Bridge, channel: Channel) -> None:
        bridge.channel_ids.append(channel.id)
        channel.bridge_id = bridge.id
        self.apps.channel_entered(channel.id, bridge.id)
        self._membership_event("ChannelEnteredBridge", channel, bridge)
        if bridge.bridge_type != "mixing":
            return
        others = [m for m in self._members(bridge) if m.id != channel.id]
        if not others and not bridge.moh_helper and not bridge.recorder:
            return
        for other in others:
            self.emit_varset(other, "BRIDGEPEER", self._bridge_peers(bridge, other))
        self.emit_varset(channel, "BRIDGEPEER", self._bridge_peers(bridge, channel))
        if len(others) == 1:
            # Two parties: each side's connected line becomes the other's caller id.
            other = others[0]
            channel.connected = CallerId(other.caller.name, other.caller.number)
            other.connected = CallerId(channel.caller.name, channel.caller.number)
        self.emit_channel("ChannelConnectedLine", channel)
        for other in others:
            self.emit_channel("ChannelConnectedLine", other)
        for member in (channel, *others):
            far = member.peer
            if member.kind == "local1" and far is not None and far.settled and not far.destroyed:
                # The new connected line crosses the Local pair and becomes `;2`'s caller id.
                far.caller = CallerId(member.connected.name, member.connected.number)
                self.emit_caller_id(far)

    def leave_bridge(self, channel: Channel, reason: str) -> None:
        """`reason`: hangup | removed | moved | destroyed (only a hang-up keeps BridgeDestroyed)."""
        bridge = self.bridges.get(channel.bridge_id or "")
        channel.bridge_id = None
        if bridge is None or channel.id not in bridge.channel_ids:
            return
        bridge.channel_ids.remove(channel.id)
        if channel.variables.get("BRIDGEPEER") and reason in ("hangup", "moved"):
            self.emit_varset(channel, "BRIDGEPEER", "")
        self._membership_event("ChannelLeftBridge", channel, bridge)
        self.apps.channel_left(channel.id, bridge.id, hung_up=reason == "hangup")
        if not bridge.channel_ids:
            # Bridge MOH stops by itself when the last participant leaves (gotcha 10).
            bridge.moh_helper = None
            bridge.announcer_busy = False

    def remove_channels(self, bridge_id: str, channel_ids: list[str]) -> None:
        bridge = self.bridge(bridge_id)
        if not channel_ids:
            raise AriError(400, "Missing parameter channel")
        for channel_id in channel_ids:
            channel = self.channels.get(channel_id)
            if channel is None or channel.destroyed:
                raise AriError(400, "Channel not found")
            if channel.bridge_id != bridge.id:
                raise AriError(422, "Channel not in this bridge")
        for channel_id in channel_ids:
            self.leave_bridge(self.channels[channel_id], "removed")

    def destroy_bridge(self, bridge_id: str) -> None:
        bridge = self.bridge(bridge_id)
        # The recording ends first, while the app still follows the bridge through its members,
        # so that it hears RecordingFinished (a guess: no trace destroys a recorded bridge).
        self.stop_recordings_of(bridge.id)
        for channel in self._members(bridge):
            self.leave_bridge(channel, "destroyed")
        self.fail_playbacks_for(f"bridge:{bridge.id}")
        del self.bridges[bridge.id]
        self.emit(
            "BridgeDestroyed", {"bridge": bridge.to_json()}, Audience(bridge_ids=(bridge.id,))
        )
        self.apps.forget_bridge(bridge.id)

    def start_bridge_moh(self, bridge_id: str) -> None:
        bridge = self.bridge(bridge_id)
        if bridge.moh_helper is not None:
            return
        # The announcer is a real channel pair inside Asterisk: it uses ids and a name counter.
        self.new_channel_id()
        self.new_channel_id()
        bridge.moh_helper = f"Announcer/ARI_MOH-{self.new_local_suffix()};2"
        bridge.announcer_busy = True
        if bridge.bridge_type == "mixing":
            members = self._members(bridge)
            for member in members:
                self.emit_varset(member, "BRIDGEPEER", self._bridge_peers(bridge, member))
            for member in members:
                self.emit_channel("ChannelConnectedLine", member)

    def stop_bridge_moh(self, bridge_id: str) -> None:
        bridge = self.bridge(bridge_id)
        if bridge.moh_helper is None:
            raise AriError(409, "Bridge isn't playing music")
        bridge.moh_helper = None
        bridge.announcer_busy = False

    def list_bridges(self) -> list[Json]:
        return [b.to_json() for b in self.bridges.values()]
