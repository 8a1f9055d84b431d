"""A recording director and a controller wired to the in-process ARI emulator over real sockets."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cti.ari.backoff import Backoff
from cti.ari.client import AriClient
from cti.ari.stream import EventStream
from cti.calls.controller import ControllerOptions, SiteCallController
from cti.calls.model import CallMedia
from cti.calls.ports import (
    CallControl,
    CallKey,
    CallPhase,
    EndedBy,
    InboundCall,
    IvrPlan,
    LegFailure,
    MenuOption,
    Resumption,
)
from cti.emulator import RunningEmulator, run_emulator
from tests.waiting import WAIT_S

SPEED = 40.0
SITE = "bj"

# Prompts the emulator knows (unknown sounds fail at once, like a missing file in Asterisk).
LAB_MEDIA = CallMedia(
    invalid_choice=("sound:im-sorry",),
    position=("sound:queue-thereare", "number:{position}"),
    expected_wait=("sound:queue-holdtime", "number:{minutes}", "sound:queue-minutes"),
    callback_offer=("sound:queue-callswaiting",),
    callback_request=("sound:vm-Urgent",),
    callback_confirmed=("sound:queue-thankyou",),
    survey_prompt=("sound:conf-now-unmuted",),
    survey_thanks=("sound:auth-thankyou",),
    goodbye=("sound:vm-goodbye",),
    divert=(("voicemail", ("sound:beep",)),),
)
LANGUAGE_PROMPT = "sound:vm-enter-num-to-call"
LINE_PROMPT = "sound:pls-hold-while-try"
MENU_PLAN = IvrPlan(
    open=True,
    greeting="sound:hello-world",
    languages=(MenuOption("1", "zh", LANGUAGE_PROMPT), MenuOption("2", "en", "sound:digits/2")),
    lines=(MenuOption("1", "national_tax", LINE_PROMPT), MenuOption("2", "local_tax", "beep")),
    digit_timeout_s=4.0,
    retries=1,
)
CLOSED_PLAN = IvrPlan(open=False, closed_message="sound:im-sorry", digit_timeout_s=4.0, retries=0)

Hook = Callable[["RecordingDirector", CallKey], Awaitable[None]]


@dataclass
class RecordingDirector:
    """Records every notification; optional hooks play the service's part."""

    plan: IvrPlan = MENU_PLAN
    resumption: Resumption | None = None  # call_adopted's answer (None: the IVR again)
    on_ivr_completed: Hook | None = None
    on_offer_answered: Hook | None = None
    on_offer_failed: Hook | None = None
    on_requeued: Hook | None = None
    control: CallControl | None = None
    log: list[tuple[str, CallKey, dict[str, Any]]] = field(default_factory=list)
    journal_log: list[tuple[CallKey, str]] = field(default_factory=list)
    journal_data: list[tuple[CallKey, str, dict[str, Any]]] = field(default_factory=list)
    finished: dict[CallKey, asyncio.Event] = field(default_factory=dict)

    def _record(self, name: str, key: CallKey, **data: Any) -> None:
        self.log.append((name, key, data))

    def names(self, key: CallKey | None = None) -> list[str]:
        return [name for name, k, _ in self.log if key is None or k == key]

    def entries(self, name: str) -> list[dict[str, Any]]:
        return [data for n, _, data in self.log if n == name]

    def keys(self) -> list[CallKey]:
        return [k for n, k, _ in self.log if n == "call_arrived"]

    def finished_event(self, key: CallKey) -> asyncio.Event:
        return self.finished.setdefault(key, asyncio.Event())

    async def call_arrived(self, call: InboundCall) -> IvrPlan:
        self._record("call_arrived", call.key, caller=call.caller_number, dialled=call.dialled)
        return self.plan

    async def call_adopted(
        self,
        call: InboundCall,
        *,
        bridged_agent: str | None = None,
        departed_agent: str | None = None,
    ) -> Resumption:
        self._record(
            "call_adopted",
            call.key,
            caller=call.caller_number,
            bridged_agent=bridged_agent,
            departed_agent=departed_agent,
        )
        return self.resumption or Resumption(self.plan, CallPhase.IVR)

    async def ivr_completed(self, key: CallKey, *, language: str, line: str) -> None:
        self._record("ivr_completed", key, language=language, line=line)
        if self.on_ivr_completed is not None:
            await self.on_ivr_completed(self, key)

    async def language_chosen(self, key: CallKey, *, language: str) -> None:
        self._record("language_chosen", key, language=language)

    async def caller_left(self, key: CallKey, *, phase: CallPhase) -> None:
        self._record("caller_left", key, phase=phase)

    async def callback_accepted(self, key: CallKey) -> None:
        self._record("callback_accepted", key)

    async def offer_answered(self, key: CallKey, *, agent_id: str) -> None:
        self._record("offer_answered", key, agent_id=agent_id)
        if self.on_offer_answered is not None:
            await self.on_offer_answered(self, key)

    async def transfer_answered(self, key: CallKey, *, agent_id: str) -> None:
        self._record("transfer_answered", key, agent_id=agent_id)

    async def requeued(self, key: CallKey, *, agent_id: str, line: str, language: str) -> None:
        self._record("requeued", key, agent_id=agent_id, line=line, language=language)
        if self.on_requeued is not None:
            await self.on_requeued(self, key)

    async def offer_failed(self, key: CallKey, *, agent_id: str, failure: LegFailure) -> None:
        self._record("offer_failed", key, agent_id=agent_id, failure=failure)
        if self.on_offer_failed is not None:
            await self.on_offer_failed(self, key)

    async def talk_ended(self, key: CallKey, *, agent_id: str, ended_by: EndedBy) -> None:
        self._record("talk_ended", key, agent_id=agent_id, ended_by=ended_by)

    async def survey_answered(self, key: CallKey, *, score: int | None) -> None:
        self._record("survey_answered", key, score=score)

    async def call_finished(self, key: CallKey) -> None:
        self._record("call_finished", key)
        self.finished_event(key).set()

    async def journal(self, key: CallKey, kind: str, data: Mapping[str, Any]) -> None:
        self.journal_log.append((key, kind))
        self.journal_data.append((key, kind, dict(data)))


