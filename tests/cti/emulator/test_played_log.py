"""What the emulator played, and in which language's file: the log a test reads to know what a
caller heard (``GET /_emulator/played``). The file is found as Asterisk finds it: the language
asked for, the same without its dialect, then English; a sound none of them has fails."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from cti.emulator import LabConfig, RunningEmulator, run_emulator
from cti.emulator.catalogue import language_search, resolve_sound

from .replay import API_DOCS
from .test_server import AUTH, SPEED, Listener, inbound_call, is_type, listen

INSTALLED = ("zh", "en", "ko")
ABSENT = ("ko/hotline/goodbye",)


def test_asterisk_tries_the_language_then_without_dialect_then_english() -> None:
    assert language_search("zh_CN_female") == ("zh_CN_female", "zh_CN", "zh", "en")
    assert language_search("ko") == ("ko", "en")
    assert language_search("en") == ("en",)
    assert language_search("") == ("en",)


def test_a_file_is_resolved_per_language() -> None:
    assert resolve_sound("hotline/welcome", "zh", INSTALLED, ABSENT) == "zh"
    assert resolve_sound("hotline/welcome", "zh_TW", INSTALLED, ABSENT) == "zh"
    assert resolve_sound("hotline/welcome", "en", INSTALLED, ABSENT) == "en"
    # Missing in Korean only: the Korean caller gets the English file, as on Asterisk.
    assert resolve_sound("hotline/goodbye", "ko", INSTALLED, ABSENT) == "en"
    assert (
        resolve_sound("hotline/goodbye", "ko", INSTALLED, (*ABSENT, "en/hotline/goodbye")) is None
    )
    assert resolve_sound("beep", "zh", INSTALLED) == "en"  # the lab's core sounds are English
    assert resolve_sound("hotline/no-such-prompt", "zh", INSTALLED) is None
    assert resolve_sound("hotline/welcome", "zh", ()) is None  # a stock Asterisk


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[RunningEmulator]:
    config = LabConfig(api_docs=str(API_DOCS), prompt_languages=INSTALLED, absent_sounds=ABSENT)
    async with run_emulator(port=0, speed=SPEED, config=config) as running:
        yield running
        assert running.core.spec_errors == []


async def _play(
    ari: httpx.AsyncClient, listener: Listener, line: str, media: str, lang: str
) -> None:
    response = await ari.post(f"/channels/{line}/play", params={"media": media, "lang": lang})
    assert response.status_code == 201
    playback_id = response.json()["id"]
    await listener.wait_for(
        lambda e: e["type"] == "PlaybackFinished" and e["playback"]["id"] == playback_id
    )


@pytest.mark.asyncio
async def test_the_log_says_what_each_line_heard_and_from_which_file(
    emulator: RunningEmulator,
) -> None:
    async with (
        httpx.AsyncClient(base_url=emulator.ari_url, auth=AUTH) as ari,
        httpx.AsyncClient(base_url=emulator.base_url, auth=AUTH) as control,
    ):
        listener = await listen(emulator)
        line = await inbound_call(ari, listener, "13800138000")
        other = await inbound_call(ari, listener, "13900139000")
        for channel in (line, other):
            assert (await ari.post(f"/channels/{channel}/answer")).status_code == 204
            await listener.wait_for(is_type("ChannelStateChange", channel))
        await _play(ari, listener, line, "sound:hotline/welcome,sound:hotline/goodbye", "zh")
        await _play(ari, listener, other, "sound:hotline/goodbye", "ko")
        await _play(ari, listener, line, "sound:hotline/no-such-prompt", "zh")
        recording = await ari.post(
            f"/channels/{line}/record",
            params={"name": "vm-1", "format": "wav", "beep": "true", "maxDurationSeconds": "1"},
        )
        assert recording.status_code == 201
        await listener.wait_for(lambda e: e["type"] == "RecordingStarted")

        heard = (await control.get("/_emulator/played", params={"channel": line})).json()
        by_caller = (
            await control.get("/_emulator/played", params={"caller": "13900139000"})
        ).json()
        everything = (await control.get("/_emulator/played")).json()["played"]
        later = (
            await control.get("/_emulator/played", params={"since": everything[1]["seq"]})
        ).json()
        refused = await control.get("/_emulator/played", params={"since": "yesterday"})
        anonymous = await httpx.AsyncClient(base_url=emulator.base_url).get("/_emulator/played")
        await listener.close()

    summary = [
        (e["media_uri"], e["language"], e["resolved_language"], e["file"], e["failed"])
        for e in heard["played"]
    ]
    assert summary == [
        ("sound:hotline/welcome", "zh", "zh", "sounds/zh/hotline/welcome", False),
        ("sound:hotline/goodbye", "zh", "zh", "sounds/zh/hotline/goodbye", False),
        ("sound:hotline/no-such-prompt", "zh", None, None, True),
        # The recording's beep: Asterisk's core sound, in the channel's own language (en).
        ("sound:beep", "en", "en", "sounds/en/beep", False),
    ]
    assert all(e["channels"] == [line] and e["callers"] == ["13800138000"] for e in heard["played"])
    assert heard["played"][0]["target_uri"] == f"channel:{line}"
    assert heard["played"][0]["timestamp"].endswith("+0000")
    assert heard["played"][-1]["playback_id"] is None
    (korean,) = by_caller["played"]
    # No Korean file for goodbye on this site: the Korean caller heard the English one.
    assert (korean["language"], korean["resolved_language"]) == ("ko", "en")
    assert korean["file"] == "sounds/en/hotline/goodbye"
    assert [e["seq"] for e in later["played"]] == [e["seq"] for e in everything[2:]]
    assert refused.status_code == 400
    assert "since" in refused.json()["message"]
    assert anonymous.status_code == 401
