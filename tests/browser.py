"""Shared browser-test pieces: headless Chromium driven by playwright, and a live desk centre.

Why playwright (the PyPI package, pinned) rather than raw Chrome DevTools protocol: it waits for
elements and network for us (no sleeps in tests), fills forms and presses keys like a person, and
speaks CDP to the system browser: ``executable_path`` points at Debian's ``/usr/bin/chromium``,
so ``playwright install`` (which downloads a browser) is never run.

``desk_centre`` runs the real thing on loopback: the ARI emulator (real HTTP + websocket), the
service with live telephony on a SQLite file, the example centre imported, ``agent001``'s phone
a person's phone of the emulator, ringing in the desk's softphone until answered there
(``softphone.mode = "emulator"``) and ``agent002`` logged in with a phone that answers by
itself, not ready (a transfer target only).

``chromium_page`` is the synchronous flavour for the softphone tests, which drive the browser
from the test thread while kamailio, baresip or the service run beside it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from playwright.async_api import Browser, async_playwright

from cti.calls.controller import ControllerOptions
from cti.emulator import AgentScript, LabConfig, RunningEmulator, TaxpayerScript, run_emulator
from hotline.config import Settings
from hotline.demo.options import ARI_PASSWORD_ENV, PASSWORD_ENV
from hotline.demo.runner import bound_port, centre_pointing_at, import_centre, serving
from hotline.main import create_app, live_telephony
from hotline.summaries.guard import summary_guard
from hotline.telephony.menus import IVR_MENUS, build_plan
from routing import default_policy

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("HOTLINE_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "desk-browser-test"
ARI_PASSWORD = "desk-browser-ari"
HUMAN = "agent001"  # answered from the page
PARTNER = "agent002"  # answers by itself: the transfer target
VIEWPORT = {"width": 1366, "height": 768}


def chromium_path() -> str:
    found = shutil.which(CHROMIUM) or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if found is None:
        raise RuntimeError(
            f"no Chromium at {CHROMIUM}: install Debian's chromium (.ci/run does) "
            "or set HOTLINE_CHROMIUM"
        )
    return found


def chromium_args(*, allow_microphone: bool = True) -> list[str]:
    """One set of switches for every browser test. The fake media devices give the softphone a
    microphone (a tone) and, without ``allow_microphone``, the browser refuses it to the page,
    as an agent who said no."""
    return [
        # No sandbox inside containers run as root; /dev/shm is small there.
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        *(["--use-fake-ui-for-media-stream"] if allow_microphone else []),
        "--use-fake-device-for-media-stream",
        # Real host addresses in ICE candidates, not mDNS names nobody here resolves.
        "--disable-features=WebRtcHideLocalIpsWithMdns",
    ]


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=chromium_path(), headless=True, args=chromium_args()
        )
        try:
            yield browser
        finally:
            await browser.close()


# Records the softphone's DOM events for the tests, on any page (the desk or a test page).
RECORD_SOFTPHONE_EVENTS = """
window.softphoneEvents = [];
for (const name of ["registered", "ringing", "answered", "ended", "error"]) {
  document.addEventListener(`softphone:${name}`, (event) => {
    window.softphoneEvents.push({ name, detail: event.detail });
  });
}
"""


@contextlib.contextmanager
def chromium_page(
    log_dir: Path,
    url: str,
    cookies: Sequence[Any] = (),
    *,
    allow_microphone: bool = True,
    ready: str = "window.pageReady === true",
) -> Iterator[Any]:
    """A page of the system Chromium (playwright's sync API) on ``url``, once ``ready`` holds.
    The page's console goes to ``log_dir/console.log`` for whoever reads a failure."""
    from playwright.sync_api import sync_playwright

    console: list[str] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=chromium_path(),
            headless=True,
            args=chromium_args(allow_microphone=allow_microphone),
        )
        try:
            context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
            if cookies:
                context.add_cookies(list(cookies))
            context.add_init_script(RECORD_SOFTPHONE_EVENTS)
            page = context.new_page()
            page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
            page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
            page.goto(url)
            page.wait_for_function(ready)
            yield page
        finally:
            (log_dir / "console.log").write_text("\n".join(console))
            browser.close()


