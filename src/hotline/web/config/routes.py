"""GET /admin/config: the centre's configuration (the version in force, history, a version's
document), and the forms that check, compare, publish and roll back.

The forms post with htmx (the CSRF header rides on every htmx request) and get back a fragment:
the problems listed by path (worded in the page's language), the changes, or the new version
(then the page reloads). They call
the same functions as ``/api/v1/config`` (hotline.centre.store), never the API over HTTP.
Admins publish and roll back; ops may check and compare.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from sqlalchemy import select
from starlette.responses import RedirectResponse, Response

from hotline.auth.principal import Principal
from hotline.centre import store
from hotline.centre.document import CentreConfig, played_by_language
from hotline.centre.files import read_text
from hotline.centre.live import wake_follower
from hotline.centre.problems import ConfigInvalid
from hotline.db.models import Site
from hotline.deps import AppStateDep, SessionDep, release_connection
from hotline.roles import Role
from hotline.web import nav
from hotline.web.session import PageUser
from hotline.web.templating import lang_of, render

router = APIRouter(include_in_schema=False)
nav.register("nav.config", "/admin/config", [Role.ADMIN, Role.OPS], order=80)
_READERS = frozenset({Role.ADMIN, Role.OPS})
_NAME = "centre.yaml"


def _may_read(principal: Principal) -> bool:
    return not _READERS.isdisjoint(principal.roles)


def _local(moment: datetime, state: AppStateDep) -> str:
    return moment.astimezone(ZoneInfo(state.settings.timezone)).strftime("%Y-%m-%d %H:%M")


def _row(row: Any, state: AppStateDep) -> dict[str, Any]:
    return {
        "version": row.id,
        "published_by": row.published_by,
        "effective_at": _local(row.effective_at, state),
        "reason": row.reason,
        "rollback_of": row.rollback_of,
    }


@router.get("/admin/config")
async def config_page(
    request: Request, principal: PageUser, session: SessionDep, state: AppStateDep
) -> Response:
    if not _may_read(principal):
        return RedirectResponse("/home", status_code=303)
    now = state.clock.now()
    current = await store.in_force(session, now)
    history = await store.history(session, limit=100)
    source = ""
    if current is not None:
        source = current.source or store.yaml_text(current.document)
    return render(
        request,
        "config.html",
        {
            "user": principal,
            "admin": Role.ADMIN in principal.roles,
            "current": None if current is None else _row(current, state),
            "scheduled": [_row(r, state) for r in history if r.effective_at > now],
            "history": [_row(r, state) for r in history],
            "source": source,
            "base_version": "" if current is None else current.id,
            "sites": list((await session.execute(select(Site.code, Site.name))).all()),
        },
    )


@router.get("/admin/config/versions/{version}")
async def version_page(
    version: int, request: Request, principal: PageUser, session: SessionDep, state: AppStateDep
) -> Response:
    if not _may_read(principal):
        return RedirectResponse("/home", status_code=303)
    try:
        row = await store.get(session, version)
    except store.VersionNotFoundError:
        return render(request, "config_version.html", {"user": principal, "row": None}, 404)
    base = None
    if row.base_version is not None:
        try:
            base = await store.get(session, row.base_version)
        except store.VersionNotFoundError:
            base = None
    diff = store.unified_diff(
        None if base is None else base.document,
        row.document,
        "(none)" if base is None else f"version {base.id}",
        f"version {row.id}",
    )
    return render(
        request,
        "config_version.html",
        {
            "user": principal,
            "row": _row(row, state),
            "source": row.source or store.yaml_text(row.document),
            "diff": diff,
        },
    )


@router.post("/admin/config/submit")
async def submit(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
    source: Annotated[str, Form(max_length=200_000)] = "",
    action: Annotated[str, Form(max_length=16)] = "validate",
    reason: Annotated[str, Form(max_length=500)] = "",
    at: Annotated[str, Form(max_length=40)] = "",
    base_version: Annotated[str, Form(max_length=12)] = "",
    site: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Check (and compare, or publish) the document in the form; answers a fragment."""
    if not _may_read(principal):
        return _fragment(request, {"problems": [], "message": "config.only_admins"}, 403)
    if action == "publish" and Role.ADMIN not in principal.roles:
        return _fragment(request, {"problems": [], "message": "config.only_admins"}, 403)
    try:
        config = read_text(source, _NAME)
        await store.check_against_directory(session, config)
    except ConfigInvalid as exc:
        return _refused(request, exc)
    if action == "sounds":
        return await _check_sounds(request, session, config, site)
    now = state.clock.now()
    current = await store.in_force(session, now)
    if action == "diff":
        changes = store.changes(None if current is None else current.document, config.to_data())
        return _fragment(request, {"changes": changes, "compared": True})
    if action != "publish":
        return _fragment(request, {"valid": True})
    effective_at = None
    if at.strip():
        try:
            effective_at = datetime.fromisoformat(at.strip()).replace(
                tzinfo=ZoneInfo(state.settings.timezone)
            )
        except ValueError:
            return _fragment(request, {"problems": [], "message": "config.bad_at"}, 422)
    publication = store.Publication(
        config=config,
        source=source,
        reason=reason,
        by=principal.username,
        base_version=int(base_version) if base_version.isdigit() else None,
        effective_at=effective_at,
    )
    try:
        row = await store.publish(session, publication, now=now)
    except ConfigInvalid as exc:
        return _refused(request, exc)
    except store.StaleBaseError as exc:
        return _fragment(request, {"problems": [], "stale_version": exc.in_force}, 409)
    await release_connection(session)
    wake_follower(state.extras)
    response = _fragment(request, {"published": row.id})
    response.headers["HX-Refresh"] = "true"
    return response


