"""The 回访-by-phone button's answers, through the pages' own session (cookie and CSRF): each
refusal is explained in the user's language (SQLite and PostgreSQL; the call itself is covered
against the ARI emulator in tests/hotline/live/test_follow_up_call.py)."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from tests.fixtures.app import TEST_PASSWORD
from tests.hotline.workorders.conftest import Centre, centre  # noqa: F401 (the fixture)

pytestmark = pytest.mark.asyncio


async def _page_client(app: FastAPI, username: str, lang: str) -> httpx.AsyncClient:
    """A browser-like client: its own cookies (session, CSRF, language)."""
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hotline.test")
    await http.get(f"/lang/{lang}", params={"next": "/login"})
    form = await http.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    signed_in = await http.post(
        "/login", data={"username": username, "password": TEST_PASSWORD, "csrf_token": token[1]}
    )
    assert signed_in.status_code == 303, signed_in.text
    return http


async def _press(http: httpx.AsyncClient, order_id: str) -> str:
    response = await http.post(
        f"/workorders/{order_id}/follow-up-call/panel",
        headers={"X-CSRF-Token": http.cookies.get("hotline_csrf", ""), "HX-Request": "true"},
    )
    assert response.status_code == 200, response.text
    return response.text


async def test_the_button_explains_each_refusal(
    app: FastAPI,
    centre: Centre,  # noqa: F811 (the fixture imported above)
) -> None:
    order = await centre.dispatched()
    agent = await _page_client(app, "agent-user", "en")
    specialist = await _page_client(app, "specialist-a", "zh-CN")
    try:
        early = await _press(agent, order["id"])
        assert 'data-ok="false"' in early
        assert "once the order is resolved" in early
        assert "不能进行电话回访" in await _press(specialist, order["id"])
        for action, payload in (
            ("acknowledge", {}),
            ("start", {}),
            ("resolve", {"answer": "已答复"}),
        ):
            await centre.act(order["id"], action, "specialist_a", **payload)
        # Resolved, but this instance runs no telephony (the test app has no ARI sites).
        assert "Telephony is not running" in await _press(agent, order["id"])
    finally:
        await agent.aclose()
        await specialist.aclose()
