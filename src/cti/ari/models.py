"""Pydantic models for the Asterisk REST Interface, generated from its api-docs.

Do not edit: run ``python -m cti.ari.codegen`` after a spec change; CI runs ``--check``.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cti.ari.dates import AriDate

BridgeType = Literal["mixing", "holding"]
"""Values the spec lists for Bridge.bridge_type."""

ChannelState = Literal[
    "Down",
    "Rsrved",
    "OffHook",
    "Dialing",
    "Ring",
    "Ringing",
    "Up",
    "Busy",
    "Dialing Offhook",
    "Pre-ring",
    "Unknown",
]
"""Values the spec lists for Channel.state."""

ContactInfoContactStatus = Literal["Unreachable", "Reachable", "Unknown", "NonQualified", "Removed"]
"""Values the spec lists for ContactInfo.contact_status."""

DeviceStateState = Literal[
    "UNKNOWN",
    "NOT_INUSE",
    "INUSE",
    "BUSY",
    "INVALID",
    "UNAVAILABLE",
    "RINGING",
    "RINGINUSE",
    "ONHOLD",
]
"""Values the spec lists for DeviceState.state."""

EndpointState = Literal["unknown", "offline", "online"]
"""Values the spec lists for Endpoint.state."""

LiveRecordingState = Literal["queued", "recording", "paused", "done", "failed", "canceled"]
"""Values the spec lists for LiveRecording.state."""

PlaybackState = Literal["queued", "playing", "continuing", "done", "failed"]
"""Values the spec lists for Playback.state."""


class AriModel(BaseModel):
    """Base of every ARI model: unknown fields are kept, never rejected."""

    model_config = ConfigDict(
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        use_attribute_docstrings=True,
    )


class AdditionalParam(AriModel):
    """ARI model AdditionalParam."""

    parameter_name: str
    parameter_value: str


class Application(AriModel):
    """ARI model Application."""

    bridge_ids: list[str]
    channel_ids: list[str]
    device_names: list[str]
    endpoint_ids: list[str]
    events_allowed: list[dict[str, Any]]
    events_disallowed: list[dict[str, Any]]
    name: str


class CallerID(AriModel):
    """ARI model CallerID."""

    name: str
    number: str


class DialplanCEP(AriModel):
    """ARI model DialplanCEP."""

    app_data: str
    app_name: str
    context: str
    exten: str
    priority: int


class Channel(AriModel):
    """ARI model Channel."""

    accountcode: str
    caller: CallerID
    caller_rdnis: str | None = None
    channelvars: dict[str, Any] | None = None
    connected: CallerID
    creationtime: AriDate
    dialplan: DialplanCEP
    id: str
    language: str
    name: str
    protocol_id: str
    state: str
    """Known values: ChannelState; open set (Asterisk prints unmapped states as "Unknown (<n>)")."""
    tenantid: str | None = None


class Message(AriModel):
    """ARI model Message."""

    asterisk_id: str | None = None
    type: str


class Event(Message):
    """ARI model Event."""

    application: str
    timestamp: AriDate


class ApplicationMoveFailed(Event):
    """ARI model ApplicationMoveFailed."""

    type: Literal["ApplicationMoveFailed"] = "ApplicationMoveFailed"
    args: list[str]
    channel: Channel
    destination: str


class ApplicationRegistered(Event):
    """ARI model ApplicationRegistered."""

    type: Literal["ApplicationRegistered"] = "ApplicationRegistered"


class ApplicationReplaced(Event):
    """ARI model ApplicationReplaced."""

    type: Literal["ApplicationReplaced"] = "ApplicationReplaced"


class ApplicationUnregistered(Event):
    """ARI model ApplicationUnregistered."""

    type: Literal["ApplicationUnregistered"] = "ApplicationUnregistered"


class BuildInfo(AriModel):
    """ARI model BuildInfo."""

    date: str
    kernel: str
    machine: str
    options: str
    os: str
    user: str


class SetId(AriModel):
    """ARI model SetId."""

    group: str
    user: str


class ConfigInfo(AriModel):
    """ARI model ConfigInfo."""

    default_language: str
    max_channels: int | None = None
    max_load: float | None = None
    max_open_files: int | None = None
    name: str
    setid: SetId


class StatusInfo(AriModel):
    """ARI model StatusInfo."""

    last_reload_time: AriDate
    startup_time: AriDate


class SystemInfo(AriModel):
    """ARI model SystemInfo."""

    entity_id: str
    version: str


class AsteriskInfo(AriModel):
    """ARI model AsteriskInfo."""

    build: BuildInfo | None = None
    config: ConfigInfo | None = None
    status: StatusInfo | None = None
    system: SystemInfo | None = None


class AsteriskPing(AriModel):
    """ARI model AsteriskPing."""

    asterisk_id: str
    ping: str
    timestamp: str


class Bridge(AriModel):
    """ARI model Bridge."""

    bridge_class: str
    bridge_type: BridgeType
    bridgevars: dict[str, Any] | None = None
    channels: list[str]
    creationtime: AriDate
    creator: str
    id: str
    name: str
    technology: str
    video_mode: str | None = None
    video_source_id: str | None = None


class BridgeAttendedTransfer(Event):
    """ARI model BridgeAttendedTransfer."""

    type: Literal["BridgeAttendedTransfer"] = "BridgeAttendedTransfer"
    destination_application: str | None = None
    destination_bridge: str | None = None
    destination_link_first_leg: Channel | None = None
    destination_link_second_leg: Channel | None = None
    destination_threeway_bridge: Bridge | None = None
    destination_threeway_channel: Channel | None = None
    destination_type: str
    is_external: bool
    replace_channel: Channel | None = None
    result: str
    transfer_target: Channel | None = None
    transferee: Channel | None = None
    transferer_first_leg: Channel
    transferer_first_leg_bridge: Bridge | None = None
    transferer_second_leg: Channel
    transferer_second_leg_bridge: Bridge | None = None


class BridgeBlindTransfer(Event):
    """ARI model BridgeBlindTransfer."""

    type: Literal["BridgeBlindTransfer"] = "BridgeBlindTransfer"
    bridge: Bridge | None = None
    channel: Channel
    context: str
    exten: str
    is_external: bool
    replace_channel: Channel | None = None
    result: str
    transferee: Channel | None = None


class BridgeCreated(Event):
    """ARI model BridgeCreated."""

    type: Literal["BridgeCreated"] = "BridgeCreated"
    bridge: Bridge


class BridgeDestroyed(Event):
    """ARI model BridgeDestroyed."""

    type: Literal["BridgeDestroyed"] = "BridgeDestroyed"
    bridge: Bridge


class BridgeMerged(Event):
    """ARI model BridgeMerged."""

    type: Literal["BridgeMerged"] = "BridgeMerged"
    bridge: Bridge
    bridge_from: Bridge


class BridgeVideoSourceChanged(Event):
    """ARI model BridgeVideoSourceChanged."""

    type: Literal["BridgeVideoSourceChanged"] = "BridgeVideoSourceChanged"
    bridge: Bridge
    old_video_source_id: str | None = None


class CallBroadcast(Event):
    """ARI model CallBroadcast."""

    type: Literal["CallBroadcast"] = "CallBroadcast"
    called: str | None = None
    caller: str | None = None
    channel: Channel


class CallClaimed(Event):
    """ARI model CallClaimed."""

    type: Literal["CallClaimed"] = "CallClaimed"
    channel: Channel
    winner_app: str


class ChannelCallerId(Event):
    """ARI model ChannelCallerId."""

    type: Literal["ChannelCallerId"] = "ChannelCallerId"
    caller_presentation: int
    caller_presentation_txt: str
    channel: Channel


class ChannelConnectedLine(Event):
    """ARI model ChannelConnectedLine."""

    type: Literal["ChannelConnectedLine"] = "ChannelConnectedLine"
    channel: Channel


class ChannelCreated(Event):
    """ARI model ChannelCreated."""

    type: Literal["ChannelCreated"] = "ChannelCreated"
    channel: Channel


class ChannelDestroyed(Event):
    """ARI model ChannelDestroyed."""

    type: Literal["ChannelDestroyed"] = "ChannelDestroyed"
    cause: int
    cause_txt: str
    channel: Channel
    tech_cause: int | None = None


class ChannelDialplan(Event):
    """ARI model ChannelDialplan."""

    type: Literal["ChannelDialplan"] = "ChannelDialplan"
    channel: Channel
    dialplan_app: str
    dialplan_app_data: str


class ChannelDtmfReceived(Event):
    """ARI model ChannelDtmfReceived."""

    type: Literal["ChannelDtmfReceived"] = "ChannelDtmfReceived"
    channel: Channel
    digit: str
    duration_ms: int


class ChannelEnteredBridge(Event):
    """ARI model ChannelEnteredBridge."""

    type: Literal["ChannelEnteredBridge"] = "ChannelEnteredBridge"
    bridge: Bridge
    channel: Channel | None = None


class ChannelHangupRequest(Event):
    """ARI model ChannelHangupRequest."""

    type: Literal["ChannelHangupRequest"] = "ChannelHangupRequest"
    cause: int | None = None
    channel: Channel
    soft: bool | None = None
    tech_cause: int | None = None


class ChannelHold(Event):
    """ARI model ChannelHold."""

    type: Literal["ChannelHold"] = "ChannelHold"
    channel: Channel
    musicclass: str | None = None


class ChannelLeftBridge(Event):
    """ARI model ChannelLeftBridge."""

    type: Literal["ChannelLeftBridge"] = "ChannelLeftBridge"
    bridge: Bridge
    channel: Channel


class ChannelStateChange(Event):
    """ARI model ChannelStateChange."""

    type: Literal["ChannelStateChange"] = "ChannelStateChange"
    channel: Channel


class ChannelTalkingFinished(Event):
    """ARI model ChannelTalkingFinished."""

    type: Literal["ChannelTalkingFinished"] = "ChannelTalkingFinished"
    channel: Channel
    duration: int


class ChannelTalkingStarted(Event):
    """ARI model ChannelTalkingStarted."""

    type: Literal["ChannelTalkingStarted"] = "ChannelTalkingStarted"
    channel: Channel


class ChannelToneDetected(Event):
    """ARI model ChannelToneDetected."""

    type: Literal["ChannelToneDetected"] = "ChannelToneDetected"
    channel: Channel


class RequiredDestination(AriModel):
    """ARI model RequiredDestination."""

    additional_protocol_params: list[AdditionalParam] | None = None
    destination: str | None = None
    protocol_id: str | None = None


class ReferTo(AriModel):
    """ARI model ReferTo."""

    bridge: Bridge | None = None
    connected_channel: Channel | None = None
    destination_channel: Channel | None = None
    requested_destination: RequiredDestination


class ReferredBy(AriModel):
    """ARI model ReferredBy."""

    bridge: Bridge | None = None
    connected_channel: Channel | None = None
    source_channel: Channel


class ChannelTransfer(Event):
    """ARI model ChannelTransfer."""

    type: Literal["ChannelTransfer"] = "ChannelTransfer"
    refer_to: ReferTo
    referred_by: ReferredBy
    state: str | None = None


class ChannelUnhold(Event):
    """ARI model ChannelUnhold."""

    type: Literal["ChannelUnhold"] = "ChannelUnhold"
    channel: Channel


class Endpoint(AriModel):
    """ARI model Endpoint."""

    channel_ids: list[str]
    resource: str
    state: EndpointState | None = None
    technology: str


class ChannelUserevent(Event):
    """ARI model ChannelUserevent."""

    type: Literal["ChannelUserevent"] = "ChannelUserevent"
    bridge: Bridge | None = None
    channel: Channel | None = None
    endpoint: Endpoint | None = None
    eventname: str
    userevent: dict[str, Any]


class ChannelVarset(Event):
    """ARI model ChannelVarset."""

    type: Literal["ChannelVarset"] = "ChannelVarset"
    channel: Channel | None = None
    value: str
    variable: str


class ConfigTuple(AriModel):
    """ARI model ConfigTuple."""

    attribute: str
    value: str


class ContactInfo(AriModel):
    """ARI model ContactInfo."""

    aor: str
    contact_status: ContactInfoContactStatus
    roundtrip_usec: str | None = None
    uri: str


class ContactStatusChange(Event):
    """ARI model ContactStatusChange."""

    type: Literal["ContactStatusChange"] = "ContactStatusChange"
    contact_info: ContactInfo
    endpoint: Endpoint


class DeviceState(AriModel):
    """ARI model DeviceState."""

    name: str
    state: DeviceStateState


class DeviceStateChanged(Event):
    """ARI model DeviceStateChanged."""

    type: Literal["DeviceStateChanged"] = "DeviceStateChanged"
    device_state: DeviceState


class Dial(Event):
    """ARI model Dial."""

    type: Literal["Dial"] = "Dial"
    caller: Channel | None = None
    dialstatus: str
    dialstring: str | None = None
    forward: str | None = None
    forwarded: Channel | None = None
    peer: Channel


class Dialed(AriModel):
    """ARI model Dialed."""


class EndpointStateChange(Event):
    """ARI model EndpointStateChange."""

    type: Literal["EndpointStateChange"] = "EndpointStateChange"
    endpoint: Endpoint


class FormatLangPair(AriModel):
    """ARI model FormatLangPair."""

    format: str
    language: str


class LiveRecording(AriModel):
    """ARI model LiveRecording."""

    cause: str | None = None
    duration: int | None = None
    format: str
    name: str
    silence_duration: int | None = None
    state: LiveRecordingState
    talking_duration: int | None = None
    target_uri: str


class LogChannel(AriModel):
    """ARI model LogChannel."""

    channel: str
    configuration: str
    status: str
    type: str


class Mailbox(AriModel):
    """ARI model Mailbox."""

    name: str
    new_messages: int
    old_messages: int


class MissingParams(Message):
    """ARI model MissingParams."""

    params: list[str]


class Module(AriModel):
    """ARI model Module."""

    description: str
    name: str
    status: str
    support_level: str
    use_count: int


class Peer(AriModel):
    """ARI model Peer."""

    address: str | None = None
    cause: str | None = None
    peer_status: str
    port: str | None = None
    time: str | None = None


class PeerStatusChange(Event):
    """ARI model PeerStatusChange."""

    type: Literal["PeerStatusChange"] = "PeerStatusChange"
    endpoint: Endpoint
    peer: Peer


class Playback(AriModel):
    """ARI model Playback."""

    id: str
    language: str | None = None
    media_uri: str
    next_media_uri: str | None = None
    state: str
    """Known values: PlaybackState; open set (Asterisk reports "paused" playbacks, which the list omits)."""
    target_uri: str


class PlaybackContinuing(Event):
    """ARI model PlaybackContinuing."""

    type: Literal["PlaybackContinuing"] = "PlaybackContinuing"
    playback: Playback


class PlaybackFinished(Event):
    """ARI model PlaybackFinished."""

    type: Literal["PlaybackFinished"] = "PlaybackFinished"
    playback: Playback


class PlaybackStarted(Event):
    """ARI model PlaybackStarted."""

    type: Literal["PlaybackStarted"] = "PlaybackStarted"
    playback: Playback


class RESTHeader(AriModel):
    """ARI model RESTHeader."""

    name: str
    value: str


class RESTQueryStringParameter(AriModel):
    """ARI model RESTQueryStringParameter."""

    name: str
    value: str


class RESTRequest(AriModel):
    """ARI model RESTRequest."""

    content_type: str | None = None
    message_body: str | None = None
    method: str
    query_strings: list[RESTQueryStringParameter] | None = None
    request_id: str
    transaction_id: str
    type: str
    uri: str


class RESTResponse(Event):
    """ARI model RESTResponse."""

    type: Literal["RESTResponse"] = "RESTResponse"
    content_type: str | None = None
    message_body: str | None = None
    reason_phrase: str
    request_id: str
    status_code: int
    transaction_id: str
    uri: str


class RTPstat(AriModel):
    """ARI model RTPstat."""

    channel_uniqueid: str
    local_maxjitter: float | None = None
    local_maxrxploss: float | None = None
    local_minjitter: float | None = None
    local_minrxploss: float | None = None
    local_normdevjitter: float | None = None
    local_normdevrxploss: float | None = None
    local_ssrc: int
    local_stdevjitter: float | None = None
    local_stdevrxploss: float | None = None
    maxrtt: float | None = None
    minrtt: float | None = None
    normdevrtt: float | None = None
    remote_maxjitter: float | None = None
    remote_maxrxploss: float | None = None
    remote_minjitter: float | None = None
    remote_minrxploss: float | None = None
    remote_normdevjitter: float | None = None
    remote_normdevrxploss: float | None = None
    remote_ssrc: int
    remote_stdevjitter: float | None = None
    remote_stdevrxploss: float | None = None
    rtt: float | None = None
    rxcount: int
    rxjitter: float | None = None
    rxoctetcount: int
    rxploss: int
    stdevrtt: float | None = None
    txcount: int
    txjitter: float | None = None
    txoctetcount: int
    txploss: int


class RecordingFailed(Event):
    """ARI model RecordingFailed."""

    type: Literal["RecordingFailed"] = "RecordingFailed"
    recording: LiveRecording


class RecordingFinished(Event):
    """ARI model RecordingFinished."""

    type: Literal["RecordingFinished"] = "RecordingFinished"
    recording: LiveRecording


class RecordingStarted(Event):
    """ARI model RecordingStarted."""

    type: Literal["RecordingStarted"] = "RecordingStarted"
    recording: LiveRecording


class Sound(AriModel):
    """ARI model Sound."""

    formats: list[FormatLangPair]
    id: str
    text: str | None = None


class StasisEnd(Event):
    """ARI model StasisEnd."""

    type: Literal["StasisEnd"] = "StasisEnd"
    channel: Channel


class StasisStart(Event):
    """ARI model StasisStart."""

    type: Literal["StasisStart"] = "StasisStart"
    args: list[str]
    channel: Channel
    replace_channel: Channel | None = None


class StoredRecording(AriModel):
    """ARI model StoredRecording."""

    format: str
    name: str


class TextMessage(AriModel):
    """ARI model TextMessage."""

    body: str
    from_: str = Field(alias="from")
    to: str
    variables: dict[str, Any] | None = None


class TextMessageReceived(Event):
    """ARI model TextMessageReceived."""

    type: Literal["TextMessageReceived"] = "TextMessageReceived"
    endpoint: Endpoint | None = None
    message: TextMessage


class Variable(AriModel):
    """ARI model Variable."""

    value: str


class Variables(AriModel):
    """ARI model Variables."""

    variables: dict[str, Any]


EVENT_TYPES: dict[str, type[Event]] = {
    "ApplicationMoveFailed": ApplicationMoveFailed,
    "ApplicationRegistered": ApplicationRegistered,
    "ApplicationReplaced": ApplicationReplaced,
    "ApplicationUnregistered": ApplicationUnregistered,
    "BridgeAttendedTransfer": BridgeAttendedTransfer,
    "BridgeBlindTransfer": BridgeBlindTransfer,
    "BridgeCreated": BridgeCreated,
    "BridgeDestroyed": BridgeDestroyed,
    "BridgeMerged": BridgeMerged,
    "BridgeVideoSourceChanged": BridgeVideoSourceChanged,
    "CallBroadcast": CallBroadcast,
    "CallClaimed": CallClaimed,
    "ChannelCallerId": ChannelCallerId,
    "ChannelConnectedLine": ChannelConnectedLine,
    "ChannelCreated": ChannelCreated,
    "ChannelDestroyed": ChannelDestroyed,
    "ChannelDialplan": ChannelDialplan,
    "ChannelDtmfReceived": ChannelDtmfReceived,
    "ChannelEnteredBridge": ChannelEnteredBridge,
    "ChannelHangupRequest": ChannelHangupRequest,
    "ChannelHold": ChannelHold,
    "ChannelLeftBridge": ChannelLeftBridge,
    "ChannelStateChange": ChannelStateChange,
    "ChannelTalkingFinished": ChannelTalkingFinished,
    "ChannelTalkingStarted": ChannelTalkingStarted,
    "ChannelToneDetected": ChannelToneDetected,
    "ChannelTransfer": ChannelTransfer,
    "ChannelUnhold": ChannelUnhold,
    "ChannelUserevent": ChannelUserevent,
    "ChannelVarset": ChannelVarset,
    "ContactStatusChange": ContactStatusChange,
    "DeviceStateChanged": DeviceStateChanged,
    "Dial": Dial,
    "EndpointStateChange": EndpointStateChange,
    "PeerStatusChange": PeerStatusChange,
    "PlaybackContinuing": PlaybackContinuing,
    "PlaybackFinished": PlaybackFinished,
    "PlaybackStarted": PlaybackStarted,
    "RESTResponse": RESTResponse,
    "RecordingFailed": RecordingFailed,
    "RecordingFinished": RecordingFinished,
    "RecordingStarted": RecordingStarted,
    "StasisEnd": StasisEnd,
    "StasisStart": StasisStart,
    "TextMessageReceived": TextMessageReceived,
}

MODEL_TYPES: dict[str, type[AriModel]] = {
    "AdditionalParam": AdditionalParam,
    "Application": Application,
    "ApplicationMoveFailed": ApplicationMoveFailed,
    "ApplicationRegistered": ApplicationRegistered,
    "ApplicationReplaced": ApplicationReplaced,
    "ApplicationUnregistered": ApplicationUnregistered,
    "AsteriskInfo": AsteriskInfo,
    "AsteriskPing": AsteriskPing,
    "Bridge": Bridge,
    "BridgeAttendedTransfer": BridgeAttendedTransfer,
    "BridgeBlindTransfer": BridgeBlindTransfer,
    "BridgeCreated": BridgeCreated,
    "BridgeDestroyed": BridgeDestroyed,
    "BridgeMerged": BridgeMerged,
    "BridgeVideoSourceChanged": BridgeVideoSourceChanged,
    "BuildInfo": BuildInfo,
    "CallBroadcast": CallBroadcast,
    "CallClaimed": CallClaimed,
    "CallerID": CallerID,
    "Channel": Channel,
    "ChannelCallerId": ChannelCallerId,
    "ChannelConnectedLine": ChannelConnectedLine,
    "ChannelCreated": ChannelCreated,
    "ChannelDestroyed": ChannelDestroyed,
    "ChannelDialplan": ChannelDialplan,
    "ChannelDtmfReceived": ChannelDtmfReceived,
    "ChannelEnteredBridge": ChannelEnteredBridge,
    "ChannelHangupRequest": ChannelHangupRequest,
    "ChannelHold": ChannelHold,
    "ChannelLeftBridge": ChannelLeftBridge,
    "ChannelStateChange": ChannelStateChange,
    "ChannelTalkingFinished": ChannelTalkingFinished,
    "ChannelTalkingStarted": ChannelTalkingStarted,
    "ChannelToneDetected": ChannelToneDetected,
    "ChannelTransfer": ChannelTransfer,
    "ChannelUnhold": ChannelUnhold,
    "ChannelUserevent": ChannelUserevent,
    "ChannelVarset": ChannelVarset,
    "ConfigInfo": ConfigInfo,
    "ConfigTuple": ConfigTuple,
    "ContactInfo": ContactInfo,
    "ContactStatusChange": ContactStatusChange,
    "DeviceState": DeviceState,
    "DeviceStateChanged": DeviceStateChanged,
    "Dial": Dial,
    "Dialed": Dialed,
    "DialplanCEP": DialplanCEP,
    "Endpoint": Endpoint,
    "EndpointStateChange": EndpointStateChange,
    "Event": Event,
    "FormatLangPair": FormatLangPair,
    "LiveRecording": LiveRecording,
    "LogChannel": LogChannel,
    "Mailbox": Mailbox,
    "Message": Message,
    "MissingParams": MissingParams,
    "Module": Module,
    "Peer": Peer,
    "PeerStatusChange": PeerStatusChange,
    "Playback": Playback,
    "PlaybackContinuing": PlaybackContinuing,
    "PlaybackFinished": PlaybackFinished,
    "PlaybackStarted": PlaybackStarted,
    "RESTHeader": RESTHeader,
    "RESTQueryStringParameter": RESTQueryStringParameter,
    "RESTRequest": RESTRequest,
    "RESTResponse": RESTResponse,
    "RTPstat": RTPstat,
    "RecordingFailed": RecordingFailed,
    "RecordingFinished": RecordingFinished,
    "RecordingStarted": RecordingStarted,
    "ReferTo": ReferTo,
    "ReferredBy": ReferredBy,
    "RequiredDestination": RequiredDestination,
    "SetId": SetId,
    "Sound": Sound,
    "StasisEnd": StasisEnd,
    "StasisStart": StasisStart,
    "StatusInfo": StatusInfo,
    "StoredRecording": StoredRecording,
    "SystemInfo": SystemInfo,
    "TextMessage": TextMessage,
    "TextMessageReceived": TextMessageReceived,
    "Variable": Variable,
    "Variables": Variables,
}
