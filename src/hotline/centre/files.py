"""Reading a configuration file: YAML to a validated :class:`CentreConfig`; errors name the file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from cti.sounds import catalogue
from hotline.centre.document import CentreConfig, Sounds, parse_document
from hotline.centre.problems import ConfigInvalid, Problem, ProblemCode


def shipped_sounds() -> Sounds:
    """The sounds the project records (``hotline sounds build``), with their languages."""
    return {name: tuple(by_language) for name, by_language in catalogue.shipped().prompts.items()}


def read_text(text: str, source: str) -> CentreConfig:
    """Validate YAML text; the problems name ``source`` (a file name)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        # The parser's own words (with the line and column) are the detail: there is no
        # catalogue of YAML's errors, and the position is what the reader needs.
        problem = Problem("", ProblemCode.NOT_YAML, {"detail": str(exc)})
        raise ConfigInvalid([problem], source) from None
    return parse_data(data, source)


def parse_data(data: Any, source: str) -> CentreConfig:
    try:
        return parse_document(data, shipped_sounds())
    except ConfigInvalid as exc:
        raise exc.named(source) from None


def read_file(path: Path) -> tuple[CentreConfig, str]:
    """The validated document and its text (kept as published, comments and all)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        problem = Problem("", ProblemCode.UNREADABLE_FILE, {"reason": str(exc.strerror)})
        raise ConfigInvalid([problem], path.name) from None
    return read_text(text, path.name), text


def as_mapping(config: CentreConfig) -> Mapping[str, Any]:
    return config.to_data()
