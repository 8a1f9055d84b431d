"""The sounds a caller hears are the published document's, in the caller's language, through
the whole service and the ARI emulator (real HTTP and WebSocket): after hours the language is
asked first (the document says so), the closed message and the callback prompts follow in the
language chosen, and a version published later changes what the next caller hears."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from cti.calls.controller import ControllerOptions
from cti.emulator import LabConfig, RunningEmulator, TaxpayerScript, run_emulator
from hotline.centre import store
from hotline.centre.files import parse_data
from hotline.clock import utc_now
from hotline.config import Settings
from hotline.db.session import create_engine, create_sessionmaker
from hotline.demo.runner import import_centre
from hotline.main import create_app, live_telephony
from routing import default_policy
from tests.hotline.live.test_demo_flow import ARI_PASSWORD, SPEED, _eventually, _token

from .helpers import example
from .test_live import _centre
from .test_voicemail_live import _closed_for_hours


def _document(confirmed: str) -> dict[str, Any]:
    """Closed now; the language asked first; a callback offered after the closed message,
    confirmed with the sound ``confirmed``."""
    data = copy.deepcopy(example())
    data["lines"] = ["national_tax", "local_tax"]
    data["languages"] = ["zh", "en"]
    data["unserved"] = ["national_tax/en", "local_tax/en"]  # closed: nobody is needed
    data["routing"]["default"]["on_closed"] = "callback"
    data["hours"], _ = _closed_for_hours(utc_now())
    ivr = data["ivr"]
    ivr.update(digit_timeout_s=60, closed_asks_language=True)
    ivr["languages"] = [
        {"digit": "1", "language": "zh", "prompt": "lang-zh"},
        {"digit": "2", "language": "en", "prompt": "lang-en"},
    ]
    ivr["lines"] = [
        {"digit": "1", "line": "national_tax", "prompt": "line-national_tax"},
        {"digit": "2", "line": "local_tax", "prompt": "line-local_tax"},
    ]
    data["prompts"]["callback_confirmed"] = confirmed
    return data


async def _publish(database_url: str, document: dict[str, Any], base: int | None = None) -> None:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            config = parse_data(document, "prompts")
            publication = store.Publication(config, "", "prompts", "test", base)
            await store.publish(session, publication, now=utc_now())
            await session.commit()
    finally:
        await engine.dispose()


def _heard(emulator: RunningEmulator, since: int) -> list[tuple[str, str]]:
    """(sound, language) of every prompt played to a caller after the log's entry ``since``
    (the emulator's log of what it played; each file from the language asked for)."""
    heard: list[tuple[str, str]] = []
    for entry in emulator.core.played_media(since=since):
        if not entry.target_uri.startswith("channel:") or entry.media_uri == "sound:beep":
            continue
        assert entry.resolved == entry.language, entry  # no fallback to another language
        if (entry.media_uri, entry.language) not in heard:
            heard.append((entry.media_uri, entry.language))
    return heard


def _last_seq(emulator: RunningEmulator) -> int:
    played = emulator.core.played
    return played[-1].seq if played else 0


async def _call(
    http: httpx.AsyncClient, admin: dict[str, str], emulator: RunningEmulator, digit: str
) -> list[tuple[str, str]]:
    """One caller who picks the language ``digit`` and asks for a callback; what it heard."""
    since = _last_seq(emulator)
    before = len((await http.get("/api/v1/calls", headers=admin)).json()["items"])
    language_prompt = {"1": "sound:hotline/lang-zh", "2": "sound:hotline/lang-en"}[digit]
    emulator.place_call(
        TaxpayerScript(
            caller_number="13905710007",
            # "press 1 to be called back", once that part of the message plays
            press_on_prompt={language_prompt: digit, "sound:hotline/callback-request": "1"},
        )
    )

    async def calls() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = (await http.get("/api/v1/calls", headers=admin)).json()[
            "items"
        ]
        return items

    await _eventually(
        calls, lambda items: len(items) > before and items[0]["ended_at"], timeout=30.0
    )
    return _heard(emulator, since)


@pytest.mark.asyncio
async def test_each_caller_hears_the_documents_sounds_in_their_language(
    database_url: str,
) -> None:
    settings = Settings(database_url=database_url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)}, event_log_size=20_000)
    telephony = live_telephony(
        policy=default_policy(),
        controller_options=ControllerOptions(timer_scale=SPEED),
        config_poll_s=0.2,
    )
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _centre(emulator.base_url))
        # Version 1 confirms a callback with "goodbye" (the code's own sound is another).
        await _publish(database_url, _document("goodbye"))
        app = create_app(settings, components=[telephony])
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
        ):
            admin = await _token(http, "admin")
            english = await _call(http, admin, emulator, "2")
            chinese = await _call(http, admin, emulator, "1")
            # The closed message and the callback prompts in the language chosen, with the
            # document's sound names; the language menu itself in the default language.
            assert ("sound:hotline/lang-en", "zh") in english
            for sound in ("closed", "callback-request", "goodbye"):
                assert (f"sound:hotline/{sound}", "en") in english
                assert (f"sound:hotline/{sound}", "zh") in chinese
                assert (f"sound:hotline/{sound}", "zh") not in english
            assert not any(uri == "sound:hotline/callback-confirmed" for uri, _ in english)

            # Version 2 confirms with "callback-confirmed": the next caller hears that.
            service = app.state.hotline.extras["telephony"]
            applied = service.config_version
            await _publish(database_url, _document("callback-confirmed"), base=applied)
            await _eventually(
                _version_of(service), lambda version: version != applied, timeout=10.0
            )
            later = await _call(http, admin, emulator, "2")
            assert ("sound:hotline/callback-confirmed", "en") in later
            assert ("sound:hotline/goodbye", "en") not in later


def _version_of(service: Any) -> Any:
    async def probe() -> int | None:
        version: int | None = service.config_version
        return version

    return probe
