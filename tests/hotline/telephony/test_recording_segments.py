"""A recording split by a takeover: its segments as the API lists them, and the retention sweep
deleting every one of them (issue 18)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.api.calls import recording_segment_names, recording_segments
from hotline.db.models import Call, CallEvent, Site
from hotline.db.session import transaction
from hotline.telephony.recordings import purge_expired, recording_name

STARTED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class DeletingSupervision:
    """The one part of ``CallSupervision`` the sweep uses: it notes what it was told to delete."""

    def __init__(self) -> None:
        self.deleted: list[tuple[str, str]] = []

    async def delete_recording(self, site: str, name: str) -> bool:
        self.deleted.append((site, name))
        return True


async def _split_call(maker: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    """A call recorded in two segments (the second after a takeover), and a call whose journal
    names a segment of no number (not one of ours: ignored)."""
    async with transaction(maker) as session:
        site = Site(code="hz", name="杭州", ari_url="http://x", ari_username="u", ari_password="p")
        session.add(site)
        await session.flush()
        ids = []
        for n in (1, 2):
            call = Call(
                site_id=site.id, channel_id=f"seg-{n}", caller_number="13900000000",
                arrived_at=STARTED, recording_started_at=STARTED, recording_duration_s=90.0,
            )  # fmt: skip
            session.add(call)
            await session.flush()
            call.recording_name = recording_name(call.id)
            ids.append(call.id)
        split, other = ids
        session.add_all(
            [
                CallEvent(call_id=split, seq=1, at=STARTED, kind="recording_started",
                          data={"name": recording_name(split)}),
                CallEvent(call_id=split, seq=2, at=STARTED + timedelta(seconds=40),
                          kind="recording_started",
                          data={"name": recording_name(split, 2), "segment": 2}),
                CallEvent(call_id=other, seq=1, at=STARTED, kind="recording_started",
                          data={"name": "elsewhere"}),
            ]
        )  # fmt: skip
    return split, other


@pytest.mark.asyncio
async def test_the_segments_are_listed_played_by_number_and_all_purged(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    split, other = await _split_call(sessionmaker)
    async with sessionmaker() as session:
        call = await session.get(Call, split)
        plain = await session.get(Call, other)
        assert call is not None
        assert plain is not None
        names = await recording_segment_names(session, call)
        listed = await recording_segments(session, call)
        plain_names = await recording_segment_names(session, plain)
    assert names == {1: f"hotline-call-{split}", 2: f"hotline-call-{split}-2"}
    assert [(s.segment, s.url) for s in listed] == [
        (1, f"/api/v1/calls/{split}/recording"),
        (2, f"/api/v1/calls/{split}/recording?segment=2"),
    ]
    assert listed[1].started_at is not None
    assert listed[1].started_at.replace(tzinfo=UTC) == STARTED + timedelta(seconds=40)
    assert plain_names == {1: f"hotline-call-{other}"}

    supervision = DeletingSupervision()
    site_id = call.site_id
    purged = await purge_expired(
        sessionmaker,
        supervision,  # type: ignore[arg-type]
        {site_id: "hz"},
        now=STARTED + timedelta(days=181),
        retention_days=180,
    )
    assert purged == 2
    assert sorted(supervision.deleted) == sorted(
        [
            ("hz", f"hotline-call-{split}"),
            ("hz", f"hotline-call-{split}-2"),
            ("hz", f"hotline-call-{other}"),
        ]
    )
