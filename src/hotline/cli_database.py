"""What the database commands of the CLI share: a one-line error and a run on the configured
database (``hotline kb ...``, ``hotline calendar ...``)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

T = TypeVar("T")


def fail(message: str) -> typer.Exit:
    """A usage or input error: one line on stderr, exit code 2 (raise what this returns)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def with_database(work: Callable[..., Awaitable[T]]) -> T:
    """Run ``work(sessionmaker)`` against the configured database (migrated first)."""
    from hotline.config import SettingsError, load_settings
    from hotline.db import migrate
    from hotline.db.session import create_engine, create_sessionmaker

    try:
        settings = load_settings()
    except (SettingsError, FileNotFoundError) as exc:
        # Worded in the locale's language, as `hotline config` and `sounds check` say it.
        from hotline.cli_settings import settings_line
        from hotline.web.i18n import pick_locale, translate

        lang = pick_locale(os.environ)
        typer.echo(f"{translate(lang, 'cli.error')}: {settings_line(exc, lang)}", err=True)
        raise typer.Exit(2) from None

    async def run() -> T:
        engine = create_engine(settings.database_url)
        try:
            if settings.auto_migrate:
                await migrate.upgrade(engine)
            return await work(create_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())
