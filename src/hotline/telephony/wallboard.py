"""What the supervisors' floor shows, read from the live service: the queue tiles and the roster.

Both are read from memory (routing's state, the live calls, today's running counters), never
from the call table, so that a wallboard opening or reloading costs a copy, not a scan. The
roster's agent names come from the directory; that join is the caller's (``api/floor.py``).

The stream keeps the picture current afterwards: ``agent`` messages (state, reason, since,
call id), ``call`` messages (``phase: ringing`` names the agent rung), ``queues`` (waiting,
longest wait) and ``today`` (one queue's counters, sent whenever a call of it moves).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hotline.telephony.roster import db_id
from hotline.telephony.schemas import QueueRead
from hotline.telephony.stats import SkillCounters
from routing import AgentView, RoutingState, agent_view

if TYPE_CHECKING:
    from hotline.telephony.service import TelephonyService


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One logged-in agent as routing has them now."""

    agent_id: int
    site: str | None
    status: str  # idle, reserved (ringing), on_call, wrap_up, not_ready
    reason: str | None
    since: datetime
    call_id: int | None
    wrap_up_until: datetime | None
    pending_reason: str | None  # not ready asked during a call, applied after it
    skills: tuple[tuple[str, str, int], ...]  # (line, language, level), level 1 primary
    languages: tuple[str, ...]


def agent_views(state: RoutingState, _now: float) -> list[AgentView]:
    """Every agent routing knows (a read for ``AcdLoop.read``: no await while it runs)."""
    return [agent_view(state, agent_id) for agent_id in state.agents]


def _moment(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


async def roster(service: TelephonyService) -> list[RosterEntry]:
    """The logged-in agents, ordered by id, with the call each is ringing for or talking on."""
    views = await service.acd.read(agent_views)
    ctx = service.ctx
    # A callback's call carries its origin's contact: look calls up by contact over all of them.
    call_of_contact = {call.contact_id: call.call_id for call in ctx.calls.by_key.values()}
    entries = []
    for view in views:
        rid = view.profile.id
        login = ctx.logins.get(rid)
        since = _moment(view.since)
        assert since is not None
        entries.append(
            RosterEntry(
                agent_id=db_id(rid),
                site=None if login is None else login.site_code,
                status=view.status.value,
                reason=view.reason,
                since=since,
                call_id=None if view.contact_id is None else call_of_contact.get(view.contact_id),
                wrap_up_until=_moment(view.wrap_up_until),
                pending_reason=view.pending_reason,
                skills=tuple(
                    sorted((s.line, s.language, level) for s, level in view.profile.levels.items())
                ),
                languages=tuple(sorted(view.profile.languages)),
            )
        )
    return sorted(entries, key=lambda e: e.agent_id)


async def tiles(service: TelephonyService) -> list[QueueRead]:
    """One tile per (line, language) that has callers, agents or calls today."""
    live = {(s.skill.line, s.skill.language): s for s in await service.queues()}
    today = await service.today()
    result = []
    for line, language in sorted(set(live) | set(today)):
        snapshot = live.get((line, language))
        counters = today.get((line, language), SkillCounters())
        result.append(
            QueueRead(
                line=line,
                language=language,
                waiting=0 if snapshot is None else snapshot.waiting,
                longest_wait_s=0.0 if snapshot is None else snapshot.longest_wait_s,
                agents={}
                if snapshot is None
                else {k.value: v for k, v in snapshot.agents_by_status.items()},
                offered=counters.offered,
                answered=counters.answered,
                answered_within_sl=counters.answered_within,
                abandoned=counters.abandoned,
                callbacks_requested=counters.callbacks_requested,
                service_level=counters.service_level,
            )
        )
    return result


def today_message(line: str, language: str, counters: SkillCounters | None) -> dict[str, Any]:
    """The stream's ``today`` message: one queue's counters after a call of it moved."""
    c = counters or SkillCounters()
    return {
        "type": "today",
        "line": line,
        "language": language,
        "offered": c.offered,
        "answered": c.answered,
        "answered_within_sl": c.answered_within,
        "abandoned": c.abandoned,
        "callbacks_requested": c.callbacks_requested,
        "service_level": c.service_level,
    }