def offer_to(endpoint: str, agent_id: str, ring_timeout_s: float = 10.0) -> Hook:
    async def hook(director: RecordingDirector, key: CallKey) -> None:
        assert director.control is not None
        await director.control.offer(
            key, agent_id=agent_id, endpoint=endpoint, ring_timeout_s=ring_timeout_s
        )

    return hook


@dataclass
class Site:
    emulator: RunningEmulator
    client: AriClient
    controller: SiteCallController
    stream: EventStream
    director: RecordingDirector

    def call_key(self, placed: Mapping[str, Any]) -> CallKey:
        return CallKey(SITE, str(placed["channel_id"]))

    async def finished(self, key: CallKey, timeout_s: float = WAIT_S) -> None:
        await asyncio.wait_for(self.director.finished_event(key).wait(), timeout_s)
        await self.controller.drain()

    async def until(self, predicate: Callable[[], bool], timeout_s: float = WAIT_S) -> None:
        async def poll() -> None:
            while not predicate():
                await asyncio.sleep(0.01)

        await asyncio.wait_for(poll(), timeout_s)


def _controller(
    emulator: RunningEmulator, director: RecordingDirector, trunk_endpoint: str
) -> tuple[AriClient, SiteCallController, EventStream]:
    client = AriClient(emulator.base_url, "hotline", "secret", "hotline")
    options = ControllerOptions(media=LAB_MEDIA, trunk_endpoint=trunk_endpoint, timer_scale=SPEED)
    controller = SiteCallController(SITE, client, director, options=options)
    director.control = controller
    stream = EventStream(
        SITE,
        client.event_endpoint(),
        router=controller.route_event,
        on_connected=controller.resync,
        ping_interval=5.0,
        random_source=lambda: 0.0,
        backoff=Backoff(initial=0.05, maximum=0.2),
    )
    return client, controller, stream


@contextlib.asynccontextmanager
async def emulated_site(
    director: RecordingDirector,
    *,
    trunk_endpoint: str = "PJSIP/{number}",
    race: str = "events_first",
) -> AsyncIterator[Site]:
    async with run_emulator(speed=SPEED, race=race) as emulator:
        client, controller, stream = _controller(emulator, director, trunk_endpoint)
        stream.start()
        try:
            await asyncio.wait_for(stream.wait_connected(), WAIT_S)
            yield Site(emulator, client, controller, stream, director)
        finally:
            await stream.close()
            await controller.close()
            await client.aclose()


@contextlib.asynccontextmanager
async def emulated_controller(
    site: Site, director: RecordingDirector
) -> AsyncIterator[SiteCallController]:
    """A second controller (a restarted process) on the same emulated Asterisk."""
    client, controller, stream = _controller(site.emulator, director, "PJSIP/{number}")
    stream.start()
    try:
        await asyncio.wait_for(stream.wait_connected(), WAIT_S)
        yield controller
    finally:
        await stream.close()
        await controller.close()
        await client.aclose()
