"""The shipped prompt set as data: every sound the service plays, its text in each language.

``prompts.yaml`` beside this module is the one table (documented in ``docs/cti.md``). The ARI
emulator reads it to know which sounds a site with the set installed has; ``hotline sounds``
builds, installs and checks the recordings from it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

DIRECTORY = "hotline"
"""The sounds live in ``sounds/<lang>/hotline/``: a playback names them ``sound:hotline/<name>``."""

FORMATS = ("wav", "sln16", "alaw", "gsm")
"""The files made for each prompt; Asterisk picks the cheapest one to transcode for the call."""

_CJK = re.compile(r"[\u1100-\u11ff\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]")


@dataclass(frozen=True, slots=True)
class Utterance:
    """One recording: the text, and the language whose voice speaks it."""

    text: str
    spoken_in: str


@dataclass(frozen=True, slots=True)
class PromptSet:
    languages: Mapping[str, str]  # language code -> espeak-ng voice
    prompts: Mapping[str, Mapping[str, Utterance]]  # sound name -> language directory -> speech
    # When the service plays each sound (the documented table's "played" column), and the
    # number-<n> range with its own note: both are documentation, not needed to build the set.
    played: Mapping[str, str] = field(default_factory=dict)
    numbers: range = range(0)
    numbers_played: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.prompts)

    def sound_ids(self) -> tuple[str, ...]:
        """The ids ``GET /sounds`` lists for the set (``hotline/<name>``)."""
        return tuple(f"{DIRECTORY}/{name}" for name in self.prompts)

    def recordings(self) -> Iterator[tuple[str, str, Utterance]]:
        """(language directory, sound name, utterance) for every file set to make."""
        for name, by_language in self.prompts.items():
            for language, utterance in by_language.items():
                yield language, name, utterance

    def seconds(self, sound_id: str) -> float | None:
        """About how long ``sound_id`` plays (the emulator's estimate); None: not in the set."""
        directory, _, name = sound_id.partition("/")
        by_language = self.prompts.get(name) if directory == DIRECTORY else None
        if not by_language:
            return None
        return max(speaking_seconds(u.text) for u in by_language.values())


def speaking_seconds(text: str) -> float:
    """A synthesised voice's pace: about 4 CJK syllables or 14 other characters a second."""
    cjk = len(_CJK.findall(text))
    return round(max(0.5, cjk * 0.25 + (len(text) - cjk) * 0.07), 2)


def parse(raw: Any) -> PromptSet:
    """The table from its YAML mapping; a malformed table is a ValueError naming the entry."""
    if not isinstance(raw, dict):
        raise ValueError("the prompt table must be a mapping")
    languages = {str(code): str(spec["voice"]) for code, spec in raw["languages"].items()}
    prompts: dict[str, dict[str, Utterance]] = {}
    played: dict[str, str] = {}
    for name, given in raw["sounds"].items():
        if not isinstance(given, dict):
            raise ValueError(f"sounds.{name}: expected a mapping of language -> text")
        entry = dict(given)
        played[str(name)] = str(entry.pop("played", ""))
        if "spoken_in" in entry:
            spoken_in = str(entry["spoken_in"])
            if spoken_in not in languages:
                raise ValueError(f"sounds.{name}.spoken_in: unknown language {spoken_in!r}")
            utterance = Utterance(str(entry["text"]), spoken_in)
            prompts[str(name)] = {code: utterance for code in languages}
            continue
        missing = sorted(set(languages) - set(entry))
        unknown = sorted(set(entry) - set(languages))
        if missing or unknown:
            raise ValueError(f"sounds.{name}: missing {missing}, unknown {unknown} languages")
        prompts[str(name)] = {code: Utterance(str(entry[code]), code) for code in languages}
    numbers = raw.get("numbers") or {}
    said = range(int(numbers.get("from", 0)), int(numbers.get("to", -1)) + 1)
    for number in said:
        prompts[f"number-{number}"] = {code: Utterance(str(number), code) for code in languages}
    return PromptSet(
        languages=languages,
        prompts=prompts,
        played=played,
        numbers=said,
        numbers_played=str(numbers.get("played", "")),
    )


@functools.cache
def shipped() -> PromptSet:
    """The set that ships with the project (``prompts.yaml``)."""
    text = resources.files(__package__).joinpath("prompts.yaml").read_text(encoding="utf-8")
    return parse(yaml.safe_load(text))
