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
    """Protocol specific additional parameter"""

    parameter_name: str
    """Name of the parameter"""
    parameter_value: str
    """Value of the parameter"""


class Application(AriModel):
    """Details of a Stasis application"""

    bridge_ids: list[str]
    """Id's for bridges subscribed to."""
    channel_ids: list[str]
    """Id's for channels subscribed to."""
    device_names: list[str]
    """Names of the devices subscribed to."""
    endpoint_ids: list[str]
    """{tech}/{resource} for endpoints subscribed to."""
    events_allowed: list[dict[str, Any]]
    """Event types sent to the application."""
    events_disallowed: list[dict[str, Any]]
    """Event types not sent to the application."""
    name: str
    """Name of this application"""


class CallerID(AriModel):
    """Caller identification"""

    name: str
    number: str


class DialplanCEP(AriModel):
    """Dialplan location (context/extension/priority)"""

    app_data: str
    """Parameter of current dialplan application"""
    app_name: str
    """Name of current dialplan application"""
    context: str
    """Context in the dialplan"""
    exten: str
    """Extension in the dialplan"""
    priority: int
    """Priority in the dialplan"""


class Channel(AriModel):
    """A specific communication connection between Asterisk and an Endpoint."""

    accountcode: str
    caller: CallerID
    caller_rdnis: str | None = None
    """The Caller ID RDNIS"""
    channelvars: dict[str, Any] | None = None
    """Channel variables"""
    connected: CallerID
    creationtime: AriDate
    """Timestamp when channel was created"""
    dialplan: DialplanCEP
    """Current location in the dialplan"""
    id: str
    """Unique identifier of the channel. This is the same as the Uniqueid field in AMI."""
    language: str
    """The default spoken language"""
    name: str
    """Name of the channel (i.e. SIP/foo-0000a7e3)"""
    protocol_id: str
    """Protocol id from underlying channel driver (i.e. Call-ID for chan_pjsip; will be empty if not applicable or not implemented by driver)."""
    state: str
    """Known values: ChannelState; open set (Asterisk prints unmapped states as "Unknown (<n>)")."""
    tenantid: str | None = None
    """The Tenant ID for the channel"""


class Message(AriModel):
    """Base type for errors and events"""

    asterisk_id: str | None = None
    """The unique ID for the Asterisk instance that raised this event."""
    type: str
    """Indicates the type of this message."""


class Event(Message):
    """Base type for asynchronous events from Asterisk."""

    application: str
    """Name of the application receiving the event."""
    timestamp: AriDate
    """Time at which this event was created."""


class ApplicationMoveFailed(Event):
    """Notification that trying to move a channel to another Stasis application failed."""

    type: Literal["ApplicationMoveFailed"] = "ApplicationMoveFailed"
    args: list[str]
    """Arguments to the application"""
    channel: Channel
    destination: str


class ApplicationRegistered(Event):
    """Notification that a Stasis app has been registered."""

    type: Literal["ApplicationRegistered"] = "ApplicationRegistered"


class ApplicationReplaced(Event):
    """Notification that another WebSocket has taken over for an application. An application may only be subscribed to by a single WebSocket at a time. If multiple WebSockets attempt to subscribe to the same application, the newer WebSocket wins, and the older one receives this event."""

    type: Literal["ApplicationReplaced"] = "ApplicationReplaced"


class ApplicationUnregistered(Event):
    """Notification that a Stasis app has been unregistered."""

    type: Literal["ApplicationUnregistered"] = "ApplicationUnregistered"


class BuildInfo(AriModel):
    """Info about how Asterisk was built"""

    date: str
    """Date and time when Asterisk was built."""
    kernel: str
    """Kernel version Asterisk was built on."""
    machine: str
    """Machine architecture (x86_64, i686, ppc, etc.)"""
    options: str
    """Compile time options, or empty string if default."""
    os: str
    """OS Asterisk was built on."""
    user: str
    """Username that build Asterisk"""


class SetId(AriModel):
    """Effective user/group id"""

    group: str
    """Effective group id."""
    user: str
    """Effective user id."""


