"""``hotline reports fold``: bring the report rollups up to date, or fold a range again.

The service folds on its own (``rollup_job``); this is for a first catch-up over years of
history before the service starts, and for a range whose raw rows were corrected after it was
folded (a restored backup, a fixed import): ``--from``/``--to`` recompute exactly that range.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from hotline.cli_database import fail, with_database

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

reports_app = typer.Typer(
    help="Reports: keep the 15-minute rollups up to date.", no_args_is_help=True
)


def _moment(text: str, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise fail(f"{name}: not a date-time, e.g. 2026-03-01T00:00:00+08:00") from None
    if value.tzinfo is None:
        raise fail(f"{name}: give the UTC offset, e.g. 2026-03-01T00:00:00+08:00")
    return value


@reports_app.command("fold")
def fold_command(
    start: Annotated[str | None, typer.Option("--from", help="refold from (with offset)")] = None,
    end: Annotated[str | None, typer.Option("--to", help="refold to (with offset)")] = None,
) -> None:
    """Fold every settled bucket not folded yet; with --from and --to, fold that range again."""
    from zoneinfo import ZoneInfo

    from hotline.clock import utc_now
    from hotline.config import load_settings
    from hotline.reports.rollup_store import fold_pending, fold_range

    if (start is None) != (end is None):
        raise fail("--from and --to go together (or leave both out to catch up)")
    bounds = (_moment(start, "--from"), _moment(end, "--to")) if start and end else None
    if bounds is not None and bounds[1] <= bounds[0]:
        raise fail("--to must be after --from")

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> str:
        # The centre's days, which the headcount rollup counts (the settings load again here:
        # ``with_database`` has checked them already).
        zone = ZoneInfo(load_settings().timezone)
        if bounds is not None:
            async with sessionmaker() as session, session.begin():
                done = await fold_range(session, *bounds, zone)
            return (
                f"folded {done.start.isoformat()} .. {done.end.isoformat()} again: "
                f"{done.call_rows} call rows, {done.state_rows} state rows"
            )
        folded = await fold_pending(sessionmaker, utc_now(), zone=zone)
        if not folded:
            return "the rollups are up to date"
        return f"folded {len(folded)} day(s), up to {folded[-1].end.isoformat()}"

    typer.echo(with_database(work))
