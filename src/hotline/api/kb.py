"""The knowledge base over HTTP: search, read (also as it was on a past day), write, review,
publish, retire, history, and correction requests that reach the owning editors.

Search: ``GET /kb/search?q=&region=&date=``, the published versions in force on ``date`` (today in
the centre's time zone by default) for a caller from ``region``, ranked by BM25 (see
:mod:`hotline.knowledge.search`). An empty or punctuation-only query finds nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query, status
from sqlalchemy import select

from hotline.api.access import AnyUser
from hotline.auth.principal import Principal, require
from hotline.db.models import (
    CallSummaryRow,
    KbArticle,
    KbCorrection,
    KbEvent,
    KbSearchMiss,
    KbVersion,
)
from hotline.deps import AppStateDep, SessionDep
from hotline.errors import AppError, ConflictError, ForbiddenError, NotFoundError
from hotline.knowledge import service
from hotline.knowledge.render import answer_html
from hotline.knowledge.schemas import (
    ArticleCreate,
    ArticleRead,
    CorrectionClose,
    CorrectionRead,
    CorrectionWrite,
    EventRead,
    HistoryRead,
    KbHit,
    ReviewDueRead,
    StepWrite,
    UnansweredRead,
    UsageRead,
    UsedRead,
    VersionRead,
    VersionWrite,
)
from hotline.knowledge.search import search as run_search
from hotline.roles import Role
from knowledge.analysis import default_analyzer
from knowledge.errors import (
    InvalidArticleError,
    KnowledgeError,
    NotAnEditorError,
    OverlappingVersionsError,
)

router = APIRouter(prefix="/kb", tags=["knowledge base"])

# Who writes articles: back-office people and the centre's staff; whether they may publish is
# decided per article (its editors), with the reason in the 403.
writers = require(Role.SPECIALIST, Role.LIAISON, Role.SUPERVISOR, Role.ADMIN)
Writer = Annotated[Principal, Depends(writers)]
ArticleId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{2,63}$", max_length=64)]
Number = Annotated[int, Path(ge=1, le=1_000_000)]
RegionQ = Annotated[
    str | None, Query(pattern=r"^[a-z][a-z0-9_-]{1,31}$", description="caller's city code")
]


class InvalidArticle(AppError):
    status_code = 422
    slug = "invalid_article"


class OverlappingVersions(AppError):
    status_code = 409
    slug = "overlapping_versions"


@contextmanager
def _domain_errors() -> Iterator[None]:
    """Domain errors as the API's one error shape, keeping the field they name."""
    try:
        yield
    except service.ArticleNotFound as exc:
        raise NotFoundError(str(exc)) from None
    except NotAnEditorError as exc:
        raise ForbiddenError(exc.message) from None
    except OverlappingVersionsError as exc:
        raise OverlappingVersions({"field": exc.field, "message": exc.message}) from None
    except InvalidArticleError as exc:
        raise InvalidArticle({"field": exc.field, "message": exc.message}) from None
    except KnowledgeError as exc:
        raise ConflictError({"field": exc.field, "message": exc.message}) from None


def _today(state: AppStateDep) -> date:
    return state.clock.now().astimezone(ZoneInfo(state.settings.timezone)).date()


def _version_read(v: KbVersion) -> VersionRead:
    return VersionRead(
        id=v.key,
        article_id=v.article_id,
        number=v.number,
        status=v.status,
        title=v.title,
        question=v.question,
        alt_questions=list(v.alt_questions),
        answer=v.answer,
        answer_html=answer_html(v.answer),
        legal_basis=list(v.legal_basis),
        regions=list(v.regions),
        effective_from=v.effective_from,
        effective_to=v.effective_to,
        tags=list(v.tags),
        topic_codes=list(v.topic_codes),
        supersedes=v.supersedes,
        author=v.author,
        reason=v.reason,
        created_at=v.created_at,
        published_at=v.published_at,
        published_by=v.published_by,
    )


def _article_read(a: KbArticle, v: KbVersion) -> ArticleRead:
    return ArticleRead(
        id=a.id,
        department=a.department,
        owner=a.owner,
        editors=list(a.editors),
        review_due=a.review_due,
        version=_version_read(v),
    )


