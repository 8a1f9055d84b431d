"""Several sites at once: one stream and controller per site, commands routed by site."""

from __future__ import annotations

import asyncio

import pytest

from cti.calls.controller import ControllerOptions
from cti.calls.ports import CallKey
from cti.calls.sites import CtiSites, SiteConfig, UnknownSiteError
from cti.emulator import AgentScript, TaxpayerScript, run_emulator
from cti.emulator.dialplan import inbound_with_fallback
from tests.cti.calls.emulated import LAB_MEDIA, SPEED, RecordingDirector
from tests.waiting import WAIT_S

PLAN_DIGITS = {"sound:vm-enter-num-to-call": "1", "sound:pls-hold-while-try": "1"}


@pytest.mark.asyncio
async def test_two_sites_run_side_by_side_and_report_health() -> None:
    async def offer(director: RecordingDirector, key: CallKey) -> None:
        assert director.control is not None
        await director.control.offer(
            key, agent_id=f"{key.site}-1001", endpoint="PJSIP/1001", ring_timeout_s=10.0
        )

    director = RecordingDirector(on_ivr_completed=offer)
    async with run_emulator(speed=SPEED) as beijing, run_emulator(speed=SPEED) as shanghai:
        sites = CtiSites(
            [
                SiteConfig("bj", beijing.base_url, "hotline", "secret"),
                SiteConfig("sh", shanghai.base_url, "hotline", "secret"),
            ],
            director,
            options=ControllerOptions(media=LAB_MEDIA, timer_scale=SPEED),
            stream_options={"ping_interval": 5.0},
        )
        director.control = sites
        assert not sites.ready
        sites.start()
        try:
            await sites.wait_connected(5.0)
            assert sites.ready
            keys = []
            for code, emulator in (("bj", beijing), ("sh", shanghai)):
                emulator.add_endpoint("PJSIP/1001", AgentScript(answer_after_s=1.0, talk_s=2.0))
                placed = emulator.place_call(
                    TaxpayerScript(press_on_prompt=PLAN_DIGITS, survey_digit="3")
                )
                keys.append(CallKey(code, str(placed["channel_id"])))
            waits = [director.finished_event(key).wait() for key in keys]
            await asyncio.wait_for(asyncio.gather(*waits), WAIT_S)
            health = sites.health()
        finally:
            await sites.stop()
        with pytest.raises(UnknownSiteError):
            await sites.hangup(CallKey("gz", "x"))
    assert set(health) == {"bj", "sh"}
    for code in ("bj", "sh"):
        assert health[code]["connected"] is True
        assert health[code]["calls_finished"] == 1
        assert health[code]["active_calls"] == 0
    answered = sorted(entry["agent_id"] for entry in director.entries("offer_answered"))
    assert answered == ["bj-1001", "sh-1001"]


def test_a_site_configured_twice_is_refused() -> None:
    config = SiteConfig("bj", "http://127.0.0.1:1", "hotline", "secret")
    with pytest.raises(ValueError, match="twice"):
        CtiSites([config, config], RecordingDirector())


def test_the_password_never_shows_in_the_config_repr() -> None:
    assert "s3cret" not in repr(SiteConfig("bj", "http://pbx:8088", "hotline", "s3cret"))


@pytest.mark.asyncio
async def test_a_site_calls_back_through_its_own_dial_template_and_caller_id() -> None:
    director = RecordingDirector()
    key = CallKey("wz", "callback-local-1")
    seen: list[tuple[str, str]] = []
    async with run_emulator(speed=SPEED) as wenzhou:
        # A lab site: the taxpayer is a dialplan extension reached through a Local channel.
        wenzhou.add_endpoint("PJSIP/1001", AgentScript(answer_after_s=1.0))
        wenzhou.add_endpoint(
            "Local/13800138000@callbacks", AgentScript(answer_after_s=1.0, talk_s=2.0)
        )
        site = SiteConfig(
            "wz",
            wenzhou.base_url,
            "hotline",
            "secret",
            callback_dial="Local/{number}@callbacks",
            callback_caller_id='"Wenzhou 12366" <057712366>',
        )
        sites = CtiSites(
            [site], director, options=ControllerOptions(media=LAB_MEDIA, timer_scale=SPEED)
        )
        sites.start()
        try:
            await sites.wait_connected(5.0)
            await sites.place_callback(
                key,
                agent_id="1001",
                agent_endpoint="PJSIP/1001",
                taxpayer_number="13800138000",
                ring_timeout_s=10.0,
            )

            def taxpayer_leg_seen() -> bool:
                seen.extend(
                    (channel.name, channel.caller.number)
                    for channel in wenzhou.core.channels.values()
                    if channel.name.startswith("Local/13800138000@callbacks-")
                )
                return bool(seen)

            while not taxpayer_leg_seen():
                await asyncio.sleep(0.01)
            await asyncio.wait_for(director.finished_event(key).wait(), WAIT_S)
        finally:
            await sites.stop()
    assert director.names(key) == ["offer_answered", "talk_ended", "call_finished"]
    assert {number for _, number in seen} == {"057712366"}


@pytest.mark.asyncio
async def test_calls_the_dialplan_took_while_the_service_was_away_are_counted() -> None:
    """With the link down, Stasis() fails and the documented dialplan counts the call in a
    global; at the reconnect the service reads how many it missed (GET /asterisk/variable),
    marks them seen, and reports them in the site's health. Against the emulator."""
    async with run_emulator(speed=SPEED) as emulator:
        sites = CtiSites(
            [SiteConfig("bj", emulator.base_url, "hotline", "secret")],
            RecordingDirector(),
            options=ControllerOptions(media=LAB_MEDIA, timer_scale=SPEED),
            stream_options={"ping_interval": 5.0},
        )
        runner = sites.runners["bj"]
        core = emulator.core
        core.dialplan.register("inbound", "12366", inbound_with_fallback)
        sites.start()
        try:
            await sites.wait_connected(5.0)
            for missed_now, expected_total in ((2, 2), (1, 3)):
                await runner.stream.close()
                while core.apps.is_active("hotline"):
                    await asyncio.sleep(0.01)
                for _ in range(missed_now):
                    emulator.place_call(TaxpayerScript(press_on_prompt=PLAN_DIGITS))
                assert core.global_vars["HOTLINE_FALLBACK_CALLS"] == str(expected_total)
                runner.stream.start()
                await sites.wait_connected(5.0)
                assert sites.health()["bj"]["fallback_calls"] == expected_total
                assert core.global_vars["HOTLINE_FALLBACK_SEEN"] == str(expected_total)
            # An Asterisk restart empties its globals: counting starts again, nothing is lost.
            await runner.stream.close()
            while core.apps.is_active("hotline"):
                await asyncio.sleep(0.01)
            core.global_vars.clear()
            emulator.place_call(TaxpayerScript(press_on_prompt=PLAN_DIGITS))
            runner.stream.start()
            await sites.wait_connected(5.0)
            assert sites.health()["bj"]["fallback_calls"] == 4
        finally:
            await sites.stop()
