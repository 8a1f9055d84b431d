"""The REST API under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from hotline.api import (
    agent_desk,
    agents,
    audit,
    auth,
    calendar,
    callbacks,
    calls,
    departments,
    desk,
    inbox,
    kb,
    queues,
    reports,
    sites,
    skills,
    softphone,
    streams,
    summaries,
    users,
    workorders,
)

API_PREFIX = "/api/v1"

# Every API router, in one list: the app mounts exactly these, and the role-matrix test walks them.
ROUTERS: list[APIRouter] = [
    auth.router,
    sites.router,
    skills.router,
    agents.router,
    departments.router,
    users.router,
    audit.router,
    streams.router,
    calls.router,
    callbacks.router,
    workorders.router,
    calendar.router,
    reports.router,
    inbox.router,
    agent_desk.router,
    queues.router,
    softphone.router,
    summaries.router,
    kb.router,
    desk.router,
]


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    for module_router in ROUTERS:
        router.include_router(module_router)
    return router
