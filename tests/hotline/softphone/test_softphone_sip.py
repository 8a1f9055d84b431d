"""The softphone against a real SIP server: kamailio (ws://), baresip calls, Chromium answers."""

from __future__ import annotations

import re
from typing import Any

from hotline.web import i18n
from tests.hotline.softphone.baresip import Baresip
from tests.hotline.softphone.conftest import sip_config
from tests.hotline.softphone.kamailio import Kamailio
from tests.hotline.softphone.page import DESK_STATIC

WAIT_MS = 20_000


def events(page: Any) -> list[str]:
    return [event["name"] for event in page.evaluate("window.softphoneEvents")]


def wait_event(page: Any, name: str) -> None:
    page.wait_for_function(
        "name => window.softphoneEvents.some(e => e.name === name)", arg=name, timeout=WAIT_MS
    )


def test_registers_rings_answers_hears_audio_sends_dtmf_and_hangs_up(
    kamailio_server: Kamailio, taxpayer_phone: Baresip, browser_page: Any
) -> None:
    page = browser_page
    page.evaluate("config => window.startPhone(config, 'en')", sip_config(kamailio_server))
    wait_event(page, "registered")
    assert page.text_content("#softphone-status") == "Softphone ready"

    taxpayer_phone.command("dial", kamailio_server.dial_uri())
    wait_event(page, "ringing")
    assert page.is_enabled("#softphone-answer")
    assert "taxpayer" in (page.text_content("#softphone-caller") or "")

    page.click("#softphone-answer")
    wait_event(page, "answered")
    taxpayer_phone.wait_event("CALL_ESTABLISHED")
    # Audio from baresip's sine source reaches the page: RTP counted by getStats, and it is
    # sound (energy), not silence.
    page.wait_for_function(
        "async () => { const a = await window.phone.inboundAudio();"
        " return a.packets > 50 && a.energy > 0; }",
        timeout=WAIT_MS,
    )

    page.click("#softphone-dtmf-5")
    dtmf = taxpayer_phone.wait_event("CALL_DTMF_START")
    assert dtmf["param"] == "5"

    page.click("#softphone-hold")
    taxpayer_phone.wait_event("CALL_REMOTE_SDP", "offer")  # the hold re-INVITE reached the caller
    assert page.text_content("#softphone-status") == "Call on hold"
    page.click("#softphone-hold")
    taxpayer_phone.wait_event("CALL_REMOTE_SDP", "offer")
    assert page.text_content("#softphone-status") == "On a call"

    page.click("#softphone-mute")
    assert page.get_attribute("#softphone-mute", "aria-pressed") == "true"
    page.click("#softphone-hangup")
    wait_event(page, "ended")
    taxpayer_phone.wait_event("CALL_CLOSED")
    assert events(page) == ["registered", "ringing", "answered", "ended"]
    assert page.is_disabled("#softphone-hangup")


def test_the_caller_hanging_up_while_it_rings_ends_the_ringing(
    kamailio_server: Kamailio, taxpayer_phone: Baresip, browser_page: Any
) -> None:
    page = browser_page
    page.evaluate("config => window.startPhone(config, 'en')", sip_config(kamailio_server))
    wait_event(page, "registered")
    taxpayer_phone.command("dial", kamailio_server.dial_uri())
    wait_event(page, "ringing")
    taxpayer_phone.command("hangup")
    wait_event(page, "ended")
    assert page.is_disabled("#softphone-answer")


def test_a_wrong_password_is_explained_in_plain_words(
    kamailio_server: Kamailio, browser_page: Any
) -> None:
    page = browser_page
    config = sip_config(kamailio_server, password="not-the-password")
    page.evaluate("config => window.startPhone(config, 'en')", config)
    wait_event(page, "error")
    error = page.evaluate("window.softphoneEvents.find(e => e.name === 'error').detail")
    assert error["code"] == "wrong_password"
    assert "wrong user name or password (401)" in page.text_content("#softphone-error")
    assert page.is_visible("#softphone-error")
    assert "registered" not in events(page)


