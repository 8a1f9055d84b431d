"""Counting the calls the dialplan took while the service was away.

While no websocket is connected for the app, ``Stasis(hotline,...)`` fails at once with
``STASISSTATUS=FAILED`` and Asterisk sends no event anywhere (../shared/ari/README.md, gotcha
14), so the service cannot learn about those callers from events. The documented dialplan
(docs/cti.md, "When the service is away") sends them to an announcement and a queue and
increments the global variable ``HOTLINE_FALLBACK_CALLS``. Why a global and not the alternatives:

* ARI reads and writes globals (``GET``/``POST /asterisk/variable``) on the same connection the
  service already has; nothing else needs setting up.
* A ``UserEvent`` reaches only a connected app: exactly the one that is missing.
* The CDR has everything, but ARI cannot read it: the service would need the CDR backend's
  database or files as a second integration.

The count only grows in the dialplan; the service keeps how far it has read in a second global,
``HOTLINE_FALLBACK_SEEN``, which only it writes, so no read-and-reset can lose an increment
made in between. Both live in Asterisk's memory: a restart of Asterisk empties both (and no
call took the fallback across it). Two fallback calls in the very same instant may count once
(the dialplan's read-add-write is not atomic): the number is a floor, for operations to see.
"""

from __future__ import annotations

from typing import Protocol

from cti.ari.models import Variable

FALLBACK_CALLS = "HOTLINE_FALLBACK_CALLS"
FALLBACK_SEEN = "HOTLINE_FALLBACK_SEEN"


class GlobalVariables(Protocol):
    async def get_global_variable(self, variable: str) -> Variable: ...

    async def set_global_variable(self, variable: str, value: str) -> None: ...


def _count(text: str) -> int:
    """An unset global reads as "", and a hand-edited one may hold anything: both are 0."""
    text = text.strip()
    return int(text) if text.isdigit() else 0


async def collect_fallback_calls(client: GlobalVariables) -> int:
    """Calls that took the dialplan's fallback since the last collection; marks them seen."""
    calls = _count((await client.get_global_variable(FALLBACK_CALLS)).value)
    seen = _count((await client.get_global_variable(FALLBACK_SEEN)).value)
    # Fewer than seen: Asterisk restarted and counts from zero again.
    missed = calls - seen if calls >= seen else calls
    if calls != seen:
        await client.set_global_variable(FALLBACK_SEEN, str(calls))
    return missed


__all__ = ["FALLBACK_CALLS", "FALLBACK_SEEN", "GlobalVariables", "collect_fallback_calls"]
