"""The knowledge-base editor's pages: write a new article or a new version, the workflow steps,
the history with a diff between any two versions, the owner's inbox, and corrections.

They call the knowledge service directly (the same functions as the API, never the API over
HTTP), so the rules and their refusals are the API's: a publish by someone who is not an editor
of the owning department is refused with the service's own reason, shown on the page. Forms post
with htmx (which adds the CSRF header); a refused form comes back with the message next to the
field, a done one sends the browser to the history page (``HX-Redirect``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.responses import Response

from hotline.db.models import KbCorrection, KbEvent
from hotline.deps import AppStateDep, SessionDep
from hotline.knowledge import service, wording
from hotline.knowledge.render import answer_html
from hotline.roles import Role
from hotline.web import nav
from hotline.web.i18n import translate, translate_with
from hotline.web.kbedit.form import EditorForm, field_of, parse_content, parse_new
from hotline.web.session import PageUser
from hotline.web.templating import lang_of, render
from knowledge.analysis import default_analyzer
from knowledge.diff import answer_diff, changed_fields
from knowledge.errors import KnowledgeError, NotAnEditorError
from knowledge.workflow import STEPS, is_editor

router = APIRouter(include_in_schema=False)
WRITERS = frozenset({Role.SPECIALIST, Role.LIAISON, Role.SUPERVISOR, Role.ADMIN})
nav.register("nav.kbedit", "/kb/inbox", sorted(WRITERS), order=21)
_ARTICLE = re.compile(r"^[a-z0-9][a-z0-9-]{2,63}$")
# The step buttons each status offers, in the order shown.
_OFFERED = {"draft": ("submit",), "review": ("publish", "reject"), "published": ("retire",)}


def _valid_number(n: int) -> bool:
    """A version or correction number the database can hold (a bigger one is simply unknown)."""
    return 1 <= n <= 2**31 - 1


def _today(state: AppStateDep) -> date:
    return state.clock.now().astimezone(ZoneInfo(state.settings.timezone)).date()


def _is_writer(user: Any) -> bool:
    return bool(user.has_any(WRITERS))


def _refused(request: Request, user: Any, message: str, status_code: int) -> Response:
    return render(request, "kbedit_refused.html", {"user": user, "message": message}, status_code)


def _redirect(url: str) -> Response:
    """htmx follows ``HX-Redirect``; a form posted without htmx gets a 303."""
    return Response(status_code=200, headers={"HX-Redirect": url})


def _editor(
    request: Request, user: Any, form: EditorForm, errors: dict[str, str], **extra: Any
) -> Response:
    partial = request.headers.get("HX-Request") == "true"
    return render(
        request,
        "kbedit_form_part.html" if partial else "kbedit_form.html",
        {
            "user": user,
            "f": form,
            "errors": errors,
            "regions": ("zhejiang", "hangzhou", "wenzhou"),
            "preview": answer_html(form.answer) if form.answer else "",
            **extra,
        },
    )


@router.get("/kb/new")
async def new_article_page(request: Request, user: PageUser) -> Response:
    if not _is_writer(user):
        return _refused(request, user, "kbedit.not_writer", 403)
    form = EditorForm(editors=user.username, reason="")
    return _editor(request, user, form, {}, new=True, action="/kb/new")


@router.post("/kb/new")
async def new_article(
    request: Request, user: PageUser, session: SessionDep, state: AppStateDep
) -> Response:
    if not _is_writer(user):
        return _refused(request, user, "kbedit.not_writer", 403)
    form = EditorForm.of_post(await request.form())
    body, errors = parse_new(form)
    if body is None:
        return _editor(request, user, form, errors, new=True, action="/kb/new")
    try:
        await service.create_article(
            session,
            default_analyzer(),
            body.head(),
            body.content.content(),
            actor=user.username,
            reason=body.reason,
            now=state.clock.now(),
        )
        article = await service.get_article(session, body.id)
        article.review_due = body.review_due
    except KnowledgeError as exc:
        await session.rollback()
        named = {field_of(exc.field): f"kbedit.err.{field_of(exc.field)}"}
        detail = wording.message(exc, lang_of(request))
        return _editor(request, user, form, named, new=True, action="/kb/new", detail=detail)
    await session.commit()
    return _redirect(f"/kb/articles/{body.id}/history")


@router.get("/kb/articles/{article_id}/edit")
async def edit_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    article_id: str,
    source: int | None = None,
) -> Response:
    """The form filled from version ``source`` (default: the newest) for the next version."""
    if not _is_writer(user):
        return _refused(request, user, "kbedit.not_writer", 403)
    if not _ARTICLE.match(article_id) or not _valid_number(source or 1):
        return _refused(request, user, "kbedit.missing", 404)
    try:
        article = await service.get_article(session, article_id)
        versions = await service.versions_of(session, article_id)
        base = await service.get_version(session, article_id, source) if source else versions[-1]
    except (service.ArticleNotFound, IndexError):
        return _refused(request, user, "kbedit.missing", 404)
    form = EditorForm.of_version(base)
    form.head_of(article)
    return _editor(
        request,
        user,
        form,
        {},
        new=False,
        action=f"/kb/articles/{article_id}/edit",
        base=base,
        article=article,
    )


@router.post("/kb/articles/{article_id}/edit")
async def save_version(
    request: Request,
    user: PageUser,
    session: SessionDep,
    state: AppStateDep,
    article_id: str,
) -> Response:
    if not _is_writer(user):
        return _refused(request, user, "kbedit.not_writer", 403)
    if not _ARTICLE.match(article_id):
        return _refused(request, user, "kbedit.missing", 404)
    form = EditorForm.of_post(await request.form())
    try:
        article = await service.get_article(session, article_id)
    except service.ArticleNotFound:
        return _refused(request, user, "kbedit.missing", 404)
    form.head_of(article)
    extra = {"new": False, "action": f"/kb/articles/{article_id}/edit", "article": article}
    content, errors = parse_content(form)
    if not form.reason.strip():
        errors["reason"] = "kbedit.err.reason"
    if content is None or errors:
        return _editor(request, user, form, errors, **extra)
    try:
        await service.add_version(
            session,
            default_analyzer(),
            article_id,
            content.content(),
            actor=user.username,
            reason=form.reason.strip()[:2000],
            now=state.clock.now(),
        )
    except KnowledgeError as exc:
        await session.rollback()
        name = field_of(exc.field)
        detail = wording.message(exc, lang_of(request))
        return _editor(request, user, form, {name: f"kbedit.err.{name}"}, detail=detail, **extra)
    await session.commit()
    return _redirect(f"/kb/articles/{article_id}/history")


@router.post("/kb/preview")
async def preview(request: Request, user: PageUser) -> Response:
    """The answer as the article page will show it (raw HTML inert), for the editor's preview."""
    data = await request.form()
    html = answer_html(str(data.get("answer", ""))[:50_000])
    return Response(html, media_type="text/html; charset=utf-8")


