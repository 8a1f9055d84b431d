"""Reading a configuration file: YAML to a validated :class:`CentreConfig`; errors name the file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from cti.sounds import catalogue
from hotline.centre.document import CentreConfig, ConfigInvalid, Sounds, parse_document


def shipped_sounds() -> Sounds:
    """The sounds the project records (``hotline sounds build``), with their languages."""
    return {name: tuple(by_language) for name, by_language in catalogue.shipped().prompts.items()}


def read_text(text: str, source: str) -> CentreConfig:
    """Validate YAML text; every problem is prefixed with ``source`` (a file name)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigInvalid([f"{source}: not valid YAML: {exc}"]) from None
    return parse_data(data, source)


def parse_data(data: Any, source: str) -> CentreConfig:
    try:
        return parse_document(data, shipped_sounds())
    except ConfigInvalid as exc:
        raise ConfigInvalid([f"{source}: {p}" for p in exc.problems]) from None


def read_file(path: Path) -> tuple[CentreConfig, str]:
    """The validated document and its text (kept as published, comments and all)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigInvalid([f"{path.name}: cannot read file: {exc.strerror}"]) from None
    return read_text(text, path.name), text


def as_mapping(config: CentreConfig) -> Mapping[str, Any]:
    return config.to_data()
