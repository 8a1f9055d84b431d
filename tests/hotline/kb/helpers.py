"""Shared helpers: the taxonomy and the sample base loaded into a real database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import Topic
from hotline.knowledge.files import ImportSummary, import_files, read_directory
from knowledge.analysis import default_analyzer

ROOT = Path(__file__).parents[3]
SAMPLE = ROOT / "examples" / "kb"
QUERIES = ROOT / "benchmarks" / "data" / "kb-queries.yaml"
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


async def seed_topics(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """The call-summary taxonomy from the example centre (articles name its codes)."""
    example = yaml.safe_load((ROOT / "examples" / "hangzhou.yaml").read_text(encoding="utf-8"))
    async with sessionmaker() as session:
        for area in example["topics"]:
            session.add(Topic(code=area["code"], name_zh=area["name_zh"], name_en=area["name_en"]))
            await session.flush()
            for child in area.get("children", []):
                session.add(
                    Topic(
                        code=child["code"],
                        parent_code=area["code"],
                        name_zh=child["name_zh"],
                        name_en=child["name_en"],
                    )
                )
        await session.commit()


async def import_sample(
    sessionmaker: async_sessionmaker[AsyncSession],
    directory: Path = SAMPLE,
    editors: tuple[str, ...] = (),
) -> ImportSummary:
    async with sessionmaker() as session:
        files = await read_directory(session, directory, editors)
        summary = await import_files(session, default_analyzer(), files, now=NOW)
        await session.commit()
    return summary
