"""Import and export of article files (Markdown + YAML front matter, one file per version).

Import is all or nothing (every file is parsed and checked before anything is written; the caller
commits once) and idempotent (a version is matched by its file id; an unchanged one is left alone,
a changed one is rewritten and re-indexed). Imported versions are published: the files are the
department's approved text.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.db.models import KbArticle, KbVersion
from hotline.knowledge.indexer import CHUNK, index_versions
from hotline.knowledge.service import apply_content, content_of, known_topics
from knowledge.analysis import Analyzer
from knowledge.corpus import ArticleFile, ArticleFileError, parse_article, render_article
from knowledge.errors import OverlappingVersionsError
from knowledge.model import VersionContent
from knowledge.rules import check_no_overlap

IMPORTER = "import"


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    articles: set[str] = field(default_factory=set)


async def read_directory(
    session: AsyncSession, directory: Path, editors: tuple[str, ...] = ()
) -> list[ArticleFile]:
    """Every ``*.md`` file of ``directory``, parsed and checked (the first error is raised)."""
    topics = await known_topics(session)
    paths = sorted(directory.glob("*.md"))
    if not paths:
        raise ArticleFileError(str(directory), "no *.md article files here")
    files = []
    for path in paths:
        article = parse_article(path.name, path.read_text(encoding="utf-8"), topics)
        if editors and not article.head.editors:
            article = replace(article, head=replace(article.head, editors=editors))
        files.append(article)
    lineages: dict[str, list[ArticleFile]] = defaultdict(list)
    for article in files:
        lineages[article.head.id].append(article)
    for members in lineages.values():
        members.sort(key=lambda a: a.content.effective_from)
        for i, article in enumerate(members):
            try:
                check_no_overlap(article.content, [(m.key, m.content) for m in members[:i]])
            except OverlappingVersionsError as exc:
                raise ArticleFileError(f"{article.key}.md", exc.message, exc.field) from None
    return files


async def import_files(
    session: AsyncSession, analyzer: Analyzer, files: list[ArticleFile], *, now: datetime
) -> ImportSummary:
    summary = ImportSummary()
    # Only the rows these files name (in chunks): a batch into a large base reads its own
    # articles, not the whole base.
    keys = sorted({a.key for a in files})
    lineages = sorted({a.head.id for a in files})
    existing: dict[str, KbVersion] = {}
    articles: dict[str, KbArticle] = {}
    numbers: dict[str, int] = {}
    for i in range(0, max(len(keys), len(lineages)), CHUNK):
        key_chunk, id_chunk = keys[i : i + CHUNK], lineages[i : i + CHUNK]
        if key_chunk:
            rows = await session.scalars(select(KbVersion).where(KbVersion.key.in_(key_chunk)))
            existing.update((v.key, v) for v in rows)
        if id_chunk:
            found = await session.scalars(select(KbArticle).where(KbArticle.id.in_(id_chunk)))
            articles.update((a.id, a) for a in found)
            counts = await session.execute(
                select(KbVersion.article_id, func.max(KbVersion.number))
                .where(KbVersion.article_id.in_(id_chunk))
                .group_by(KbVersion.article_id)
            )
            numbers.update((article_id, int(n)) for article_id, n in counts)
    changed: list[KbVersion] = []
    texts: list[VersionContent] = []
    for article in sorted(files, key=lambda a: (a.head.id, a.content.effective_from)):
        head = article.head
        summary.articles.add(head.id)
        row = articles.get(head.id)
        if row is None:
            row = articles[head.id] = KbArticle(id=head.id, created_at=now, editors=[])
            session.add(row)
        row.department, row.owner = head.department, head.owner
        if head.editors:
            row.editors = list(head.editors)
        version = existing.get(article.key)
        if version is not None:
            if content_of(version) == article.content and version.supersedes == article.supersedes:
                summary.unchanged += 1
                continue
            summary.updated += 1
        else:
            numbers[head.id] = numbers.get(head.id, 0) + 1
            version = KbVersion(
                article_id=head.id,
                number=numbers[head.id],
                key=article.key,
                author=IMPORTER,
                reason="imported",
                created_at=now,
                published_at=now,
                published_by=IMPORTER,
            )
            session.add(version)
            summary.created += 1
        version.status = "published"
        version.supersedes = article.supersedes
        apply_content(version, article.content)
        changed.append(version)
        texts.append(article.content)
    await index_versions(session, analyzer, changed, texts)
    await session.flush()
    return summary


async def export_files(session: AsyncSession) -> list[ArticleFile]:
    """Every published or retired version, as files (drafts stay in the database)."""
    from hotline.knowledge.service import head_of

    rows = await session.execute(
        select(KbVersion, KbArticle)
        .join(KbArticle, KbArticle.id == KbVersion.article_id)
        .where(KbVersion.status.in_(("published", "retired")))
        .order_by(KbVersion.key)
    )
    return [ArticleFile(v.key, head_of(a), content_of(v), v.supersedes) for v, a in rows.all()]


def write_files(directory: Path, files: list[ArticleFile]) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    for article in files:
        (directory / f"{article.key}.md").write_text(render_article(article), encoding="utf-8")
    return len(files)
