"""The settings' errors as the command line says them, in its reader's language.

``hotline.config`` words a bad setting in English for the service's start-up and its logs; a
command that reads the settings (``sounds check``, ``config check-sounds``) says the same in the
command's language: the frame from the catalogue (``cli.settings.*``), each field's problem by
pydantic's error type as the configuration pages word them (hotline.centre.schema_errors), the
field and its environment variable as they are spelt (what the person must set).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hotline.config import ConfigFileMissingError, SettingsError
from hotline.web.i18n import Lang, translate, translate_with


def settings_lines(exc: SettingsError | FileNotFoundError, lang: Lang) -> list[str]:
    """What is wrong with the settings: a heading line, then one line per bad field."""
    if isinstance(exc, ConfigFileMissingError):
        return [translate_with(lang, "cli.settings.no_file", named=exc.named)]
    if not isinstance(exc, SettingsError) or not exc.errors:
        return [str(exc)]  # a file the system could not open: its own words
    shown = [translate(lang, "cli.settings.invalid")]
    for error in exc.errors:
        shown.append(_line(error, lang))
    return shown


def settings_line(exc: SettingsError | FileNotFoundError, lang: Lang) -> str:
    """The same on one line (the heading, then each bad field after a ``;``), for a command
    whose errors are one line each."""
    heading, *fields = settings_lines(exc, lang)
    gap = "" if heading.endswith("：") else " "  # a full-width colon carries its own space
    return (heading + gap + "; ".join(field.strip() for field in fields)).strip()


def _line(error: Mapping[str, Any], lang: Lang) -> str:
    from hotline.centre.problems import Problem
    from routing import PolicyProblem

    loc = [str(part) for part in error.get("loc", ())]
    field = ".".join(loc) or "(settings)"
    if error.get("type") == "value_error":
        # A validator's own sentence (hotline.config), with pydantic's prefix taken off.
        detail = str(error.get("msg", "")).removeprefix("Value error, ")
        problem = Problem("", PolicyProblem.INVALID, {"detail": detail}).message(lang)
    else:
        from hotline.centre.schema_errors import schema_problem

        problem = schema_problem(error).message(lang)
    if not loc:
        return translate_with(lang, "cli.settings.line_no_env", field=field, problem=problem)
    env = "HOTLINE_" + "__".join(part.upper() for part in loc)
    return translate_with(lang, "cli.settings.line", field=field, env=env, problem=problem)
