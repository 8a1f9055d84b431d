"""A call does not leave wrap-up without its summary (unless ``desk.summary_required`` is off).

Routing keeps a not-ready reason given during a call as *pending*: it applies when the call and
its wrap-up end. So when an agent working at the desktop (their event stream is open) starts
talking, the guard gives the pending reason ``summary_pending``; filing the summary during the
call clears it (ready during a call only clears a pending reason), and filing it later makes the
agent ready again. Agents without a desktop open (the simulator's, API scripts) are left alone:
they have no way to file a summary.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

from hotline.deps import AppState
from hotline.errors import AppError
from hotline.telephony import TELEPHONY_KEY
from hotline.telephony.context import WALLBOARD, agent_topic
from routing import AgentStatus, UnknownAgentError, agent_view

log = structlog.get_logger(__name__)
SUMMARY_PENDING = "summary_pending"


async def summary_filed(state: AppState, agent_id: int) -> None:
    """After an agent filed a summary: lift the hold if it is the one keeping them away."""
    telephony = state.extras.get(TELEPHONY_KEY)
    if telephony is None or not state.settings.desk.summary_required:
        return
    try:
        view = await telephony.acd.read(lambda s, _now: agent_view(s, str(agent_id)))
    except UnknownAgentError:
        return
    held = view.reason == SUMMARY_PENDING and view.status is AgentStatus.NOT_READY
    if held or view.pending_reason == SUMMARY_PENDING:
        with contextlib.suppress(AppError):
            await telephony.agents.set_ready(agent_id)


async def _watch(state: AppState) -> None:
    async with state.bus.subscribe(WALLBOARD) as subscription:
        async for message in subscription:
            # Agent changes reach the wallboard as {"type": "state", "agent_id": ...}.
            if "agent_id" not in message or message.get("status") != "on_call":
                continue
            agent_id = int(message["agent_id"])
            telephony = state.extras.get(TELEPHONY_KEY)
            if telephony is None or not state.bus.subscriber_count(agent_topic(agent_id)):
                continue
            try:
                # Setting the pending reason publishes another on_call state: act once per call.
                view = await telephony.acd.read(lambda s, _now, a=agent_id: agent_view(s, str(a)))
                if view.pending_reason == SUMMARY_PENDING:
                    continue
                await telephony.agents.set_not_ready(agent_id, SUMMARY_PENDING)
            except UnknownAgentError:
                continue
            except AppError as exc:  # logged out meanwhile: nothing to hold
                log.info("summary_guard_skipped", agent_id=agent_id, reason=str(exc.detail))


def summary_guard() -> Callable[[AppState], Awaitable[Callable[[], Awaitable[None]]]]:
    async def start(state: AppState) -> Callable[[], Awaitable[None]]:
        task = asyncio.create_task(_watch(state), name="summary-guard")

        async def stop() -> None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        return stop

    return start
