"""``hotline config ...``: validate, diff, publish, roll back and show the centre's configuration.

Errors are one line per problem on stderr, each naming the file and the path in it
(``centre.yaml: routing.lines.finance.stages[2].after_s: must be > stages[1].after_s``), exit
code 2; nothing is published unless every check passes. Everything a person reads (problems,
verdicts, summaries, usage errors) is worded in the command's language through the one catalogue
(hotline.web.messages): ``--lang``, else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), zh-CN
unless that is an English one; ``--json`` output is for programs and stays as it is.
docs/config.md has the whole story.
"""

from __future__ import annotations

import enum
import getpass
import json
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import yaml

from hotline.cli_database import with_database

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from hotline.centre.document import CentreConfig, Document
    from hotline.centre.problems import ConfigInvalid
    from hotline.db.models import ConfigVersion
    from hotline.sounds.check import PlayedCheck
    from hotline.web.i18n import Lang

config_app = typer.Typer(
    help="The centre's configuration: validate, diff, publish, roll back, show.",
    no_args_is_help=True,
)

FileArg = Annotated[
    Path, typer.Argument(help="the configuration file (YAML), e.g. examples/centre.yaml")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print data as JSON")]


class LangChoice(enum.StrEnum):
    """What ``--lang`` takes (``zh`` is short for zh-CN)."""

    ZH_CN = "zh-CN"
    ZH = "zh"
    EN = "en"


LangOpt = Annotated[
    LangChoice | None,
    typer.Option(
        "--lang",
        case_sensitive=False,
        help="the language of the messages (default: from LC_ALL / LANG, else zh-CN)",
        show_default=False,
    ),
]


def _problems(exc: ConfigInvalid, lang: LangChoice | None, source: str | None = None) -> typer.Exit:
    """Print every problem on stderr, naming the file (``source`` when the problems do not
    already name one), in the command's language; exit code 2."""
    from hotline.web.i18n import translate

    chosen = _lang(lang)
    named = exc if exc.source is not None or source is None else exc.named(source)
    label = translate(chosen, "config.cli.error")
    for line in named.lines(chosen):
        typer.echo(f"{label}: {line}", err=True)
    refused = translate(chosen, "config.cli.refused").replace("{count}", str(len(named.items)))
    typer.echo(refused, err=True)
    return typer.Exit(2)


def _say(lang: LangChoice | None, key: str, **params: object) -> str:
    """A catalogue message in the command's language, its params filled in."""
    from hotline.web.i18n import translate_with

    return translate_with(_lang(lang), key, **params)


def _fail(lang: LangChoice | None, text: str) -> typer.Exit:
    """A usage or input error in the command's language: one line on stderr, exit code 2."""
    typer.echo(f"{_say(lang, 'config.cli.error')}: {text}", err=True)
    return typer.Exit(2)


def _lang(option: LangChoice | None) -> Lang:
    """``--lang``, else the locale's language."""
    from hotline.web.i18n import pick_locale

    if option is None:
        return pick_locale(os.environ)
    return "en" if option is LangChoice.EN else "zh-CN"


def _read(file: Path, lang: LangChoice | None) -> tuple[CentreConfig, str]:
    from hotline.centre.files import read_file
    from hotline.centre.problems import ConfigInvalid

    try:
        return read_file(file)
    except ConfigInvalid as exc:
        raise _problems(exc, lang) from None


def _when(text: str | None, lang: LangChoice | None) -> datetime | None:
    """``--at``: ISO 8601; a time without a zone is Beijing time (what the centre's staff use)."""
    if text is None:
        return None
    from zoneinfo import ZoneInfo

    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise _fail(lang, _say(lang, "config.cli.bad_at", text=repr(text))) from None
    return at if at.tzinfo is not None else at.replace(tzinfo=ZoneInfo("Asia/Shanghai"))


def _version_dict(row: ConfigVersion) -> dict[str, Any]:
    return {
        "version": row.id,
        "base_version": row.base_version,
        "published_by": row.published_by,
        "published_at": row.published_at.isoformat(),
        "effective_at": row.effective_at.isoformat(),
        "reason": row.reason,
        "rollback_of": row.rollback_of,
    }


@config_app.command("validate")
def validate_command(
    file: FileArg,
    directory: Annotated[
        bool,
        typer.Option("--directory", help="also check the lines against the agents in the database"),
    ] = False,
    lang: LangOpt = None,
) -> None:
    """Check a file: every problem is listed by path; nothing is written."""
    config, _ = _read(file, lang)
    if directory:
        from hotline.centre import store
        from hotline.centre.problems import ConfigInvalid

        async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
            async with sessionmaker() as session:
                await store.check_against_directory(session, config)

        try:
            with_database(work)
        except ConfigInvalid as exc:
            raise _problems(exc, lang, file.name) from None
    typer.echo(_say(lang, "config.cli.valid", file=file.name))


def _site_checks(document: Document, site: str, lang: LangChoice | None) -> list[PlayedCheck]:
    """Ask ``site``'s Asterisk (ARI ``GET /sounds``) for every sound ``document`` plays."""
    import asyncio

    from hotline.centre.document import played_by_language
    from hotline.cli_settings import settings_line
    from hotline.config import SettingsError, load_settings
    from hotline.sounds.check import missing_played
    from hotline.sounds.site import SiteLookupError, site_sounds

    try:
        settings = load_settings()
    except (SettingsError, FileNotFoundError) as exc:
        raise _fail(lang, settings_line(exc, _lang(lang))) from None
    try:
        sounds = asyncio.run(site_sounds(settings.database_url, site))
    except SiteLookupError as exc:
        raise _fail(lang, f"--site: {exc.message(_lang(lang))}") from None
    return missing_played(played_by_language(document), sounds)


def _print_site_checks(
    checks: list[PlayedCheck], site: str, source: str, lang: LangChoice | None
) -> None:
    """One line per missing sound and language, naming where the configuration uses it."""
    for check in checks:
        for missing in check.missing:
            typer.echo(
                _say(
                    lang,
                    "config.cli.sound_missing",
                    language=check.language,
                    sound=missing.sound,
                    paths=", ".join(missing.paths),
                )
            )
    total = sum(len(check.missing) for check in checks)
    summary = ", ".join(f"{c.language} {c.needed - len(c.missing)}/{c.needed}" for c in checks)
    verdict = (
        _say(lang, "config.cli.sounds_complete")
        if total == 0
        else _say(lang, "config.cli.sounds_missing", count=total)
    )
    typer.echo(
        _say(
            lang,
            "config.cli.sounds_summary",
            source=source,
            site=site,
            summary=summary,
            verdict=verdict,
        )
    )


@config_app.command("check-sounds")
def check_sounds_command(
    site: Annotated[str, typer.Option("--site", help="the site's code", show_default=False)],
    file: Annotated[
        Path | None,
        typer.Option("--file", help="check this file instead of the version in force"),
    ] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Ask the site's Asterisk which sounds the configuration plays are missing, per language.

    Exit 1 when any is missing (callers would hear silence or English), 2 on bad input.
    """
    from hotline.centre import store
    from hotline.centre.document import Document
    from hotline.clock import utc_now

    if file is not None:
        document = _read(file, lang)[0].document
        source = shown = file.name
    else:

        async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> Any:
            async with sessionmaker() as session:
                row = await store.in_force(session, utc_now())
                return None if row is None else (row.id, row.document)

        found = with_database(work)
        if found is None:
            raise _fail(lang, _say(lang, "config.cli.no_version_for_sounds"))
        document = Document.model_validate(found[1])
        source = f"version {found[0]}"  # --json is for programs: English as it always was
        shown = _say(lang, "config.cli.version", version=found[0])
    checks = _site_checks(document, site, lang)
    complete = all(not check.missing for check in checks)
    if as_json:
        body = {
            "site": site,
            "source": source,
            "complete": complete,
            "languages": [check.as_dict() for check in checks],
        }
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        _print_site_checks(checks, site, shown, lang)
    if not complete:
        raise typer.Exit(1)


@config_app.command("diff")
def diff_command(file: FileArg, as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    """What publishing FILE would change, against the version in force."""
    from hotline.centre import store
    from hotline.clock import utc_now

    config, _ = _read(file, lang)
    new = config.to_data()

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> tuple[int | None, Any]:
        async with sessionmaker() as session:
            row = await store.in_force(session, utc_now())
            return (None, None) if row is None else (row.id, row.document)

    version, old = with_database(work)
    found = store.changes(old, new)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "in_force": version,
                    "changes": [{"path": c.path, "old": c.old, "new": c.new} for c in found],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if not found:
        typer.echo(_say(lang, "config.cli.same", file=file.name, version=version))
        return
    name = (
        _say(lang, "config.cli.no_version_in_force")
        if version is None
        else _say(lang, "config.cli.version_in_force", version=version)
    )
    typer.echo(store.unified_diff(old, new, name, file.name), nl=False)


@config_app.command("publish")
def publish_command(
    file: FileArg,
    reason: Annotated[str, typer.Option("--reason", help="why: kept with the version")],
    at: Annotated[
        str | None,
        typer.Option("--at", help="take force at this time (ISO 8601; no zone: Beijing time)"),
    ] = None,
    base: Annotated[
        int | None,
        typer.Option(
            "--base", help="the version your edit started from (default: the one in force)"
        ),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="who publishes (default: your login)")
    ] = None,
    check_sounds: Annotated[
        str | None,
        typer.Option(
            "--check-sounds",
            metavar="SITE",
            help="first ask this site's Asterisk for every sound; publish nothing if one lacks",
        ),
    ] = None,
    lang: LangOpt = None,
) -> None:
    """Publish FILE as a new version: now, or at a chosen time (the service picks it up live)."""
    from hotline.centre import store
    from hotline.centre.problems import ConfigInvalid
    from hotline.clock import utc_now

    config, text = _read(file, lang)
    effective_at = _when(at, lang)
    if check_sounds is not None:
        checks = _site_checks(config.document, check_sounds, lang)
        if any(check.missing for check in checks):
            _print_site_checks(checks, check_sounds, file.name, lang)
            typer.echo(_say(lang, "config.cli.sounds_refused"), err=True)
            raise typer.Exit(1)

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
        async with sessionmaker() as session:
            now = utc_now()
            current = await store.in_force(session, now)
            publication = store.Publication(
                config=config,
                source=text,
                reason=reason,
                by=by or getpass.getuser(),
                base_version=base
                if base is not None
                else (None if current is None else current.id),
                effective_at=effective_at,
            )
            row = await store.publish(session, publication, now=now)
            await session.commit()
            return _version_dict(row)

    try:
        published = with_database(work)
    except ConfigInvalid as exc:
        raise _problems(exc, lang, file.name) from None
    except store.StaleBaseError as exc:
        key = "config.stale.cli" if exc.base_version is not None else "config.stale.cli_no_base"
        raise _fail(lang, _say(lang, key, in_force=exc.in_force, base=exc.base_version)) from None
    typer.echo(
        _say(
            lang,
            "config.cli.published",
            version=published["version"],
            effective_at=published["effective_at"],
        )
    )


@config_app.command("rollback")
def rollback_command(
    version: Annotated[int, typer.Argument(help="the version to put back in force")],
    reason: Annotated[
        str, typer.Option("--reason", help="why: kept with the version")
    ] = "rollback",
    by: Annotated[str | None, typer.Option("--by", help="who (default: your login)")] = None,
    lang: LangOpt = None,
) -> None:
    """Put an earlier version back in force (as a new version: history is never rewritten)."""
    from hotline.centre import store
    from hotline.centre.problems import ConfigInvalid
    from hotline.clock import utc_now

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
        async with sessionmaker() as session:
            row = await store.rollback(
                session, version, reason=reason, by=by or getpass.getuser(), now=utc_now()
            )
            await session.commit()
            return _version_dict(row)

    try:
        published = with_database(work)
    except store.VersionNotFoundError as exc:
        raise _fail(lang, _say(lang, "config.cli.not_found", version=exc.version)) from None
    except ConfigInvalid as exc:
        raise _problems(exc, lang, _say(lang, "config.cli.version", version=version)) from None
    typer.echo(_say(lang, "config.cli.rolled_back", version=version, new=published["version"]))


@config_app.command("show")
def show_command(
    version: Annotated[
        int | None, typer.Argument(help="a version (default: the one in force)")
    ] = None,
    history: Annotated[bool, typer.Option("--history", help="list every version instead")] = False,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Print a version's document (YAML as published), or the history of versions."""
    from hotline.centre import store
    from hotline.clock import utc_now

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> Any:
        async with sessionmaker() as session:
            if history:
                return [_version_dict(row) for row in await store.history(session, limit=1000)]
            row = (
                await store.in_force(session, utc_now())
                if version is None
                else await store.get(session, version)
            )
            if row is None:
                return None
            return {**_version_dict(row), "document": row.document, "source": row.source}

    try:
        found = with_database(work)
    except store.VersionNotFoundError as exc:
        raise _fail(lang, _say(lang, "config.cli.not_found", version=exc.version)) from None
    if found is None:
        raise _fail(lang, _say(lang, "config.cli.none_published"))
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
    elif history:
        for item in found:
            typer.echo(
                f"{item['version']:>4}  {item['effective_at']}  {item['published_by']:<16} "
                f"{item['reason']}"
            )
    else:
        typer.echo(
            _say(
                lang,
                "config.cli.shown",
                version=found["version"],
                by=found["published_by"],
                at=found["published_at"],
                reason=found["reason"],
            )
        )
        text = found["source"] or yaml.safe_dump(
            found["document"], sort_keys=False, allow_unicode=True
        )
        typer.echo(text, nl=False)


@config_app.command("dry-run")
def dry_run_command(
    file: FileArg,
    hours: Annotated[
        int, typer.Option("--hours", min=1, max=24 * 14, help="replay this many past hours")
    ] = 24,
    replications: Annotated[
        int, typer.Option("--replications", min=1, max=100, help="simulated runs per version")
    ] = 5,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Replay the last hours of recorded traffic under the version in force and under FILE."""
    from rich.console import Console
    from rich.markup import escape

    from hotline.centre import dryrun, store
    from hotline.clock import utc_now

    config, _ = _read(file, lang)

    async def work(
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> tuple[dryrun.RecordedTraffic, int | None, Any]:
        async with sessionmaker() as session:
            now = utc_now()
            recorded = await dryrun.recorded_traffic(session, end=now, hours=hours)
            row = await store.in_force(session, now)
            return recorded, None if row is None else row.id, None if row is None else row.document

    recorded, version, old = with_database(work)
    try:
        result = dryrun.compare(
            recorded,
            None if old is None else old["routing"],
            config.document.routing,
            replications=replications,
        )
    except dryrun.NoTrafficError:
        raise _fail(lang, _say(lang, "config.cli.no_traffic", hours=hours)) from None
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "hours": hours,
                    "calls": recorded.calls,
                    "in_force": version,
                    "old": None if result.old is None else dryrun.figures(result.old),
                    "new": dryrun.figures(result.new),
                },
                indent=2,
            )
        )
        return
    from hotline.web.i18n import translate
    from simulations.report import ENGLISH, print_result

    console = Console()
    # The tables are the simulator's (simulations.report), worded in the command's language.
    words = {key: translate(_lang(lang), f"simreport.{key}") for key in ENGLISH}
    console.print(_say(lang, "config.cli.replayed", calls=recorded.calls, hours=hours))
    if result.old is not None:
        in_force = _say(lang, "config.cli.version_in_force", version=version)
        console.print(f"\n[bold]{escape(in_force)}[/bold]")
        print_result(result.old, console, words, in_force)
    candidate = _say(lang, "config.cli.candidate", file=file.name)
    console.print(f"\n[bold]{escape(candidate)}[/bold]")
    print_result(result.new, console, words, candidate)
