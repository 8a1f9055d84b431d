"""A voicemail divert over real HTTP and WebSocket against the emulator: the prompt, a recording
of the caller's channel with a maximum length, then goodbye; a caller who hangs up mid-message
still leaves the stored recording (nothing is lost)."""

from __future__ import annotations

import dataclasses
import io
import wave

import pytest

from cti.calls.ports import CallKey, VoicemailSpec
from cti.emulator import TaxpayerScript
from tests.cti.calls.emulated import (
    CLOSED_PLAN,
    LANGUAGE_PROMPT,
    LINE_PROMPT,
    Hook,
    RecordingDirector,
    Site,
    emulated_site,
)

CHOOSES_ZH_NATIONAL = {LANGUAGE_PROMPT: "1", LINE_PROMPT: "1"}


def _divert_to_voicemail(max_length_s: int) -> Hook:
    async def hook(director: RecordingDirector, key: CallKey) -> None:
        assert director.control is not None
        spec = VoicemailSpec(name=f"vm-{key.call_id}", max_length_s=max_length_s)
        await director.control.divert(key, target="voicemail", voicemail=spec)

    return hook


async def _stored_seconds(site: Site, name: str) -> float:
    audio, media_type = await site.client.stored_recording_file(name)
    assert media_type == "audio/wav"
    with wave.open(io.BytesIO(audio)) as wav:
        return wav.getnframes() / wav.getframerate()


@pytest.mark.asyncio
async def test_voicemail_records_the_caller_up_to_its_maximum_then_says_goodbye() -> None:
    director = RecordingDirector(on_ivr_completed=_divert_to_voicemail(20))
    async with emulated_site(director) as site:
        placed = site.emulator.place_call(TaxpayerScript(press_on_prompt=CHOOSES_ZH_NATIONAL))
        key = site.call_key(placed)
        await site.finished(key)
        assert await _stored_seconds(site, f"vm-{key.call_id}") == 20
    journal = [kind for k, kind in director.journal_log if k == key]
    assert "voicemail_recorded" in journal
    assert director.names(key)[-1] == "call_finished"


@pytest.mark.asyncio
async def test_a_caller_hanging_up_mid_message_leaves_the_partial_recording() -> None:
    director = RecordingDirector(on_ivr_completed=_divert_to_voicemail(120))
    async with emulated_site(director) as site:
        script = TaxpayerScript(press_on_prompt=CHOOSES_ZH_NATIONAL, hangup_after_answer_s=30.0)
        placed = site.emulator.place_call(script)
        key = site.call_key(placed)
        await site.finished(key)
        seconds = await _stored_seconds(site, f"vm-{key.call_id}")
    assert 1 <= seconds < 30  # what was said before hanging up, not the maximum
    journal = [kind for k, kind in director.journal_log if k == key]
    # RecordingFinished comes before StasisEnd (as in Asterisk): recorded, then the caller gone.
    assert journal.index("voicemail_recorded") < journal.index("caller_gone")


@pytest.mark.asyncio
async def test_after_hours_the_closed_message_is_followed_by_a_voicemail() -> None:
    spec = VoicemailSpec(name="vm-closed", max_length_s=15)
    director = RecordingDirector(plan=dataclasses.replace(CLOSED_PLAN, closed_voicemail=spec))
    async with emulated_site(director) as site:
        placed = site.emulator.place_call(TaxpayerScript())
        key = site.call_key(placed)
        await site.finished(key)
        assert await _stored_seconds(site, "vm-closed") == 15
    # No callback menu: the closed message and the voicemail prompt, then the recording.
    assert "callback_accepted" not in director.names(key)
    journal = [kind for k, kind in director.journal_log if k == key]
    assert "voicemail_recorded" in journal
