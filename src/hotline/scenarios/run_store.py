"""The ops runs kept in the database (``ops_run``): started, finished, listed, read back.

What is stored of a finished run is what its page shows (``view``), built by the ops pages; this
module only keeps rows. Each person keeps their last ``KEEP`` runs: an older one is removed when
a new one starts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import OpsRunRow
from hotline.scenarios.jobs import Run, RunStatus

KEEP = 10


def _notes(run: Run) -> list[dict[str, Any]]:
    return [{"key": note.key, "values": dict(note.values)} for note in run.notes]


async def started(session: AsyncSession, run: Run, target: str) -> None:
    """The run's row, as it starts; the person's runs beyond the last ``KEEP`` go."""
    session.add(
        OpsRunRow(
            id=run.id,
            user_id=run.user_id,
            kind=run.kind,
            name=run.name[:200],
            status=run.status,
            started_at=run.started_at,
            replications=run.replications,
            done=run.done,
            target=target[:64],
            notes=_notes(run),
        )
    )
    await session.flush()
    older = (
        select(OpsRunRow.id)
        .where(OpsRunRow.user_id == run.user_id)
        .order_by(OpsRunRow.started_at.desc(), OpsRunRow.id.desc())
        .offset(KEEP)
    )
    stale = list(await session.scalars(older))
    if stale:
        await session.execute(delete(OpsRunRow).where(OpsRunRow.id.in_(stale)))


async def finished(
    sessionmaker: async_sessionmaker[AsyncSession],
    run: Run,
    status: RunStatus,
    view: dict[str, Any] | None,
    now: datetime,
) -> None:
    """The run's outcome: its status, error or figures; committed in its own transaction."""
    async with sessionmaker() as session, session.begin():
        row = await session.get(OpsRunRow, run.id)
        if row is None:  # trimmed meanwhile by ten newer runs: nothing to keep
            return
        row.status = status
        row.done = run.done
        row.error = run.error
        row.view = view
        row.finished_at = now


async def of(session: AsyncSession, user_id: int) -> list[OpsRunRow]:
    """The person's runs, newest first."""
    query = (
        select(OpsRunRow)
        .where(OpsRunRow.user_id == user_id)
        .order_by(OpsRunRow.started_at.desc(), OpsRunRow.id.desc())
        .limit(KEEP)
    )
    return list(await session.scalars(query))


async def get(session: AsyncSession, user_id: int, run_id: str) -> OpsRunRow | None:
    """The person's run, or None (another person's run is not theirs to read)."""
    row = await session.get(OpsRunRow, run_id)
    return row if row is not None and row.user_id == user_id else None