class ConfigInfo(AriModel):
    """Info about Asterisk configuration"""

    default_language: str
    """Default language for media playback."""
    max_channels: int | None = None
    """Maximum number of simultaneous channels."""
    max_load: float | None = None
    """Maximum load avg on system."""
    max_open_files: int | None = None
    """Maximum number of open file handles (files, sockets)."""
    name: str
    """Asterisk system name."""
    setid: SetId
    """Effective user/group id for running Asterisk."""


class StatusInfo(AriModel):
    """Info about Asterisk status"""

    last_reload_time: AriDate
    """Time when Asterisk was last reloaded."""
    startup_time: AriDate
    """Time when Asterisk was started."""


class SystemInfo(AriModel):
    """Info about Asterisk"""

    entity_id: str
    version: str
    """Asterisk version."""


class AsteriskInfo(AriModel):
    """Asterisk system information"""

    build: BuildInfo | None = None
    """Info about how Asterisk was built"""
    config: ConfigInfo | None = None
    """Info about Asterisk configuration"""
    status: StatusInfo | None = None
    """Info about Asterisk status"""
    system: SystemInfo | None = None
    """Info about the system running Asterisk"""


class AsteriskPing(AriModel):
    """Asterisk ping information"""

    asterisk_id: str
    """Asterisk id info"""
    ping: str
    """Always string value is pong"""
    timestamp: str
    """The timestamp string of request received time"""


class Bridge(AriModel):
    """The merging of media from one or more channels. Everyone on the bridge receives the same audio."""

    bridge_class: str
    """Bridging class"""
    bridge_type: BridgeType
    """Type of bridge technology"""
    bridgevars: dict[str, Any] | None = None
    """Bridge variables"""
    channels: list[str]
    """Ids of channels participating in this bridge"""
    creationtime: AriDate
    """Timestamp when bridge was created"""
    creator: str
    """Entity that created the bridge"""
    id: str
    """Unique identifier for this bridge"""
    name: str
    """Name the creator gave the bridge"""
    technology: str
    """Name of the current bridging technology"""
    video_mode: str | None = None
    """The video mode the bridge is using. One of 'none', 'talker', 'sfu', or 'single'."""
    video_source_id: str | None = None
    """The ID of the channel that is the source of video in this bridge, if one exists."""


class BridgeAttendedTransfer(Event):
    """Notification that an attended transfer has occurred."""

    type: Literal["BridgeAttendedTransfer"] = "BridgeAttendedTransfer"
    destination_application: str | None = None
    """Application that has been transferred into"""
    destination_bridge: str | None = None
    """Bridge that survived the merge result"""
    destination_link_first_leg: Channel | None = None
    """First leg of a link transfer result"""
    destination_link_second_leg: Channel | None = None
    """Second leg of a link transfer result"""
    destination_threeway_bridge: Bridge | None = None
    """Bridge that survived the threeway result"""
    destination_threeway_channel: Channel | None = None
    """Transferer channel that survived the threeway result"""
    destination_type: str
    """How the transfer was accomplished"""
    is_external: bool
    """Whether the transfer was externally initiated or not"""
    replace_channel: Channel | None = None
    """The channel that is replacing transferer_first_leg in the swap"""
    result: str
    """The result of the transfer attempt"""
    transfer_target: Channel | None = None
    """The channel that is being transferred to"""
    transferee: Channel | None = None
    """The channel that is being transferred"""
    transferer_first_leg: Channel
    """First leg of the transferer"""
    transferer_first_leg_bridge: Bridge | None = None
    """Bridge the transferer first leg is in"""
    transferer_second_leg: Channel
    """Second leg of the transferer"""
    transferer_second_leg_bridge: Bridge | None = None
    """Bridge the transferer second leg is in"""


class BridgeBlindTransfer(Event):
    """Notification that a blind transfer has occurred."""

    type: Literal["BridgeBlindTransfer"] = "BridgeBlindTransfer"
    bridge: Bridge | None = None
    """The bridge being transferred"""
    channel: Channel
    """The channel performing the blind transfer"""
    context: str
    """The context transferred to"""
    exten: str
    """The extension transferred to"""
    is_external: bool
    """Whether the transfer was externally initiated or not"""
    replace_channel: Channel | None = None
    """The channel that is replacing transferer when the transferee(s) can not be transferred directly"""
    result: str
    """The result of the transfer attempt"""
    transferee: Channel | None = None
    """The channel that is being transferred"""


