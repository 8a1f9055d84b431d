"""Fixtures of the softphone tests: real kamailio, real baresip, real headless Chromium.

Each is skipped with the reason when its Debian package is absent (CI installs them all).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.hotline.softphone import baresip, kamailio
from tests.hotline.softphone.live import LiveDesk, live_desk
from tests.hotline.softphone.page import STATIC, serve_page

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[3]
AGENT_USER = "1001"
AGENT_PASSWORD = "pw-7Hq2-softphone-secret"


@pytest.fixture
def kamailio_server(tmp_path: Path) -> Iterator[kamailio.Kamailio]:
    reason = kamailio.missing()
    if reason:
        pytest.skip(reason)
    with kamailio.run_kamailio(tmp_path, user=AGENT_USER, password=AGENT_PASSWORD) as server:
        yield server


@pytest.fixture
def taxpayer_phone(tmp_path: Path) -> Iterator[baresip.Baresip]:
    reason = baresip.missing()
    if reason:
        pytest.skip(reason)
    with baresip.run_baresip(tmp_path) as phone:
        yield phone


@pytest.fixture(scope="session")
def jssip_bundle() -> Path:
    """static/vendor/jssip.js, bundled from node_modules (npm ci) when it is not there yet."""
    bundle = STATIC / "vendor" / "jssip.js"
    if not bundle.is_file():
        if not (REPO / "node_modules" / "jssip").is_dir() or shutil.which("npm") is None:
            pytest.skip("JsSIP is not installed: run `npm ci` at the repository root")
        subprocess.run(["npm", "run", "--silent", "build:jssip"], cwd=REPO, check=True)
    return bundle


@contextmanager
def chromium_page(
    tmp_path: Path, url: str, cookies: Sequence[Any] = (), *, allow_microphone: bool = True
) -> Iterator[Any]:
    """A playwright page in the system Chromium with fake media devices, on `url`; without
    `allow_microphone` the browser refuses the page the microphone, as an agent who said no."""
    if not CHROMIUM.is_file():
        pytest.skip("chromium is not installed (Debian package chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev extra) missing")
    console: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless=new",
                *(["--use-fake-ui-for-media-stream"] if allow_microphone else []),
                "--use-fake-device-for-media-stream",
                # Real host addresses in ICE candidates, not mDNS names nobody here resolves.
                "--disable-features=WebRtcHideLocalIpsWithMdns",
            ],
        )
        try:
            context = browser.new_context()
            if cookies:
                context.add_cookies(list(cookies))
            page = context.new_page()
            page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
            page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
            page.goto(url)
            page.wait_for_function("window.pageReady === true")
            yield page
        finally:
            # Kept beside kamailio.log and baresip.log for whoever reads a failure.
            (tmp_path / "console.log").write_text("\n".join(console))
            browser.close()


@pytest.fixture
def browser_page(tmp_path: Path, jssip_bundle: Path) -> Iterator[Any]:
    """The test page around softphone.js, served from loopback, in headless Chromium."""
    with serve_page(tmp_path) as url, chromium_page(tmp_path, url) as page:
        yield page


@pytest.fixture
def page_without_microphone(tmp_path: Path, jssip_bundle: Path) -> Iterator[Any]:
    """The test page in a Chromium that refuses the microphone to the page."""
    with (
        serve_page(tmp_path) as url,
        chromium_page(tmp_path, url, allow_microphone=False) as page,
    ):
        yield page


@pytest.fixture
def emulated_desk(tmp_path: Path) -> Iterator[tuple[LiveDesk, Any]]:
    """The service in emulator mode with one agent (wang, PJSIP/1001) signed in in Chromium."""
    with live_desk(tmp_path) as desk:
        cookie = {"name": "hotline_session", "value": desk.agent_token, "url": desk.base_url}
        with chromium_page(tmp_path, f"{desk.base_url}/softphone-test", [cookie]) as page:
            yield desk, page


def sip_config(server: kamailio.Kamailio, *, password: str | None = None) -> dict[str, Any]:
    """What GET /api/v1/agent/softphone returns for the test agent on this kamailio."""
    return {
        "mode": "sip",
        "ws_url": server.ws_url,
        "sip_uri": server.agent_uri,
        "auth_user": server.user,
        "password": server.password if password is None else password,
        "display_name": "Agent 1001",
        "ice_servers": [],
    }


@pytest.fixture
def sip_desk(
    tmp_path: Path, kamailio_server: kamailio.Kamailio, jssip_bundle: Path
) -> Iterator[Any]:
    """The service in sip mode pointing site hz at the test kamailio, agent wang holding the
    kamailio account, signed in in Chromium on a page served by the service."""
    softphone = {
        "mode": "sip",
        "sites": {"hz": {"ws_url": kamailio_server.ws_url, "sip_domain": "127.0.0.1"}},
    }
    account = (kamailio_server.user, kamailio_server.password)
    with live_desk(tmp_path, softphone=softphone, account=account) as desk:
        cookie = {"name": "hotline_session", "value": desk.agent_token, "url": desk.base_url}
        with chromium_page(tmp_path, f"{desk.base_url}/softphone-test", [cookie]) as page:
            yield page
