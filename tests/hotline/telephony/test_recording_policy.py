"""Which calls the centre's setting records, and the byte ranges the playback serves."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cti.calls.ports import CallKey
from hotline.api.supervision import byte_range
from hotline.config import RecordingSettings
from hotline.errors import AppError
from hotline.telephony.live import LiveCall
from hotline.telephony.recordings import recording_name, should_record


def _call(call_id: int, line: str = "national_tax") -> LiveCall:
    return LiveCall(
        call_id=call_id,
        key=CallKey("hz", f"chan-{call_id}"),
        site_id=1,
        kind="inbound",
        caller_number="13905710001",
        region="浙江省杭州市",
        arrived_at=datetime(2026, 12, 7, tzinfo=UTC),
        contact_id=str(call_id),
        line=line,
    )


def test_off_all_and_lines() -> None:
    calls = [_call(n) for n in range(1, 50)]
    assert not any(should_record(RecordingSettings(), c) for c in calls)  # off by default
    assert all(should_record(RecordingSettings(mode="all"), c) for c in calls)
    only_local = RecordingSettings(mode="all", lines=["local_tax"])
    assert not should_record(only_local, _call(1))
    assert should_record(only_local, _call(1, "local_tax"))


def test_a_percentage_records_about_that_share_and_the_same_calls_every_time() -> None:
    calls = [_call(n) for n in range(1, 2001)]
    settings = RecordingSettings(mode="percent", percent=30)
    chosen = [c.call_id for c in calls if should_record(settings, c)]
    assert 500 < len(chosen) < 700
    assert chosen == [c.call_id for c in calls if should_record(settings, c)]
    assert not any(should_record(RecordingSettings(mode="percent", percent=0), c) for c in calls)
    assert all(should_record(RecordingSettings(mode="percent", percent=100), c) for c in calls)
    assert recording_name(42) == "hotline-call-42"


@pytest.mark.parametrize(
    ("header", "span"),
    [
        (None, None),
        ("bytes=0-", (0, 999)),
        ("bytes=100-199", (100, 199)),
        ("bytes=900-5000", (900, 999)),  # past the end: up to the last byte
        ("bytes=-100", (900, 999)),  # the last 100 bytes
    ],
)
def testbyte_ranges(header: str | None, span: tuple[int, int] | None) -> None:
    assert byte_range(header, 1000) == span


@pytest.mark.parametrize(
    "header", ["bytes=1000-", "bytes=5-2", "bytes=0-1,5-9", "lines=1-2", "bytes=-"]
)
def test_unsatisfiable_or_unknown_ranges_are_a_416_that_says_what_to_send(header: str) -> None:
    with pytest.raises(AppError) as refused:
        byte_range(header, 1000)
    assert refused.value.status_code == 416


def test_a_call_still_recording_at_a_restart_is_stopped_at_its_end_like_any_other() -> None:
    from hotline.db.models.call import Call
    from hotline.telephony.recordings import RECORDING, RECORDING_SINCE
    from hotline.telephony.service import _live_call

    started = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    row = Call(
        id=7, site_id=1, channel_id="c7", kind="inbound", caller_number="1", region="x",
        arrived_at=started, recording_name="hotline-call-7", recording_started_at=started,
    )  # fmt: skip
    call = _live_call(row, "hz")
    assert (call.extra[RECORDING], call.extra[RECORDING_SINCE]) == ("hotline-call-7", started)
    row.recording_duration_s = 30.0  # stopped before the restart: nothing to stop
    assert RECORDING not in _live_call(row, "hz").extra