class BridgeCreated(Event):
    """Notification that a bridge has been created."""

    type: Literal["BridgeCreated"] = "BridgeCreated"
    bridge: Bridge


class BridgeDestroyed(Event):
    """Notification that a bridge has been destroyed."""

    type: Literal["BridgeDestroyed"] = "BridgeDestroyed"
    bridge: Bridge


class BridgeMerged(Event):
    """Notification that one bridge has merged into another."""

    type: Literal["BridgeMerged"] = "BridgeMerged"
    bridge: Bridge
    bridge_from: Bridge


class BridgeVideoSourceChanged(Event):
    """Notification that the source of video in a bridge has changed."""

    type: Literal["BridgeVideoSourceChanged"] = "BridgeVideoSourceChanged"
    bridge: Bridge
    old_video_source_id: str | None = None


class CallBroadcast(Event):
    """Notification that a channel is being broadcast to ARI applications for claiming."""

    type: Literal["CallBroadcast"] = "CallBroadcast"
    called: str | None = None
    """The called number."""
    caller: str | None = None
    """The caller ID number."""
    channel: Channel
    """The channel being broadcast."""


class CallClaimed(Event):
    """Notification that a broadcast channel has been successfully claimed by an ARI application."""

    type: Literal["CallClaimed"] = "CallClaimed"
    channel: Channel
    """The channel that was claimed."""
    winner_app: str
    """The name of the ARI application that claimed the channel."""


class ChannelCallerId(Event):
    """Channel changed Caller ID."""

    type: Literal["ChannelCallerId"] = "ChannelCallerId"
    caller_presentation: int
    """The integer representation of the Caller Presentation value."""
    caller_presentation_txt: str
    """The text representation of the Caller Presentation value."""
    channel: Channel
    """The channel that changed Caller ID."""


class ChannelConnectedLine(Event):
    """Channel changed Connected Line."""

    type: Literal["ChannelConnectedLine"] = "ChannelConnectedLine"
    channel: Channel
    """The channel whose connected line has changed."""


class ChannelCreated(Event):
    """Notification that a channel has been created."""

    type: Literal["ChannelCreated"] = "ChannelCreated"
    channel: Channel


class ChannelDestroyed(Event):
    """Notification that a channel has been destroyed."""

    type: Literal["ChannelDestroyed"] = "ChannelDestroyed"
    cause: int
    """Integer representation of the cause of the hangup"""
    cause_txt: str
    """Text representation of the cause of the hangup"""
    channel: Channel
    tech_cause: int | None = None
    """Integer representation of the technology-specific off-nominal cause of the hangup."""


class ChannelDialplan(Event):
    """Channel changed location in the dialplan."""

    type: Literal["ChannelDialplan"] = "ChannelDialplan"
    channel: Channel
    """The channel that changed dialplan location."""
    dialplan_app: str
    """The application about to be executed."""
    dialplan_app_data: str
    """The data to be passed to the application."""


class ChannelDtmfReceived(Event):
    """DTMF received on a channel. This event is sent when the DTMF ends. There is no notification about the start of DTMF"""

    type: Literal["ChannelDtmfReceived"] = "ChannelDtmfReceived"
    channel: Channel
    """The channel on which DTMF was received"""
    digit: str
    """DTMF digit received (0-9, A-E, # or *)"""
    duration_ms: int
    """Number of milliseconds DTMF was received"""


class ChannelEnteredBridge(Event):
    """Notification that a channel has entered a bridge."""

    type: Literal["ChannelEnteredBridge"] = "ChannelEnteredBridge"
    bridge: Bridge
    channel: Channel | None = None


