"""Answering an emulated phone for a person at the desktop (``desk.softphone = "emulator"``).

In the demo the agents' phones are the ARI emulator's; the ones for people ring until answered
(script behaviour "manual"). When the person clicks Answer, the service asks the emulator's
control API, next to the site's ARI URL and with the site's ARI credentials, to answer the phone
at the agent's endpoint. The credentials are never logged.
"""

from __future__ import annotations

import httpx
from sqlalchemy import select

from hotline.db.models import Site
from hotline.deps import AppState
from hotline.errors import ConflictError, ServiceUnavailableError
from hotline.telephony import TELEPHONY_KEY


async def answer_ringing(state: AppState, agent_id: int) -> None:
    if state.settings.desk.softphone != "emulator":
        raise ConflictError("answer on your phone: this service does not drive agents' phones")
    telephony = state.extras.get(TELEPHONY_KEY)
    login = None if telephony is None else telephony.ctx.logins.get(str(agent_id))
    if login is None:
        raise ConflictError("your phone is not logged in")
    async with state.sessionmaker() as session:
        site = await session.scalar(select(Site).where(Site.id == login.site_id))
    if site is None:
        raise ServiceUnavailableError("the agent's site is gone")
    base = site.ari_url.rstrip("/").removesuffix("/ari")
    try:
        async with httpx.AsyncClient(timeout=5.0) as client:
            response = await client.post(
                f"{base}/_emulator/answer",
                json={"endpoint": login.endpoint},
                auth=(site.ari_username, site.ari_password),
            )
    except httpx.HTTPError:
        raise ServiceUnavailableError("the emulated phone did not answer the request") from None
    if response.status_code == 404:
        raise ConflictError("the phone is no longer ringing")
    if response.status_code >= 400:
        raise ServiceUnavailableError(f"the emulator refused: {response.status_code}")
