"""The demo's softphone: the emulator's phone for the agent rings in the desk and is answered
there, by the desk's own Answer button as well as the softphone panel's."""

from __future__ import annotations

from typing import Any

import httpx

from tests.hotline.softphone.live import ARI_AUTH, LiveDesk

WAIT_MS = 15_000


def wait_event(page: Any, name: str, count: int = 1) -> None:
    page.wait_for_function(
        "([name, count]) => window.softphoneEvents.filter(e => e.name === name).length >= count",
        arg=[name, count],
        timeout=WAIT_MS,
    )


def softphone_config(page: Any) -> dict[str, Any]:
    """What the desk read from the service before it started its softphone."""
    config: dict[str, Any] = page.evaluate("window.hotlineDesk.phone.config")
    return config


def offer(desk: LiveDesk) -> str:
    """The CTI rings the agent's endpoint, as the controller does for an offer."""

    async def originate() -> str:
        async with httpx.AsyncClient(base_url=desk.emulator.ari_url, auth=ARI_AUTH) as ari:
            response = await ari.post(
                "/channels",
                params={
                    "endpoint": "PJSIP/1001",
                    "app": "hotline",
                    "appArgs": "agent,1001",
                    "callerId": '"Taxpayer Li" <13800138000>',
                },
            )
            response.raise_for_status()
            channel_id: str = response.json()["id"]
            return channel_id

    return desk.run(originate)


def channel_state(desk: LiveDesk, channel_id: str) -> str | None:
    channel = desk.emulator.core.channels.get(channel_id)
    return None if channel is None or channel.destroyed else channel.state


def test_the_emulated_phone_rings_in_the_page_and_is_answered_there(
    emulated_desk: tuple[LiveDesk, Any],
) -> None:
    desk, page = emulated_desk
    config = softphone_config(page)
    assert (config["mode"], config["endpoint"], config["password"]) == (
        "emulator",
        "PJSIP/1001",
        None,
    )
    wait_event(page, "registered")

    leg = offer(desk)
    wait_event(page, "ringing")
    assert page.text_content("#softphone-caller") == "Taxpayer Li <13800138000>"
    assert channel_state(desk, leg) == "Ringing"

    # The desk's Answer button answers through the softphone.
    assert page.is_enabled("#answer")
    page.click("#answer")
    wait_event(page, "answered")
    assert channel_state(desk, leg) == "Up"  # the CTI sees the agent's leg answered
    assert page.text_content("#softphone-status") == "On a call"

    page.click("#softphone-hangup")
    wait_event(page, "ended")
    assert channel_state(desk, leg) is None

    # The phone is ready for the next offer; a person may also reject a ringing call.
    second = offer(desk)
    wait_event(page, "ringing", 2)
    page.click("#softphone-hangup")
    wait_event(page, "ended", 2)
    assert channel_state(desk, second) is None
    assert [e["name"] for e in page.evaluate("window.softphoneEvents")] == [
        "registered",
        "ringing",
        "answered",
        "ended",
        "ringing",
        "ended",
    ]


def test_answering_a_call_that_moved_on_says_so(emulated_desk: tuple[LiveDesk, Any]) -> None:
    desk, page = emulated_desk
    wait_event(page, "registered")
    post = """async (headers) => {
                const r = await fetch('/api/v1/agent/softphone/emulator/answer',
                                      {method: 'POST', headers});
                return [r.status, (await r.json()).error];
              }"""
    answered = page.evaluate(
        post.replace("(await r.json()).error", "await r.json()"),
        {"X-CSRF-Token": "csrf-token-of-the-test"},
    )
    status, body = answered
    assert (status, body["error"], body["detail"]) == (409, "conflict", "PJSIP/1001 is not ringing")
    # The post rides the session cookie: without the page's CSRF token it is refused.
    assert page.evaluate(post, {}) == [403, "csrf_failed"]
    anonymous = httpx.post(f"{desk.base_url}/api/v1/agent/softphone/emulator/answer")
    assert anonymous.status_code == 401
