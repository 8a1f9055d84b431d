"""``hotline sounds ...``: build the shipped prompt set, install it into Asterisk, check a site.

Errors are one line on stderr and exit code 2; ``check`` exits 1 when prompts are missing so that
a deployment script can stop before callers hear silence. What the commands say to people is in
the locale's language (``LC_ALL``, ``LC_MESSAGES``, ``LANG``; zh-CN unless it is an English one)
through the one catalogue: their ``--lang`` already names the prompts' languages. ``--json``
stays as it is, for programs.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cti.sounds import FORMATS, shipped

if TYPE_CHECKING:
    from hotline.sounds.build import SoundToolError
    from hotline.sounds.install import NotBuiltError
    from hotline.sounds.table import MarkersMissingError

sounds_app = typer.Typer(
    help="The prompts callers hear: build them (espeak-ng + sox), install, check a site.",
    no_args_is_help=True,
)
console = Console(stderr=True)

DEFAULT_BUILD_DIR = Path("build/sounds")
_BuildDir = Annotated[
    Path, typer.Option("--out", help="where the set is built: <out>/<lang>/hotline/<name>.<fmt>")
]


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]{escape(message)}[/red]", highlight=False)
    return typer.Exit(2)


def _words(exc: SoundToolError | NotBuiltError | MarkersMissingError) -> str:
    """What the sounds module reports, in the locale's language."""
    return _say(f"sounds.cli.{exc.key}", **exc.params)


def _known_languages(shipped_languages: Iterable[str], asked: list[str] | None) -> None:
    """Refuse a ``--lang`` the shipped set has no prompts for, before any work."""
    unknown = sorted(set(asked or ()) - set(shipped_languages))
    if unknown:
        raise _fail(_say("sounds.cli.unknown_languages", languages=", ".join(unknown)))


def _say(key: str, **params: object) -> str:
    """A catalogue message in the locale's language."""
    from hotline.web.i18n import pick_locale, translate_with

    return translate_with(pick_locale(os.environ), key, **params)


@sounds_app.command("build")
def build_command(
    out: _BuildDir = DEFAULT_BUILD_DIR,
    language: Annotated[
        list[str] | None, typer.Option("--lang", help="only this language (repeatable)")
    ] = None,
    jobs: Annotated[int, typer.Option(help="prompts made at once", min=1)] = 2,
) -> None:
    """Make every prompt in zh, en and ko as .wav, .sln16, .alaw and .gsm (only what changed)."""
    from hotline.sounds.build import SoundToolError, build

    prompts = shipped()
    _known_languages(prompts.languages, language)
    total = sum(1 for lang, _, _ in prompts.recordings() if not language or lang in language)
    try:
        with typer.progressbar(length=total, label="speaking", file=sys.stderr) as bar:
            report = build(
                prompts, out, languages=language, jobs=jobs, progress=lambda _: bar.update(1)
            )
    except SoundToolError as exc:
        raise _fail(_words(exc)) from None
    print(
        _say(
            "sounds.cli.built",
            made=len(report.made),
            kept=len(report.kept),
            files=report.files,
            formats=", ".join(FORMATS),
            out=out,
        )
    )


@sounds_app.command("install")
def install_command(
    directory: Annotated[
        Path, typer.Argument(help="Asterisk's sounds directory, e.g. /usr/share/asterisk/sounds")
    ],
    out: _BuildDir = DEFAULT_BUILD_DIR,
) -> None:
    """Copy the built set into DIRECTORY/<lang>/hotline/ (run `hotline sounds build` first)."""
    from hotline.sounds.install import NotBuiltError, install

    try:
        report = install(shipped(), out, directory)
    except NotBuiltError as exc:
        raise _fail(_words(exc)) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise _fail(_say("sounds.cli.cannot_write", directory=directory, reason=reason)) from None
    print(
        _say(
            "sounds.cli.installed",
            copied=report.copied,
            unchanged=report.unchanged,
            directory=directory,
        )
    )


@sounds_app.command("check")
def check_command(
    site: Annotated[str, typer.Option("--site", help="the site's code", show_default=False)],
    language: Annotated[
        list[str] | None, typer.Option("--lang", help="only this language (repeatable)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Ask the site's Asterisk (ARI GET /sounds) which prompts are missing in which language."""
    from hotline.cli_settings import settings_lines
    from hotline.config import SettingsError, load_settings
    from hotline.sounds.check import missing_by_language
    from hotline.sounds.site import SiteLookupError, site_sounds
    from hotline.web.i18n import pick_locale

    lang = pick_locale(os.environ)
    try:
        settings = load_settings()
    except (SettingsError, FileNotFoundError) as exc:
        raise _fail("\n".join(settings_lines(exc, lang))) from None
    prompts = shipped()
    _known_languages(prompts.languages, language)
    try:
        sounds = asyncio.run(site_sounds(settings.database_url, site))
    except SiteLookupError as exc:
        raise _fail(f"--site: {exc.message(lang)}") from None
    checks = missing_by_language(prompts, sounds, language or None)
    complete = all(not check.missing for check in checks)
    if as_json:
        body = {"site": site, "complete": complete, "languages": [c.as_dict() for c in checks]}
        print(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        table = Table(title=_say("sounds.cli.title", site=site))
        table.add_column(_say("sounds.cli.language"))
        table.add_column(_say("sounds.cli.present"), justify="right")
        table.add_column(_say("sounds.cli.missing"), justify="right")
        table.add_column(_say("sounds.cli.missing_prompts"))
        for check in checks:
            shown = ", ".join(check.missing[:8]) + (" …" if len(check.missing) > 8 else "")
            table.add_row(check.language, str(check.present), str(len(check.missing)), shown)
        Console().print(table)
    if not complete:
        raise typer.Exit(1)


@sounds_app.command("table")
def table_command(
    write: Annotated[
        Path | None,
        typer.Option("--write", help="replace the generated block in this file (e.g. docs/cti.md)"),
    ] = None,
) -> None:
    """The table of every sound and what it says in each language, as Markdown (the catalogue's)."""
    from hotline.sounds.table import MarkersMissingError, markdown, replace_block

    table = markdown(shipped())
    if write is None:
        print(table, end="")
        return
    try:
        before = write.read_text(encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise _fail(_say("sounds.cli.cannot_read", file=write, reason=reason)) from None
    try:
        after = replace_block(before, table)
    except MarkersMissingError as exc:
        raise _fail(f"{write}: {_words(exc)}") from None
    if after != before:
        write.write_text(after, encoding="utf-8")
    verdict = "sounds.cli.table_updated" if after != before else "sounds.cli.table_current"
    print(_say(verdict, file=write))
