"""Call recording: which calls are recorded, starting and stopping it, and the retention purge.

The centre's setting (:class:`~hotline.config.RecordingSettings`) says whether calls are
recorded: ``off``, ``all``, or a ``percent`` of them, optionally only some business lines. A
recorded call's bridge is recorded from the moment the agent is connected to the end of talk;
the recording's name, start and duration go on the call row. Recordings older than the
retention are deleted from Asterisk by :func:`purge_expired`, which the service runs
periodically: the deadline lives in the database (``recording_started_at``), so a restart
loses nothing, and each row is marked ``recording_purged_at`` once its file is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.ports import CallSupervision
from hotline.config import RecordingSettings
from hotline.db.models import Call, CallEvent
from hotline.db.session import transaction
from hotline.telephony.context import Context
from hotline.telephony.live import LiveCall
from hotline.telephony.voicemails import purge_expired_voicemails

log = structlog.get_logger(__name__)

RECORDING = "recording"
"""Keys in ``LiveCall.extra``: the name of the call's running recording and its start."""
RECORDING_SINCE = "recording_since"
PURGE_BATCH = 200


MAX_SEGMENTS = 50  # takeovers during one talk, at most, that each start a new segment


def recording_name(call_id: int, segment: int = 1) -> str:
    """The stored recording's name on Asterisk: the call row's id makes it unique. A call
    whose recording was interrupted by a takeover has further segments: ``-2``, ``-3``..."""
    base = f"hotline-call-{call_id}"
    return base if segment == 1 else f"{base}-{segment}"


def should_record(settings: RecordingSettings, call: LiveCall) -> bool:
    """The setting's decision for one call.

    A percentage is drawn from the call's id (a CRC, not a random number): the same call gets
    the same answer after a restart, and tests can know which calls are recorded.
    """
    if settings.mode == "off":
        return False
    if settings.lines and call.line not in settings.lines:
        return False
    if settings.mode == "all":
        return True
    return zlib.crc32(str(call.call_id).encode()) % 100 < settings.percent


class CallRecordings:
    """Starts a recorded call's recording when the agent is connected, stops it at the end of
    talk. A failure is logged and journalled, never allowed to disturb the call."""

    def __init__(
        self, ctx: Context, supervision: CallSupervision | None, settings: RecordingSettings
    ) -> None:
        self._ctx = ctx
        self._supervision = supervision
        self._settings = settings

    def attach(self, supervision: CallSupervision) -> None:
        self._supervision = supervision

    async def connected(self, call: LiveCall) -> None:
        if self._supervision is None or not should_record(self._settings, call):
            return
        ctx, name = self._ctx, recording_name(call.call_id)
        try:
            started = await self._supervision.start_recording(call.key, name=name)
        except Exception as error:  # the PBX refused or is away: the call goes on unrecorded
            log.warning("recording_not_started", call_id=call.call_id, error=str(error))
            await ctx.recorder.journal(
                call.call_id, ctx.now(), "recording_failed", {"error": str(error)[:200]}
            )
            return
        if not started:
            return
        now = ctx.now()
        call.extra[RECORDING], call.extra[RECORDING_SINCE] = name, now
        await ctx.recorder.set_recording(
            call.call_id, {"recording_name": name, "recording_started_at": now}
        )
        await ctx.recorder.journal(call.call_id, now, "recording_started", {"name": name})

    async def adopted(self, call: LiveCall) -> None:
        """A call in talk adopted after a takeover (or a restart): record it to the end.

        The previous leader's recording usually still runs on Asterisk (a bridge recording
        outlives the websocket that started it), under the name the database has, or under the
        call's name when the old leader died before its write queue stored that: it is kept
        as it is. Otherwise the talk since the takeover is recorded as the next segment, under
        a name no earlier segment has, so nothing recorded before is overwritten; the call's
        journal lists the segments (``recording_started`` with its ``segment``)."""
        if self._supervision is None or not should_record(self._settings, call):
            return
        ctx, supervision = self._ctx, self._supervision
        known = call.extra.get(RECORDING)
        current = known if isinstance(known, str) else recording_name(call.call_id)
        try:
            where = await supervision.recording_state(call.key, name=current)
            if where == "live":
                await self._adopt_live(call, current, known_to_database=known is not None)
                return
            segment = 1
            if where is not None or known is not None:
                segment = 2
                while segment < MAX_SEGMENTS and await supervision.recording_state(
                    call.key, name=recording_name(call.call_id, segment)
                ):
                    segment += 1
            name = recording_name(call.call_id, segment)
            started = await supervision.start_recording(call.key, name=name)
        except Exception as error:  # the PBX refused or is away: the call goes on
            log.warning("recording_not_resumed", call_id=call.call_id, error=str(error))
            await ctx.recorder.journal(
                call.call_id, ctx.now(), "recording_failed", {"error": str(error)[:200]}
            )
            return
        if not started:
            return
        now = ctx.now()
        call.extra[RECORDING] = name
        if not isinstance(call.extra.get(RECORDING_SINCE), datetime):
            # The row names no recording yet: it names the first file (the old leader's, when
            # one was stored under the call's name, else this one).
            call.extra[RECORDING_SINCE] = now
            first = recording_name(call.call_id)
            await ctx.recorder.set_recording(
                call.call_id, {"recording_name": first, "recording_started_at": now}
            )
        await ctx.recorder.journal(
            call.call_id, now, "recording_started", {"name": name, "segment": segment}
        )

    async def _adopt_live(self, call: LiveCall, name: str, *, known_to_database: bool) -> None:
        ctx, now = self._ctx, self._ctx.now()
        call.extra[RECORDING] = name
        if not known_to_database:  # started by the old leader, never written: from now on
            call.extra[RECORDING_SINCE] = now
            await ctx.recorder.set_recording(
                call.call_id, {"recording_name": name, "recording_started_at": now}
            )
        await ctx.recorder.journal(call.call_id, now, "recording_adopted", {"name": name})

    async def ended(self, call: LiveCall) -> None:
        name = call.extra.pop(RECORDING, None)
        since = call.extra.pop(RECORDING_SINCE, None)
        if self._supervision is None or not isinstance(name, str):
            return
        ctx = self._ctx
        try:
            await self._supervision.stop_recording(call.key, name=name)
        except Exception as error:  # it stops anyway when the call's bridge goes away
            log.warning("recording_not_stopped", call_id=call.call_id, error=str(error))
        now = ctx.now()
        duration = (now - since).total_seconds() if isinstance(since, datetime) else None
        await ctx.recorder.set_recording(call.call_id, {"recording_duration_s": duration})
        await ctx.recorder.journal(
            call.call_id, now, "recording_stopped", {"name": name, "duration_s": duration}
        )


