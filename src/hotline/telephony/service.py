"""The telephony service: built once per process, started in the app's lifespan.

It owns the ACD loop and the director, restores agent sessions and owed callbacks at start-up,
loads the calls that were live when the last process stopped and, once the controller has
resynchronised with Asterisk, adopts the ones still alive (:meth:`adopt_live_calls`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Coroutine
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.ports import (
    CallControl,
    CallDirector,
    CallKey,
    CallPhase,
    CallSupervision,
    EndedBy,
)
from hotline.bus import EventBus
from hotline.clock import Clock
from hotline.config import RecordingSettings
from hotline.db.models import Call
from hotline.db.write_queue import WriteQueue
from hotline.telephony import monitors
from hotline.telephony.acd import AcdLoop
from hotline.telephony.agents import AgentSessions
from hotline.telephony.callbacks import DEFAULT_RETRY, Callbacks, RetryPolicy
from hotline.telephony.context import Context
from hotline.telephony.director import Director, contact_of
from hotline.telephony.follow_ups import FollowUps
from hotline.telephony.live import LiveCall
from hotline.telephony.menus import IvrMenus
from hotline.telephony.question_outbox import QuestionOutbox
from hotline.telephony.recorder import Recorder
from hotline.telephony.recordings import RECORDING, RECORDING_SINCE, CallRecordings, PurgeLoop
from hotline.telephony.stats import SkillCounters
from hotline.telephony.workdays import with_calendar
from routing import (
    ContactArrived,
    ContactEnded,
    Policy,
    QueueSnapshot,
    default_policy,
    queue_snapshots,
)

log = structlog.get_logger(__name__)


class TelephonyService:
    def __init__(
        self,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        bus: EventBus,
        control: CallControl,
        policy: Policy | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        writes: WriteQueue | None = None,
        api_sessionmaker: async_sessionmaker[AsyncSession] | None = None,
        supervision: CallSupervision | None = None,
        recording: RecordingSettings | None = None,
    ) -> None:
        """``sessionmaker`` should be the CTI engine's own pool; ``writes`` its write queue
        (started by its owner). Without one the service makes, starts and stops its own.
        ``api_sessionmaker`` (the API's pool) serves the statistics the API asks for, so that
        API load stays off the CTI engine's pool. ``supervision`` (the sites) monitors and
        records calls; ``recording`` says which calls are recorded and for how long."""
        self._sessionmaker = api_sessionmaker or sessionmaker
        self._owns_writes = writes is None
        self.writes = writes or WriteQueue(sessionmaker)
        self.recorder = Recorder(sessionmaker, self.writes)
        self.ctx = Context(
            clock=clock, control=control, recorder=self.recorder, bus=bus, site_ids={}
        )
        # Diverted questions kept until filed (on the CTI pool: the engine writes them).
        self.questions = QuestionOutbox(self.ctx, sessionmaker)
        self.acd = AcdLoop(self.ctx, policy or with_calendar(default_policy()), self.questions)
        self.agents = AgentSessions(self.ctx, self.acd, sessionmaker)
        self.callbacks = Callbacks(self.ctx, self.acd, retry)
        self.acd.bind(callbacks=self.callbacks, agents=self.agents)
        self._cti_sessionmaker = sessionmaker
        self._monitored: dict[str, int] = {}  # monitor id -> call row
        self._pending: set[asyncio.Task[None]] = set()
        self.recording = recording or RecordingSettings()
        self.recordings = CallRecordings(self.ctx, None, self.recording)
        self.supervision: CallSupervision | None = None
        self.purge: PurgeLoop | None = None
        if supervision is not None:
            self.attach_supervision(supervision)
        self.follow_ups = FollowUps(self.ctx, self.agents, lambda: self.acd.menus)
        self._director = Director(
            self.ctx, self.acd, self.agents, self.callbacks, self.recordings, self.follow_ups
        )
        self._awaiting_adoption: set[CallKey] = set()
        self.config_version: int | None = None  # the configuration version applied, if any

    def attach_supervision(self, supervision: CallSupervision) -> None:
        """Monitoring and recording through ``supervision`` (the sites, which are built after
        the service because they need its director); before :meth:`start`."""
        self.supervision = supervision
        self.recordings.attach(supervision)
        self.purge = PurgeLoop(self.ctx, self._cti_sessionmaker, supervision, self.recording)
        supervision.watch_monitors(self._monitor_ended)

    async def monitor_started(
        self, key: CallKey, monitor_id: str, call_id: int, *, user_id: int | None
    ) -> None:
        """Remember which call row a monitor is on (its end is journalled there even when the
        call has already left the live calls: the call's end is what usually ends it), and
        keep the monitor in the database, where the floor and the next process find it."""
        self._monitored[monitor_id] = call_id
        running = (
            None if self.supervision is None else self.supervision.running_monitor(key, monitor_id)
        )
        if running is not None:
            await monitors.started(
                self.writes, running, call_id=call_id, user_id=user_id, at=self.ctx.now()
            )
            # Stored before the API answers: the floor reads the list right after (rare: the
            # wait costs one write's time, once per monitor started).
            await self.writes.flush()

    async def monitor_switched(self, monitor_id: str, mode: str) -> None:
        await monitors.switched(self.writes, monitor_id, mode)
        await self.writes.flush()

    def _monitor_ended(self, key: CallKey, monitor_id: str, reason: str) -> None:
        now = self.ctx.now()
        # Queued now, in order behind the start: the row is closed whatever else happens.
        self._background(monitors.ended(self.writes, monitor_id, reason, now))
        call_id = self._monitored.pop(monitor_id, None)
        if call_id is None:
            live = self.ctx.calls.by_key.get(key)
            call_id = None if live is None else live.call_id
        if call_id is None:
            return
        data = {"monitor_id": monitor_id, "reason": reason}
        self._background(self.recorder.journal(call_id, now, "monitor_ended", data))

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _adopt_monitors(self) -> int:
        """Monitors the last process left running go to the sites, whose resync keeps those
        still up on the PBX and ends (and closes in the database) the others."""
        async with self._cti_sessionmaker() as session:
            found = await monitors.running(session)
        if self.supervision is None:
            for monitor in found:
                await monitors.ended(
                    self.writes, monitor.monitor_id, "no ARI site in this process", self.ctx.now()
                )
            return 0
        for monitor in found:
            call = self.ctx.calls.by_key.get(monitor.key)
            if call is not None:
                self._monitored[monitor.monitor_id] = call.call_id
        self.supervision.adopt_monitors(found)
        return len(found)

    @property
    def director(self) -> CallDirector:
        return self._director

    async def transfer_requested(self, key: CallKey, *, agent_id: str) -> None:
        """Before a blind transfer rings ``agent_id``: hold them from routing's offers."""
        await self._director.transfer_requested(key, agent_id=agent_id)

    async def apply_config(self, policy: Policy, menus: IvrMenus, version: int) -> None:
        """A configuration version takes force: new calls get ``menus``; waiting callers are
        re-evaluated under ``policy`` at once; calls in the IVR or talking carry on as they are."""
        self.acd.menus = menus
        waiting = await self.acd.replace_policy(policy)
        self.config_version = version
        log.info("config_in_force", version=version, waiting_reevaluated=waiting)

    async def flush(self) -> None:
        """Wait until every write handed over so far is in the database."""
        await self.acd.filed()
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        await self.writes.flush()

    async def start(self) -> None:
        if self._owns_writes:
            self.writes.start()
        self.ctx.site_ids.update(await self.recorder.site_ids())
        sessions = await self.agents.restore()
        callbacks = await self.callbacks.restore()
        # Before the live calls are loaded: a question whose call the last process never wrote
        # gets its row now, so that its caller, still on the line, is adopted under it.
        await self.questions.write_missing_calls()
        live = await self._load_live_calls()
        await self.recorder.prime()
        await self.ctx.today.rebuild(self._sessionmaker, self.ctx.now())
        await self._restore_talking_calls()
        adopted = await self._adopt_monitors()
        if self.purge is not None:
            self.purge.start()
        self.questions.start()  # questions left unfiled by the last process are filed too
        log.info(
            "telephony_started",
            sessions=sessions,
            callbacks=callbacks,
            live_calls=live,
            monitors=adopted,
        )

    async def stop(self) -> None:
        if self.purge is not None:
            await self.purge.stop()
        await self.callbacks.stop()
        await self.acd.stop()
        await self.questions.stop()
        if self._owns_writes:
            await self.writes.stop()

    # ------------------------------------------------------------- live calls

    async def _load_live_calls(self) -> int:
        rows = await self.recorder.live_calls(self.ctx.now())
        await self.recorder.continue_journals([row.id for row in rows])
        for row in rows:
            call = _live_call(row, self.ctx.site_code(row.site_id))
            self.ctx.calls.add(call)
            self._awaiting_adoption.add(call.key)
        return len(rows)

    async def _restore_talking_calls(self) -> None:
        """Agents who were talking when the last process stopped are on that call in routing
        from the start, before any site connects, so that no other call is offered to them;
        :meth:`adopt_live_calls` ends the calls that turn out gone."""
        for key in sorted(self._awaiting_adoption, key=str):
            call = self.ctx.calls.by_key.get(key)
            if call is None or not _talking_inbound(call) or call.agent_id is None:
                continue
            connected = await self.acd.place_on_call(contact_of(call), call.agent_id, known=False)
            if not connected:
                log.warning("talking_call_not_restored", call_id=call.call_id, agent=call.agent_id)

    async def adopt_live_calls(self, keys_alive: Collection[CallKey]) -> None:
        """After the controller's resync: calls still up carry on (a waiting call re-enters
        routing with its old place in line); calls gone while we were down are closed."""
        alive = set(keys_alive)
        now = self.ctx.now()
        for key in sorted(self._awaiting_adoption, key=str):
            call = self.ctx.calls.by_key.get(key)
            if call is None:
                continue
            if key not in alive:
                await self.recorder.journal(call.call_id, now, "vanished", {"phase": call.phase})
                await self.recorder.update_call(call.call_id, {"ended_by": EndedBy.SYSTEM.value})
                if _talking_inbound(call):
                    await self.acd.feed(ContactEnded(call.contact_id))  # the agent: wrap-up
                await self._director.close(call, now)
            elif _talking_inbound(call):
                await self.recorder.journal(call.call_id, now, "adopted", {"phase": call.phase})
                await self.recordings.adopted(call)  # recorded to the end of talk
            elif (
                call.kind == "inbound"
                and call.outcome is None  # a decided call carries its outcome out again
                and call.phase in (CallPhase.QUEUE.value, CallPhase.RINGING.value)
            ):
                call.phase = CallPhase.QUEUE.value
                call.offered_agent = None
                await self.recorder.journal(call.call_id, now, "adopted", {"phase": call.phase})
                await self.acd.feed(ContactArrived(contact_of(call)))
        self._awaiting_adoption.clear()

    # ---------------------------------------------------------------- queries

    async def queues(self) -> list[QueueSnapshot]:
        return await self.acd.read(queue_snapshots)

    async def today(self) -> dict[tuple[str, str], SkillCounters]:
        """Today's counters per skill, kept running by the director (see ``stats``)."""
        today, now = self.ctx.today, self.ctx.now()
        if today.stale(now):
            await today.rebuild(self._sessionmaker, now)
        return today.snapshot()


def _talking_inbound(call: LiveCall) -> bool:
    """An inbound call whose caller talked with an agent (routing had them connected)."""
    return (
        call.kind == "inbound"
        and call.outcome is None
        and call.phase == CallPhase.TALK.value
        and call.answered_at is not None
        and call.line is not None
        and call.language is not None
        and call.queued_at is not None
    )


def _live_call(row: Call, site: str) -> LiveCall:
    call = LiveCall(
        call_id=row.id,
        key=CallKey(site, row.channel_id),
        site_id=row.site_id,
        kind=row.kind,
        caller_number=row.caller_number,
        region=row.region,
        arrived_at=row.arrived_at,
        contact_id=str(row.id),
        callback_id=row.callback_id,
        language=row.language,
        line=row.business_line,
        ivr_done_at=row.ivr_done_at,
        queued_at=row.queued_at,
        first_offered_at=row.first_offered_at,
        answered_at=row.answered_at,
        agent_id=None if row.agent_id is None else str(row.agent_id),
        outcome=row.outcome,
    )
    if row.live_state:
        call.restore_live_state(row.live_state)
    if row.recording_name is not None and row.recording_duration_s is None:
        # Still recording when the last process stopped: the end of talk stops it and stores
        # its duration, as if nothing had happened (the bridge and its recording live on).
        call.extra[RECORDING] = row.recording_name
        call.extra[RECORDING_SINCE] = row.recording_started_at
    return call


__all__ = ["TelephonyService"]
