"""Reading the one call of a restart test through the API, as a supervisor sees it."""

from __future__ import annotations

from typing import Any

import httpx


async def the_only_call(http: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    """The detail of the one call listed, or ``{}`` while there is none or more than one."""
    items = (await http.get("/api/v1/calls", headers=headers)).json()["items"]
    if len(items) != 1:
        return {}
    body: dict[str, Any] = (
        await http.get(f"/api/v1/calls/{items[0]['id']}", headers=headers)
    ).json()
    return body