class ChannelHangupRequest(Event):
    """A hangup was requested on the channel."""

    type: Literal["ChannelHangupRequest"] = "ChannelHangupRequest"
    cause: int | None = None
    """Integer representation of the cause of the hangup."""
    channel: Channel
    """The channel on which the hangup was requested."""
    soft: bool | None = None
    """Whether the hangup request was a soft hangup request."""
    tech_cause: int | None = None
    """Integer representation of the technology-specific off-nominal cause of the hangup."""


class ChannelHold(Event):
    """A channel initiated a media hold."""

    type: Literal["ChannelHold"] = "ChannelHold"
    channel: Channel
    """The channel that initiated the hold event."""
    musicclass: str | None = None
    """The music on hold class that the initiator requested."""


class ChannelLeftBridge(Event):
    """Notification that a channel has left a bridge."""

    type: Literal["ChannelLeftBridge"] = "ChannelLeftBridge"
    bridge: Bridge
    channel: Channel


class ChannelStateChange(Event):
    """Notification of a channel's state change."""

    type: Literal["ChannelStateChange"] = "ChannelStateChange"
    channel: Channel


class ChannelTalkingFinished(Event):
    """Talking is no longer detected on the channel."""

    type: Literal["ChannelTalkingFinished"] = "ChannelTalkingFinished"
    channel: Channel
    """The channel on which talking completed."""
    duration: int
    """The length of time, in milliseconds, that talking was detected on the channel"""


class ChannelTalkingStarted(Event):
    """Talking was detected on the channel."""

    type: Literal["ChannelTalkingStarted"] = "ChannelTalkingStarted"
    channel: Channel
    """The channel on which talking started."""


class ChannelToneDetected(Event):
    """Tone was detected on the channel."""

    type: Literal["ChannelToneDetected"] = "ChannelToneDetected"
    channel: Channel
    """The channel the tone was detected on."""


class RequiredDestination(AriModel):
    """Information about the requested destination"""

    additional_protocol_params: list[AdditionalParam] | None = None
    """List of additional protocol specific information"""
    destination: str | None = None
    """Destination User Part. Only for Blind transfer. Mutually exclusive to protocol_id"""
    protocol_id: str | None = None
    """the requested protocol-id by the referee in case of SIP channel, this is a SIP Call ID, Mutually exclusive to destination"""


class ReferTo(AriModel):
    """transfer destination requested by transferee"""

    bridge: Bridge | None = None
    """Bridge connecting both destination channels"""
    connected_channel: Channel | None = None
    """Channel, connected to the to be replaced channel"""
    destination_channel: Channel | None = None
    """The Channel Object, that is to be replaced"""
    requested_destination: RequiredDestination


class ReferredBy(AriModel):
    """transfer destination requested by transferee"""

    bridge: Bridge | None = None
    """Bridge connecting both Channels"""
    connected_channel: Channel | None = None
    """Channel, Connected to the channel, receiving the transfer request on."""
    source_channel: Channel
    """The channel on which the refer was received"""


class ChannelTransfer(Event):
    """transfer on a channel."""

    type: Literal["ChannelTransfer"] = "ChannelTransfer"
    refer_to: ReferTo
    """Refer-To information with optionally both affected channels"""
    referred_by: ReferredBy
    """Referred-By SIP Header according rfc3892"""
    state: str | None = None
    """Transfer State"""


class ChannelUnhold(Event):
    """A channel initiated a media unhold."""

    type: Literal["ChannelUnhold"] = "ChannelUnhold"
    channel: Channel
    """The channel that initiated the unhold event."""


class Endpoint(AriModel):
    """An external device that may offer/accept calls to/from Asterisk. Unlike most resources, which have a single unique identifier, an endpoint is uniquely identified by the technology/resource pair."""

    channel_ids: list[str]
    """Id's of channels associated with this endpoint"""
    resource: str
    """Identifier of the endpoint, specific to the given technology."""
    state: EndpointState | None = None
    """Endpoint's state"""
    technology: str
    """Technology of the endpoint"""


class ChannelUserevent(Event):
    """User-generated event with additional user-defined fields in the object."""

    type: Literal["ChannelUserevent"] = "ChannelUserevent"
    bridge: Bridge | None = None
    """A bridge that is signaled with the user event."""
    channel: Channel | None = None
    """A channel that is signaled with the user event."""
    endpoint: Endpoint | None = None
    """A endpoint that is signaled with the user event."""
    eventname: str
    """The name of the user event."""
    userevent: dict[str, Any]
    """Custom Userevent data"""


