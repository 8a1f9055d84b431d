"""``hotline sounds check --site NAME``: which prompts a site lacks, in which language.

Asks the site's Asterisk through ARI (``GET /sounds``), the server's own view of its files, so
the answer holds whatever the directory layout or the way the files were installed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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


def missing_by_language(
    prompts: PromptSet, sounds: Sequence[Sound], languages: Iterable[str] | None = None
) -> list[LanguageCheck]:
    """For each language, the prompts the server has no file for in that language.

    Strict per language: Asterisk would fall back to ``en`` for a missing file, but a Korean
    caller hearing English is what this check is meant to catch.
    """
    available: dict[str, set[str]] = {}
    for sound in sounds:
        for pair in sound.formats:
            available.setdefault(pair.language, set()).add(sound.id)
    checks = []
    for language in languages if languages is not None else prompts.languages:
        have = available.get(language, set())
        missing = tuple(name for name in prompts.names if f"{DIRECTORY}/{name}" not in have)
        checks.append(LanguageCheck(language, len(prompts.names) - len(missing), missing))
    return checks