@router.get("/kb/articles/{article_id}/history")
async def history_page(
    request: Request, user: PageUser, session: SessionDep, article_id: str
) -> Response:
    """Every version (who, when, why), every step, the step buttons and the diff picker."""
    if not _ARTICLE.match(article_id):
        return _refused(request, user, "kbedit.missing", 404)
    try:
        article = await service.get_article(session, article_id)
    except service.ArticleNotFound:
        return _refused(request, user, "kbedit.missing", 404)
    versions = await service.versions_of(session, article_id)
    numbers = {v.id: v.number for v in versions}
    events = (
        await session.scalars(
            select(KbEvent).where(KbEvent.version_id.in_(numbers)).order_by(KbEvent.at, KbEvent.id)
        )
    ).all()
    editor = is_editor(service.head_of(article), user.username)
    # (action, allowed): a button the user may not use stays, with the reason beside it.
    steps = {
        v.number: [(a, editor or not STEPS[a][2]) for a in _OFFERED.get(v.status, ())]
        for v in versions
    }
    newest = versions[-1].number if versions else 1
    older = versions[-2].number if len(versions) > 1 else newest
    return render(
        request,
        "kbedit_history.html",
        {
            "user": user,
            "article": article,
            "versions": list(reversed(versions)),
            "events": [(numbers[e.version_id], e) for e in events],
            "steps": steps,
            "writer": _is_writer(user),
            "editor": editor,
            "a": older,
            "b": newest,
        },
    )


@router.post("/kb/articles/{article_id}/versions/{number}/{action}")
async def step(
    request: Request,
    user: PageUser,
    session: SessionDep,
    state: AppStateDep,
    article_id: str,
    number: int,
    action: str,
) -> Response:
    """Submit, publish, reject or retire; a refusal comes back as the service's reason."""
    if not _is_writer(user):
        return _refused(request, user, "kbedit.not_writer", 403)
    note = str((await request.form()).get("note", ""))[:2000]
    if action not in STEPS or not _ARTICLE.match(article_id) or not _valid_number(number):
        message = translate(lang_of(request), "kbedit.step_unknown")
        return render(request, "kbedit_step_error.html", {"message": message}, 200)
    try:
        await service.transition(
            session,
            article_id,
            number,
            action,
            actor=user.username,
            note=note,
            now=state.clock.now(),
        )
    except NotAnEditorError as exc:
        await session.rollback()
        message = wording.message(exc, lang_of(request))
        return render(request, "kbedit_step_error.html", {"message": message, "code": 403})
    except (KnowledgeError, service.ArticleNotFound) as exc:
        await session.rollback()
        if isinstance(exc, KnowledgeError):
            message = wording.message(exc, lang_of(request))
        else:  # the article or the version is not there (any more)
            message = translate(lang_of(request), "kbedit.missing")
        return render(request, "kbedit_step_error.html", {"message": message, "code": 409})
    await session.commit()
    return _redirect(f"/kb/articles/{article_id}/history")