class ChannelVarset(Event):
    """Channel variable changed."""

    type: Literal["ChannelVarset"] = "ChannelVarset"
    channel: Channel | None = None
    """The channel on which the variable was set. If missing, the variable is a global variable."""
    value: str
    """The new value of the variable."""
    variable: str
    """The variable that changed."""


class ConfigTuple(AriModel):
    """A key/value pair that makes up part of a configuration object."""

    attribute: str
    """A configuration object attribute."""
    value: str
    """The value for the attribute."""


class ContactInfo(AriModel):
    """Detailed information about a contact on an endpoint."""

    aor: str
    """The Address of Record this contact belongs to."""
    contact_status: ContactInfoContactStatus
    """The current status of the contact."""
    roundtrip_usec: str | None = None
    """Current round trip time, in microseconds, for the contact."""
    uri: str
    """The location of the contact."""


class ContactStatusChange(Event):
    """The state of a contact on an endpoint has changed."""

    type: Literal["ContactStatusChange"] = "ContactStatusChange"
    contact_info: ContactInfo
    endpoint: Endpoint


class DeviceState(AriModel):
    """Represents the state of a device."""

    name: str
    """Name of the device."""
    state: DeviceStateState
    """Device's state"""


class DeviceStateChanged(Event):
    """Notification that a device state has changed."""

    type: Literal["DeviceStateChanged"] = "DeviceStateChanged"
    device_state: DeviceState
    """Device state object"""


class Dial(Event):
    """Dialing state has changed."""

    type: Literal["Dial"] = "Dial"
    caller: Channel | None = None
    """The calling channel."""
    dialstatus: str
    """Current status of the dialing attempt to the peer."""
    dialstring: str | None = None
    """The dial string for calling the peer channel."""
    forward: str | None = None
    """Forwarding target requested by the original dialed channel."""
    forwarded: Channel | None = None
    """Channel that the caller has been forwarded to."""
    peer: Channel
    """The dialed channel."""


class Dialed(AriModel):
    """Dialed channel information."""


class EndpointStateChange(Event):
    """Endpoint state changed."""

    type: Literal["EndpointStateChange"] = "EndpointStateChange"
    endpoint: Endpoint


class FormatLangPair(AriModel):
    """Identifies the format and language of a sound file"""

    format: str
    language: str


class LiveRecording(AriModel):
    """A recording that is in progress"""

    cause: str | None = None
    """Cause for recording failure if failed"""
    duration: int | None = None
    """Duration in seconds of the recording"""
    format: str
    """Recording format (wav, gsm, etc.)"""
    name: str
    """Base name for the recording"""
    silence_duration: int | None = None
    """Duration of silence, in seconds, detected in the recording. This is only available if the recording was initiated with a non-zero maxSilenceSeconds."""
    state: LiveRecordingState
    talking_duration: int | None = None
    """Duration of talking, in seconds, detected in the recording. This is only available if the recording was initiated with a non-zero maxSilenceSeconds."""
    target_uri: str
    """URI for the channel or bridge being recorded"""


class LogChannel(AriModel):
    """Details of an Asterisk log channel"""

    channel: str
    """The log channel path"""
    configuration: str
    """The various log levels"""
    status: str
    """Whether or not a log type is enabled"""
    type: str
    """Types of logs for the log channel"""


class Mailbox(AriModel):
    """Represents the state of a mailbox."""

    name: str
    """Name of the mailbox."""
    new_messages: int
    """Count of new messages in the mailbox."""
    old_messages: int
    """Count of old messages in the mailbox."""


class MissingParams(Message):
    """Error event sent when required params are missing."""

    params: list[str]
    """A list of the missing parameters"""


class Module(AriModel):
    """Details of an Asterisk module"""

    description: str
    """The description of this module"""
    name: str
    """The name of this module"""
    status: str
    """The running status of this module"""
    support_level: str
    """The support state of this module"""
    use_count: int
    """The number of times this module is being used"""


