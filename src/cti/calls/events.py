"""Typed ARI events -> the controller's :mod:`cti.calls.signals`, and which call they belong to.

Calls are located by ids only, never by event order (gotcha 3): the caller's channel id, the agent
leg ids the call chose, and for playbacks the ``channel:<id>`` target. An event that names no
known call is dropped here (``None``) except the StasisStart of a new inbound channel.

Events that mean nothing to a call (ChannelVarset, ChannelDialplan, ConnectedLine, bridge
enter/leave noise, the ``;2`` half of Local channels...) map to ``None`` too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from cti.ari.models import (
    ChannelDestroyed,
    ChannelDtmfReceived,
    Dial,
    Event,
    PlaybackFinished,
    RecordingFailed,
    RecordingFinished,
    StasisEnd,
    StasisStart,
)
from cti.calls import signals as sig
from cti.calls.ports import CallKey, InboundCall

INBOUND_ARG = "inbound"


class CallLookup(Protocol):
    """What the mapping needs to know about the calls in progress."""

    def call_of_channel(self, channel_id: str) -> str | None:
        """The call id owning ``channel_id`` (caller channel or one of its agent legs)."""

    def is_caller(self, call_id: str, channel_id: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Routed:
    call_id: str
    event: sig.CallEvent
    new_call: bool = False


def _channel_event(
    lookup: CallLookup, channel_id: str, for_caller: sig.CallEvent, for_leg: sig.CallEvent
) -> Routed | None:
    call_id = lookup.call_of_channel(channel_id)
    if call_id is None:
        return None
    return Routed(call_id, for_caller if lookup.is_caller(call_id, channel_id) else for_leg)


def _inbound(site: str, event: StasisStart) -> Routed | None:
    if not event.args or event.args[0] != INBOUND_ARG:
        return None
    channel = event.channel
    dialled = event.args[1] if len(event.args) > 1 else channel.dialplan.exten
    call = InboundCall(
        key=CallKey(site, channel.id),
        caller_number=channel.caller.number,
        caller_name=channel.caller.name,
        dialled=dialled,
        channel_name=channel.name,
        arrived_at=event.timestamp,
    )
    answered = channel.state == "Up"
    return Routed(channel.id, sig.CallerArrived(call, answered=answered), new_call=True)


def to_call_event(site: str, event: Event, lookup: CallLookup) -> Routed | None:
    """Map one ARI event of ``site`` to the call it concerns, or ``None``."""
    if isinstance(event, StasisStart):
        channel_id = event.channel.id
        if lookup.call_of_channel(channel_id) is None:
            return _inbound(site, event)
        return _channel_event(lookup, channel_id, sig.CallerAnswered(), sig.LegAnswered(channel_id))
    if isinstance(event, StasisEnd):
        channel_id = event.channel.id
        return _channel_event(lookup, channel_id, sig.CallerGone(), sig.LegGone(channel_id))
    if isinstance(event, ChannelDestroyed):
        channel_id = event.channel.id
        return _channel_event(
            lookup,
            channel_id,
            sig.CallerGone(cause=event.cause),
            sig.LegGone(channel_id, cause=event.cause),
        )
    if isinstance(event, ChannelDtmfReceived):
        call_id = lookup.call_of_channel(event.channel.id)
        if call_id is None or not lookup.is_caller(call_id, event.channel.id):
            return None  # digits keyed by an agent are not ours to interpret
        return Routed(call_id, sig.DigitPressed(event.digit))
    if isinstance(event, Dial):
        peer_id = event.peer.id
        return _channel_event(
            lookup,
            peer_id,
            sig.CallerDialProgress(event.dialstatus),
            sig.LegDialProgress(peer_id, event.dialstatus),
        )
    if isinstance(event, PlaybackFinished):
        kind, _, target = event.playback.target_uri.partition(":")
        if kind != "channel":
            return None
        call_id = lookup.call_of_channel(target)
        if call_id is None:
            return None
        failed = event.playback.state == "failed"
        return Routed(call_id, sig.PlaybackEnded(event.playback.id, failed=failed))
    if isinstance(event, RecordingFinished | RecordingFailed):
        kind, _, target = event.recording.target_uri.partition(":")
        call_id = lookup.call_of_channel(target) if kind == "channel" else None
        if call_id is None or not lookup.is_caller(call_id, target):
            return None  # a bridge's (the call's) recording is the recorder's business
        return Routed(call_id, sig.RecordingEnded(event.recording.name))
    return None


__all__ = ["INBOUND_ARG", "CallLookup", "Routed", "to_call_event"]
