"""Raw websocket messages -> typed ARI events (the boundary where ARI JSON is validated).

``parse_event`` never trusts key order (Asterisk does not keep it stable) and distinguishes three
outcomes: a typed :class:`~cti.ari.models.Event`; an :class:`UnknownEvent` for a ``type`` this code
base has no model for (a newer Asterisk, or a non-event message such as ``MissingParams``), which
keeps the raw dict; and :class:`~cti.errors.AriEventError` for input that cannot be trusted at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter, ValidationError

from cti.ari.models import EVENT_TYPES, Dial, Event
from cti.errors import AriEventError


@dataclass(frozen=True)
class UnknownEvent:
    """A well-formed message whose ``type`` has no generated model."""

    type: str
    raw: dict[str, Any] = field(repr=False)


def _decode(raw: dict[str, Any] | str | bytes) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        decoded = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as error:
        raise AriEventError(f"not JSON: {error}") from error
    if not isinstance(decoded, dict):
        raise AriEventError(f"not a JSON object but {type(decoded).__name__}")
    return decoded


@cache
def _any_event() -> TypeAdapter[Event]:
    # One validator for every event type, picked by the "type" tag, parsing the JSON text in
    # pydantic-core: about a third of the cost of json.loads followed by the model's
    # validation. Built on first use, as it compiles a schema over every event model.
    # The union is built at run time from the generated registry, hence a type only for pydantic.
    tagged: Any = Annotated[Union[tuple(EVENT_TYPES.values())], Field(discriminator="type")]  # noqa: UP007
    adapter: TypeAdapter[Event] = TypeAdapter(tagged)
    return adapter


def parse_event(raw: dict[str, Any] | str | bytes) -> Event | UnknownEvent:
    """Validate one websocket message; raise :class:`AriEventError` when it cannot be trusted."""
    if not isinstance(raw, dict):
        try:
            return _any_event().validate_json(raw)
        except ValidationError:
            pass  # unknown type or bad input: the slow path below tells which, precisely
    message = _decode(raw)
    event_type = message.get("type")
    if not isinstance(event_type, str) or not event_type:
        raise AriEventError("message has no string 'type'")
    model = EVENT_TYPES.get(event_type)
    if model is None:
        return UnknownEvent(type=event_type, raw=message)
    try:
        return model.model_validate(message)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or '<root>'}: {problem['msg']}"
            for problem in error.errors(include_url=False)
        )
        raise AriEventError(f"invalid {event_type}: {problems}") from error


def _target_source(target_uri: object) -> str | None:
    # Playback and recording targets are ``channel:<id>`` / ``bridge:<id>`` - already the form
    # we use for ordering sources.
    if isinstance(target_uri, str) and ":" in target_uri:
        return target_uri
    return None


_SOURCE_FIELDS = ("channel", "bridge", "playback", "recording", "device_state", "endpoint")


@cache
def _source_fields(model: type[Event]) -> tuple[str, ...]:
    # Worked out once per event type: which of the resource fields the model declares.
    return tuple(name for name in _SOURCE_FIELDS if name in model.model_fields)


def event_source(event: Event | UnknownEvent) -> str | None:
    """The ARI event source an event is about, in ARI's own ``kind:id`` syntax.

    Used as the ordering key: events of one channel (including playbacks on that channel) are
    handled in arrival order. ``Dial`` is about its ``peer`` (the dialled leg); channel-and-bridge
    events are about the channel. ``None`` for events that name no resource.
    """
    if isinstance(event, Dial):
        return f"channel:{event.peer.id}"
    if isinstance(event, UnknownEvent):
        raw = event.raw
    else:
        # The few fields that name a resource, as plain dicts: a pydantic model keeps its field
        # values in __dict__, and dumping the whole event would cost more than the dispatch.
        values = event.__dict__
        raw = {
            name: resource.__dict__
            for name in _source_fields(type(event))
            if (resource := values.get(name)) is not None
        }
    for kind, attribute in (("channel", "channel"), ("bridge", "bridge")):
        resource = raw.get(attribute)
        if isinstance(resource, dict) and isinstance(resource.get("id"), str):
            return f"{kind}:{resource['id']}"
    for attribute in ("playback", "recording"):
        resource = raw.get(attribute)
        if isinstance(resource, dict):
            source = _target_source(resource.get("target_uri"))
            if source is not None:
                return source
    device = raw.get("device_state")
    if isinstance(device, dict) and isinstance(device.get("name"), str):
        return f"deviceState:{device['name']}"
    endpoint = raw.get("endpoint")
    if isinstance(endpoint, dict):
        return f"endpoint:{endpoint.get('technology')}/{endpoint.get('resource')}"
    return None


__all__ = ["UnknownEvent", "event_source", "parse_event"]
