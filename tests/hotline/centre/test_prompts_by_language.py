"""A Chinese caller hears Chinese prompts and an English caller English ones, end to end: the
published document, the service, the ARI emulator (real HTTP and WebSocket), and the
emulator's log of what it played (``/_emulator/played``: each media, the line that heard it,
the language asked for and the language directory of the file that played).

Each caller goes through the IVR (greeting and language menu, then the line menu in the
language chosen), the queue announcements (position, expected wait and the numbers), and then
either the voicemail (routing gives up: the prompt, then the recording's beep) or an agent who
hangs up first (the survey and its thanks, a prompt the document names per language). The
closed message in each language is ``test_prompts_live.py``'s."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from cti.calls.controller import ControllerOptions
from cti.emulator import AgentScript, LabConfig, RunningEmulator, TaxpayerScript, run_emulator
from hotline.config import Settings
from hotline.demo.runner import import_centre
from hotline.main import create_app, live_telephony
from routing import default_policy
from tests.hotline.live.test_demo_flow import (
    ARI_PASSWORD,
    PASSWORD,
    SPEED,
    _eventually,
    _token,
)

from .helpers import example
from .test_prompts_live import _publish

TALK_S = 120.0  # emulated seconds (6 s here): the others wait meanwhile (then wrap-up)
ZH_WAITS, EN_WAITS, ZH_TALKS, EN_TALKS = "13905710101", "13905710102", "13905710103", "13905710104"


def _centre(ari_url: str) -> dict[str, Any]:
    """One national tax specialist per language, each with a scripted phone."""
    person = {"roles": ["agent"], "password": PASSWORD}
    return {
        "version": 1,
        "sites": [{"code": "hz", "name": "Hangzhou", "ari_url": ari_url,
                   "ari_username": "hotline", "ari_password": ARI_PASSWORD}],
        "skills": [
            {"business_line": "national_tax", "language": "zh", "name": "国税"},
            {"business_line": "national_tax", "language": "en", "name": "National tax (en)"},
        ],
        "users": [
            {"username": "agent001", "full_name": "王伟", **person},
            {"username": "agent003", "full_name": "Alice", **person},
            {"username": "admin", "full_name": "Admin", "roles": ["admin", "supervisor"],
             "password": PASSWORD},
        ],
        "agents": [
            {"code": "A001", "name": "王伟", "languages": ["zh"], "username": "agent001",
             "skills": {"national_tax": 1}, "endpoints": {"hz": "PJSIP/2001"}},
            {"code": "A003", "name": "Alice", "languages": ["en"], "username": "agent003",
             "skills": {"national_tax": 1}, "endpoints": {"hz": "PJSIP/2003"}},
        ],
    }  # fmt: skip


def _document() -> dict[str, Any]:
    """Open around the clock (the service runs ``always_open``); a waiting caller is announced
    at once and every second, and routing gives up after 3 s with a voicemail of at most 2 s."""
    data = copy.deepcopy(example())
    data["lines"] = ["national_tax"]
    data["languages"] = ["zh", "en"]
    data["unserved"] = []
    data["routing"]["default"].update(
        stages=[{"after_s": 0, "max_level": 1}],
        callback_offer_after_s=None,
        max_wait_s=3,
        announce_every_s=1,
        on_max_wait="voicemail",
    )
    ivr = data["ivr"]
    ivr.update(digit_timeout_s=60)
    ivr["languages"] = [
        {"digit": "1", "language": "zh", "prompt": "lang-zh"},
        {"digit": "2", "language": "en", "prompt": "lang-en"},
    ]
    ivr["lines"] = [{"digit": "1", "line": "national_tax", "prompt": "line-national_tax"}]
    data["diverts"]["voicemail"].update(max_length_s=2, beep=True)
    # A prompt named per language: English callers are thanked with another recording.
    data["survey"]["thanks"] = {"zh": "survey-thanks", "en": "goodbye"}
    return data


def _caller(number: str, language_digit: str, survey: str | None) -> TaxpayerScript:
    chosen = {"1": "sound:hotline/lang-zh", "2": "sound:hotline/lang-en"}[language_digit]
    return TaxpayerScript(
        caller_number=number,
        press_on_prompt={chosen: language_digit, "sound:hotline/line-national_tax": "1"},
        patience_s=3000.0,
        hangup_after_answer_s=3000.0,
        survey_digit=survey,
    )


async def _heard(control: httpx.AsyncClient, number: str) -> list[tuple[str, str, str | None]]:
    """(media, language asked, language of the file played) of what ``number`` heard."""
    response = await control.get("/_emulator/played", params={"caller": number})
    assert response.status_code == 200, response.text
    return [
        (e["media_uri"], e["language"], e["resolved_language"]) for e in response.json()["played"]
    ]


def _sounds(heard: list[tuple[str, str, str | None]]) -> list[str]:
    return [media.removeprefix("sound:hotline/") for media, _, _ in heard]


def _calls(http: httpx.AsyncClient, admin: dict[str, str]) -> Any:
    async def calls() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = (await http.get("/api/v1/calls", headers=admin)).json()[
            "items"
        ]
        return items

    return calls


def _answered(items: list[dict[str, Any]]) -> int:
    return sum(1 for item in items if item["answered_at"])


@pytest.mark.asyncio
async def test_each_caller_hears_every_prompt_in_their_own_language(database_url: str) -> None:
    settings = Settings(database_url=database_url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)}, event_log_size=20_000)
    telephony = live_telephony(
        policy=default_policy(),
        controller_options=ControllerOptions(timer_scale=SPEED),
        always_open=True,
    )
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        emulator.add_endpoint("PJSIP/2001", AgentScript(answer_after_s=1.0, talk_s=TALK_S))
        emulator.add_endpoint("PJSIP/2003", AgentScript(answer_after_s=1.0, talk_s=TALK_S))
        await import_centre(settings, _centre(emulator.base_url))
        await _publish(settings.database_url, _document())
        app = create_app(settings, components=[telephony])
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
            httpx.AsyncClient(
                base_url=emulator.base_url, auth=("hotline", ARI_PASSWORD)
            ) as control,
        ):
            admin = await _token(http, "admin")
            for name in ("agent001", "agent003"):
                agent = await _token(http, name)
                await http.post("/api/v1/agent/session", json={"site": "hz"}, headers=agent)
                ready = await http.put(
                    "/api/v1/agent/session/state", json={"state": "ready"}, headers=agent
                )
                assert ready.status_code == 200, ready.text
            # Both agents take a caller and talk; the next two callers wait for them (busy
            # agents count for the expected wait), until routing gives up on them.
            _place(emulator, _caller(ZH_TALKS, "1", "5"), _caller(EN_TALKS, "2", "4"))
            await _eventually(_calls(http, admin), lambda items: _answered(items) == 2)
            _place(emulator, _caller(ZH_WAITS, "1", None), _caller(EN_WAITS, "2", None))
            await _eventually(
                _calls(http, admin),
                lambda items: len(items) == 4 and all(i["ended_at"] for i in items),
                timeout=40.0,
            )
            heard = {number: await _heard(control, number) for number in
                     (ZH_WAITS, EN_WAITS, ZH_TALKS, EN_TALKS)}  # fmt: skip

    for number, language in ((ZH_WAITS, "zh"), (EN_WAITS, "en"), (ZH_TALKS, "zh"),
                             (EN_TALKS, "en")):  # fmt: skip
        played = heard[number]
        chose = _sounds(played).index("line-national_tax")
        # Before the caller chose: the greeting and the language menu (up to the digit, which
        # stops the prompt) in the default language.
        menu = [media for media, _, _ in played[:chose]]
        expected = ["welcome", "lang-zh"] + (["lang-en"] if language == "en" else [])
        assert menu == [f"sound:hotline/{name}" for name in expected], played
        assert all(entry[1:] == ("zh", "zh") for entry in played[:chose]), played
        # After: every prompt asked in the caller's language and played from its own file
        # (the line menu first); the beep aside (below).
        chosen = [entry for entry in played[chose:] if entry[0] != "sound:beep"]
        assert all(asked == language == resolved for _, asked, resolved in chosen), played

    for number in (ZH_WAITS, EN_WAITS):
        sounds = _sounds(heard[number])
        # Announced in the queue: the position and the expected wait, with their numbers.
        for sound in ("position", "number-1", "expected-wait", "minutes", "voicemail"):
            assert sound in sounds, (number, sounds)
        # The voicemail prompt, then the recording's beep: Asterisk's core sound, played in
        # the channel's own language (the lab has it in English only).
        voicemail = sounds.index("voicemail")
        assert heard[number][voicemail + 1] == ("sound:beep", "en", "en"), heard[number]
    for number, thanks in ((ZH_TALKS, "survey-thanks"), (EN_TALKS, "goodbye")):
        sounds = _sounds(heard[number])
        assert sounds[-2:] == ["survey", thanks], (number, sounds)
        assert "voicemail" not in sounds


def _place(emulator: RunningEmulator, *scripts: TaxpayerScript) -> None:
    for script in scripts:
        emulator.place_call(script)
