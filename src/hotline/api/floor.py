"""The supervisors' floor: ``GET /agents/roster``, the logged-in agents as routing has them now.

Who is ready, ringing, talking, in wrap-up or not ready (and why), since when, on which call,
with which skills: the roster of the wallboard (``/floor``), which the wallboard stream keeps
current afterwards (docs/floor.md). Read from the live service's memory, not the database.

Paging: the roster is one live snapshot, at most a few thousand agents, ordered by agent id; it
still follows the API's rule that no answer holds more than 500 rows (docs/api.md): a page,
then ``next`` (an opaque cursor naming the last agent of the page) until it is null.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field
from sqlalchemy import select

from hotline.api.paging import DEFAULT_LIMIT, CursorParam, LimitParam, field_error
from hotline.auth.principal import Principal, require
from hotline.db.models import Agent
from hotline.deps import AppStateDep, SessionDep
from hotline.roles import Role
from hotline.schemas.base import Schema
from hotline.schemas.page import TOTAL_CAP, Page
from hotline.telephony import get_telephony
from hotline.telephony.wallboard import RosterEntry, roster

router = APIRouter(tags=["floor"])

floor_readers = require(Role.SUPERVISOR, Role.DIRECTOR, Role.WALLBOARD)
FloorReader = Annotated[Principal, Depends(floor_readers)]

Status = Literal["idle", "reserved", "on_call", "wrap_up", "not_ready"]


class SkillLevelRead(Schema):
    line: str
    language: str
    level: int = Field(description="1 primary, 2 and more secondary")


class RosterAgentRead(Schema):
    agent_id: int
    code: str
    name: str
    site: str | None = Field(description="the site the agent's phone is logged in on")
    status: Status = Field(
        description="idle (ready), reserved (ringing), on_call, wrap_up or not_ready"
    )
    reason: str | None = Field(description="the not-ready reason (NOT_READY_REASONS)")
    since: str = Field(description="when the agent entered this state (ISO 8601, UTC)")
    call_id: int | None = Field(description="the call ringing or in hand (detail: /calls/{id})")
    wrap_up_until: str | None = Field(description="when wrap-up ends by itself")
    pending_reason: str | None = Field(
        description="not ready asked during a call: applied once the call and wrap-up end"
    )
    skills: list[SkillLevelRead]
    languages: list[str]


def read_rows(
    entries: list[RosterEntry], names: dict[int, tuple[str, str]]
) -> list[RosterAgentRead]:
    """Roster entries with the directory's code and name (an agent deleted meanwhile: '?')."""
    return [
        RosterAgentRead(
            agent_id=e.agent_id,
            code=names.get(e.agent_id, ("?", "?"))[0],
            name=names.get(e.agent_id, ("?", "?"))[1],
            site=e.site,
            status=e.status,
            reason=e.reason,
            since=e.since.isoformat(),
            call_id=e.call_id,
            wrap_up_until=None if e.wrap_up_until is None else e.wrap_up_until.isoformat(),
            pending_reason=e.pending_reason,
            skills=[SkillLevelRead(line=s[0], language=s[1], level=s[2]) for s in e.skills],
            languages=list(e.languages),
        )
        for e in entries
    ]


def encode_after(agent_id: int) -> str:
    raw = json.dumps({"after": agent_id}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_after(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        after = json.loads(raw)["after"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise field_error("cursor", "not a cursor of this list: follow `next`") from None
    if not isinstance(after, int) or isinstance(after, bool):
        raise field_error("cursor", "not a cursor of this list: follow `next`")
    return after


@router.get(
    "/agents/roster",
    response_model=Page[RosterAgentRead],
    responses={503: {"description": "telephony is not running in this process"}},
)
async def agent_roster(
    request: Request,
    response: Response,
    _: FloorReader,
    session: SessionDep,
    state: AppStateDep,
    status: Annotated[Status | None, Query(description="only agents in this state")] = None,
    line: Annotated[
        str | None, Query(max_length=32, description="only agents with this line")
    ] = None,
    language: Annotated[
        str | None, Query(max_length=16, description="only agents with this language")
    ] = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Page[RosterAgentRead]:
    """The logged-in agents, by agent id: state, since, reason, call, skills (docs/floor.md)."""
    after = decode_after(cursor) if cursor else 0
    entries = [
        e
        for e in await roster(get_telephony(state))
        if (status is None or e.status == status)
        and (line is None or any(s[0] == line for s in e.skills))
        and (language is None or any(s[1] == language for s in e.skills))
    ]
    total = len(entries)
    page = [e for e in entries if e.agent_id > after][:limit]
    rows = await session.execute(
        select(Agent.id, Agent.code, Agent.name).where(Agent.id.in_([e.agent_id for e in page]))
    )
    names = {agent_id: (code, name) for agent_id, code, name in rows}
    more = bool(page) and any(e.agent_id > page[-1].agent_id for e in entries)
    next_url = None
    if more:
        url = request.url.include_query_params(limit=limit, cursor=encode_after(page[-1].agent_id))
        next_url = f"{url.path}?{url.query}"
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return Page[RosterAgentRead](
        items=read_rows(page, names),
        limit=limit,
        next=next_url,
        total=min(total, TOTAL_CAP),
        total_capped=total > TOTAL_CAP,
    )
