"""The seam between the call controller (``cti``) and the service that routes and records calls.

``cti`` knows Asterisk and the life of one call; it knows nothing of routing rules, databases or
HTTP. The service (``hotline``) knows those and nothing of ARI. They meet here:

* :class:`CallDirector` is implemented by the service. The controller tells it what happened to a
  call (it arrived, the IVR chose a language and a business line, the caller hung up in some phase,
  an agent leg answered or failed, a blind transfer was answered, talk ended, the survey was
  answered) and asks it for the IVR plan of a new call, or, after a restart, how a call it finds
  still up carries on (:class:`Resumption`). The director feeds the routing engine and persists
  the call.
* :class:`CallControl` is implemented by the controller. The service tells it what to do with a
  call (offer it to an agent's endpoint, cancel that offer, announce the position, offer a
  callback, divert, hold, transfer, hang up) and to place callbacks.

Every call is identified by a :class:`CallKey` (the site and the inbound channel id, as Asterisk
ids are unique per server only). Every method may be called late or twice: both sides treat a
call they no longer know, or an action that no longer applies, as a no-op, never as a crash.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol


@dataclass(frozen=True, slots=True)
class CallKey:
    site: str
    call_id: str  # the inbound (or callback) channel id on that site

    def __str__(self) -> str:
        return f"{self.site}/{self.call_id}"


@dataclass(frozen=True, slots=True)
class InboundCall:
    key: CallKey
    caller_number: str
    caller_name: str
    dialled: str  # the number the taxpayer dialled (StasisStart args[1], e.g. "12366")
    channel_name: str
    arrived_at: datetime  # tz-aware UTC, by Asterisk's clock (StasisStart, channel creation)


BY_LANGUAGE = "bylang:"
"""A media item that names one sound per language: ``bylang:zh=sound:hotline/a|en=sound:...``.
The controller resolves it by the call's language when it plays it (:func:`localized`); it is
never sent to Asterisk. The first entry serves a language it does not list."""


def by_language(choices: Mapping[str, str]) -> str:
    """One media item from ``language -> media URI`` (the first entry is the fallback)."""
    return BY_LANGUAGE + "|".join(f"{language}={uri}" for language, uri in choices.items())


def localized(media: str, language: str | None) -> str:
    """The media URI a caller speaking ``language`` hears for ``media``: itself, unless it is a
    :data:`BY_LANGUAGE` item, then its entry for the language (else its first entry). Asterisk
    still picks the file's directory from the playback's language (``sounds/<lang>/...``)."""
    if not media.startswith(BY_LANGUAGE):
        return media
    fallback: str | None = None
    for entry in media.removeprefix(BY_LANGUAGE).split("|"):
        code, _, uri = entry.partition("=")
        if code == language:
            return uri
        fallback = fallback or uri
    return fallback or media


@dataclass(frozen=True, slots=True)
class MenuOption:
    digit: str
    value: str  # a language code ("zh") or a business line ("national_tax")
    prompt: str  # a sound URI, e.g. "sound:hotline/lang-zh" (or a BY_LANGUAGE item)


@dataclass(frozen=True, slots=True)
class PlanPrompts:
    """The sounds the controller plays on its own (outside the menus) for one call, as the
    configuration in force when the call arrived names them; the controller's ``CallMedia``
    keeps its own for a plan without them. ``{position}`` / ``{minutes}`` as in ``CallMedia``."""

    invalid_choice: tuple[str, ...]
    position: tuple[str, ...]
    expected_wait: tuple[str, ...]
    callback_offer: tuple[str, ...]
    callback_request: tuple[str, ...]
    callback_confirmed: tuple[str, ...]
    survey_prompt: tuple[str, ...]
    survey_thanks: tuple[str, ...]
    goodbye: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IvrPlan:
    """What the IVR does with one call; decided by the service (service hours, menus, media)."""

    open: bool  # False: play the closed message and offer a callback request (or a voicemail)
    greeting: str = "sound:hotline/welcome"
    languages: tuple[MenuOption, ...] = ()  # empty: the language is `default_language`
    # (closed: when given, the language is asked first and the closed message follows in it)
    lines: tuple[MenuOption, ...] = ()  # business-line menu (the prompt media may vary by language)
    default_language: str = "zh"
    digit_timeout_s: float = 5.0
    retries: int = 2  # a menu is repeated this many times on timeout or a wrong digit
    closed_message: str = "sound:hotline/closed"
    music_on_hold: str = "default"  # the MOH class
    survey: bool = True  # offer the 1-5 satisfaction survey when the agent hangs up first
    closed_voicemail: VoicemailSpec | None = None
    """Closed: after the closed message, record a voicemail instead of offering a callback."""
    prompts: PlanPrompts | None = None
    """The configuration's own sounds; a call keeps them to its end (a new version published
    meanwhile changes what the next call hears, not this one)."""
    extras: Mapping[str, Any] = field(default_factory=dict)


class CallPhase(enum.Enum):
    IVR = "ivr"
    QUEUE = "queue"
    RINGING = "ringing"  # an agent leg was ringing when the caller hung up
    TALK = "talk"
    SURVEY = "survey"


@dataclass(frozen=True, slots=True)
class Resumption:
    """How a call found still up after a restart carries on: the director's answer to
    :meth:`CallDirector.call_adopted`, from what the service had recorded.

    * ``IVR``: the IVR starts again from the greeting (the caller had not chosen yet);
    * ``QUEUE`` / ``RINGING``: the caller waits again in its bridge with music on hold, without a
      new ``ivr_completed`` (the service puts it back in routing with its old place); an agent
      leg still ringing is hung up;
    * ``TALK``: the caller keeps talking with ``agent_id`` if that agent's leg is still up, and
      ``talk_ended`` is reported at once if it is gone;
    * ``SURVEY``: the survey question is asked again.
    """

    plan: IvrPlan
    phase: CallPhase
    agent_id: str | None = None  # TALK: the agent the caller talks to


class LegFailure(enum.Enum):
    """Why an agent leg did not answer (see the cause table in ../shared/ari/README.md)."""

    NO_ANSWER = "no_answer"
    BUSY = "busy"
    REJECTED = "rejected"
    UNREACHABLE = "unreachable"  # unknown endpoint, allocation failure, congestion
    LOST = "lost"  # gone while the link to Asterisk was down: why is unknown, nobody is blamed
    CANCELLED = "cancelled"  # we cancelled it (the caller left, the offer was withdrawn)


class EndedBy(enum.Enum):
    CALLER = "caller"
    AGENT = "agent"
    SYSTEM = "system"  # hang-up from the API, diversion, shutdown


class CallDirector(Protocol):
    """Implemented by the service; awaited by the controller in the order things happen."""

    async def call_arrived(self, call: InboundCall) -> IvrPlan: ...

    async def call_adopted(
        self,
        call: InboundCall,
        *,
        bridged_agent: str | None = None,
        departed_agent: str | None = None,
    ) -> Resumption:
        """After a restart the controller found ``call`` still up in Asterisk: how it carries on.
        A call the service does not know is opened as a new one and resumes in the IVR.
        ``bridged_agent``: Asterisk has this agent's answered leg in the caller's bridge, so they
        talk, even if the service had not recorded the answer yet. ``departed_agent``: the
        caller's channel says this agent answered, and their leg is gone: they talked and hung
        up while no process listened, even if the service had not recorded the answer."""

    async def ivr_completed(self, key: CallKey, *, language: str, line: str) -> None:
        """The caller chose; the call now waits for an agent (enqueue it in routing)."""

    async def language_chosen(self, key: CallKey, *, language: str) -> None:
        """After hours (the plan closed, with a language menu): the caller's language, before
        the closed message, voicemail or callback request that follow in it."""

    async def caller_left(self, key: CallKey, *, phase: CallPhase) -> None:
        """The caller hung up before talking (IVR, queue, an agent ringing)."""

    async def callback_accepted(self, key: CallKey) -> None:
        """The waiting caller pressed the callback digit; the controller then hangs up politely."""

    async def offer_answered(self, key: CallKey, *, agent_id: str) -> None:
        """The agent leg of an offer (or of a callback) answered: caller and agent now talk."""

    async def transfer_answered(self, key: CallKey, *, agent_id: str) -> None:
        """A blind transfer was answered: the caller now talks with ``agent_id`` and the agent who
        talked before is released (the service puts them in wrap-up). It replaces, for a
        transfer, the ``talk_ended`` + ``offer_answered`` pair: the call goes on, its talk
        time is not cut, and ``talk_ended`` later names the new agent."""

    async def requeued(self, key: CallKey, *, agent_id: str, line: str, language: str) -> None:
        """A blind transfer to a queue was carried out: ``agent_id`` has left the call (the
        service puts them in wrap-up) and the caller waits again, for ``line`` x ``language``;
        the service puts the contact back in routing. The call and its record go on."""

    async def offer_failed(self, key: CallKey, *, agent_id: str, failure: LegFailure) -> None: ...

    async def talk_ended(self, key: CallKey, *, agent_id: str, ended_by: EndedBy) -> None:
        """Caller and agent are no longer connected (the agent enters wrap-up)."""

    async def survey_answered(self, key: CallKey, *, score: int | None) -> None: ...

    async def call_finished(self, key: CallKey) -> None:
        """Nothing more will happen to this call (every leg is gone)."""

    async def journal(self, key: CallKey, kind: str, data: Mapping[str, Any]) -> None:
        """Append one entry to the call's event journal (ARI events seen, actions taken)."""


