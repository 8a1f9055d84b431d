"""ARI REST routing, independent of the transport (HTTP or REST over the events websocket)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cti.emulator.catalogue import LOGGING, MODULES, resource_listing, sound_list
from cti.emulator.core import Asterisk
from cti.emulator.errors import AriError

REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    422: "Unprocessable Entity",
    500: "Internal Server Error",
}


@dataclass
class RestRequest:
    method: str
    path: str  # after /ari, e.g. "/channels/abc/answer"
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    base_url: str = "http://127.0.0.1:8088"


@dataclass
class RestResponse:
    status: int
    body: Any = None  # JSON, or bytes with `content_type` (a recording's file)
    content_type: str | None = None


Handler = Callable[[Asterisk, RestRequest, list[str]], RestResponse]
_ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    regex = re.compile("^" + re.sub(r"\{\w+\}", "([^/]+)", pattern) + "$")

    def register(handler: Handler) -> Handler:
        _ROUTES.append((method, regex, handler))
        return handler

    return register


def ok(body: Any = None) -> RestResponse:
    return RestResponse(200, body)


def no_content() -> RestResponse:
    return RestResponse(204, None)


def _variables(request: RestRequest) -> dict[str, str]:
    body = request.body if isinstance(request.body, dict) else {}
    variables = body.get("variables") or {}
    return {str(k): str(v) for k, v in variables.items()}


def _params(request: RestRequest) -> dict[str, str]:
    """Query parameters, plus scalar fields of a JSON body (ARI accepts either)."""
    merged = dict(request.query)
    if isinstance(request.body, dict):
        for key, value in request.body.items():
            if key != "variables" and isinstance(value, str | int | float | bool):
                merged.setdefault(key, str(value))
    return merged


def _csv(value: str | None) -> list[str]:
    return [item for item in (value or "").split(",") if item]


def dispatch(core: Asterisk, request: RestRequest) -> RestResponse:
    path = request.path.rstrip("/") or "/"
    path_matched = False
    for method, regex, handler in _ROUTES:
        match = regex.match(path)
        if match is None:
            continue
        path_matched = True
        if method != request.method:
            continue
        try:
            return handler(core, request, list(match.groups()))
        except AriError as error:
            return RestResponse(error.status, error.body)
    if path_matched:
        return RestResponse(405, {"message": "Invalid method"})
    return RestResponse(404, {"message": "Resource not found"})


# ---------------------------------------------------------------------- asterisk
@route("GET", "/asterisk/info")
def _info(core: Asterisk, request: RestRequest, _: list[str]) -> RestResponse:
    return ok(core.info())


@route("GET", "/asterisk/ping")
def _ping(core: Asterisk, request: RestRequest, _: list[str]) -> RestResponse:
    return ok(core.ping())


@route("GET", "/asterisk/variable")
def _get_global(core: Asterisk, request: RestRequest, _: list[str]) -> RestResponse:
    return ok(core.get_global(_params(request).get("variable")))


@route("POST", "/asterisk/variable")
def _set_global(core: Asterisk, request: RestRequest, _: list[str]) -> RestResponse:
    params = _params(request)
    core.set_global(params.get("variable"), params.get("value", ""))
    return no_content()


@route("GET", "/asterisk/modules")
def _modules(core: Asterisk, request: RestRequest, _: list[str]) -> RestResponse:
    return ok(list(MODULES.values()))


@route("GET", "/asterisk/modules/{name}")
def _module(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    if groups[0] not in MODULES:
        raise AriError(404, "Module could not be found in running modules")
    return ok(MODULES[groups[0]])


@route("GET", "/asterisk/logging")
def _logging(core: Asterisk, request: RestRequest, _: list[str]) -> RestResponse:
    return ok(LOGGING)


@route("GET", "/api-docs/resources.json")
def _resources(core: Asterisk, request: RestRequest, _: list[str]) -> RestResponse:
    return ok(resource_listing(request.base_url))


# ---------------------------------------------------------------------- sounds
@route("GET", "/sounds")
def _sounds(core: Asterisk, request: RestRequest, _: list[str]) -> RestResponse:
    query = request.query
    return ok(
        sound_list(
            query.get("lang"),
            query.get("format"),
            core.config.prompt_languages,
            core.config.absent_sounds,
        )
    )


@route("GET", "/sounds/{id}")
def _sound(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    for sound in sound_list(None, None, core.config.prompt_languages, core.config.absent_sounds):
        if sound["id"] == groups[0]:
            return ok(sound)
    raise AriError(404, "Sound not found")


@route("GET", "/sounds/{dir}/{name}")
def _sound_in_dir(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    return _sound(core, request, ["/".join(groups)])


# ---------------------------------------------------------------------- applications
@route("GET", "/applications")
def _applications(core: Asterisk, request: RestRequest, _: list[str]) -> RestResponse:
    return ok(core.list_applications())


@route("GET", "/applications/{name}")
def _application(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    return ok(core.application(groups[0]))


@route("POST", "/applications/{name}/subscription")
def _subscribe(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    return ok(core.subscribe(groups[0], _params(request).get("eventSource")))


@route("DELETE", "/applications/{name}/subscription")
def _unsubscribe(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    return ok(core.unsubscribe(groups[0], _params(request).get("eventSource")))


# ---------------------------------------------------------------------- channels
@route("GET", "/channels")
def _channels(core: Asterisk, request: RestRequest, _: list[str]) -> RestResponse:
    return ok(core.list_channels())


@route("POST", "/channels")
def _originate(core: Asterisk, request: RestRequest, _: list[str]) -> RestResponse:
    return ok(core.originate(_params(request), _variables(request)))


@route("POST", "/channels/create")
def _create(core: Asterisk, request: RestRequest, _: list[str]) -> RestResponse:
    return ok(core.create(_params(request), _variables(request)))


@route("GET", "/channels/{id}")
def _channel(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    return ok(core.channel(groups[0]).to_json())


@route("POST", "/channels/{id}")
def _originate_with_id(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    params = _params(request)
    params["channelId"] = groups[0]
    return ok(core.originate(params, _variables(request)))


@route("DELETE", "/channels/{id}")
def _hangup(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    channel = core.channel(groups[0])
    params = _params(request)
    if params.get("reason_code") and params.get("reason"):
        raise AriError(400, "The reason and reason_code can't both be specified")
    cause = 16
    if params.get("reason_code"):
        cause = int(params["reason_code"])
    elif params.get("reason"):
        cause = _HANGUP_REASONS.get(params["reason"], -1)
        if cause < 0:
            raise AriError(400, "Invalid reason for hangup provided")
    core.api_hangup(channel, cause)
    return no_content()


_HANGUP_REASONS = {
    "normal": 16,
    "busy": 17,
    "congestion": 34,
    "no_answer": 19,
    "timeout": 19,
    "rejected": 21,
    "unallocated": 1,
    "normal_unspecified": 31,
    "number_incomplete": 28,
    "codec_mismatch": 58,
    "interworking": 127,
    "failure": 38,
    "answered_elsewhere": 26,
}


@route("POST", "/channels/{id}/answer")
def _answer(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    core.answer(groups[0])
    return no_content()


@route("POST", "/channels/{id}/dial")
def _dial(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    core.dial(groups[0], _params(request))
    return no_content()


@route("POST", "/channels/{id}/continue")
def _continue(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    core.continue_in_dialplan(groups[0], _params(request))
    return no_content()


@route("POST", "/channels/{id}/move")
def _move(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    params = _params(request)
    core.move(groups[0], params.get("app"), _csv(params.get("appArgs")))
    return no_content()


@route("POST", "/channels/{id}/play")
def _play_channel(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    core.stasis_channel(groups[0])
    return _play(core, request, f"channel:{groups[0]}", None)


@route("POST", "/channels/{id}/play/{playbackId}")
def _play_channel_id(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    return _play(core, request, f"channel:{groups[0]}", groups[1])


def _play(core: Asterisk, request: RestRequest, target: str, wanted: str | None) -> RestResponse:
    params = _params(request)
    playback_id = wanted or params.get("playbackId")
    body = core.play(target, _csv(params.get("media")), playback_id, params.get("lang"))
    return RestResponse(201, body)


@route("POST", "/channels/{id}/record")
def _record_channel(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    return RestResponse(201, core.record_channel(groups[0], _params(request)))


@route("POST", "/channels/{id}/variable")
def _set_var(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    params = _params(request)
    core.set_variable(groups[0], params.get("variable"), params.get("value", ""))
    return no_content()


@route("GET", "/channels/{id}/variable")
def _get_var(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    return ok(core.get_variable(groups[0], _params(request).get("variable")))


@route("POST", "/channels/{id}/dtmf")
def _dtmf(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    core.send_dtmf(groups[0], _params(request).get("dtmf"))
    return no_content()


def _flag(setter: Callable[[Asterisk, str, RestRequest], None]) -> Handler:
    def handler(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
        setter(core, groups[0], request)
        return no_content()

    return handler


def _set_hold(on: bool) -> Callable[[Asterisk, str, RestRequest], None]:
    def apply(core: Asterisk, channel_id: str, request: RestRequest) -> None:
        core.stasis_channel(channel_id).on_hold = on  # no ChannelHold for ARI holds (gotcha 13)

    return apply


def _set_moh(on: bool) -> Callable[[Asterisk, str, RestRequest], None]:
    def apply(core: Asterisk, channel_id: str, request: RestRequest) -> None:
        channel = core.stasis_channel(channel_id)
        channel.moh_class = (request.query.get("mohClass") or "default") if on else None

    return apply


def _set_mute(on: bool) -> Callable[[Asterisk, str, RestRequest], None]:
    def apply(core: Asterisk, channel_id: str, request: RestRequest) -> None:
        channel = core.stasis_channel(channel_id)
        direction = request.query.get("direction") or "both"
        if direction not in ("in", "out", "both"):
            raise AriError(400, "Invalid direction specified")
        directions = {"in", "out"} if direction == "both" else {direction}
        if on:
            channel.muted |= directions
        else:
            channel.muted -= directions

    return apply


def _noop(core: Asterisk, channel_id: str, request: RestRequest) -> None:
    core.stasis_channel(channel_id)


route("POST", "/channels/{id}/hold")(_flag(_set_hold(True)))
route("DELETE", "/channels/{id}/hold")(_flag(_set_hold(False)))
route("POST", "/channels/{id}/moh")(_flag(_set_moh(True)))
route("DELETE", "/channels/{id}/moh")(_flag(_set_moh(False)))
route("POST", "/channels/{id}/mute")(_flag(_set_mute(True)))
route("DELETE", "/channels/{id}/mute")(_flag(_set_mute(False)))
route("POST", "/channels/{id}/ring")(_flag(_noop))
route("DELETE", "/channels/{id}/ring")(_flag(_noop))
route("POST", "/channels/{id}/silence")(_flag(_noop))
route("DELETE", "/channels/{id}/silence")(_flag(_noop))
route("POST", "/channels/{id}/redirect")(_flag(_noop))


@route("POST", "/channels/{id}/snoop")
def _snoop(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    return ok(core.snoop(groups[0], _params(request)))


@route("POST", "/channels/{id}/snoop/{snoopId}")
def _snoop_id(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    params = _params(request)
    params["snoopId"] = groups[1]
    return ok(core.snoop(groups[0], params))


# ---------------------------------------------------------------------- bridges
@route("GET", "/bridges")
def _bridges(core: Asterisk, request: RestRequest, _: list[str]) -> RestResponse:
    return ok(core.list_bridges())


@route("POST", "/bridges")
def _create_bridge(core: Asterisk, request: RestRequest, _: list[str]) -> RestResponse:
    return ok(core.create_bridge(_params(request)))


@route("GET", "/bridges/{id}")
def _bridge(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    return ok(core.bridge(groups[0]).to_json())


@route("POST", "/bridges/{id}")
def _create_bridge_id(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    return ok(core.create_bridge(_params(request), groups[0]))


@route("DELETE", "/bridges/{id}")
def _destroy_bridge(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    core.destroy_bridge(groups[0])
    return no_content()


@route("POST", "/bridges/{id}/addChannel")
def _add_channel(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    core.bridge(groups[0])
    core.add_channels(groups[0], _csv(_params(request).get("channel")))
    return no_content()


@route("POST", "/bridges/{id}/removeChannel")
def _remove_channel(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    core.remove_channels(groups[0], _csv(_params(request).get("channel")))
    return no_content()


@route("POST", "/bridges/{id}/moh")
def _bridge_moh(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    core.start_bridge_moh(groups[0])
    return no_content()


@route("DELETE", "/bridges/{id}/moh")
def _bridge_moh_stop(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    core.stop_bridge_moh(groups[0])
    return no_content()


@route("POST", "/bridges/{id}/play")
def _play_bridge(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    core.bridge(groups[0])
    return _play(core, request, f"bridge:{groups[0]}", None)


@route("POST", "/bridges/{id}/play/{playbackId}")
def _play_bridge_id(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    core.bridge(groups[0])
    return _play(core, request, f"bridge:{groups[0]}", groups[1])


@route("POST", "/bridges/{id}/record")
def _record_bridge(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    return RestResponse(201, core.record_bridge(groups[0], _params(request)))


# ---------------------------------------------------------------------- playbacks
@route("GET", "/playbacks/{id}")
def _playback(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    return ok(core.playback(groups[0]).to_json())


@route("DELETE", "/playbacks/{id}")
def _stop_playback(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    core.stop_playback(groups[0])
    return no_content()


@route("POST", "/playbacks/{id}/control")
def _control_playback(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    core.control_playback(groups[0], _params(request).get("operation"))
    return no_content()


# ---------------------------------------------------------------------- recordings
@route("GET", "/recordings/live/{name}")
def _live_recording(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    return ok(core.live_recording(groups[0]).to_json())


@route("POST", "/recordings/live/{name}/stop")
def _stop_recording(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    core.stop_recording(groups[0])
    return no_content()


@route("GET", "/recordings/stored")
def _stored(core: Asterisk, request: RestRequest, _: list[str]) -> RestResponse:
    return ok([{"name": n, "format": f} for n, f in core.stored_recordings.items()])


@route("GET", "/recordings/stored/{name}")
def _stored_one(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    return ok(core.stored_recording(groups[0]))


@route("GET", "/recordings/stored/{name}/file")
def _stored_file(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    audio, media_type = core.stored_recording_file(groups[0])
    return RestResponse(200, audio, media_type)


@route("DELETE", "/recordings/stored/{name}")
def _delete_stored(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    core.delete_stored_recording(groups[0])
    return no_content()


# ---------------------------------------------------------------------- endpoints
@route("GET", "/endpoints")
def _endpoints(core: Asterisk, request: RestRequest, _: list[str]) -> RestResponse:
    return ok(core.list_endpoints())


@route("GET", "/endpoints/{tech}")
def _endpoints_tech(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    return ok(core.list_endpoints(groups[0]))


@route("GET", "/endpoints/{tech}/{resource}")
def _endpoint(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    return ok(core.endpoint(groups[0], groups[1]))


# ---------------------------------------------------------------------- device states
@route("GET", "/deviceStates")
def _device_states(core: Asterisk, request: RestRequest, _: list[str]) -> RestResponse:
    return ok(core.list_device_states())


@route("GET", "/deviceStates/{name}")
def _device_state(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    return ok(core.get_device_state(groups[0]))


@route("PUT", "/deviceStates/{name}")
def _put_device_state(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    core.set_device_state(groups[0], _params(request).get("deviceState"))
    return no_content()


@route("DELETE", "/deviceStates/{name}")
def _delete_device_state(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    core.delete_device_state(groups[0])
    return no_content()


# ---------------------------------------------------------------------- user events
@route("POST", "/events/user/{name}")
def _user_event(core: Asterisk, request: RestRequest, groups: list[str]) -> RestResponse:
    body = request.body if isinstance(request.body, dict) else {}
    core.user_event(groups[0], dict(request.query), body.get("variables") or {})
    return no_content()
