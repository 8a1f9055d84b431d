"""Agent sessions: log in with an endpoint, ready, not ready with a reason, log out.

Each change goes to routing, to the ``agent_session`` row (the current login, restored at
start-up), to the append-only ``agent_state_log`` and to the agent's desktop on the bus.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.errors import ConflictError, InvalidInputError, NotFoundError
from hotline.telephony.acd import AcdLoop
from hotline.telephony.context import WALLBOARD, AgentLogin, Context, agent_topic
from hotline.telephony.reasons import NOT_READY_REASONS, TRANSFER_RINGING
from hotline.telephony.roster import RosterAgent, load_agent, load_saved_logins, routing_id
from routing import (
    AgentLoggedIn,
    AgentLoggedOut,
    AgentStateChanged,
    AgentStatus,
    Event,
    RoutingState,
    UnknownAgentError,
    agent_view,
)

READY = "idle"
NOT_READY = "not_ready"


@dataclass(frozen=True, slots=True)
class SessionView:
    agent_id: int
    site: str
    endpoint: str
    status: str  # routing's view: idle, not_ready, reserved, on_call, wrap_up
    reason: str | None
    since: datetime
    # Not ready asked during a call: routing applies it once the call and wrap-up end.
    pending_reason: str | None = None


class AgentSessions:
    def __init__(
        self, ctx: Context, acd: AcdLoop, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        self._ctx = ctx
        self._acd = acd
        self._sessionmaker = sessionmaker

    async def _agent(self, agent_id: int) -> RosterAgent:
        agent = await load_agent(self._sessionmaker, agent_id)
        if agent is None:
            raise NotFoundError(f"agent {agent_id} not found or inactive")
        return agent

    async def login(self, agent_id: int, *, site: str, endpoint: str | None = None) -> SessionView:
        """Log in (NOT_READY "login" until the agent says ready); again: moves the phone."""
        ctx = self._ctx
        site_id = await ctx.site_id(site)
        if site_id is None:
            raise InvalidInputError(f"unknown site {site!r}")
        agent = await self._agent(agent_id)
        configured = agent.endpoints.get(site)
        if endpoint is None:
            if configured is None:
                raise InvalidInputError(f"agent {agent.code} has no endpoint on site {site!r}")
            endpoint = configured
        elif endpoint not in agent.endpoints.values():
            raise InvalidInputError(f"endpoint {endpoint!r} is not configured for {agent.code}")
        rid = agent.routing_id
        again = rid in ctx.logins
        ctx.logins[rid] = AgentLogin(agent_id, site, site_id, endpoint, dict(agent.endpoints))
        now = ctx.now()
        await ctx.recorder.save_session(
            agent_id, site_id=site_id, endpoint=endpoint, status=NOT_READY, reason="login",
            since=now,
        )  # fmt: skip
        if not again:
            await ctx.recorder.log_agent_state(
                agent_id, now, "logged_in", reason="login", site_id=site_id
            )
        await self._acd.feed(AgentLoggedIn(agent.profile))
        return await self._changed(agent_id)

    async def set_ready(self, agent_id: int) -> SessionView:
        self._require_login(agent_id)
        await self._acd.feed(AgentStateChanged(routing_id(agent_id), AgentStatus.IDLE))
        await self._persist(agent_id, READY, None)
        return await self._changed(agent_id)

    async def set_not_ready(self, agent_id: int, reason: str) -> SessionView:
        if reason not in NOT_READY_REASONS:
            known = ", ".join(sorted(NOT_READY_REASONS))
            raise InvalidInputError(f"unknown not-ready reason {reason!r} (one of: {known})")
        self._require_login(agent_id)
        await self._acd.feed(AgentStateChanged(routing_id(agent_id), AgentStatus.NOT_READY, reason))
        await self._persist(agent_id, NOT_READY, reason)
        return await self._changed(agent_id)

    async def logout(self, agent_id: int) -> None:
        login = self._require_login(agent_id)
        rid = routing_id(agent_id)
        await self._acd.feed(AgentLoggedOut(rid))
        self._ctx.logins.pop(rid, None)
        now = self._ctx.now()
        await self._ctx.recorder.delete_session(agent_id)
        await self._ctx.recorder.log_agent_state(agent_id, now, "logged_out", site_id=login.site_id)
        self._publish(agent_id, {"type": "state", "status": "logged_out", "reason": None})

    async def view(self, agent_id: int) -> SessionView:
        self._require_login(agent_id)
        return await self._current(agent_id)

    async def hold_for_transfer(self, agent_id: str) -> bool:
        """Keep routing from offering calls to an idle agent whose phone rings for a transfer.

        True if the agent was idle and is now held (not ready, ``transfer_ringing``); an agent in
        any other state is left alone (a break still applies after a transfer they take).
        """
        status = await self._routing_status(agent_id)
        if status is None or status[0] is not AgentStatus.IDLE:
            return False
        await self._acd.feed(AgentStateChanged(agent_id, AgentStatus.NOT_READY, TRANSFER_RINGING))
        await self._persist(int(agent_id), NOT_READY, TRANSFER_RINGING)
        await self._changed(int(agent_id))
        return True

    async def release_transfer_hold(self, agent_id: str) -> None:
        """The transfer did not reach the agent: ready again, unless their state moved on."""
        status = await self._routing_status(agent_id)
        if status != (AgentStatus.NOT_READY, TRANSFER_RINGING):
            return
        await self._acd.feed(AgentStateChanged(agent_id, AgentStatus.IDLE))
        await self._persist(int(agent_id), READY, None)
        await self._changed(int(agent_id))

    async def _routing_status(self, agent_id: str) -> tuple[AgentStatus, str | None] | None:
        def status(state: RoutingState, _now: float) -> tuple[AgentStatus, str | None]:
            view = agent_view(state, agent_id)
            return view.status, view.reason

        try:
            return await self._acd.read(status)
        except UnknownAgentError:
            return None

    async def engine_not_ready(self, agent_id: str, reason: str) -> None:
        """Routing set the agent not ready (ring no answer, unreachable phone)."""
        await self._persist(int(agent_id), NOT_READY, reason)
        await self._changed(int(agent_id))

    async def log_call_state(self, agent_id: str, status: str, *, call_id: int) -> None:
        """On a call or in wrap-up: the state log and the desktop learn it."""
        login = self._ctx.logins.get(agent_id)
        now = self._ctx.now()
        await self._ctx.recorder.log_agent_state(
            int(agent_id),
            now,
            status,
            site_id=None if login is None else login.site_id,
            call_id=call_id,
        )
        self._publish(
            int(agent_id),
            {"type": "state", "status": status, "call_id": call_id, "since": now.isoformat()},
        )

    # ---------------------------------------------------------------- restore

    async def restore(self) -> int:
        """Put the sessions saved in ``agent_session`` back into routing; returns how many.

        Loaded in three queries and fed to routing in one batch under one lock: a takeover
        restores thousands of logins (two events each for an agent on a break), and routing has
        no contact yet at this point, so no event's decisions could change the next one's."""
        restored = 0
        events: list[Event] = []
        held: list[int] = []
        gone: list[int] = []
        for saved in await load_saved_logins(self._sessionmaker):
            agent = saved.agent
            if agent is None:
                gone.append(saved.agent_id)
                continue
            site = self._ctx.site_code(saved.site_id)
            self._ctx.logins[agent.routing_id] = AgentLogin(
                agent.db_id, site, saved.site_id, saved.endpoint, dict(agent.endpoints)
            )
            # Held for a transfer when the service stopped: the resync hangs up the ringing leg
            # it no longer owns, so the agent is simply ready again.
            is_held = saved.reason == TRANSFER_RINGING
            events.append(AgentLoggedIn(agent.profile, ready=saved.status == READY or is_held))
            if is_held:
                held.append(agent.db_id)
            elif saved.status != READY and saved.reason is not None:
                events.append(
                    AgentStateChanged(agent.routing_id, AgentStatus.NOT_READY, saved.reason)
                )
            restored += 1
        await self._acd.feed_all(events)
        for agent_id in gone:
            await self._ctx.recorder.delete_session(agent_id)
        for agent_id in held:
            await self._persist(agent_id, READY, None)
        return restored

    # ---------------------------------------------------------------- helpers

    def _require_login(self, agent_id: int) -> AgentLogin:
        login = self._ctx.logins.get(routing_id(agent_id))
        if login is None:
            raise ConflictError(f"agent {agent_id} is not logged in")
        return login

    async def _persist(self, agent_id: int, status: str, reason: str | None) -> None:
        login = self._ctx.logins.get(routing_id(agent_id))
        now = self._ctx.now()
        await self._ctx.recorder.update_session_state(
            agent_id, status=status, reason=reason, since=now
        )
        await self._ctx.recorder.log_agent_state(
            agent_id,
            now,
            status,
            reason=reason,
            site_id=None if login is None else login.site_id,
        )

    async def _current(self, agent_id: int) -> SessionView:
        login = self._require_login(agent_id)
        try:
            view = await self._acd.read(lambda state, _now: agent_view(state, routing_id(agent_id)))
        except UnknownAgentError:
            raise ConflictError(f"agent {agent_id} is not logged in") from None
        return SessionView(
            agent_id=agent_id,
            site=login.site_code,
            endpoint=login.endpoint,
            status=view.status.value,
            reason=view.reason,
            since=datetime.fromtimestamp(view.since, self._ctx.now().tzinfo),
            pending_reason=view.pending_reason,
        )

    async def _changed(self, agent_id: int) -> SessionView:
        current = await self._current(agent_id)
        self._publish(
            agent_id,
            {
                "type": "state",
                "status": current.status,
                "reason": current.reason,
                "since": current.since.isoformat(),
                "pending_reason": current.pending_reason,
            },
        )
        return current

    def _publish(self, agent_id: int, message: dict[str, Any]) -> None:
        self._ctx.publish(agent_topic(agent_id), message)
        self._ctx.publish(WALLBOARD, {"type": "agent", "agent_id": agent_id, **message})