@router.get("/search", response_model=list[KbHit])
async def search(
    _: AnyUser,
    session: SessionDep,
    state: AppStateDep,
    q: Annotated[str, Query(max_length=200, description="the agent's words")] = "",
    region: RegionQ = None,
    day: Annotated[date | None, Query(alias="date", description="default: today")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[KbHit]:
    """Ranked published articles in force on ``date`` for ``region``; matches marked."""
    analyzer = default_analyzer()
    hits = await run_search(
        session, analyzer, q, day=day or _today(state), region=region, limit=limit
    )
    if not hits and analyzer.query_terms(q):
        # What taxpayers ask that the base does not answer: the owners' usage report reads it.
        session.add(
            KbSearchMiss(query=q.strip(), region=region, asked_by=_.username, at=state.clock.now())
        )
        await session.commit()
    return [
        KbHit(
            id=h.version.key,
            article_id=h.version.article_id,
            title=h.version.title,
            question=h.version.question,
            answer=h.version.answer,
            topic_codes=list(h.version.topic_codes),
            version=h.version.number,
            score=h.score,
            regions=list(h.version.regions),
            effective_from=h.version.effective_from,
            effective_to=h.version.effective_to,
            title_html=h.title_html,
            question_html=h.question_html,
        )
        for h in hits
    ]


@router.get("/articles/{article_id}", response_model=ArticleRead)
async def read_article(
    _: AnyUser,
    session: SessionDep,
    state: AppStateDep,
    article_id: ArticleId,
    day: Annotated[date | None, Query(alias="date", description="in force on this day")] = None,
    region: RegionQ = None,
    version: Annotated[int | None, Query(ge=1, description="this version number")] = None,
) -> ArticleRead:
    """The version in force on ``date`` (today by default) for ``region``, or a given version."""
    with _domain_errors():
        article = await service.get_article(session, article_id)
        if version is not None:
            row = await service.get_version(session, article_id, version)
        else:
            row = await service.version_in_force(session, article_id, day or _today(state), region)
    return _article_read(article, row)


@router.get("/articles/{article_id}/history", response_model=HistoryRead)
async def history(_: AnyUser, session: SessionDep, article_id: ArticleId) -> HistoryRead:
    """Every version (who wrote it, why) and every workflow step (who, when, note)."""
    with _domain_errors():
        await service.get_article(session, article_id)
    versions = await service.versions_of(session, article_id)
    numbers = {v.id: v.number for v in versions}
    events = (
        await session.scalars(
            select(KbEvent).where(KbEvent.version_id.in_(numbers)).order_by(KbEvent.at, KbEvent.id)
        )
    ).all()
    return HistoryRead(
        id=article_id,
        versions=[_version_read(v) for v in versions],
        events=[
            EventRead(
                version=numbers[e.version_id], action=e.action, actor=e.actor, note=e.note, at=e.at
            )
            for e in events
        ],
    )


@router.post("/articles", response_model=ArticleRead, status_code=status.HTTP_201_CREATED)
async def create_article(
    user: Writer, session: SessionDep, state: AppStateDep, body: ArticleCreate
) -> ArticleRead:
    """A new article and its first version, as a draft."""
    with _domain_errors():
        version = await service.create_article(
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
    await session.commit()
    return _article_read(article, version)


@router.post(
    "/articles/{article_id}/versions",
    response_model=ArticleRead,
    status_code=status.HTTP_201_CREATED,
)
async def add_version(
    user: Writer, session: SessionDep, state: AppStateDep, article_id: ArticleId, body: VersionWrite
) -> ArticleRead:
    """A new draft version (the change, and why)."""
    with _domain_errors():
        version = await service.add_version(
            session,
            default_analyzer(),
            article_id,
            body.content.content(),
            actor=user.username,
            reason=body.reason,
            now=state.clock.now(),
        )
        article = await service.get_article(session, article_id)
    await session.commit()
    return _article_read(article, version)


@router.post("/articles/{article_id}/versions/{number}/{action}", response_model=ArticleRead)
async def step(
    user: Writer,
    session: SessionDep,
    state: AppStateDep,
    article_id: ArticleId,
    number: Number,
    action: Literal["submit", "reject", "publish", "retire"],
    body: StepWrite,
) -> ArticleRead:
    """Submit for review; reject, publish or retire (the article's editors only: 403 otherwise)."""
    with _domain_errors():
        version = await service.transition(
            session,
            article_id,
            number,
            action,
            actor=user.username,
            note=body.note,
            now=state.clock.now(),
        )
        article = await service.get_article(session, article_id)
    await session.commit()
    return _article_read(article, version)


@router.post(
    "/articles/{article_id}/corrections",
    response_model=CorrectionRead,
    status_code=status.HTTP_201_CREATED,
)
async def propose_correction(
    user: AnyUser,
    session: SessionDep,
    state: AppStateDep,
    article_id: ArticleId,
    body: CorrectionWrite,
) -> CorrectionRead:
    """Anyone (agents included) proposes a correction; it waits in the editors' inbox."""
    with _domain_errors():
        correction = await service.propose_correction(
            session,
            article_id,
            body.text,
            version_key=body.version_key,
            actor=user.username,
            now=state.clock.now(),
        )
    await session.commit()
    return CorrectionRead.model_validate(correction)


@router.get("/corrections", response_model=list[CorrectionRead])
async def corrections_inbox(user: Writer, session: SessionDep) -> list[CorrectionRead]:
    """Open corrections on the articles the caller edits, oldest first."""
    return [CorrectionRead.model_validate(c) for c in await service.inbox(session, user.username)]


@router.post("/corrections/{correction_id}/close", response_model=CorrectionRead)
async def close_correction(
    user: Writer,
    session: SessionDep,
    state: AppStateDep,
    correction_id: Annotated[int, Path(ge=1, le=2**62)],
    body: CorrectionClose,
) -> CorrectionRead:
    """Close a correction (the article's editors only), saying what was done."""
    correction = await session.get(KbCorrection, correction_id)
    if correction is None:
        raise NotFoundError(f"no correction {correction_id}")
    article = await session.get(KbArticle, correction.article_id)
    assert article is not None  # the foreign key cascades
    if user.username not in article.editors:
        raise ForbiddenError(
            f"only editors of {article.department} may close corrections of {article.id}"
        )
    if correction.status == "open":
        correction.status = "closed"
        correction.resolution = body.resolution
        correction.closed_at, correction.closed_by = state.clock.now(), user.username
        await session.commit()
    return CorrectionRead.model_validate(correction)


@router.get("/review-due", response_model=list[ReviewDueRead])
async def review_due(user: Writer, session: SessionDep, state: AppStateDep) -> list[ReviewDueRead]:
    """Articles the caller edits whose review date has passed (stale answers), oldest first."""
    rows = await service.overdue_reviews(session, user.username, _today(state))
    return [
        ReviewDueRead(id=a.id, department=a.department, owner=a.owner, review_due=a.review_due)
        for a in sorted(rows, key=lambda a: (a.review_due, a.id))
        if a.review_due is not None
    ]


usage_readers = require(Role.SPECIALIST, Role.LIAISON, Role.SUPERVISOR, Role.DIRECTOR, Role.ADMIN)


@router.get("/reports/usage", response_model=UsageRead)
async def usage(
    _: Annotated[Principal, Depends(usage_readers)],
    session: SessionDep,
    state: AppStateDep,
    days: Annotated[int, Query(ge=1, le=366, description="the last N days")] = 30,
    top: Annotated[int, Query(ge=1, le=200)] = 20,
) -> UsageRead:
    """Searches that found nothing, and the article versions agents gave callers most."""
    since: datetime = state.clock.now() - timedelta(days=days)
    misses: dict[str, tuple[int, datetime]] = {}
    for miss in await session.scalars(select(KbSearchMiss).where(KbSearchMiss.at >= since)):
        count, last = misses.get(miss.query, (0, miss.at))
        misses[miss.query] = (count + 1, max(last, miss.at))
    unanswered = sorted(misses.items(), key=lambda item: (-item[1][0], item[0]))[:top]
    used: Counter[str] = Counter()
    titles: dict[str, str] = {}
    for refs in await session.scalars(
        select(CallSummaryRow.kb_articles).where(CallSummaryRow.created_at >= since)
    ):
        for ref in refs or []:
            if isinstance(ref, dict) and ref.get("id"):
                used[str(ref["id"])] += 1
                titles.setdefault(str(ref["id"]), str(ref.get("title", "")))
    return UsageRead(
        since=since,
        unanswered=[UnansweredRead(query=q, searches=n, last_at=at) for q, (n, at) in unanswered],
        most_used=[
            UsedRead(id=key, title=titles[key], calls=n)
            for key, n in sorted(used.items(), key=lambda item: (-item[1], item[0]))[:top]
        ],
    )
