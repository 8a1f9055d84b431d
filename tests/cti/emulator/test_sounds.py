"""The emulator's sounds, over real HTTP and WebSocket: it knows the shipped prompt set per
language, lists it in ``GET /sounds`` as Asterisk does, and fails a playback it has no file for."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from cti.emulator import LabConfig, RunningEmulator, run_emulator
from cti.emulator.cli import build_parser, lab_config
from cti.sounds import FORMATS, shipped

from .replay import API_DOCS, TRACES
from .test_server import AUTH, SPEED, Listener, inbound_call, is_type, listen


@pytest_asyncio.fixture
async def korean_less() -> AsyncIterator[RunningEmulator]:
    """A site where only the zh and en prompts were installed."""
    config = LabConfig(api_docs=str(API_DOCS), prompt_languages=("zh", "en"))
    async with run_emulator(port=0, speed=SPEED, config=config) as running:
        yield running
        assert running.core.spec_errors == []


@pytest_asyncio.fixture
async def ari(korean_less: RunningEmulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=korean_less.ari_url, auth=AUTH) as client:
        yield client


async def _played(
    ari: httpx.AsyncClient, listener: Listener, line: str, media: str, lang: str | None
) -> dict[str, object]:
    params = {"media": media, **({"lang": lang} if lang else {})}
    response = await ari.post(f"/channels/{line}/play", params=params)
    assert response.status_code == 201
    assert response.json()["state"] == "queued"  # accepted first, like Asterisk
    playback_id = response.json()["id"]
    finished = await listener.wait_for(
        lambda e: e["type"] == "PlaybackFinished" and e["playback"]["id"] == playback_id
    )
    started = [
        e
        for e in listener.events
        if e["type"] == "PlaybackStarted" and e["playback"]["id"] == playback_id
    ]
    assert len(started) == 1  # Started comes first, also for a sound that then fails
    playback: dict[str, object] = finished["playback"]
    return playback


@pytest.mark.asyncio
async def test_get_sounds_lists_the_shipped_set_per_language_and_format(
    ari: httpx.AsyncClient,
) -> None:
    sounds = {s["id"]: s["formats"] for s in (await ari.get("/sounds")).json()}
    welcome = sounds["hotline/welcome"]
    assert {(f["language"], f["format"]) for f in welcome} == {
        (lang, fmt) for lang in ("zh", "en") for fmt in FORMATS
    }
    assert set(shipped().sound_ids()) <= set(sounds)
    assert sounds["hello-world"] == [{"language": "en", "format": "gsm"}]  # core sounds stay

    korean = (await ari.get("/sounds", params={"lang": "ko"})).json()
    assert korean == []  # nothing is installed in Korean on this site
    zh_gsm = (await ari.get("/sounds", params={"lang": "zh", "format": "gsm"})).json()
    assert {s["id"] for s in zh_gsm} == set(shipped().sound_ids())
    assert all(s["formats"] == [{"language": "zh", "format": "gsm"}] for s in zh_gsm)


@pytest.mark.asyncio
async def test_a_stock_asterisk_has_none_of_the_prompts() -> None:
    config = LabConfig(prompt_languages=())
    async with (
        run_emulator(port=0, speed=SPEED, config=config) as stock,
        httpx.AsyncClient(base_url=stock.ari_url, auth=AUTH) as client,
    ):
        ids = {s["id"] for s in (await client.get("/sounds")).json()}
    assert "hello-world" in ids
    assert not ids & set(shipped().sound_ids())


@pytest.mark.asyncio
async def test_playback_fails_for_a_sound_missing_in_its_language(
    korean_less: RunningEmulator, ari: httpx.AsyncClient
) -> None:
    listener = await listen(korean_less)
    line = await inbound_call(ari, listener, "13800138000")
    assert (await ari.post(f"/channels/{line}/answer")).status_code == 204
    await listener.wait_for(is_type("ChannelStateChange", line))

    chinese = await _played(ari, listener, line, "sound:hotline/position", "zh")
    assert (chinese["state"], chinese["language"]) == ("done", "zh")
    # Neither the set nor Asterisk's core sounds have this one: failed, as Asterisk reports it.
    unknown = await _played(ari, listener, line, "sound:hotline/no-such-prompt", "zh")
    assert unknown["state"] == "failed"
    # A core sound exists only in English: Asterisk falls back to en for a zh playback.
    core = await _played(ari, listener, line, "sound:beep", "zh")
    assert core["state"] == "done"
    # No Korean file, but the en one is there: the Korean caller hears English (the fallback
    # `hotline sounds check` is there to catch); without `lang` the channel's language (en).
    korean = await _played(ari, listener, line, "sound:hotline/number-7", "ko")
    assert (korean["state"], korean["language"]) == ("done", "ko")
    default = await _played(ari, listener, line, "sound:hotline/number-7", None)
    assert default["language"] == "en"
    await listener.close()


@pytest.mark.asyncio
async def test_a_prompt_missing_everywhere_fails_on_a_stock_asterisk() -> None:
    config = LabConfig(api_docs=str(API_DOCS), prompt_languages=())
    async with (
        run_emulator(port=0, speed=SPEED, config=config) as stock,
        httpx.AsyncClient(base_url=stock.ari_url, auth=AUTH) as client,
    ):
        listener = await listen(stock)
        line = await inbound_call(client, listener, "13800138001")
        assert (await client.post(f"/channels/{line}/answer")).status_code == 204
        welcome = await _played(client, listener, line, "sound:hotline/welcome", "zh")
        await listener.close()
        assert stock.core.spec_errors == []
    assert welcome["state"] == "failed"


def test_the_command_line_chooses_which_prompt_languages_are_installed() -> None:
    parser = build_parser()
    assert lab_config(parser.parse_args([])).prompt_languages == ("zh", "en", "ko")
    assert lab_config(parser.parse_args(["--prompts", "zh, en"])).prompt_languages == ("zh", "en")
    assert lab_config(parser.parse_args(["--prompts", ""])).prompt_languages == ()
    assert lab_config(parser.parse_args([])).absent_sounds == ()
    absent = parser.parse_args(["--absent", "ko/hotline/goodbye,en/hotline/welcome"])
    assert lab_config(absent).absent_sounds == ("ko/hotline/goodbye", "en/hotline/welcome")


@pytest.mark.asyncio
async def test_a_file_left_out_for_one_language_is_missing_there_only() -> None:
    config = LabConfig(api_docs=str(API_DOCS), absent_sounds=("ko/hotline/goodbye",))
    async with (
        run_emulator(port=0, speed=SPEED, config=config) as running,
        httpx.AsyncClient(base_url=running.ari_url, auth=AUTH) as client,
    ):
        korean = (await client.get("/sounds", params={"lang": "ko"})).json()
        every = (await client.get("/sounds")).json()
        assert running.core.spec_errors == []
    korean_ids = {sound["id"] for sound in korean}
    assert "hotline/goodbye" not in korean_ids
    assert "hotline/welcome" in korean_ids
    goodbye = next(sound for sound in every if sound["id"] == "hotline/goodbye")
    assert {pair["language"] for pair in goodbye["formats"]} == {"zh", "en"}


@pytest.mark.asyncio
async def test_the_core_sounds_listed_are_the_labs_as_recorded(
    ari: httpx.AsyncClient,
) -> None:
    recorded = next(
        line["body"]
        for line in map(json.loads, (TRACES / "rest_queries.jsonl").read_text().splitlines())
        if line["dir"] == "response" and line["path"] == "/ari/sounds"
    )
    lab = {sound["id"]: sound for sound in recorded}
    listed = (await ari.get("/sounds", params={"lang": "en", "format": "gsm"})).json()
    hotline = set(shipped().sound_ids())
    for sound in listed:
        assert set(sound) == {"id", "formats"}
        if sound["id"] not in hotline:
            # A core sound the emulator plays must exist on the recorded Asterisk, or the
            # emulator would play what the real server refuses.
            assert lab.get(sound["id"]) == sound, sound["id"]
