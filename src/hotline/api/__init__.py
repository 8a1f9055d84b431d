"""The REST API under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute

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
    """Every API route in one flat router, for the app to add under ``API_PREFIX`` (``add_routes``).

    Flat rather than one included router per module: FastAPI matches a request by walking its
    included routers, each a nested walk of its own routes, and does it again to dispatch; with
    thirty modules that walk was about a fifth of a list request's CPU under load. The module
    routers' routes already carry their module prefix, tags and responses, so moving them over
    as they are leaves every path and the OpenAPI document unchanged (a test compares both)."""
    router = APIRouter()
    for module_router in ROUTERS:
        router.routes.extend(module_router.routes)
    return router


def add_routes(target: APIRouter, router: APIRouter, prefix: str = "") -> None:
    """Add ``router``'s routes to ``target`` (the app's own router) under ``prefix``, each as a
    route of its own, instead of ``include_router``.

    FastAPI 0.165 keeps an included router as one entry of the app's routes and matches a request
    into it twice (once to choose the entry, once to dispatch), each time recomputing a version
    over all its routes and swapping scope keys around every candidate; with the 130 API routes
    that was about a fifth of the CPU of a list request under load. Routes of the app's own router
    are matched once, by their regular expression. Each route is rebuilt as ``include_router``
    rebuilds it (the prefixed path, the route's own tags, responses and dependencies), so the
    paths, the operation ids and the OpenAPI document stay the same."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"not an API route: {route!r}")  # nothing else is in our routers
        target.add_api_route(
            prefix + route.path,
            route.endpoint,
            response_model=route.response_model,
            status_code=route.status_code,
            tags=list(route.tags),
            dependencies=list(route.dependencies),
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses=dict(route.responses),
            deprecated=route.deprecated,
            methods=route.methods,
            operation_id=route.operation_id,
            response_model_include=route.response_model_include,
            response_model_exclude=route.response_model_exclude,
            response_model_by_alias=route.response_model_by_alias,
            response_model_exclude_unset=route.response_model_exclude_unset,
            response_model_exclude_defaults=route.response_model_exclude_defaults,
            response_model_exclude_none=route.response_model_exclude_none,
            include_in_schema=route.include_in_schema,
            response_class=route.response_class,
            name=route.name,
            route_class_override=type(route),
            callbacks=route.callbacks,
            openapi_extra=route.openapi_extra,
            generate_unique_id_function=route.generate_unique_id_function,
            strict_content_type=route.strict_content_type,
            max_body_size=route.max_body_size,
        )
