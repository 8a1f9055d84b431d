"""``hotline sounds check --site NAME``: which prompts a site lacks, in which language.

Asks the site's Asterisk through ARI (``GET /sounds``), the server's own view of its files, so
the answer holds whatever the directory layout or the way the files were installed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cti.ari.models import Sound
from cti.sounds import DIRECTORY, PromptSet


@dataclass(frozen=True)
class LanguageCheck:
    language: str
    present: int
    missing: tuple[str, ...]  # sound names without the hotline/ directory

    def as_dict(self) -> dict[str, object]:
        return {"language": self.language, "present": self.present, "missing": list(self.missing)}


def available_by_language(sounds: Sequence[Sound]) -> dict[str, set[str]]:
    """Language -> the sound ids the server has at least one file for in that language."""
    available: dict[str, set[str]] = {}
    for sound in sounds:
        for pair in sound.formats:
            available.setdefault(pair.language, set()).add(sound.id)
    return available


def missing_by_language(
    prompts: PromptSet, sounds: Sequence[Sound], languages: Iterable[str] | None = None
) -> list[LanguageCheck]:
    """For each language, the prompts the server has no file for in that language.

    Strict per language: Asterisk would fall back to ``en`` for a missing file, but a Korean
    caller hearing English is what this check is meant to catch.
    """
    available = available_by_language(sounds)
    checks = []
    for language in languages if languages is not None else prompts.languages:
        have = available.get(language, set())
        missing = tuple(name for name in prompts.names if f"{DIRECTORY}/{name}" not in have)
        checks.append(LanguageCheck(language, len(prompts.names) - len(missing), missing))
    return checks


@dataclass(frozen=True)
class MissingSound:
    sound: str  # the name a configuration uses (``goodbye``), without the hotline/ directory
    paths: tuple[str, ...]  # where the configuration names it


@dataclass(frozen=True)
class PlayedCheck:
    """One language of a configuration: how many distinct sounds it plays, which are missing."""

    language: str
    needed: int
    missing: tuple[MissingSound, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "language": self.language,
            "needed": self.needed,
            "present": self.needed - len(self.missing),
            "missing": [{"sound": m.sound, "paths": list(m.paths)} for m in self.missing],
        }


def missing_played(
    played: Mapping[str, Iterable[tuple[str, str]]], sounds: Sequence[Sound]
) -> list[PlayedCheck]:
    """For each language of a configuration, the sounds it plays that the server lacks.

    ``played``: language -> the (path in the document, sound name) pairs a caller speaking it
    hears (a prompt may name another sound per language); a name used at several paths is
    reported once with every path, so the admin sees each place to change.
    """
    available = available_by_language(sounds)
    checks = []
    for language, pairs in played.items():
        paths: dict[str, list[str]] = {}
        for path, name in pairs:
            where = paths.setdefault(name, [])
            if path not in where:
                where.append(path)
        have = available.get(language, set())
        missing = tuple(
            MissingSound(name, tuple(where))
            for name, where in paths.items()
            if f"{DIRECTORY}/{name}" not in have
        )
        checks.append(PlayedCheck(language, len(paths), missing))
    return checks
