"""GET /kb and /kb/articles/{id}: read-only knowledge-base search and article pages for every
signed-in role. They call the same search and read functions as the API (never the API over
HTTP); highlighted titles and rendered answers are escaped HTML from those functions.
"""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from starlette.responses import Response

from hotline.deps import AppStateDep, SessionDep
from hotline.knowledge import service
from hotline.knowledge.render import answer_html
from hotline.knowledge.search import search
from hotline.roles import Role
from hotline.web import nav
from hotline.web.kbedit.routes import WRITERS
from hotline.web.session import PageUser
from hotline.web.templating import render
from knowledge.analysis import default_analyzer

router = APIRouter(include_in_schema=False)
nav.register("nav.kb", "/kb", list(Role), order=20)
_REGION = re.compile(r"^[a-z][a-z0-9_-]{1,31}$")
_ARTICLE = re.compile(r"^[a-z0-9][a-z0-9-]{2,63}$")


def _today(state: AppStateDep) -> date:
    return state.clock.now().astimezone(ZoneInfo(state.settings.timezone)).date()


def _day(text: str | None, state: AppStateDep) -> tuple[date, bool]:
    """The day asked for, and whether the text was a valid date (else today)."""
    if not text:
        return _today(state), True
    try:
        return date.fromisoformat(text), True
    except ValueError:
        return _today(state), False


@router.get("/kb")
async def kb_page(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
    q: str = "",
    region: str = "",
    day: str = "",
) -> Response:
    q = q[:200]
    region_code = region if _REGION.match(region) else None
    when, valid = _day(day, state)
    hits = (
        await search(session, default_analyzer(), q, day=when, region=region_code) if valid else []
    )
    return render(
        request,
        "kb.html",
        {
            "user": principal,
            "q": q,
            "region": region_code or "",
            "day": when.isoformat(),
            "bad_date": not valid,
            "hits": hits,
        },
    )


@router.get("/kb/articles/{article_id}")
async def article_page(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
    article_id: str,
    day: str = "",
    region: str = "",
    version: int | None = None,
) -> Response:
    when, _ = _day(day, state)
    region_code = region if _REGION.match(region) else None
    if not _ARTICLE.match(article_id):
        return render(request, "kb_article.html", {"user": principal, "missing": True}, 404)
    try:
        article = await service.get_article(session, article_id)
        row = (
            await service.get_version(session, article_id, version)
            if version
            else await service.version_in_force(session, article_id, when, region_code)
        )
    except service.ArticleNotFound:
        return render(request, "kb_article.html", {"user": principal, "missing": True}, 404)
    versions = await service.versions_of(session, article_id)
    return render(
        request,
        "kb_article.html",
        {
            "user": principal,
            "missing": False,
            "article": article,
            "v": row,
            "answer_html": answer_html(row.answer),
            "versions": versions,
            # The editor's pages (web/kbedit) decide for themselves; this only shows the link.
            "writer": principal.has_any(WRITERS),
        },
    )