class CallControl(Protocol):
    """Implemented by the controller; called by the service (routing decisions, API actions)."""

    async def offer(
        self, key: CallKey, *, agent_id: str, endpoint: str, ring_timeout_s: float
    ) -> None:
        """Ring the agent's endpoint; on answer bridge it with the caller."""

    async def cancel_offer(self, key: CallKey, *, agent_id: str) -> None: ...

    async def announce(
        self, key: CallKey, *, position: int | None, expected_wait_s: float | None
    ) -> None: ...

    async def offer_callback(self, key: CallKey) -> None:
        """Play "press 1 to keep your place and be called back" and listen for the digit."""

    async def divert(
        self,
        key: CallKey,
        *,
        target: str,
        voicemail: VoicemailSpec | None = None,
        prompt: tuple[str, ...] = (),
    ) -> None:
        """Leave the queue: "voicemail", "work_order", "callback" or "closed". The target's
        prompt plays; with ``voicemail`` the caller's channel is then recorded (a beep, the
        maximum length, ``#`` ends it) and the call hangs up when the recording ends, else the
        call hangs up after the prompt. ``prompt``: the media to play (the configuration's
        sound); empty: the controller's own for the target (``CallMedia.divert``)."""

    async def hold(self, key: CallKey) -> None: ...

    async def unhold(self, key: CallKey) -> None: ...

    async def transfer(
        self, key: CallKey, *, agent_id: str, endpoint: str, ring_timeout_s: float
    ) -> None:
        """Blind transfer of a talking call to another agent; its answer is reported with
        :meth:`CallDirector.transfer_answered`, its failure with ``offer_failed`` (the caller
        goes back to the first agent)."""

    async def requeue(self, key: CallKey, *, line: str, language: str) -> None:
        """Blind transfer of a talking inbound call to a queue: the agent's leg is hung up, the
        caller hears the queue's music again and :meth:`CallDirector.requeued` is reported.
        Ignored outside talk or hold (a transfer ringing, the call ended) and for callbacks."""

    async def hangup(self, key: CallKey) -> None:
        """The agent on the call hangs up from the desktop: the talk ends ``by the agent``."""
        ...

    async def place_callback(
        self,
        key: CallKey,
        *,
        agent_id: str,
        agent_endpoint: str,
        taxpayer_number: str,
        ring_timeout_s: float,
        plan: IvrPlan | None = None,
    ) -> None:
        """Dial the agent first, then the taxpayer, and bridge them (a busy callback, 遇忙回复).
        ``key.call_id`` is chosen by the service for the new call; ``plan`` (its survey switch,
        own sounds and ``default_language``, the taxpayer's) is what the call plays after the
        talk; None: the controller's own.

        **The callback contract** (the one place it is written; ``docs/cti.md`` repeats it): a
        callback counts as *answered* only once the taxpayer has answered and is connected to the
        agent. The director hears exactly one of:

        * ``offer_failed(agent, failure)``: the agent leg ended before answering (the taxpayer
          was never dialled);
        * ``caller_left(RINGING)``: the agent answered but the taxpayer was not reached, whatever
          the taxpayer leg's end (no answer, busy, congestion, rejected, unreachable, hung up
          while ringing) or the agent hanging up while the taxpayer rang; the failure is in the
          call's journal (``callback_taxpayer_failed``);
        * ``offer_answered(agent)``: both connected; ``talk_ended`` follows.

        ``call_finished`` ends every callback call. Retrying is the service's decision.
        """