@router.get("/kb/articles/{article_id}/diff")
async def diff_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    article_id: str,
    a: int = 1,
    b: int = 1,
) -> Response:
    """Version ``a`` against version ``b``: changed fields, and the answer line by line."""
    if not _ARTICLE.match(article_id) or not (_valid_number(a) and _valid_number(b)):
        return _refused(request, user, "kbedit.missing", 404)
    try:
        article = await service.get_article(session, article_id)
        old = await service.get_version(session, article_id, a)
        new = await service.get_version(session, article_id, b)
    except service.ArticleNotFound:
        return _refused(request, user, "kbedit.missing", 404)
    versions = await service.versions_of(session, article_id)
    return render(
        request,
        "kbedit_diff.html",
        {
            "user": user,
            "article": article,
            "versions": versions,
            "old": old,
            "new": new,
            "fields": changed_fields(service.content_of(old), service.content_of(new)),
            "lines": answer_diff(old.answer, new.answer),
        },
    )


@router.get("/kb/inbox")
async def inbox_page(
    request: Request, user: PageUser, session: SessionDep, state: AppStateDep
) -> Response:
    """The open corrections and the articles past their review day, of what the user edits."""
    if not _is_writer(user):
        return _refused(request, user, "kbedit.not_writer", 403)
    corrections = await service.inbox(session, user.username)
    due = await service.overdue_reviews(session, user.username, _today(state))
    return render(
        request,
        "kbedit_inbox.html",
        {
            "user": user,
            "corrections": corrections,
            "due": sorted(due, key=lambda a: (a.review_due or date.min, a.id)),
        },
    )


@router.post("/kb/corrections/{correction_id}/close")
async def close_correction(
    request: Request,
    user: PageUser,
    session: SessionDep,
    state: AppStateDep,
    correction_id: int,
) -> Response:
    if not _is_writer(user):
        return _refused(request, user, "kbedit.not_writer", 403)
    resolution = str((await request.form()).get("resolution", ""))[:2000]
    correction = (
        await session.get(KbCorrection, correction_id) if _valid_number(correction_id) else None
    )
    if correction is None:
        message = translate(lang_of(request), "kbedit.no_correction")
        return render(request, "kbedit_step_error.html", {"message": message})
    article = await service.get_article(session, correction.article_id)
    if not is_editor(service.head_of(article), user.username):
        message = translate_with(
            lang_of(request),
            "kbedit.close_not_editor",
            department=article.department,
            article=article.id,
        )
        return render(request, "kbedit_step_error.html", {"message": message, "code": 403})
    if correction.status == "open":
        correction.status, correction.resolution = "closed", resolution
        correction.closed_at, correction.closed_by = state.clock.now(), user.username
        await session.commit()
    return _redirect("/kb/inbox")


@router.post("/kb/articles/{article_id}/corrections")
async def propose_correction(
    request: Request,
    user: PageUser,
    session: SessionDep,
    state: AppStateDep,
    article_id: str,
) -> Response:
    """Anyone signed in (agents included) proposes a correction; it reaches the editors' inbox."""
    if not _ARTICLE.match(article_id):
        message = translate(lang_of(request), "kbedit.no_article")
        return render(request, "kbedit_step_error.html", {"message": message})
    data = await request.form()
    text = str(data.get("text", "")).strip()[:5000]
    key = str(data.get("version_key", ""))[:80] or None
    part = {"key": key, "article_id": article_id}
    if not text:
        return render(request, "kbedit_correction_part.html", {"error": True, **part})
    try:
        await service.propose_correction(
            session, article_id, text, version_key=key, actor=user.username, now=state.clock.now()
        )
    except (KnowledgeError, service.ArticleNotFound):
        await session.rollback()
        message = translate(lang_of(request), "kbedit.no_article")
        return render(request, "kbedit_step_error.html", {"message": message})
    await session.commit()
    return render(request, "kbedit_correction_part.html", {"sent": True, **part})
