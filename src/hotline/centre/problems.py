"""What is wrong with a configuration document, as data, and its wording in the reader's language.

The checks (:mod:`hotline.centre.document`, the routing package's ``PolicyError``, the directory's
coverage, the store's own) say *what* is wrong: a path in the document, a stable code and its
parameters. The words are the translation catalogue's (``config.problem.<code>`` in
``hotline.web.messages.config_problems``, zh-CN and en), so that the CLI, the API and the page
say the same thing in their reader's language. The path stays as written: it is the YAML keys
of the file, which an admin must find in it, not words to translate.
"""

from __future__ import annotations

import enum
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hotline.web import i18n
from routing import PolicyError

ParamValue = str | int | float


class ProblemCode(enum.StrEnum):
    """The codes of the centre's own checks (the routing policy's are ``routing.PolicyProblem``;
    a code both use, such as ``unknown_field``, means the same and has one text). Never rename
    a value: API clients may match on it."""

    SERVICE_HOURS_IN_ROUTING = "service_hours_in_routing"
    UNKNOWN_CALENDAR = "unknown_calendar"  # calendar
    HOURS_LINES_NOT_MAPPING = "hours_lines_not_mapping"
    UNKNOWN_LINE = "unknown_line"  # line
    UNKNOWN_LANGUAGE = "unknown_language"  # language
    LISTED_TWICE = "listed_twice"  # name
    BAD_UNSERVED = "bad_unserved"  # pair
    VOICEMAIL_NEEDS_MAX_LENGTH = "voicemail_needs_max_length"
    BAD_DIGIT = "bad_digit"
    DUPLICATE_DIGIT = "duplicate_digit"  # digit, other (the option that has it)
    DEFAULT_LANGUAGE_NOT_IN_MENU = "default_language_not_in_menu"  # language
    NO_LANGUAGE_MENU = "no_language_menu"
    LINE_WITHOUT_DIGIT = "line_without_digit"  # line
    PROMPT_LANGUAGES_MISSING = "prompt_languages_missing"  # languages
    UNKNOWN_SOUND = "unknown_sound"  # sound
    SOUND_NOT_RECORDED = "sound_not_recorded"  # sound, languages
    STAGE_UNREACHABLE = "stage_unreachable"  # line, max_wait_s
    CALLBACK_NEVER_OFFERED = "callback_never_offered"  # max_wait_s
    ON_NO_AGENTS_REQUIRED = "on_no_agents_required"
    DIVERT_UNDEFINED = "divert_undefined"  # outcome
    UNKNOWN_SKILL = "unknown_skill"  # line, language
    LINE_UNSERVED = "line_unserved"  # line, language, max_level
    LINE_UNSERVED_OVERFLOW = "line_unserved_overflow"  # line, language, max_level
    NOT_YAML = "not_yaml"  # detail (the YAML parser's own words)
    UNREADABLE_FILE = "unreadable_file"  # reason (the system's words)
    REASON_REQUIRED = "reason_required"
    AT_IN_PAST = "at_in_past"  # at
    NO_VERSION_IN_FORCE = "no_version_in_force"
    # pydantic's field errors, by their type (hotline.centre.schema_errors)
    MUST_BE_TEXT = "must_be_text"
    MUST_BE_LIST = "must_be_list"
    MUST_BE_GREATER_THAN = "must_be_greater_than"  # limit
    MUST_BE_AT_LEAST = "must_be_at_least"  # limit
    MUST_BE_LESS_THAN = "must_be_less_than"  # limit
    MUST_BE_AT_MOST = "must_be_at_most"  # limit
    TOO_SHORT = "too_short"  # min_length
    TOO_LONG = "too_long"  # max_length


MESSAGE_PREFIX = "config.problem."


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong: where (a path of YAML keys, ``""`` for the whole document), what (a
    code of :class:`ProblemCode` or ``routing.PolicyProblem``) and the values its text names."""

    path: str
    code: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)

    @classmethod
    def of_policy(cls, exc: PolicyError, prefix: str = "") -> Problem:
        """A routing policy error, its path placed below ``prefix`` (``routing``)."""
        path = exc.path
        if prefix:
            path = f"{prefix}.{path}" if path else prefix
        return cls(path, str(exc.code), exc.params)

    def message(self, lang: i18n.Lang) -> str:
        """What is wrong, in ``lang`` (without the path)."""
        text = i18n.translate(lang, MESSAGE_PREFIX + self.code)
        return _Formatter().vformat(text, (), dict(self.params))

    def where(self, source: str | None = None) -> str:
        """The file (when named) and the path: ``centre.yaml: ivr.lines[0].line``."""
        parts = [part for part in (source, self.path) if part]
        return ": ".join(parts)

    def line(self, lang: i18n.Lang, source: str | None = None) -> str:
        """``where: message``, the way the CLI prints it and the page lists it."""
        where = self.where(source)
        return f"{where}: {self.message(lang)}" if where else self.message(lang)


class _Formatter(string.Formatter):
    """``str.format`` that shows a placeholder its params lack instead of raising: a wording
    with a missing value is still better than a 500 (the catalogue test keeps them in step)."""

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, str) and key not in kwargs:
            return "{" + key + "}"
        return super().get_value(key, args, kwargs)


class ConfigInvalid(ValueError):
    """A document that cannot be published: every problem found (``items``), and the file or
    version they are in (``source``, named in front of each path when shown)."""

    def __init__(self, items: Iterable[Problem], source: str | None = None) -> None:
        self.items: tuple[Problem, ...] = tuple(items)
        self.source = source
        super().__init__("\n".join(self.lines("en")))

    def named(self, source: str) -> ConfigInvalid:
        """The same problems, said to be in ``source`` (a file name, ``version 3``)."""
        return ConfigInvalid(self.items, source)

    def lines(self, lang: i18n.Lang) -> list[str]:
        """One ``source: path: message`` per problem, in ``lang``."""
        return [item.line(lang, self.source) for item in self.items]

    @property
    def problems(self) -> list[str]:
        """The problems in English, one line each (what logs and older clients read)."""
        return self.lines("en")
