"""Listen / whisper / barge and call recording over real HTTP and WebSocket against the emulator.

The site runs as in production (:class:`SiteRunner`: the stream hands a monitor's channels to
its monitors and the rest to the controller); the supervisor's phone is a scripted endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import wave
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from cti.ari.backoff import Backoff
from cti.calls.controller import ControllerOptions
from cti.calls.monitor import MONITOR_PREFIX
from cti.calls.ports import CallKey, MonitorRefused, RecordingUnavailable, UnknownMonitor
from cti.calls.sites import CtiSites, SiteConfig
from cti.emulator import AgentScript, RunningEmulator, TaxpayerScript, run_emulator
from tests.cti.calls.emulated import (
    LAB_MEDIA,
    LANGUAGE_PROMPT,
    LINE_PROMPT,
    SITE,
    SPEED,
    RecordingDirector,
    offer_to,
)
from tests.waiting import WAIT_S

CHOOSES = {LANGUAGE_PROMPT: "1", LINE_PROMPT: "1"}
SUPERVISOR = "PJSIP/1901"


@contextlib.asynccontextmanager
async def _sites(director: RecordingDirector) -> AsyncIterator[tuple[CtiSites, RunningEmulator]]:
    async with run_emulator(speed=SPEED) as emulator:
        config = SiteConfig(
            code=SITE, ari_url=emulator.base_url, username="hotline", password="secret"
        )
        sites = CtiSites(
            [config],
            director,
            options=ControllerOptions(media=LAB_MEDIA, timer_scale=SPEED),
            stream_options={
                "ping_interval": 5.0,
                "random_source": lambda: 0.0,
                "backoff": Backoff(initial=0.05, maximum=0.2),
            },
        )
        director.control = sites
        emulator.add_endpoint("PJSIP/1001", AgentScript(answer_after_s=1.0))
        emulator.add_endpoint(SUPERVISOR, AgentScript(answer_after_s=1.0))
        sites.start()
        try:
            await sites.wait_connected(5.0)
            yield sites, emulator
        finally:
            await sites.stop()


async def _until(predicate: Callable[[], bool], timeout_s: float = WAIT_S) -> None:
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout_s)


def _ours(emulator: RunningEmulator) -> tuple[list[str], list[dict[str, Any]]]:
    """The monitor's channels and bridges still in the emulated Asterisk."""
    summary = emulator.core.state_summary()
    channels = [c["id"] for c in summary["channels"] if c["id"].startswith(MONITOR_PREFIX)]
    bridges = [b for b in summary["bridges"] if b["id"].startswith(MONITOR_PREFIX)]
    return channels, bridges


@pytest.mark.asyncio
async def test_listen_then_whisper_then_the_taxpayer_hangs_up_and_nothing_is_left() -> None:
    director = RecordingDirector(on_ivr_completed=offer_to("PJSIP/1001", "1001"))
    async with _sites(director) as (sites, emulator):
        placed = emulator.place_call(TaxpayerScript(press_on_prompt=CHOOSES))
        key = CallKey(SITE, str(placed["channel_id"]))
        await _until(lambda: "offer_answered" in director.names(key))
        monitor_id = await sites.start_monitor(key, mode="listen", endpoint=SUPERVISOR)
        monitor = sites.runner(SITE).monitors.get(monitor_id)
        assert monitor is not None

        def joined(*members: str) -> bool:
            _, bridges = _ours(emulator)
            return bool(bridges) and set(bridges[0]["channels"]) == set(members)

        await _until(lambda: joined(f"{monitor_id}-s1", f"{monitor_id}-sup"))
        await sites.switch_monitor(key, monitor_id, mode="whisper")
        assert monitor.mode == "whisper"
        await _until(lambda: joined(f"{monitor_id}-s2", f"{monitor_id}-sup"))
        channels, _ = _ours(emulator)
        assert f"{monitor_id}-s1" not in channels  # the listening snoop was replaced

        emulator.core.hang_up_taxpayer(str(placed["phone_channel_id"]))
        await asyncio.wait_for(director.finished_event(key).wait(), WAIT_S)
        await _until(lambda: _ours(emulator) == ([], []))
        assert monitor.ended == "the agent's leg is gone"
        with pytest.raises(UnknownMonitor):
            await sites.stop_monitor(key, monitor_id)
        with pytest.raises(MonitorRefused, match="ended"):
            await sites.start_monitor(key, mode="listen", endpoint=SUPERVISOR)


@pytest.mark.asyncio
async def test_a_call_not_in_talk_is_refused_and_a_stopped_monitor_leaves_nothing() -> None:
    director = RecordingDirector(on_ivr_completed=offer_to("PJSIP/1001", "1001"))
    async with _sites(director) as (sites, emulator):
        placed = emulator.place_call(TaxpayerScript(press_on_prompt=CHOOSES))
        key = CallKey(SITE, str(placed["channel_id"]))
        await _until(lambda: "call_arrived" in director.names(key))
        with pytest.raises(MonitorRefused, match="not in talk"):
            await sites.start_monitor(key, mode="listen", endpoint=SUPERVISOR)
        await _until(lambda: "offer_answered" in director.names(key))
        monitor_id = await sites.start_monitor(key, mode="barge", endpoint=SUPERVISOR)
        await _until(lambda: len(_ours(emulator)[0]) >= 2)
        await sites.stop_monitor(key, monitor_id)
        await _until(lambda: _ours(emulator) == ([], []))
        assert sites.runner(SITE).controller.call(key.call_id) is not None  # the call goes on
        emulator.core.hang_up_taxpayer(str(placed["phone_channel_id"]))
        await asyncio.wait_for(director.finished_event(key).wait(), WAIT_S)