async def purge_expired(
    sessionmaker: async_sessionmaker[AsyncSession],
    supervision: CallSupervision,
    site_codes: dict[int, str],
    *,
    now: datetime,
    retention_days: int,
) -> int:
    """Delete the stored recordings older than the retention; the number of rows marked.

    A recording the PBX no longer has counts as purged; one whose site cannot be reached stays
    for the next sweep.
    """
    cutoff = now - timedelta(days=retention_days)
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                select(Call.id, Call.site_id, Call.recording_name)
                .where(
                    Call.recording_name.is_not(None),
                    Call.recording_purged_at.is_(None),
                    Call.recording_started_at < cutoff,
                )
                .order_by(Call.recording_started_at)
                .limit(PURGE_BATCH)
            )
        ).all()
        # Later segments (a takeover during the talk) are named in the journal.
        more: dict[int, list[str]] = {}
        segment_rows = await session.execute(
            select(CallEvent.call_id, CallEvent.data).where(
                CallEvent.call_id.in_([row[0] for row in rows]),
                CallEvent.kind == "recording_started",
            )
        )
        for call_id, data in segment_rows:
            named, segment = (data or {}).get("name"), (data or {}).get("segment")
            if isinstance(named, str) and isinstance(segment, int) and segment > 1:
                more.setdefault(call_id, []).append(named)
    purged: list[int] = []
    for call_id, site_id, name in rows:
        site = site_codes.get(site_id)
        if site is None or name is None:
            continue
        try:
            for each in [name, *more.get(call_id, [])]:
                await supervision.delete_recording(site, each)
        except Exception as error:
            log.warning("recording_not_purged", call_id=call_id, site=site, error=str(error))
            continue
        purged.append(call_id)
    if purged:
        async with transaction(sessionmaker) as session:
            await session.execute(
                update(Call).where(Call.id.in_(purged)).values(recording_purged_at=now)
            )
        log.info("recordings_purged", count=len(purged), retention_days=retention_days)
    return len(purged)


class PurgeLoop:
    """Runs :func:`purge_expired` every ``purge_interval_s`` until stopped."""

    def __init__(
        self,
        ctx: Context,
        sessionmaker: async_sessionmaker[AsyncSession],
        supervision: CallSupervision,
        settings: RecordingSettings,
    ) -> None:
        self._ctx = ctx
        self._sessionmaker = sessionmaker
        self._supervision = supervision
        self._settings = settings
        self._task: asyncio.Task[None] | None = None

    async def sweep(self) -> int:
        """Call recordings, then voicemails, past their retention; how many were deleted."""
        codes = {site_id: code for code, site_id in self._ctx.site_ids.items()}
        calls = await purge_expired(
            self._sessionmaker,
            self._supervision,
            codes,
            now=self._ctx.now(),
            retention_days=self._settings.retention_days,
        )
        voicemails = await purge_expired_voicemails(
            self._sessionmaker,
            self._supervision,
            now=self._ctx.now(),
            retention_days=self._settings.voicemail_retention_days,
        )
        return calls + voicemails

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="recording-purge")

    async def _run(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:  # the database is away: try again next time
                log.exception("recording_purge_failed")
            await asyncio.sleep(self._settings.purge_interval_s)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


__all__ = [
    "CallRecordings",
    "PurgeLoop",
    "purge_expired",
    "recording_name",
    "should_record",
]