class Peer(AriModel):
    """Detailed information about a remote peer that communicates with Asterisk."""

    address: str | None = None
    """The IP address of the peer."""
    cause: str | None = None
    """An optional reason associated with the change in peer_status."""
    peer_status: str
    """The current state of the peer. Note that the values of the status are dependent on the underlying peer technology."""
    port: str | None = None
    """The port of the peer."""
    time: str | None = None
    """The last known time the peer was contacted."""


class PeerStatusChange(Event):
    """The state of a peer associated with an endpoint has changed."""

    type: Literal["PeerStatusChange"] = "PeerStatusChange"
    endpoint: Endpoint
    peer: Peer


class Playback(AriModel):
    """Object representing the playback of media to a channel"""

    id: str
    """ID for this playback operation"""
    language: str | None = None
    """For media types that support multiple languages, the language requested for playback."""
    media_uri: str
    """The URI for the media currently being played back."""
    next_media_uri: str | None = None
    """If a list of URIs is being played, the next media URI to be played back."""
    state: str
    """Current state of the playback operation. Known values: PlaybackState; open set (Asterisk reports "paused" playbacks, which the list omits)."""
    target_uri: str
    """URI for the channel or bridge to play the media on"""


class PlaybackContinuing(Event):
    """Event showing the continuation of a media playback operation from one media URI to the next in the list."""

    type: Literal["PlaybackContinuing"] = "PlaybackContinuing"
    playback: Playback
    """Playback control object"""


class PlaybackFinished(Event):
    """Event showing the completion of a media playback operation."""

    type: Literal["PlaybackFinished"] = "PlaybackFinished"
    playback: Playback
    """Playback control object"""


class PlaybackStarted(Event):
    """Event showing the start of a media playback operation."""

    type: Literal["PlaybackStarted"] = "PlaybackStarted"
    playback: Playback
    """Playback control object"""


class RESTHeader(AriModel):
    """REST over Websocket header"""

    name: str
    """Header name"""
    value: str
    """Header value"""


class RESTQueryStringParameter(AriModel):
    """REST over Websocket Query String Parameter"""

    name: str
    """Parameter name"""
    value: str
    """Parameter value"""


class RESTRequest(AriModel):
    """REST over Websocket Request."""

    content_type: str | None = None
    """The Content-Type of the message body."""
    message_body: str | None = None
    """Request message body. Only content types application/json and application/x-www-form-urlencoded are supported."""
    method: str
    """HTTP method (GET, PUT, POST, DELETE, etc.)"""
    query_strings: list[RESTQueryStringParameter] | None = None
    """Request query string parameters."""
    request_id: str
    """Opaque request id. Can be any valid string. Will be returned in any response to this request."""
    transaction_id: str
    """Opaque transaction id. Can be any valid string. Will be returned in any response to this request."""
    type: str
    """Message type. Must be 'RESTRequest'"""
    uri: str
    """Resource URI with optional query string parameters."""


class RESTResponse(Event):
    """REST over Websocket Response."""

    type: Literal["RESTResponse"] = "RESTResponse"
    content_type: str | None = None
    """The Content-Type of the message body."""
    message_body: str | None = None
    """Response message body"""
    reason_phrase: str
    """HTTP reason phrase"""
    request_id: str
    """Opaque request id. Will be whatever was specified on the original request."""
    status_code: int
    """HTTP status code"""
    transaction_id: str
    """Opaque transaction id. Will be whatever was specified on the original request."""
    uri: str
    """Original request resource URI"""


