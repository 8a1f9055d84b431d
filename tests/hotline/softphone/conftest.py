"""Fixtures of the softphone tests: real kamailio, real baresip, real headless Chromium.

Each is skipped with the reason when its Debian package is absent (CI installs them all).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium_page, chromium_path
from tests.hotline.softphone import baresip, kamailio
from tests.hotline.softphone.live import LiveDesk, live_desk
from tests.hotline.softphone.page import STATIC, serve_page

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


def _browser_or_skip() -> None:
    try:
        chromium_path()
    except RuntimeError as error:
        pytest.skip(str(error))


def desk_cookies(desk: LiveDesk, lang: str) -> list[dict[str, str]]:
    """A signed-in agent's cookies: the session, the CSRF token the page repeats, the language."""
    return [
        {"name": name, "value": value, "url": desk.base_url}
        for name, value in (
            ("hotline_session", desk.agent_token),
            ("hotline_csrf", "csrf-token-of-the-test"),
            ("hotline_lang", lang),
        )
    ]


# The desk is up once it has started the softphone the service chose for the agent.
DESK_READY = "window.hotlineDesk !== undefined && window.hotlineDesk.phone !== undefined"


@pytest.fixture
def browser_page(tmp_path: Path, jssip_bundle: Path) -> Iterator[Any]:
    """The test page around softphone.js, served from loopback, in headless Chromium."""
    _browser_or_skip()
    with serve_page(tmp_path) as url, chromium_page(tmp_path, url) as page:
        yield page


@pytest.fixture
def page_without_microphone(tmp_path: Path, jssip_bundle: Path) -> Iterator[Any]:
    """The test page in a Chromium that refuses the microphone to the page."""
    _browser_or_skip()
    with (
        serve_page(tmp_path) as url,
        chromium_page(tmp_path, url, allow_microphone=False) as page,
    ):
        yield page


@pytest.fixture
def emulated_desk(tmp_path: Path) -> Iterator[tuple[LiveDesk, Any]]:
    """The service in emulator mode with one agent (wang, PJSIP/1001) on the desk page (/desk,
    English) in Chromium; the desk has started its softphone."""
    _browser_or_skip()
    with (
        live_desk(tmp_path) as desk,
        chromium_page(
            tmp_path, f"{desk.base_url}/desk", desk_cookies(desk, "en"), ready=DESK_READY
        ) as page,
    ):
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
    kamailio account, on the desk page (/desk, zh-CN) in Chromium."""
    softphone = {
        "mode": "sip",
        "sites": {"hz": {"ws_url": kamailio_server.ws_url, "sip_domain": "127.0.0.1"}},
    }
    account = (kamailio_server.user, kamailio_server.password)
    _browser_or_skip()
    with (
        live_desk(tmp_path, softphone=softphone, account=account) as desk,
        chromium_page(
            tmp_path, f"{desk.base_url}/desk", desk_cookies(desk, "zh-CN"), ready=DESK_READY
        ) as page,
    ):
        yield page
