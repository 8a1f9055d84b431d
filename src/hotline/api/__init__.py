"""The REST API under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from hotline.api import (
    agent_desk,
    agents,
    attachments,
    audit,
    auth,
    calendar,
    call_reports,
    callbacks,
    calls,
    config,
    departments,
    desk,
    floor,
    follow_up_calls,
    inbox,
    inbox_events,
    kb,
    notices,
    queues,
    reports,
    sites,
    skills,
    softphone,
    streams,
    summaries,
    supervision,
    users,
    voicemails,
    workorders,
)

API_PREFIX = "/api/v1"

# Every API router, in one list: the app mounts exactly these, and the role-matrix test walks them.
ROUTERS: list[APIRouter] = [
    auth.router,
    sites.router,
    skills.router,
    floor.router,  # before agents: /agents/roster is not /agents/{agent_id}
    agents.router,
    departments.router,
    users.router,
    audit.router,
    streams.router,
    calls.router,
    callbacks.router,
    workorders.router,
    attachments.router,
    follow_up_calls.router,
    calendar.router,
    reports.router,
    call_reports.router,
    inbox.router,
    inbox_events.router,
    notices.router,
    agent_desk.router,
    queues.router,
    softphone.router,
    summaries.router,
    kb.router,
    config.router,
    desk.router,
    supervision.router,
    supervision.monitoring_router,
    voicemails.router,
]


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    for module_router in ROUTERS:
        router.include_router(module_router)
    return router
