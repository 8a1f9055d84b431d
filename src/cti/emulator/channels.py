"""Channels: originate/create/dial, Local pairs, Stasis entry and exit, answer and hang-up.

The hang-up sequences reproduce the recordings event for event (README gotchas 4-7): which half
gets a Q.850 cause and which a soft-hangup flag, when Dial reports NOANSWER, and in which order
StasisEnd, STASISSTATUS and ChannelDestroyed arrive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cti.emulator.apps import Audience
from cti.emulator.dialplan import DTMF_FIRST_S, DTMF_SPACING_S, FOREVER, ProgramFactory
from cti.emulator.errors import AriError, not_found, not_in_stasis
from cti.emulator.model import (
    BUSY,
    DOWN,
    RING,
    RINGING,
    UP,
    CallerId,
    Channel,
    DialplanLocation,
    Json,
)
from cti.emulator.state import Q850_TEXT, SOFT_DEV, SOFT_EXPLICIT, CoreState

_CALLER_ID = re.compile(r'^\s*(?:"(?P<qname>[^"]*)"|(?P<name>[^<]*?))\s*<(?P<number>[^>]*)>\s*$')


def parse_caller_id(text: str | None) -> CallerId:
    """`"Taxpayer" <13800138000>`, `Name <num>` or a bare number, as Asterisk parses callerId."""
    if not text:
        return CallerId()
    match = _CALLER_ID.match(text)
    if match is None:
        return CallerId("", text.strip())
    name = match.group("qname") if match.group("qname") is not None else match.group("name")
    return CallerId(name or "", match.group("number").strip())


_DIRECTIONS = ("none", "both", "out", "in")
"""What ``spy`` and ``whisper`` of a snoop accept."""


@dataclass(frozen=True)
class Endpoint:
    technology: str
    resource: str

    @property
    def exten(self) -> str:
        return self.resource.split("@", 1)[0]

    @property
    def context(self) -> str:
        parts = self.resource.split("/", 1)[0].split("@", 1)
        return parts[1] if len(parts) == 2 else "default"


def parse_endpoint(text: str | None) -> Endpoint:
    if not text:
        raise AriError(400, "Endpoint must be specified")
    if "/" not in text:
        raise AriError(400, "Invalid endpoint specified")
    technology, resource = text.split("/", 1)
    if not technology or not resource:
        raise AriError(400, "Invalid endpoint specified")
    return Endpoint(technology, resource)


class ChannelLine:
    """`dialplan.Line` for a channel running a program (Local `;2`, lab phone, PJSIP device)."""

    def __init__(self, core: ChannelOps, channel: Channel, context: str, exten: str) -> None:
        self._core = core
        self._channel = channel
        self._context = context
        self._exten = exten
        self._priority = 0

    @property
    def exten(self) -> str:
        return self._exten

    @property
    def channel_id(self) -> str:
        """The channel this line runs on (a person's phone watches it for the hang-up)."""
        return self._channel.id

    @property
    def context(self) -> str:
        return self._context

    @property
    def caller_name(self) -> str:
        return self._channel.caller.name

    @property
    def caller_number(self) -> str:
        return self._channel.caller.number

    def app(self, name: str, data: str = "", priority: int | None = None) -> None:
        self._priority = priority if priority is not None else self._priority + 1
        if self._channel.kind == "pjsip":
            return  # a real phone runs no dialplan; only Local halves report ChannelDialplan
        self._channel.dialplan = DialplanLocation(
            self._context, self._exten, self._priority, name, data
        )
        self._core.emit_channel(
            "ChannelDialplan", self._channel, dialplan_app=name, dialplan_app_data=data
        )

    def var(self, name: str, default: str = "") -> str:
        return self._channel.variables.get(name) or default

    def global_var(self, name: str) -> str:
        return self._core.global_vars.get(name, "")

    def set_global(self, name: str, value: str) -> None:
        self._core.global_vars[name] = value

    def ringing(self) -> None:
        self._core.device_ringing(self._channel)

    def answer(self) -> None:
        self._core.device_answer(self._channel)

    def busy(self) -> None:
        self._core.device_refuses(self._channel, 17, "BUSY")

    def congestion(self) -> None:
        self._core.device_refuses(self._channel, 34, "CONGESTION")

    def hangup(self, cause: int = 16) -> None:
        self._core.device_hangup(self._channel, cause)

    def send_dtmf(self, digits: str) -> float:
        return self._core.send_dtmf_from(self._channel, digits)

    def stasis(self, app: str, args: list[str]) -> bool:
        return self._core.enter_stasis(self._channel, app, args)

    def settle_noise(self) -> None:
        self._channel.settled = True
        near = self._core.dialled_side(self._channel)
        bridge = self._core.bridges.get(near.bridge_id or "")
        if bridge is not None and len(bridge.channel_ids) > 1:
            # Only a connected line learnt from a bridge peer crosses back to `;2`.
            self._channel.caller = CallerId(near.connected.name, near.connected.number)
            self._core.emit_caller_id(self._channel)


class ChannelOps(CoreState):
    """Channel life cycle.  Scripted endpoints are looked up in `self.endpoints`."""

    endpoints: dict[str, ProgramFactory | None]  # None: registered but unreachable

    # ------------------------------------------------------------------ lookup
    def channel(self, channel_id: str) -> Channel:
        channel = self.channels.get(channel_id)
        if channel is None or channel.destroyed:
            raise not_found("Channel")
        return channel

    def stasis_channel(self, channel_id: str) -> Channel:
        channel = self.channel(channel_id)
        if channel.stasis_app is None:
            raise not_in_stasis()
        return channel

    def _claim_id(self, wanted: str | None) -> str:
        if wanted:
            if wanted in self.channels:
                raise AriError(409, "Channel with given unique ID already exists")
            return wanted
        return self.new_channel_id()

    # ------------------------------------------------------------------ creation
    def _new_local_pair(
        self,
        endpoint: Endpoint,
        caller: CallerId,
        variables: dict[str, str],
        ids: tuple[str | None, str | None],
        first_app: tuple[str, str],
    ) -> tuple[Channel, Channel]:
        id1 = self._claim_id(ids[0])
        wanted2 = ids[1]
        if ids[0] and not wanted2:
            # Asterisk (core_unreal) names the second half after the first when the client
            # chose only `channelId`: `<channelId>;2`. Without `channelId` both are generated.
            wanted2 = f"{id1};2"
        id2 = self._claim_id(wanted2)
        if id1 == id2:
            raise AriError(409, "Channel with given unique ID already exists")
        suffix = self.new_local_suffix()
        base = f"Local/{endpoint.resource}-{suffix}"
        now = self.scheduler.now()
        one = Channel(
            id=id1,
            name=f"{base};1",
            state=DOWN,
            caller=CallerId(),
            connected=CallerId(),
            dialplan=DialplanLocation(endpoint.context, endpoint.exten, 1, "", ""),
            creationtime=now,
            variables=dict(variables),
            kind="local1",
            device_name=f"Local/{endpoint.resource}",
            idle_app=first_app,
        )
        two = Channel(
            id=id2,
            name=f"{base};2",
            state=RING,
            caller=CallerId(),
            connected=CallerId(),
            dialplan=DialplanLocation(endpoint.context, endpoint.exten, 1, "", ""),
            creationtime=now,
            variables=dict(variables),
            kind="local2",
            device_name=f"Local/{endpoint.resource}",
        )
        one.peer, two.peer = two, one
        self.channels[one.id] = one
        self.channels[two.id] = two
        # Only subscribeAll apps can hear these: nobody follows the channels yet.
        self.emit_channel("ChannelCreated", one)
        self.emit_channel("ChannelCreated", two)
        # ChannelCreated shows a bare channel; caller id and dialplan arrive as events after it.
        if first_app[0]:
            one.dialplan.app_name, one.dialplan.app_data = first_app
            self.emit_channel(
                "ChannelDialplan", one, dialplan_app=first_app[0], dialplan_app_data=first_app[1]
            )
        for half in (one, two):
            half.caller = CallerId(caller.name, caller.number)
            half.connected = CallerId(caller.name, caller.number)
        if not caller.is_empty:
            self.emit_caller_id(one)
            self.emit_channel("ChannelConnectedLine", one)
        for name, value in variables.items():
            self.emit_varset(one, name, value)
            self.emit_varset(two, name, value)
        self.local_device_changed(one, "INUSE")
        return one, two

    def _new_single(
        self, endpoint: Endpoint, caller: CallerId, variables: dict[str, str], wanted: str | None
    ) -> Channel:
        channel = Channel(
            id=self._claim_id(wanted),
            name=f"{endpoint.technology}/{endpoint.resource}-{self.new_local_suffix()}",
            state=DOWN,
            caller=CallerId(caller.name, caller.number),
            connected=CallerId(caller.name, caller.number),
            dialplan=DialplanLocation("default", "s", 1, "AppDial2", "(Outgoing Line)"),
            creationtime=self.scheduler.now(),
            variables=dict(variables),
            kind="pjsip",
            device_name=f"{endpoint.technology}/{endpoint.resource}",
        )
        self.channels[channel.id] = channel
        self.emit_channel("ChannelCreated", channel)
        for name, value in variables.items():
            self.emit_varset(channel, name, value)
        return channel

    def _scripted(self, endpoint: Endpoint) -> ProgramFactory | None:
        return self.endpoints.get(f"{endpoint.technology}/{endpoint.resource}")

    def originate(self, params: dict[str, str], variables: dict[str, str]) -> Json:
        endpoint = parse_endpoint(params.get("endpoint"))
        app = params.get("app") or None
        if app is None and not params.get("extension"):
            raise AriError(400, "Application or extension must be specified")
        caller = parse_caller_id(params.get("callerId"))
        timeout = float(params.get("timeout") or 30)
        args = [a for a in (params.get("appArgs") or "").split(",") if a] if app else []
        ids = (params.get("channelId"), params.get("otherChannelId"))
        if endpoint.technology == "Local":
            one, two = self._new_local_pair(
                endpoint, caller, variables, ids, ("AppDial2", "(Outgoing Line)")
            )
            if app is not None:
                one.stasis_on_answer = (app, args)
                self.apps.follow_channel(app, one.id)
                self.apps.follow_channel(app, two.id)
                one.sticky_app = app
                two.sticky_app = app
            else:
                one.originate_after_answer = (
                    params.get("context") or "default",
                    params.get("extension") or "s",
                )
            if not caller.is_empty:
                self.emit_caller_id(two)
                self.emit_channel("ChannelConnectedLine", two)
            snapshot = one.to_json()
            one.dialing = True
            one.dial_dialstring = endpoint.resource
            self.scheduler.soon(lambda: self._start_local_far_end(one, endpoint))
            self.later(one, timeout, lambda: self._originate_timeout(one))
            return snapshot
        program = self._scripted(endpoint)
        if program is None:
            # chan_pjsip absent, or a scripted endpoint that is unreachable (no contact).
            raise AriError(500, "Allocation failed", key="error")
        channel = self._new_single(endpoint, caller, variables, ids[0])
        if app is not None:
            channel.stasis_on_answer = (app, args)
            channel.sticky_app = app
            self.apps.follow_channel(app, channel.id)
        snapshot = channel.to_json()
        channel.dialing = True
        channel.dial_dialstring = endpoint.resource
        self.scheduler.soon(lambda: self._start_device(channel, program, endpoint))
        self.later(channel, timeout, lambda: self._originate_timeout(channel))
        return snapshot

    def _start_local_far_end(self, one: Channel, endpoint: Endpoint) -> None:
        two = one.peer
        if two is None or one.destroyed or two.destroyed:
            return
        program = self.dialplan.lookup(endpoint.context, endpoint.exten)
        if program is None:
            # Non-existent extension or context: both halves vanish with cause 0 (gotcha 6).
            one.dialing = False
            self.destroy(two, 0)
            self.destroy(one, 0)
            return
        self.emit_dial(one, "")
        self.run_program(two, program, endpoint.context, endpoint.exten)

    def _start_device(self, channel: Channel, program: ProgramFactory, endpoint: Endpoint) -> None:
        if channel.destroyed:
            return
        self.emit_dial(channel, "")
        self.run_program(channel, program, "default", endpoint.resource)

    def _originate_timeout(self, dialled: Channel) -> None:
        if dialled.destroyed or dialled.answered:
            return
        dialled.dialing = False  # the originate gave up: no final Dial status (gotcha 6)
        if dialled.peer is not None:
            self.teardown_pair(dialled, by_api=False, causes=(19, 19, 19))
        else:
            self.teardown_single(dialled, 19, by_api=False, hangup_cause=19)

    def create(self, params: dict[str, str], variables: dict[str, str]) -> Json:
        endpoint = parse_endpoint(params.get("endpoint"))
        app = params.get("app")
        if not app:
            raise AriError(400, "Missing parameter app")
        args = [a for a in (params.get("appArgs") or "").split(",") if a]
        ids = (params.get("channelId"), params.get("otherChannelId"))
        if endpoint.technology == "Local":
            one, _two = self._new_local_pair(endpoint, CallerId(), variables, ids, ("", ""))
            channel = one
        else:
            if self._scripted(endpoint) is None:
                raise AriError(500, "Allocation failed", key="error")
            channel = self._new_single(endpoint, CallerId(), variables, ids[0])
            channel.dialplan = DialplanLocation("default", endpoint.resource, 1, "", "")
        channel.created_not_dialled = True
        channel.sticky_app = app
        self.apps.follow_channel(app, channel.id)
        snapshot = channel.to_json()
        app_data = ",".join([app, *args])

        def enter() -> None:
            if channel.destroyed:
                return
            channel.dialplan.app_name, channel.dialplan.app_data = "Stasis", app_data
            self.emit_channel(
                "ChannelDialplan", channel, dialplan_app="Stasis", dialplan_app_data=app_data
            )
            self.enter_stasis(channel, app, args)

        self.scheduler.soon(enter)
        return snapshot

    def dial(self, channel_id: str, params: dict[str, str]) -> None:
        channel = self.stasis_channel(channel_id)
        if not channel.created_not_dialled:
            raise AriError(409, "Channel is not in the 'Down' state")
        channel.created_not_dialled = False
        timeout = float(params.get("timeout") or 0)
        endpoint = Endpoint(*channel.name.rsplit("-", 1)[0].split("/", 1))
        channel.dialing = True
        channel.dial_dialstring = endpoint.resource
        channel.dial_string_once = True
        if channel.kind == "local1" and channel.peer is not None:
            one = channel
            self.scheduler.soon(lambda: self._start_local_far_end(one, endpoint))
        else:
            program = self._scripted(endpoint)
            if program is not None:
                device, factory = channel, program
                self.scheduler.soon(lambda: self._start_device(device, factory, endpoint))
        if timeout > 0:
            self.later(channel, timeout, lambda: self._originate_timeout(channel))

    # ------------------------------------------------------------------ programs
    def run_program(
        self, channel: Channel, factory: ProgramFactory, context: str, exten: str
    ) -> None:
        channel.in_dialplan = True
        channel.program_epoch += 1
        epoch = channel.program_epoch
        generator = factory(ChannelLine(self, channel, context, exten))

        def step() -> None:
            if channel.destroyed or channel.program_epoch != epoch:
                return
            try:
                delay = next(generator)
            except StopIteration:
                return
            if delay != FOREVER:
                self.later(channel, delay, step)

        step()

    # ------------------------------------------------------------------ device side
    @staticmethod
    def dialled_side(device: Channel) -> Channel:
        return device.peer if device.kind == "local2" and device.peer is not None else device

    def device_ringing(self, device: Channel) -> None:
        dialled = self.dialled_side(device)
        if dialled.state != RINGING and not dialled.answered:
            dialled.state = RINGING
            self.emit_channel("ChannelStateChange", dialled)
        if dialled.dialing:
            self.emit_dial(dialled, "RINGING")

    def device_answer(self, device: Channel) -> None:
        if device.kind == "local2" and device.state != UP:
            device.state = UP
            self.emit_channel("ChannelStateChange", device)
        self.mark_answered(self.dialled_side(device))

    def mark_answered(self, dialled: Channel) -> None:
        """The dialled side (Local `;1` or a device channel) is up: Dial ANSWER, then its action."""
        if dialled.answered or dialled.destroyed:
            return
        dialled.answered = True
        if dialled.state != UP:
            dialled.state = UP
            self.emit_channel("ChannelStateChange", dialled)
        if dialled.dialing:
            self.emit_dial(dialled, "ANSWER")
            dialled.dialing = False
        self.local_device_changed(dialled, "INUSE")
        if dialled.stasis_on_answer is not None:
            app, args = dialled.stasis_on_answer
            dialled.stasis_on_answer = None
            dialled.dialplan = DialplanLocation(
                dialled.dialplan.context,
                dialled.dialplan.exten,
                1,
                "Stasis",
                ",".join([app, *args]),
            )
            if not self.enter_stasis(dialled, app, args):
                self.api_hangup(dialled, 16)
            self.local_device_changed(dialled, "INUSE")
        elif dialled.after_answer_program is not None:
            factory: ProgramFactory = dialled.after_answer_program
            dialled.after_answer_program = None
            self.run_program(dialled, factory, dialled.dialplan.context, dialled.dialplan.exten)
        elif dialled.originate_after_answer is not None:
            context, exten = dialled.originate_after_answer
            dialled.originate_after_answer = None
            program = self.dialplan.lookup(context, exten)
            if program is not None:
                self.run_program(dialled, program, context, exten)

    def device_refuses(self, device: Channel, cause: int, dialstatus: str) -> None:
        """Busy() / Congestion(): Dial status, then causes as in the recordings."""
        dialled = self.dialled_side(device)
        if device.kind == "local2":
            device.state = BUSY
            self.emit_channel("ChannelStateChange", device)
        if dialled.dialing:
            self.emit_dial(dialled, dialstatus)
            dialled.dialing = False
        if device.kind == "local2":
            # `;1` ends with cause 0 and `;2` with the real cause (gotcha 6 table).
            self.teardown_pair(dialled, by_api=False, causes=(0, 0, cause))
        else:
            self.teardown_single(device, cause, by_api=False, hangup_cause=cause)

    def device_hangup(self, device: Channel, cause: int) -> None:
        if device.destroyed:
            return
        if device.peer is not None:
            self.teardown_pair(device, by_api=False, causes=(cause, cause, cause))
        else:
            self.teardown_single(device, cause, by_api=False, hangup_cause=cause)

    def send_dtmf_from(self, device: Channel, digits: str) -> float:
        receiver = device.peer if device.peer is not None else device
        for index, digit in enumerate(digits):

            def deliver(digit: str = digit) -> None:
                if not receiver.destroyed:
                    self.emit_channel("ChannelDtmfReceived", receiver, digit=digit, duration_ms=100)
                    self.recording_heard_dtmf(receiver.id, digit)

            self.later(device, DTMF_FIRST_S + index * DTMF_SPACING_S, deliver)
        return max(0.1, len(digits) * DTMF_SPACING_S - 0.1)

    # ------------------------------------------------------------------ Stasis
    def enter_stasis(self, channel: Channel, app: str, args: list[str]) -> bool:
        if not self.apps.is_active(app):
            # No websocket: Stasis() fails at once and nobody hears about it (gotcha 14).
            channel.variables["STASISSTATUS"] = "FAILED"
            return False
        channel.variables["STASISSTATUS"] = ""
        self.emit_varset(channel, "STASISSTATUS", "")
        self.apps.follow_channel(app, channel.id)
        channel.stasis_app = app
        channel.stasis_args = list(args)
        self.emit(
            "StasisStart",
            {"args": list(args), "channel": channel.to_json()},
            Audience(channel_ids=(channel.id,), only_app=app),
        )
        return True

    def leave_stasis(self, channel: Channel) -> None:
        app = channel.stasis_app
        if app is None:
            return
        channel.stasis_app = None
        self.emit(
            "StasisEnd",
            {"channel": channel.to_json()},
            Audience(channel_ids=(channel.id,), only_app=app),
        )
        if channel.sticky_app != app:
            self.apps.unfollow_channel(app, channel.id)
        elif channel.kind == "local1":
            # Back in the originating Dial()/create placeholder application.
            channel.dialplan.app_name, channel.dialplan.app_data = channel.idle_app

    def _leave_everything(self, channel: Channel) -> None:
        if channel.bridge_id is not None:
            self.leave_bridge(channel, "hangup")
        self.fail_playbacks_for(f"channel:{channel.id}")
        self.stop_recordings_on_channel(channel.id)  # RecordingFinished before StasisEnd
        if channel.stasis_app is not None:
            self.leave_stasis(channel)
            channel.variables["STASISSTATUS"] = "SUCCESS"
            self.emit_varset(channel, "STASISSTATUS", "SUCCESS")

    # ------------------------------------------------------------------ hang-up
    def api_hangup(self, channel: Channel, cause: int) -> None:
        if channel.peer is not None:
            self.teardown_pair(channel, by_api=True, causes=(cause, cause, cause))
        else:
            self.teardown_single(channel, cause, by_api=True, hangup_cause=None)

    def teardown_pair(self, origin: Channel, *, by_api: bool, causes: tuple[int, int, int]) -> None:
        """Hang up a Local pair starting from `origin`.

        `causes` = (Q.850 cause announced to the other half, origin's destroy cause, other half's
        destroy cause).  Ordering follows the recordings (answered_call, agent_busy_reject,
        agent_no_answer, abandoned_in_queue, subscribe_all_wallboard).
        """
        other_cause, origin_cause, other_destroy_cause = causes
        other = origin.peer
        if origin.destroyed or origin.hangup_cause is not None:
            return
        origin.hangup_cause = origin_cause
        origin.cancel_timers()
        if other is not None:
            other.cancel_timers()
            other.hangup_cause = other_destroy_cause
        if by_api:
            self.emit_hangup_request(origin, SOFT_EXPLICIT, soft=True)
        self._leave_everything(origin)
        if origin.in_dialplan:
            self.emit_hangup_request(origin, SOFT_DEV, soft=True)
        if origin.dialing:
            origin.dialing = False
            self.emit_dial(origin, "NOANSWER")
        if other is not None and not other.destroyed:
            self.emit_hangup_request(other, other_cause, soft=False)
        self.destroy(origin, origin_cause)
        if by_api and origin.kind == "local1" and origin.in_dialplan:
            self.emit_caller_id(origin)  # recorded quirk: one last caller-id update on the phone
        if other is not None and not other.destroyed:
            self._leave_everything(other)
            if other.dialing:
                other.dialing = False
                self.emit_dial(other, "NOANSWER")
            if other.in_dialplan:
                self.emit_hangup_request(other, SOFT_DEV, soft=True)
            self.destroy(other, other_destroy_cause)

    def teardown_single(
        self, channel: Channel, cause: int, *, by_api: bool, hangup_cause: int | None
    ) -> None:
        if channel.destroyed or channel.hangup_cause is not None:
            return
        channel.hangup_cause = cause
        channel.cancel_timers()
        if by_api:
            self.emit_hangup_request(channel, SOFT_EXPLICIT, soft=True)
        elif hangup_cause is not None:
            self.emit_hangup_request(channel, hangup_cause, soft=False)
        self._leave_everything(channel)
        if channel.dialing:
            channel.dialing = False
            self.emit_dial(channel, "NOANSWER")
        self.destroy(channel, cause)

    def destroy(self, channel: Channel, cause: int) -> None:
        if channel.destroyed:
            return
        channel.cancel_timers()
        channel.destroyed = True
        if channel.kind == "local2":
            channel.dialplan.app_name, channel.dialplan.app_data = "", ""  # hang-up clears it
        elif channel.kind == "local1" and channel.in_dialplan and channel.peer is not None:
            # The lab phone dies showing its Dial() placeholder and the far side's connected line.
            channel.dialplan.app_name, channel.dialplan.app_data = channel.idle_app
            far = channel.peer.connected
            channel.caller = CallerId(far.name, far.number)
        self.emit_channel(
            "ChannelDestroyed", channel, cause=cause, cause_txt=Q850_TEXT.get(cause, "Unknown")
        )
        self.channels.pop(channel.id, None)
        self.observers.pop(channel.id, None)  # a scripted taxpayer listening on it is done
        self.apps.forget_channel(channel.id)
        peer = channel.peer
        if peer is None or peer.destroyed:
            self.local_device_changed(channel, "NOT_INUSE")
        for snoop in [c for c in self.channels.values() if c.spied_id == channel.id]:
            # A snoop's audiohook goes with the channel it spies on, and the snoop hangs up.
            self.teardown_single(snoop, 16, by_api=False, hangup_cause=16)

    # ------------------------------------------------------------------ app-side operations
    def answer(self, channel_id: str) -> None:
        channel = self.stasis_channel(channel_id)
        if channel.state == UP:
            return
        channel.state = UP
        self.emit_channel("ChannelStateChange", channel)
        if channel.kind == "local2" and channel.peer is not None:
            self.mark_answered(channel.peer)

    def send_dtmf(self, channel_id: str, dtmf: str | None) -> None:
        channel = self.stasis_channel(channel_id)
        if not dtmf:
            raise AriError(400, "DTMF is required")
        if channel.peer is not None:
            self.send_dtmf_from(channel, dtmf)

    def move(self, channel_id: str, app: str | None, args: list[str]) -> None:
        channel = self.stasis_channel(channel_id)
        if not app:
            raise AriError(400, "Missing parameter app")
        current = channel.stasis_app
        if not self.apps.is_active(app):
            # The channel stays where it is; its app is told the move failed.
            self.emit(
                "ApplicationMoveFailed",
                {"channel": channel.to_json(), "destination": app, "args": list(args)},
                Audience(channel_ids=(channel.id,), only_app=current),
            )
            return
        self.leave_stasis(channel)
        self.enter_stasis(channel, app, args)

    def continue_in_dialplan(self, channel_id: str, params: dict[str, str]) -> None:
        channel = self.stasis_channel(channel_id)
        if channel.bridge_id is not None:
            self.leave_bridge(channel, "removed")
        self.leave_stasis(channel)
        context = params.get("context") or channel.dialplan.context
        exten = params.get("extension") or channel.dialplan.exten
        program = self.dialplan.lookup(context, exten) if params.get("context") else None
        if program is None:
            self.scheduler.soon(lambda: self.device_hangup(channel, 16))
        else:
            self.run_program(channel, program, context, exten)

    def snoop(self, channel_id: str, params: dict[str, str]) -> Json:
        spied = self.channel(channel_id)
        app = params.get("app")
        if not app:
            raise AriError(400, "Missing parameter app")
        # Asterisk's own checks (res_ari_channels): each direction is one of four words, and a
        # snoop that neither spies nor whispers is refused.
        spy, whisper = params.get("spy") or "none", params.get("whisper") or "none"
        if spy not in _DIRECTIONS:
            raise AriError(400, "Invalid direction specified for spy")
        if whisper not in _DIRECTIONS:
            raise AriError(400, "Invalid direction specified for whisper")
        if spy == "none" and whisper == "none":
            raise AriError(400, "Sanity check failed")
        args = [a for a in (params.get("appArgs") or "").split(",") if a]
        snoop = Channel(
            id=self._claim_id(params.get("snoopId")),
            name=f"Snoop/{spied.id}-{self.new_snoop_suffix()}",
            state=UP,
            caller=CallerId(),
            connected=CallerId(),
            dialplan=DialplanLocation("default", "s", 1, "", ""),
            creationtime=self.scheduler.now(),
            kind="snoop",
            spied_id=spied.id,
        )
        self.channels[snoop.id] = snoop
        self.emit_channel("ChannelCreated", snoop)
        snapshot = snoop.to_json()

        def enter() -> None:
            if snoop.destroyed:
                return
            snoop.dialplan.app_name = "Stasis"
            snoop.dialplan.app_data = ",".join([app, *args])
            self.enter_stasis(snoop, app, args)

        self.scheduler.soon(enter)
        return snapshot

    def set_variable(self, channel_id: str, variable: str | None, value: str) -> None:
        channel = self.channel(channel_id)
        if not variable:
            raise AriError(400, "Variable name is required")
        channel.variables[variable] = value
        self.emit_varset(channel, variable, value)

    def get_variable(self, channel_id: str, variable: str | None) -> Json:
        channel = self.channel(channel_id)
        if not variable:
            raise AriError(400, "Variable name is required")
        if variable not in channel.variables:
            raise AriError(404, "Provided variable was not found")
        return {"value": channel.variables[variable]}

    def list_channels(self) -> list[Json]:
        return [c.to_json() for c in self.channels.values() if not c.destroyed]
