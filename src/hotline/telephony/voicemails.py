"""Voicemails kept no longer than the retention period (``recording.voicemail_retention_days``).

A voicemail is stored on the Asterisk of the site that recorded it (the ``diverted_question``
row names both); the recordings' purge loop sweeps voicemails with call recordings. A voicemail
the PBX no longer has counts as purged; one whose site cannot be reached waits for the next
sweep. The work order stays: it only loses the sound.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.ports import CallSupervision
from hotline.db.models import DivertedQuestionRow
from hotline.db.session import transaction

log = structlog.get_logger(__name__)

PURGE_BATCH = 500


async def purge_expired_voicemails(
    sessionmaker: async_sessionmaker[AsyncSession],
    supervision: CallSupervision,
    *,
    now: datetime,
    retention_days: int,
) -> int:
    """Delete the voicemails recorded before the retention period; how many were marked."""
    cutoff = now - timedelta(days=retention_days)
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                select(
                    DivertedQuestionRow.id, DivertedQuestionRow.site, DivertedQuestionRow.recording
                )
                .where(
                    DivertedQuestionRow.recording.is_not(None),
                    DivertedQuestionRow.recording_purged_at.is_(None),
                    DivertedQuestionRow.created_at < cutoff,
                )
                .order_by(DivertedQuestionRow.created_at)
                .limit(PURGE_BATCH)
            )
        ).all()
    purged: list[int] = []
    for row_id, site, name in rows:
        if site is None or name is None:
            continue
        try:
            await supervision.delete_recording(site, name)
        except Exception as error:
            log.warning("voicemail_not_purged", row=row_id, site=site, error=str(error))
            continue
        purged.append(row_id)
    if purged:
        async with transaction(sessionmaker) as session:
            await session.execute(
                update(DivertedQuestionRow)
                .where(DivertedQuestionRow.id.in_(purged))
                .values(recording_purged_at=now)
            )
        log.info("voicemails_purged", count=len(purged), retention_days=retention_days)
    return len(purged)


async def read_voicemail_file(directory: str, name: str) -> bytes | None:
    """The voicemail ``<name>.wav`` from ``directory`` (Asterisk's recordings spool mounted on
    this host); None when there is no such file. Read in a thread: the loop never waits on
    the disk."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None  # our names are voicemail-<call id>: anything else is not ours to read
    path = Path(directory) / f"{name}.wav"
    try:
        return await asyncio.to_thread(path.read_bytes)
    except (FileNotFoundError, IsADirectoryError):
        return None


__all__ = ["purge_expired_voicemails", "read_voicemail_file"]
