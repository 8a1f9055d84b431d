"""Use cases over the ``kb_*`` tables: write, review, publish, retire, read, history, corrections.

Every change is a new version row plus an event (who, when, why); the rules themselves (statuses,
who may publish, overlaps, regions and dates) come from :mod:`knowledge`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.db.models import KbArticle, KbCorrection, KbEvent, KbPosting, KbTerm, KbVersion, Topic
from hotline.knowledge import indexer
from knowledge.analysis import Analyzer
from knowledge.errors import InvalidArticleError
from knowledge.model import ArticleHead, Status, VersionContent
from knowledge.rules import applies_to, check_content, check_head, check_no_overlap
from knowledge.workflow import already_done, check_allowed, is_editor, next_status


class ArticleNotFound(LookupError):
    pass


def head_of(article: KbArticle) -> ArticleHead:
    return ArticleHead(
        id=article.id,
        department=article.department,
        owner=article.owner,
        editors=tuple(article.editors),
    )


def content_of(version: KbVersion) -> VersionContent:
    d = version.content_dict()
    return VersionContent(
        title=d["title"],
        question=d["question"],
        answer=d["answer"],
        effective_from=d["effective_from"],
        effective_to=d["effective_to"],
        regions=tuple(d["regions"]),
        alt_questions=tuple(d["alt_questions"]),
        legal_basis=tuple(d["legal_basis"]),
        tags=tuple(d["tags"]),
        topic_codes=tuple(d["topic_codes"]),
    )


def apply_content(version: KbVersion, content: VersionContent) -> None:
    version.title = content.title
    version.question = content.question
    version.alt_questions = list(content.alt_questions)
    version.answer = content.answer
    version.legal_basis = list(content.legal_basis)
    version.regions = list(content.regions)
    version.region_key = "|" + "|".join(content.regions) + "|"
    version.effective_from = content.effective_from
    version.effective_to = content.effective_to
    version.tags = list(content.tags)
    version.topic_codes = list(content.topic_codes)


async def known_topics(session: AsyncSession) -> set[str]:
    return set((await session.scalars(select(Topic.code).where(Topic.active))).all())


async def index_versions(
    session: AsyncSession, analyzer: Analyzer, versions: list[KbVersion]
) -> None:
    """(Re)write the postings of versions from their current text (one bulk write)."""
    await indexer.index_versions(session, analyzer, versions, [content_of(v) for v in versions])


async def index_version(session: AsyncSession, analyzer: Analyzer, version: KbVersion) -> None:
    """(Re)write the postings of one version from its current text."""
    await index_versions(session, analyzer, [version])


async def get_article(session: AsyncSession, article_id: str) -> KbArticle:
    article = await session.get(KbArticle, article_id)
    if article is None:
        raise ArticleNotFound(f"no article '{article_id}'")
    return article


async def versions_of(session: AsyncSession, article_id: str) -> list[KbVersion]:
    rows = await session.scalars(
        select(KbVersion).where(KbVersion.article_id == article_id).order_by(KbVersion.number)
    )
    return list(rows.all())


async def get_version(session: AsyncSession, article_id: str, number: int) -> KbVersion:
    version = await session.scalar(
        select(KbVersion).where(KbVersion.article_id == article_id, KbVersion.number == number)
    )
    if version is None:
        raise ArticleNotFound(f"article '{article_id}' has no version {number}")
    return version


async def version_in_force(
    session: AsyncSession, article_id: str, day: date, region: str | None
) -> KbVersion:
    """The published (or since retired) version that was the answer on ``day`` for ``region``."""
    rows = await session.scalars(
        select(KbVersion)
        .where(
            KbVersion.article_id == article_id,
            KbVersion.status.in_(("published", "retired")),
            KbVersion.effective_from <= day,
            or_(KbVersion.effective_to.is_(None), KbVersion.effective_to >= day),
        )
        .order_by(KbVersion.number.desc())
    )
    for version in rows:
        if applies_to(version.regions, region):
            return version
    raise ArticleNotFound(f"article '{article_id}' had no version in force on {day}")


async def _event(
    session: AsyncSession, version: KbVersion, action: str, actor: str, note: str, at: datetime
) -> None:
    await session.flush()
    session.add(KbEvent(version_id=version.id, action=action, actor=actor, note=note, at=at))


async def create_article(
    session: AsyncSession,
    analyzer: Analyzer,
    head: ArticleHead,
    content: VersionContent,
    *,
    actor: str,
    reason: str,
    now: datetime,
) -> KbVersion:
    """A new article with its first version, as a draft."""
    check_head(head)
    check_content(content, await known_topics(session))
    if await session.get(KbArticle, head.id) is not None:
        raise InvalidArticleError(f"article '{head.id}' exists already", field="id")
    session.add(
        KbArticle(
            id=head.id,
            department=head.department,
            owner=head.owner,
            editors=list(head.editors),
            created_at=now,
        )
    )
    version = KbVersion(
        article_id=head.id, number=1, key=f"{head.id}-r1", status="draft", author=actor
    )
    version.reason, version.created_at = reason, now
    apply_content(version, content)
    session.add(version)
    await index_version(session, analyzer, version)
    await _event(session, version, "create", actor, reason, now)
    return version


async def add_version(
    session: AsyncSession,
    analyzer: Analyzer,
    article_id: str,
    content: VersionContent,
    *,
    actor: str,
    reason: str,
    now: datetime,
) -> KbVersion:
    """A new draft version of an existing article (the change and why)."""
    await get_article(session, article_id)
    check_content(content, await known_topics(session))
    if not reason.strip():
        raise InvalidArticleError("say why the article changes", field="reason")
    last = await session.scalar(
        select(func.max(KbVersion.number)).where(KbVersion.article_id == article_id)
    )
    number = int(last or 0) + 1
    version = KbVersion(
        article_id=article_id,
        number=number,
        key=f"{article_id}-r{number}",
        status="draft",
        author=actor,
        reason=reason,
        created_at=now,
    )
    apply_content(version, content)
    session.add(version)
    await index_version(session, analyzer, version)
    await _event(session, version, "draft", actor, reason, now)
    return version


async def _published(session: AsyncSession, article_id: str) -> list[KbVersion]:
    rows = await session.scalars(
        select(KbVersion).where(KbVersion.article_id == article_id, KbVersion.status == "published")
    )
    return list(rows.all())


async def transition(
    session: AsyncSession,
    article_id: str,
    number: int,
    action: str,
    *,
    actor: str,
    note: str,
    now: datetime,
) -> KbVersion:
    """Submit, reject, publish or retire one version.

    Publishing a version that starts after an open-ended published one ends that one the day
    before (the usual "new rule from 1 January"); any other overlap for a shared region is refused.
    """
    article = await get_article(session, article_id)
    version = await get_version(session, article_id, number)
    if already_done(Status(version.status), action):
        # A retried request (the first one's answer was lost): same result, no second event.
        check_allowed(head_of(article), action, actor)
        return version
    target = next_status(head_of(article), Status(version.status), action, actor)
    rescoped = [version]  # versions whose search scope changes here
    if target is Status.PUBLISHED:
        content = content_of(version)
        others = await _published(session, article_id)
        for other in others:
            if (
                other.effective_to is None
                and other.effective_from < content.effective_from
                and content.effective_to is None
            ):
                closing = replace(
                    content_of(other),
                    effective_to=date.fromordinal(content.effective_from.toordinal() - 1),
                )
                check_no_overlap(closing, [(f"v{version.number}", content)])
                other.effective_to = closing.effective_to
                rescoped.append(other)
                await _event(session, other, "closed", actor, f"by v{version.number}", now)
        check_no_overlap(
            content,
            [(f"v{o.number} ({o.key})", content_of(o)) for o in others if o.id != version.id],
        )
        version.published_at, version.published_by = now, actor
    if target is Status.RETIRED:
        version.retired_at = now
    version.status = target.value
    await indexer.refresh_scope(session, rescoped)
    await _event(session, version, action, actor, note, now)
    return version


async def propose_correction(
    session: AsyncSession,
    article_id: str,
    text: str,
    *,
    version_key: str | None,
    actor: str,
    now: datetime,
) -> KbCorrection:
    await get_article(session, article_id)
    if not text.strip():
        raise InvalidArticleError("describe the correction", field="text")
    correction = KbCorrection(
        article_id=article_id,
        version_key=version_key,
        proposed_by=actor,
        text=text.strip(),
        created_at=now,
    )
    session.add(correction)
    await session.flush()
    return correction


async def inbox(session: AsyncSession, username: str) -> list[KbCorrection]:
    """Open corrections on the articles ``username`` edits, oldest first."""
    rows = await session.execute(
        select(KbCorrection, KbArticle)
        .join(KbArticle, KbArticle.id == KbCorrection.article_id)
        .where(KbCorrection.status == "open")
        .order_by(KbCorrection.created_at, KbCorrection.id)
    )
    return [c for c, a in rows if is_editor(head_of(a), username)]


async def overdue_reviews(session: AsyncSession, username: str, today: date) -> list[KbArticle]:
    """Articles ``username`` edits whose review date has passed."""
    rows = await session.scalars(
        select(KbArticle).where(KbArticle.review_due.is_not(None), KbArticle.review_due < today)
    )
    return [a for a in rows if is_editor(head_of(a), username)]


async def rebuild_index(session: AsyncSession, analyzer: Analyzer, batch: int = 2_000) -> int:
    """The whole search index written again from every version's text (after a change to the
    dictionary, the synonyms or the analysis, e.g. the pinyin title terms); the count indexed.
    The caller commits: until then searches see the old index."""
    await session.execute(delete(KbPosting))
    await session.execute(delete(KbTerm))
    ids = list((await session.scalars(select(KbVersion.id).order_by(KbVersion.id))).all())
    for i in range(0, len(ids), batch):
        rows = await session.scalars(
            select(KbVersion).where(KbVersion.id.in_(ids[i : i + batch])).order_by(KbVersion.id)
        )
        await index_versions(session, analyzer, list(rows.all()))
        await session.flush()
        session.expunge_all()  # a large base is not held in memory all at once
    return len(ids)
