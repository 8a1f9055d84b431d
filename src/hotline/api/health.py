"""Probes and metrics.

``/healthz`` (alive) and ``/readyz`` (database reachable and migrated, every ARI site connected) are
unauthenticated on purpose: orchestrators and load balancers call them. Without credentials
``/readyz`` says only ready or not, and ``role`` (leader or standby of the call engine); the
details (sites, migration revision, calls, which instance leads) go to whoever may read
``/metrics``: the scrape token from settings or a user with the admin, ops or supervisor role.
"""

from __future__ import annotations

import hmac
import inspect
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from hotline.auth.principal import current_principal
from hotline.cluster.leadership import CLUSTER_KEY
from hotline.db import migrate
from hotline.deps import AppStateDep
from hotline.errors import AuthenticationError, ForbiddenError
from hotline.roles import Role

router = APIRouter(tags=["health"])

METRICS_ROLES = frozenset({Role.ADMIN, Role.OPS, Role.SUPERVISOR})


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request, state: AppStateDep) -> JSONResponse:
    checks: dict[str, Any] = {}
    ready = True
    try:
        async with state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        revision = await migrate.current_revision(state.engine)
        head = migrate.head_revision()
        checks["database"] = {"ok": revision == head, "revision": revision, "head": head}
        ready = ready and revision == head
    except Exception as exc:  # the probe reports, it does not raise
        checks["database"] = {"ok": False, "error": type(exc).__name__}
        ready = False
    checks["calendar"] = await _calendar_check(state)
    for name, check in list(state.health_checks.items()):  # the engine may start meanwhile
        result = check()
        if inspect.isawaitable(result):
            result = await result
        checks[name] = result
        ready = ready and bool(result.get("ok"))
    body: dict[str, Any] = {"status": "ready" if ready else "not_ready"}
    cluster = state.extras.get(CLUSTER_KEY)
    if cluster is not None:  # a load balancer may route call actions by it
        body["role"] = cluster.role
    if await _may_see_details(request, state):
        body["checks"] = checks
    return JSONResponse(body, status_code=200 if ready else 503)


async def _may_see_details(request: Request, state: AppStateDep) -> bool:
    """A probe without credentials, or with ones that do not qualify, gets the bare status: the
    probe must answer, never refuse."""
    try:
        await _authorise_scrape(request, state)
    except Exception:  # refused, or the database is down and no principal can be loaded
        return False
    return True


async def _calendar_check(state: AppStateDep) -> dict[str, Any]:
    """Warnings for admins (a year deadlines will soon reach is not loaded, a draft year in use).

    Never makes the service unready: deadlines inside loaded years are still right, and a probe
    that failed over a calendar would take the whole hotline down for an admin's chore.
    """
    from hotline.workorders import rules as calendar_rules
    from hotline.workorders.sweeper import rules_cache

    try:
        calendar = (await rules_cache(state).get()).calendar
        today = state.clock.now().astimezone(calendar.zone).date()
        async with state.sessionmaker() as session:
            sources = await calendar_rules.year_sources(session)
    except Exception as exc:  # the probe reports, it does not raise
        return {"ok": True, "error": type(exc).__name__}
    warnings = [
        *calendar.calendar_warnings(today),
        *calendar_rules.draft_warnings(sources, today),
    ]
    return {"ok": True, "loaded_years": sorted(calendar.loaded_years), "warnings": warnings}


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, state: AppStateDep) -> Response:
    await _authorise_scrape(request, state)
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


async def _authorise_scrape(request: Request, state: AppStateDep) -> None:
    token = state.settings.metrics_token
    header = request.headers.get("authorization", "")
    if token is not None and hmac.compare_digest(
        header.encode(), f"Bearer {token.get_secret_value()}".encode()
    ):
        return
    if not header and not request.cookies:
        raise AuthenticationError("metrics need the scrape token or a signed-in user")
    principal = await current_principal(request)
    if not principal.has_any(METRICS_ROLES):
        raise ForbiddenError("metrics need one of the roles: admin, ops, supervisor")