@dataclass(frozen=True, slots=True)
class VoicemailSpec:
    """A voicemail to record after the divert prompt: the stored recording's name (chosen by
    the service, so that the message is findable even if the caller hangs up mid-way), its
    maximum length and whether a beep tells the caller to speak. ``#`` ends it early."""

    name: str
    max_length_s: int
    beep: bool = True


MonitorMode = Literal["listen", "whisper", "barge"]


class MonitorRefused(Exception):
    """The call cannot be monitored now; the message says why (the API answers 409)."""


class UnknownMonitor(Exception):
    """No such monitor on this call (it ended, or never started)."""


class RecordingUnavailable(Exception):
    """A stored recording cannot be read or deleted; the message says why."""


MonitorEndedHook = Callable[[CallKey, str, str], None]


@dataclass(frozen=True, slots=True)
class RunningMonitor:
    """A monitor as the service keeps it (in its database) to take it over after a restart."""

    monitor_id: str
    key: CallKey
    mode: MonitorMode
    agent_leg: str
    endpoint: str


class CallSupervision(Protocol):
    """Implemented by the sites; called by the service: a supervisor's monitoring of a talking
    call (see :mod:`cti.calls.monitor`) and the recording of calls (ARI bridge recording)."""

    async def start_monitor(self, key: CallKey, *, mode: MonitorMode, endpoint: str) -> str:
        """Ring ``endpoint`` and connect it to a snoop of the agent's leg; the monitor id.
        :class:`MonitorRefused` when the call is not in talk."""

    async def switch_monitor(self, key: CallKey, monitor_id: str, *, mode: MonitorMode) -> None:
        """Change the mode; :class:`UnknownMonitor`, :class:`MonitorRefused`."""

    async def stop_monitor(self, key: CallKey, monitor_id: str) -> None:
        """End the monitor (both its legs); :class:`UnknownMonitor` if it already ended."""

    def monitor_endpoint(self, key: CallKey, monitor_id: str) -> str | None:
        """The supervisor's phone of a running monitor (None once it ended)."""

    def running_monitor(self, key: CallKey, monitor_id: str) -> RunningMonitor | None:
        """What the service keeps of a running monitor (None once it ended)."""

    def adopt_monitors(self, monitors: list[RunningMonitor]) -> None:
        """Monitors a previous process started (before the sites connect): the resync keeps
        those whose legs are still up and ends the others (the hook is told)."""

    def watch_monitors(self, hook: MonitorEndedHook) -> None:
        """Call ``hook(key, monitor_id, reason)`` whenever a monitor ends, whatever ended it
        (stopped, the agent's leg gone, the supervisor hung up or did not answer)."""

    async def start_recording(self, key: CallKey, *, name: str) -> bool:
        """Record the call's bridge as ``name``; False when the call has no bridge (ended)."""

    async def stop_recording(self, key: CallKey, *, name: str) -> None:
        """Stop it (a no-op when it already stopped, e.g. with its bridge)."""

    async def recording_state(self, key: CallKey, *, name: str) -> str | None:
        """``live`` (recording the call's bridge now), ``stored`` or None (no such name)."""

    async def recording_audio(self, site: str, name: str) -> tuple[bytes, str]:
        """The stored recording's audio and media type; :class:`RecordingUnavailable`."""

    async def delete_recording(self, site: str, name: str) -> bool:
        """Delete the stored recording; False when it was already gone."""