@pytest.mark.asyncio
async def test_the_talk_is_recorded_read_back_as_wav_and_deleted() -> None:
    director = RecordingDirector(on_ivr_completed=offer_to("PJSIP/1001", "1001"))
    async with _sites(director) as (sites, emulator):
        placed = emulator.place_call(TaxpayerScript(press_on_prompt=CHOOSES))
        key = CallKey(SITE, str(placed["channel_id"]))
        await _until(lambda: "offer_answered" in director.names(key))
        assert await sites.start_recording(key, name="call-test-1")
        await asyncio.sleep(3.0 / SPEED * 10)  # some seconds of emulated talk
        await sites.stop_recording(key, name="call-test-1")
        await sites.stop_recording(key, name="call-test-1")  # twice: a no-op
        audio, media_type = await sites.recording_audio(SITE, "call-test-1")
        assert media_type == "audio/wav"
        with wave.open(io.BytesIO(audio)) as wav:
            assert wav.getnframes() >= wav.getframerate()  # at least a second
        assert await sites.delete_recording(SITE, "call-test-1")
        assert not await sites.delete_recording(SITE, "call-test-1")
        with pytest.raises(RecordingUnavailable):
            await sites.recording_audio(SITE, "call-test-1")
        emulator.core.hang_up_taxpayer(str(placed["phone_channel_id"]))
        await asyncio.wait_for(director.finished_event(key).wait(), WAIT_S)
        assert not await sites.start_recording(key, name="call-test-2")  # the call ended


@pytest.mark.asyncio
async def test_a_restarted_engine_adopts_the_call_and_clears_the_monitor_it_lost() -> None:
    director = RecordingDirector(on_ivr_completed=offer_to("PJSIP/1001", "1001"))
    async with _sites(director) as (sites, emulator):
        placed = emulator.place_call(TaxpayerScript(press_on_prompt=CHOOSES))
        key = CallKey(SITE, str(placed["channel_id"]))
        await _until(lambda: "offer_answered" in director.names(key))
        await sites.start_monitor(key, mode="listen", endpoint=SUPERVISOR)
        await _until(lambda: len(_ours(emulator)[1][0]["channels"]) == 2)  # snoop + phone
        # A second process connects as the same app (the first is replaced, as on a restart).
        restarted_director = RecordingDirector()
        config = SiteConfig(
            code=SITE, ari_url=emulator.base_url, username="hotline", password="secret"
        )
        restarted = CtiSites(
            [config],
            restarted_director,
            options=ControllerOptions(media=LAB_MEDIA, timer_scale=SPEED),
            stream_options={"ping_interval": 5.0, "random_source": lambda: 0.0},
        )
        restarted.start()
        try:
            await restarted.wait_connected(5.0)
            await _until(lambda: _ours(emulator) == ([], []))
            assert restarted.runner(SITE).controller.call(key.call_id) is not None
            assert "call_adopted" in restarted_director.names(key)
        finally:
            await restarted.stop()


@pytest.mark.asyncio
async def test_a_supervisor_who_does_not_answer_or_hangs_up_ends_the_monitor() -> None:
    director = RecordingDirector(on_ivr_completed=offer_to("PJSIP/1001", "1001"))
    ended: list[tuple[CallKey, str, str]] = []
    async with _sites(director) as (sites, emulator):
        sites.watch_monitors(lambda key, monitor_id, why: ended.append((key, monitor_id, why)))
        emulator.add_endpoint("PJSIP/1902", AgentScript(behaviour="busy", answer_after_s=0.5))
        emulator.add_endpoint("PJSIP/1903", AgentScript(answer_after_s=0.5, talk_s=2.0))
        placed = emulator.place_call(TaxpayerScript(press_on_prompt=CHOOSES))
        key = CallKey(SITE, str(placed["channel_id"]))
        await _until(lambda: "offer_answered" in director.names(key))
        busy = await sites.start_monitor(key, mode="listen", endpoint="PJSIP/1902")
        await _until(lambda: len(ended) == 1)
        short = await sites.start_monitor(key, mode="barge", endpoint="PJSIP/1903")
        await _until(lambda: len(ended) == 2)
        await _until(lambda: _ours(emulator) == ([], []))
        assert ended == [(key, busy, "not answered"), (key, short, "the supervisor hung up")]
        assert sites.runner(SITE).controller.call(key.call_id) is not None  # the call goes on
        emulator.core.hang_up_taxpayer(str(placed["phone_channel_id"]))
        await asyncio.wait_for(director.finished_event(key).wait(), WAIT_S)
