"""``hotline kb ...``: import and export the knowledge base as files, search it from a shell.

``search`` ranks exactly like ``GET /api/v1/kb/search`` (the same function). Errors are one line
on stderr naming the file and field, exit code 2; an import that fails writes nothing.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from hotline.cli_database import fail, with_database
from knowledge.errors import KnowledgeError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

kb_app = typer.Typer(
    help="Knowledge base: import and export article files, search, rebuild the index.",
    no_args_is_help=True,
)


async def import_directory(
    sessionmaker: async_sessionmaker[AsyncSession],
    directory: Path,
    editors: tuple[str, ...] = (),
) -> dict[str, int]:
    """Import every article file of ``directory`` in one transaction; the counts."""
    from hotline.clock import utc_now
    from hotline.knowledge.files import import_files, read_directory
    from knowledge.analysis import default_analyzer

    async with sessionmaker() as session:
        files = await read_directory(session, directory, editors)
        summary = await import_files(session, default_analyzer(), files, now=utc_now())
        await session.commit()
    return {
        "articles": len(summary.articles),
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
    }


@kb_app.command("import")
def import_command(
    directory: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="folder of <id>.md files")
    ],
    editor: Annotated[
        list[str] | None,
        typer.Option("--editor", help="user name made editor of articles that name none"),
    ] = None,
) -> None:
    """Import article files (Markdown + YAML front matter): all or nothing, idempotent."""

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, int]:
        return await import_directory(sessionmaker, directory, tuple(editor or ()))

    try:
        counts = with_database(work)
    except KnowledgeError as exc:
        raise fail(exc.message) from None
    typer.echo(
        f"imported {counts['articles']} articles: {counts['created']} versions created, "
        f"{counts['updated']} updated, {counts['unchanged']} unchanged"
    )


@kb_app.command("export")
def export_command(
    directory: Annotated[Path, typer.Argument(file_okay=False, help="folder to write into")],
) -> None:
    """Write every published or retired version as <id>.md (the import format)."""
    from hotline.knowledge.files import export_files, write_files

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        async with sessionmaker() as session:
            return write_files(directory, await export_files(session))

    count = with_database(work)
    typer.echo(f"wrote {count} article files to {directory}")


@kb_app.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index from every version's text (after an upgrade that changes the
    analysis, such as the pinyin title terms), in one transaction."""
    from hotline.knowledge.service import rebuild_index
    from knowledge.analysis import default_analyzer

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        async with sessionmaker() as session:
            count = await rebuild_index(session, default_analyzer())
            await session.commit()
        return count

    typer.echo(f"indexed {with_database(work)} versions")


@kb_app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="the words to search for")],
    region: Annotated[
        str | None, typer.Option("--region", help="caller's city code, e.g. hangzhou")
    ] = None,
    day: Annotated[
        str | None, typer.Option("--date", help="in force on this day (YYYY-MM-DD; default today)")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=50)] = 10,
    as_json: Annotated[
        bool, typer.Option("--json", help="a JSON list of {id, score, ...}")
    ] = False,
) -> None:
    """Ranked article versions for QUERY, the same ranking as the API."""
    from hotline.knowledge.search import search
    from knowledge.analysis import default_analyzer

    try:
        wanted = date.fromisoformat(day) if day else None
    except ValueError:
        raise fail(f"--date: '{day}' is not a date (YYYY-MM-DD)") from None

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> list[dict[str, object]]:
        from hotline.config import load_settings

        when = wanted or datetime.now(ZoneInfo(load_settings().timezone)).date()
        async with sessionmaker() as session:
            hits = await search(
                session, default_analyzer(), query, day=when, region=region, limit=limit
            )
        return [
            {
                "id": h.version.key,
                "article_id": h.version.article_id,
                "version": h.version.number,
                "title": h.version.title,
                "score": h.score,
            }
            for h in hits
        ]

    rows = with_database(work)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        typer.echo("no article found", err=True)
    for row in rows:
        typer.echo(f"{row['score']:8.3f}  {row['id']:<22} {row['title']}")
