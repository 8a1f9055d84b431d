"""``hotline sounds install DIR``: copy a built set into an Asterisk sounds directory."""

from __future__ import annotations

import filecmp
import shutil
from dataclasses import dataclass
from pathlib import Path

from cti.sounds import DIRECTORY, FORMATS, PromptSet


class NotBuiltError(RuntimeError):
    """The built set lacks files: ``hotline sounds build`` has not been run (or not fully)."""

    def __init__(self, english: str, key: str, **params: object) -> None:
        super().__init__(english)
        self.key = key  # the command line words it as ``sounds.cli.<key>`` with ``params``
        self.params = params


@dataclass
class InstallReport:
    copied: int = 0
    unchanged: int = 0


def install(prompts: PromptSet, source: Path, target: Path) -> InstallReport:
    """Copy ``source/<lang>/hotline/*`` to ``target/<lang>/hotline/`` (Asterisk's layout,
    e.g. ``/usr/share/asterisk/sounds``), every file or none: a missing one is reported first."""
    files = [
        Path(language, DIRECTORY, f"{name}.{fmt}")
        for language, name, _ in prompts.recordings()
        for fmt in FORMATS
    ]
    missing = [str(f) for f in files if not (source / f).is_file()]
    if missing:
        raise NotBuiltError(
            f"{len(missing)} file(s) missing in {source} (first: {missing[0]}); "
            "run `hotline sounds build` first",
            "not_built",
            count=len(missing),
            source=str(source),
            first=missing[0],
        )
    report = InstallReport()
    for relative in files:
        destination = target / relative
        if destination.is_file() and filecmp.cmp(source / relative, destination, shallow=False):
            report.unchanged += 1
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / relative, destination)
        report.copied += 1
    return report