@router.post("/admin/config/versions/{version}/rollback")
async def rollback(
    version: int,
    request: Request,
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    if Role.ADMIN not in principal.roles:
        return _fragment(request, {"problems": [], "message": "config.only_admins"}, 403)
    try:
        row = await store.rollback(
            session, version, reason=reason, by=principal.username, now=state.clock.now()
        )
    except store.VersionNotFoundError:
        return _fragment(request, {"problems": [], "message": "config.missing"}, 404)
    except ConfigInvalid as exc:
        return _refused(request, exc)
    await release_connection(session)
    wake_follower(state.extras)
    response = _fragment(request, {"published": row.id})
    response.headers["HX-Refresh"] = "true"
    return response


async def _check_sounds(
    request: Request, session: SessionDep, config: CentreConfig, code: str
) -> Response:
    """Ask the chosen site's Asterisk which sounds the document plays it lacks (as the CLI)."""
    from hotline.sounds.check import missing_played
    from hotline.sounds.site import SiteLookupError, sounds_on

    site = await session.scalar(select(Site).where(Site.code == code))
    if site is None:
        return _fragment(request, {"problems": [], "message": "config.pick_site"}, 422)
    session.expunge(site)
    await release_connection(session)  # no database connection held across the ARI call
    try:
        sounds = await sounds_on(site)
    except SiteLookupError:
        return _fragment(request, {"problems": [], "message": "config.site_silent"}, 503)
    document = config.document
    checks = missing_played(played_by_language(document), sounds)
    return _fragment(request, {"sound_checks": checks, "site": code})


def _refused(request: Request, exc: ConfigInvalid) -> Response:
    """Every problem as ``where`` (the file and the path, as written) and what is wrong in the
    page's language."""
    lang = lang_of(request)
    problems = [
        {"where": problem.where(exc.source), "message": problem.message(lang)}
        for problem in exc.items
    ]
    return _fragment(request, {"problems": problems}, 422)


def _fragment(request: Request, context: dict[str, Any], status_code: int = 200) -> Response:
    # htmx swaps 2xx answers only by default; the page's script lets 4xx fragments in too.
    return render(request, "config_result.html", context, status_code=status_code)