def test_an_unreachable_sip_server_is_explained_in_chinese(
    kamailio_server: Kamailio, browser_page: Any
) -> None:
    page = browser_page
    config = sip_config(kamailio_server)
    config["ws_url"] = "ws://127.0.0.1:9"  # discard port: nothing accepts a websocket there
    page.evaluate("config => window.startPhone(config, 'zh-CN')", config)
    wait_event(page, "error")
    error = page.evaluate("window.softphoneEvents.find(e => e.name === 'error').detail")
    assert error["code"] == "no_connection"
    assert "无法连接 SIP 服务器（ws://127.0.0.1:9）" in page.text_content("#softphone-error")


def test_a_refused_microphone_is_explained_and_the_call_keeps_ringing(
    kamailio_server: Kamailio, taxpayer_phone: Baresip, page_without_microphone: Any
) -> None:
    page = page_without_microphone
    page.evaluate("config => window.startPhone(config, 'en')", sip_config(kamailio_server))
    wait_event(page, "registered")
    taxpayer_phone.command("dial", kamailio_server.dial_uri())
    wait_event(page, "ringing")
    page.click("#softphone-answer")
    wait_event(page, "error")
    error = page.evaluate("window.softphoneEvents.find(e => e.name === 'error').detail")
    assert error["code"] == "mic_denied"
    assert "not allowed to use the microphone" in page.text_content("#softphone-error")
    # Nothing was answered: the agent can allow the microphone and answer, or hang up.
    assert "answered" not in events(page)
    assert page.is_enabled("#softphone-answer")
    page.click("#softphone-hangup")
    wait_event(page, "ended")
    taxpayer_phone.wait_event("CALL_CLOSED")


def test_every_state_and_error_code_of_the_softphone_has_its_message_in_the_catalog() -> None:
    """softphone.js shows `softphone.<state>` and `softphone.<code>`: names the catalog test
    (which finds literal t("...") calls) cannot see."""
    scripts = "".join(p.read_text() for p in DESK_STATIC.glob("softphone*.js"))
    codes = set(re.findall(r'code: "([a-z_]+)"', scripts))
    codes |= set(re.findall(r'return "([a-z_]+)";', scripts))  # microphoneErrorCode
    states = set(re.findall(r'this\.show\("([a-z_]+)"\)', scripts)) | {"held"}
    assert {"wrong_password", "no_connection", "mic_denied", "no_microphone"} <= codes
    assert {"off", "connecting", "registered"} <= states
    missing = {f"softphone.{name}" for name in codes | states} - i18n.CATALOG.keys()
    assert sorted(missing) == []


def test_the_desk_starts_the_softphone_the_service_configured_for_the_agent(
    kamailio_server: Kamailio, taxpayer_phone: Baresip, sip_desk: Any
) -> None:
    """End to end: the desk page asks the service for the agent's softphone, registers with
    what it got (the account the admin set), and its Answer button takes a call from baresip."""
    page = sip_desk
    config = page.evaluate("window.hotlineDesk.phone.config")
    assert (config["mode"], config["sip_uri"]) == ("sip", kamailio_server.agent_uri)
    wait_event(page, "registered")
    assert page.text_content("#softphone-status") == "软电话已就绪"
    assert page.text_content("#softphone-answer") == "接听"  # the page's catalog, in zh-CN
    taxpayer_phone.command("dial", kamailio_server.dial_uri())
    wait_event(page, "ringing")
    page.click("#answer")
    wait_event(page, "answered")
    taxpayer_phone.wait_event("CALL_ESTABLISHED")
    taxpayer_phone.command("hangup")
    wait_event(page, "ended")


def test_a_desk_phone_seat_shows_the_softphone_off_and_asks_nothing(browser_page: Any) -> None:
    page = browser_page
    config = {"mode": "off", "reason": "desk_phone", "site": "hz", "endpoint": "PJSIP/1001"}
    page.evaluate("config => window.startPhone(config, 'zh-CN')", config)
    assert page.text_content("#softphone-status") == "本坐席使用话机，软电话已关闭"
    assert page.get_attribute("#softphone", "data-state") == "off"
    assert page.is_disabled("#softphone-answer")
    assert page.is_hidden("#softphone-error")
    assert events(page) == []