class RTPstat(AriModel):
    """A statistics of a RTP."""

    channel_uniqueid: str
    """The Asterisk channel's unique ID that owns this instance."""
    local_maxjitter: float | None = None
    """Maximum jitter on local side."""
    local_maxrxploss: float | None = None
    """Maximum number of packets lost on local side."""
    local_minjitter: float | None = None
    """Minimum jitter on local side."""
    local_minrxploss: float | None = None
    """Minimum number of packets lost on local side."""
    local_normdevjitter: float | None = None
    """Average jitter on local side."""
    local_normdevrxploss: float | None = None
    """Average number of packets lost on local side."""
    local_ssrc: int
    """Our SSRC."""
    local_stdevjitter: float | None = None
    """Standard deviation jitter on local side."""
    local_stdevrxploss: float | None = None
    """Standard deviation packets lost on local side."""
    maxrtt: float | None = None
    """Maximum round trip time."""
    minrtt: float | None = None
    """Minimum round trip time."""
    normdevrtt: float | None = None
    """Average round trip time."""
    remote_maxjitter: float | None = None
    """Maximum jitter on remote side."""
    remote_maxrxploss: float | None = None
    """Maximum number of packets lost on remote side."""
    remote_minjitter: float | None = None
    """Minimum jitter on remote side."""
    remote_minrxploss: float | None = None
    """Minimum number of packets lost on remote side."""
    remote_normdevjitter: float | None = None
    """Average jitter on remote side."""
    remote_normdevrxploss: float | None = None
    """Average number of packets lost on remote side."""
    remote_ssrc: int
    """Their SSRC."""
    remote_stdevjitter: float | None = None
    """Standard deviation jitter on remote side."""
    remote_stdevrxploss: float | None = None
    """Standard deviation packets lost on remote side."""
    rtt: float | None = None
    """Total round trip time."""
    rxcount: int
    """Number of packets received."""
    rxjitter: float | None = None
    """Jitter on received packets."""
    rxoctetcount: int
    """Number of octets received."""
    rxploss: int
    """Number of received packets lost."""
    stdevrtt: float | None = None
    """Standard deviation round trip time."""
    txcount: int
    """Number of packets transmitted."""
    txjitter: float | None = None
    """Jitter on transmitted packets."""
    txoctetcount: int
    """Number of octets transmitted."""
    txploss: int
    """Number of transmitted packets lost."""


class RecordingFailed(Event):
    """Event showing failure of a recording operation."""

    type: Literal["RecordingFailed"] = "RecordingFailed"
    recording: LiveRecording
    """Recording control object"""


class RecordingFinished(Event):
    """Event showing the completion of a recording operation."""

    type: Literal["RecordingFinished"] = "RecordingFinished"
    recording: LiveRecording
    """Recording control object"""


class RecordingStarted(Event):
    """Event showing the start of a recording operation."""

    type: Literal["RecordingStarted"] = "RecordingStarted"
    recording: LiveRecording
    """Recording control object"""


class Sound(AriModel):
    """A media file that may be played back."""

    formats: list[FormatLangPair]
    """The formats and languages in which this sound is available."""
    id: str
    """Sound's identifier."""
    text: str | None = None
    """Text description of the sound, usually the words spoken."""


class StasisEnd(Event):
    """Notification that a channel has left a Stasis application."""

    type: Literal["StasisEnd"] = "StasisEnd"
    channel: Channel


class StasisStart(Event):
    """Notification that a channel has entered a Stasis application."""

    type: Literal["StasisStart"] = "StasisStart"
    args: list[str]
    """Arguments to the application"""
    channel: Channel
    replace_channel: Channel | None = None


class StoredRecording(AriModel):
    """A past recording that may be played back."""

    format: str
    name: str


class TextMessage(AriModel):
    """A text message."""

    body: str
    """The text of the message."""
    from_: str = Field(alias="from")
    """A technology specific URI specifying the source of the message. For pjsip technology, any SIP URI can be specified. For xmpp, the URI must correspond to the client connection being used to send the message."""
    to: str
    """A technology specific URI specifying the destination of the message. Valid technologies include pjsip, and xmp. The destination of a message should be an endpoint."""
    variables: dict[str, Any] | None = None
    """Technology specific key/value pairs (JSON object) associated with the message."""


class TextMessageReceived(Event):
    """A text message was received from an endpoint."""

    type: Literal["TextMessageReceived"] = "TextMessageReceived"
    endpoint: Endpoint | None = None
    message: TextMessage


class Variable(AriModel):
    """The value of a channel variable"""

    value: str
    """The value of the variable requested"""


class Variables(AriModel):
    """A dictionary of channel variables"""

    variables: dict[str, Any]
    """A dictionary of channel variables"""


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