def taxpayer(number: str, *, language: str = "zh", line: str = "national_tax") -> TaxpayerScript:
    """A caller who picks ``language`` and ``line`` in the IVR and waits patiently."""
    digits = {
        "language": {o.value: o.digit for o in IVR_MENUS.languages}[language],
        "line": {o.value: o.digit for o in IVR_MENUS.lines}[line],
    }
    press = {
        build_plan(open_now=True, menus=IVR_MENUS).greeting: str(digits["language"]),
        IVR_MENUS.lines[0].prompt: str(digits["line"]),
    }
    return TaxpayerScript(
        caller_number=number, caller_name="", dialled="12366", patience_s=600.0,
        hangup_after_answer_s=1200.0, press_on_prompt=press,
    )  # fmt: skip


# Softphone settings whose SIP server nobody runs (port 9): the page cannot register.
UNREACHABLE_SIP = {"mode": "sip", "sites": {"hz": {"ws_url": "ws://127.0.0.1:9/ws",
                                                   "sip_domain": "127.0.0.1"}}}  # fmt: skip


@dataclass
class DeskCentre:
    base_url: str
    emulator: RunningEmulator
    settings: Settings
    app: Any
    agent_ids: dict[str, int]

    def place_call(self, number: str) -> None:
        self.emulator.place_call(taxpayer(number))

    async def give_softphone(self, username: str, sip_user: str = "1001") -> None:
        """A softphone account for the agent's endpoint on hz (what an admin's PUT does)."""
        from hotline.softphone import service

        async with self.app.state.hotline.sessionmaker() as session, session.begin():
            await service.set_account(
                session, agent_id=self.agent_ids[username], site="hz", sip_user=sip_user,
                password=f"pw-{sip_user}-of-the-test",
            )  # fmt: skip


async def _log_phone_in(base_url: str, username: str) -> None:
    """Logged in but not ready: offered no calls, yet a blind transfer still reaches them."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        token = await http.post(
            "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
        )
        token.raise_for_status()
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        login = await http.post("/api/v1/agent/session", json={"site": "hz"}, headers=headers)
        login.raise_for_status()


@contextlib.asynccontextmanager
async def desk_centre(
    database: Path, *, speed: float = 1.0, softphone: dict[str, Any] | None = None
) -> AsyncIterator[DeskCentre]:
    """``softphone``: the service's softphone settings (default: the emulator's phones)."""
    os.environ[PASSWORD_ENV] = PASSWORD
    os.environ[ARI_PASSWORD_ENV] = ARI_PASSWORD
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{database}",
        softphone=softphone or {"mode": "emulator"},
    )
    example = yaml.safe_load((ROOT / "examples" / "hangzhou.yaml").read_text("utf-8"))
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    async with run_emulator(port=0, speed=speed, config=lab) as emulator:
        await import_centre(settings, centre_pointing_at(example, "hz", emulator.base_url))
        emulator.add_person_phone("PJSIP/1001")
        emulator.add_endpoint("PJSIP/1002", AgentScript(answer_after_s=1.0))
        policy = dataclasses.replace(default_policy(), service_hours=None)
        telephony = live_telephony(
            policy=policy, controller_options=ControllerOptions(timer_scale=speed)
        )
        app = create_app(settings, components=[telephony, summary_guard()])
        async with serving(app, 0) as server:
            base_url = f"http://127.0.0.1:{bound_port(server)}"
            await _log_phone_in(base_url, PARTNER)
            from sqlalchemy import select

            from hotline.db.models import Agent, User

            async with app.state.hotline.sessionmaker() as session:
                rows = await session.execute(
                    select(User.username, Agent.id).join(Agent, Agent.user_id == User.id)
                )
                ids = {name: agent_id for name, agent_id in rows}
            yield DeskCentre(base_url, emulator, settings, app, ids)
