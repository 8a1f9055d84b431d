"""``hotline sounds ...``: build the shipped prompt set, install it into Asterisk, check a site.

Errors are one line on stderr and exit code 2; ``check`` exits 1 when prompts are missing so that
a deployment script can stop before callers hear silence.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cti.sounds import FORMATS, shipped

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
    console.print(f"[red]{message}[/red]", highlight=False)
    return typer.Exit(2)


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
    total = sum(1 for lang, _, _ in prompts.recordings() if not language or lang in language)
    try:
        with typer.progressbar(length=total, label="speaking", file=sys.stderr) as bar:
            report = build(
                prompts, out, languages=language, jobs=jobs, progress=lambda _: bar.update(1)
            )
    except (SoundToolError, ValueError) as exc:
        raise _fail(str(exc)) from None
    print(
        f"{len(report.made)} prompt(s) made, {len(report.kept)} up to date; "
        f"{report.files} files ({', '.join(FORMATS)}) in {out}"
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
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot write to {directory}: {exc.strerror or exc}") from None
    print(f"{report.copied} file(s) copied, {report.unchanged} unchanged, into {directory}")


@sounds_app.command("check")
def check_command(
    site: Annotated[str, typer.Option("--site", help="the site's code", show_default=False)],
    language: Annotated[
        list[str] | None, typer.Option("--lang", help="only this language (repeatable)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Ask the site's Asterisk (ARI GET /sounds) which prompts are missing in which language."""
    from hotline.config import SettingsError, load_settings
    from hotline.sounds.check import missing_by_language
    from hotline.sounds.site import SiteLookupError, site_sounds

    try:
        settings = load_settings()
    except (SettingsError, FileNotFoundError) as exc:
        raise _fail(str(exc)) from None
    prompts = shipped()
    unknown = sorted(set(language or ()) - set(prompts.languages))
    if unknown:
        raise _fail(f"no prompts for language(s) {', '.join(unknown)}")
    try:
        sounds = asyncio.run(site_sounds(settings.database_url, site))
    except SiteLookupError as exc:
        raise _fail(str(exc)) from None
    checks = missing_by_language(prompts, sounds, language or None)
    complete = all(not check.missing for check in checks)
    if as_json:
        body = {"site": site, "complete": complete, "languages": [c.as_dict() for c in checks]}
        print(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        table = Table(title=f"hotline prompts on site {site}")
        table.add_column("language")
        table.add_column("present", justify="right")
        table.add_column("missing", justify="right")
        table.add_column("missing prompts")
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
        raise _fail(f"{write}: cannot read file: {exc.strerror or exc}") from None
    try:
        after = replace_block(before, table)
    except MarkersMissingError as exc:
        raise _fail(f"{write}: {exc}") from None
    if after != before:
        write.write_text(after, encoding="utf-8")
    print(f"{write}: table {'updated' if after != before else 'already up to date'}")
