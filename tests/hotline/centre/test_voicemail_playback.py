"""A voicemail is heard through our API and on its work order's page, by those allowed, every
playback audited, and deleted from the site's Asterisk after its retention period (the whole
service and the ARI emulator: real HTTP and WebSocket)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from cti.calls.controller import ControllerOptions
from cti.emulator import LabConfig, TaxpayerScript, run_emulator
from cti.emulator.media import tone_wav
from hotline.api.voicemails import VOICEMAIL_PLAYED
from hotline.clock import utc_now
from hotline.config import RecordingSettings, Settings
from hotline.db.models import AuditLog
from hotline.db.session import create_engine, create_sessionmaker
from hotline.demo.runner import import_centre
from hotline.main import create_app, live_telephony
from hotline.telephony.voicemails import purge_expired_voicemails
from routing import default_policy
from tests.hotline.live.test_demo_flow import ARI_PASSWORD, PASSWORD, SPEED, _eventually, _token

from .test_live import _centre
from .test_voicemail_live import _document, _publish


async def _page(http: httpx.AsyncClient, username: str, url: str) -> str:
    """The page as ``username`` sees it, signed in through the login form."""
    http.cookies.clear()
    form = await http.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    signed = await http.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token[1]}
    )
    assert signed.status_code == 303
    page = await http.get(url)
    http.cookies.clear()
    return page.text


async def _audited(database_url: str, order_id: str) -> list[dict[str, Any]]:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = await session.scalars(
                select(AuditLog).where(
                    AuditLog.action == VOICEMAIL_PLAYED, AuditLog.subject_id == order_id
                )
            )
            return [dict(row.detail) for row in rows]
    finally:
        await engine.dispose()


@pytest.mark.asyncio
@pytest.mark.parametrize("source", ["ari", "directory"])
async def test_a_voicemail_is_played_audited_and_purged(
    database_url: str, source: str, tmp_path: Path
) -> None:
    """``ari``: read from the site's recording store; ``directory``: from the directory
    configured (Asterisk's spool mounted on the service's host)."""
    spool = tmp_path / "recordings"
    spool.mkdir()
    recording = RecordingSettings(voicemail_dir=str(spool) if source == "directory" else None)
    settings = Settings(database_url=database_url, recording=recording)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    telephony = live_telephony(
        policy=default_policy(),
        controller_options=ControllerOptions(timer_scale=SPEED),
        always_open=True,
    )
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _centre(emulator.base_url))
        await _publish(database_url, _document(20))
        app = create_app(settings, components=[telephony])
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
        ):
            admin = await _token(http, "admin")  # a supervisor too
            agent = await _token(http, "agent001")
            await http.post("/api/v1/agent/session", json={"site": "hz"}, headers=agent)
            emulator.place_call(
                TaxpayerScript(
                    caller_number="13905710006",
                    press_on_prompt={"sound:hotline/line-national_tax": "1"},
                    patience_s=3000.0,
                    hangup_after_answer_s=3000.0,
                )
            )

            async def orders() -> list[dict[str, Any]]:
                items: list[dict[str, Any]] = (
                    await http.get("/api/v1/workorders", headers=admin)
                ).json()["items"]
                return items

            (order,) = await _eventually(orders, lambda items: len(items) == 1, timeout=30.0)
            url = f"/api/v1/workorders/{order['id']}/voicemail"
            name = f"voicemail-{order['call_id']}"
            spooled = tone_wav(3)
            if source == "directory":
                missing = await http.get(url, headers=admin)
                assert missing.status_code == 404
                assert "HOTLINE_RECORDING__VOICEMAIL_DIR" in missing.json()["detail"]
                (spool / f"{name}.wav").write_bytes(spooled)

            async def played() -> httpx.Response:
                return await http.get(url, headers=admin)

            # The recording is complete once the caller's 20 s are up.
            whole = await _eventually(played, lambda r: r.status_code == 200, timeout=30.0)
            assert whole.headers["content-type"] == "audio/wav"
            assert whole.content.startswith(b"RIFF")
            assert whole.headers["accept-ranges"] == "bytes"
            if source == "directory":
                assert whole.content == spooled
            part = await http.get(url, headers={**admin, "Range": "bytes=100-199"})
            assert part.status_code == 206
            assert part.content == whole.content[100:200]
            assert part.headers["content-range"] == f"bytes 100-199/{len(whole.content)}"
            # An agent may not; the error says who may.
            refused = await http.get(url, headers=agent)
            assert refused.status_code == 403
            # The order's page shows the player, which loads nothing until it is played.
            page = await _page(http, "admin", f"/workorders/{order['reference']}")
            assert f'id="wo-voicemail-player" controls preload="none" src="{url}"' in page

            # After the retention period the sweep deletes it on the site; the API says so.
            service = app.state.hotline.extras["telephony"]

            async def stored() -> bool:
                return name in emulator.core.stored_recordings  # the caller's 20 s are up

            await _eventually(stored, bool, timeout=30.0)
            engine = create_engine(database_url)
            try:
                purged = await purge_expired_voicemails(
                    create_sessionmaker(engine),
                    service.supervision,
                    now=utc_now() + timedelta(days=181),
                    retention_days=180,
                )
            finally:
                await engine.dispose()
            assert purged == 1
            assert name not in emulator.core.stored_recordings
            gone = await http.get(url, headers=admin)
            assert gone.status_code == 404
            assert "retention period" in gone.json()["detail"]
    # The playback from the start is audited; the player's later range is the same playback.
    assert await _audited(database_url, order["id"]) == [{"recording": name, "range": None}]
