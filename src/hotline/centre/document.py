"""The centre's configuration document: its schema and its validation (pure: no I/O, no clock).

One YAML document says how the centre answers: business lines and languages, the routing policy
(the very ``routing:`` format of the simulator's scenarios, read by ``routing.Policy.from_dict``,
so a policy tried in ``hotline simulate`` can be published as is), service hours per line with
the working-day calendar and special days, the IVR menus, the prompts, the announcements, the
survey and what each divert outcome does. docs/config.md describes every field.

:func:`parse_document` reports EVERY problem instead of stopping at the first: an admin fixes a
file in one pass. Each is a path, a code and its params (:mod:`hotline.centre.problems`); the
words are the translation catalogue's, in the reader's language. The sounds that exist (per
language) are an argument, so that this module reads no file; the directory check (a line that
no agent can ever serve) needs the database and lives in :func:`coverage_problems`, fed plain
data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

import routing
from hotline.centre.problems import ConfigInvalid, ParamValue, Problem, ProblemCode
from hotline.centre.schema_errors import schema_problem

CalendarName = Literal["chinese", "weekdays"]
DivertName = Literal["voicemail", "work_order", "callback", "message"]
_DIGITS = frozenset("0123456789*#")

Sound = str | dict[str, str]
"""A prompt: one sound name that plays in the caller's language (``welcome``: Asterisk plays
``sounds/<language>/hotline/welcome``), or a name per language (``{zh: welcome, en:
welcome-intl}``), which must then name every language of the document."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LanguageOption(_Model):
    digit: str
    language: str
    prompt: Sound  # a sound name: ``lang-zh`` plays ``sound:hotline/lang-zh``


class LineOption(_Model):
    digit: str
    line: str
    prompt: Sound


class Ivr(_Model):
    greeting: Sound = "welcome"
    closed_message: Sound = "closed"
    digit_timeout_s: float = Field(default=5.0, gt=0, le=60)
    retries: int = Field(default=2, ge=0, le=9)
    music_on_hold: str = "default"
    default_language: str = "zh"
    default_line: str = "national_tax"
    languages: tuple[LanguageOption, ...] = ()
    lines: tuple[LineOption, ...] = ()
    # After hours: ask the language (the menu above) before the closed message, so that it plays
    # in the caller's language; otherwise it plays in the dialled number's language.
    closed_asks_language: bool = False
    # The number dialled -> its callers' language (e.g. an English service number); a number
    # not listed: default_language.
    number_languages: dict[str, str] = Field(default_factory=dict)


class Prompts(_Model):
    """The sounds the call controller plays on its own, by role."""

    invalid_choice: Sound = "invalid"
    position: Sound = "position"
    expected_wait: Sound = "expected-wait"
    minutes: Sound = "minutes"
    callback_offer: Sound = "callback-offer"
    callback_request: Sound = "callback-request"
    callback_confirmed: Sound = "callback-confirmed"
    goodbye: Sound = "goodbye"


class Announcements(_Model):
    """What the periodic announcement says (its cadence is routing's ``announce_every_s``)."""

    position: bool = True
    expected_wait: bool = True


class Survey(_Model):
    enabled: bool = True
    prompt: Sound = "survey"
    thanks: Sound = "survey-thanks"


class Divert(_Model):
    """What the service does with a caller routing gave up on (see routing's ``on_*`` fields)."""

    prompt: Sound
    max_length_s: float | None = Field(default=None, gt=0, le=600)  # voicemail only
    beep: bool = True  # voicemail only
    becomes: Literal["work_order", "callback", "nothing"] = "nothing"


def _default_diverts() -> dict[DivertName, Divert]:
    return {
        "voicemail": Divert(prompt="voicemail", max_length_s=120, becomes="work_order"),
        "work_order": Divert(prompt="work-order", becomes="work_order"),
        "callback": Divert(prompt="callback-confirmed", becomes="callback"),
    }


class Document(_Model):
    """The whole document, as read from YAML (routing and hours still as plain data)."""

    version: Literal[1]
    description: str = ""
    lines: tuple[str, ...] = Field(min_length=1)
    languages: tuple[str, ...] = Field(min_length=1)
    routing: dict[str, Any]
    hours: dict[str, Any] | None = None
    ivr: Ivr = Ivr()
    prompts: Prompts = Prompts()
    announcements: Announcements = Announcements()
    survey: Survey = Survey()
    diverts: dict[DivertName, Divert] = Field(default_factory=_default_diverts)
    # "line/language" pairs the centre knowingly staffs with nobody: their callers go straight
    # to routing's ``on_no_agents`` divert, and publishing does not refuse them.
    unserved: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class CentreConfig:
    """A valid document, with the routing policy built (service hours without the calendar).

    ``calendar`` names the working-day calendar the shell attaches: ``chinese`` (the State
    Council's holidays and 调休 weekends) or ``weekdays`` (Monday to Friday plus the listed
    special days only).
    """

    document: Document
    policy: routing.Policy
    calendar: CalendarName | None

    def to_data(self) -> dict[str, Any]:
        """Plain data (JSON / YAML) that :func:`parse_document` reads back."""
        return self.document.model_dump(mode="json", exclude_defaults=False)


# ------------------------------------------------------------------------------- parsing

Sounds = Mapping[str, Collection[str]]
"""Sound name -> the languages it is recorded in (``cti.sounds`` catalogue)."""


def parse_document(data: object, sounds: Sounds | None = None) -> CentreConfig:
    """Validate plain data (YAML); raises :class:`ConfigInvalid` listing every problem.

    ``sounds``: when given, every prompt must name a sound recorded in every language of the
    document.
    """
    try:
        document = Document.model_validate(data)
    except ValidationError as exc:
        raise ConfigInvalid([schema_problem(e) for e in exc.errors()]) from None
    problems: list[Problem] = []
    policy = _routing(document, problems)
    hours, line_hours, calendar = _hours(document, problems)
    _check_names(document, problems)
    _check_ivr(document.ivr, document, problems)
    _check_prompt_languages(document, problems)
    if sounds is not None:
        _check_sounds(document, sounds, problems)
    if policy is not None:
        _check_policy(document, policy, problems)
    if problems or policy is None:
        raise ConfigInvalid(problems)
    policy = dataclasses.replace(policy, service_hours=hours, line_hours=line_hours)
    return CentreConfig(document=document, policy=policy, calendar=calendar)


def _routing(document: Document, problems: list[Problem]) -> routing.Policy | None:
    """The routing policy, with every section checked apart so that all problems show."""
    raw = document.routing
    if "service_hours" in raw:
        problems.append(Problem("routing.service_hours", ProblemCode.SERVICE_HOURS_IN_ROUTING))
        raw = {k: v for k, v in raw.items() if k != "service_hours"}
    try:
        return routing.Policy.from_dict(raw)
    except routing.PolicyError as exc:
        first = _policy_problem(exc)
    base = {k: v for k, v in raw.items() if k not in ("lines", "languages", "regions")}
    try:
        routing.Policy.from_dict(base)
    except routing.PolicyError as exc:
        problems.append(_policy_problem(exc))
        return None
    found: list[Problem] = []
    for kind in ("lines", "languages", "regions"):
        section = raw.get(kind)
        if not isinstance(section, Mapping):
            continue
        for key, value in section.items():
            try:
                routing.Policy.from_dict({**base, kind: {key: value}})
            except routing.PolicyError as exc:
                found.append(_policy_problem(exc))
    problems.extend(found or [first])
    return None


def _policy_problem(exc: routing.PolicyError) -> Problem:
    return Problem.of_policy(exc, "routing")


_HOURS_OWN = ("calendar", "lines")


def _hours(
    document: Document, problems: list[Problem]
) -> tuple[routing.ServiceHours | None, dict[str, routing.ServiceHours], CalendarName | None]:
    raw = document.hours
    if raw is None:
        return None, {}, None
    calendar = raw.get("calendar", "chinese")
    if calendar not in ("chinese", "weekdays"):
        problems.append(
            Problem("hours.calendar", ProblemCode.UNKNOWN_CALENDAR, {"calendar": str(calendar)})
        )
        calendar = "weekdays"
    common = {k: v for k, v in raw.items() if k not in _HOURS_OWN}
    hours = _service_hours(common, "hours", problems)
    per_line: dict[str, routing.ServiceHours] = {}
    lines = raw.get("lines") or {}
    if not isinstance(lines, Mapping):
        problems.append(Problem("hours.lines", ProblemCode.HOURS_LINES_NOT_MAPPING))
        lines = {}
    for line, own in lines.items():
        where = f"hours.lines.{line}"
        if line not in document.lines:
            problems.append(_unknown_line(where, line))
            continue
        if not isinstance(own, Mapping):
            problems.append(Problem(where, routing.PolicyProblem.MUST_BE_MAPPING))
            continue
        # A line's hours start from the centre's and replace the fields they name.
        found = _service_hours({**common, **own}, where, problems)
        if found is not None:
            per_line[str(line)] = found
    return hours, per_line, calendar


def _service_hours(
    raw: Mapping[str, Any], path: str, problems: list[Problem]
) -> routing.ServiceHours | None:
    try:
        return routing.ServiceHours.from_dict(raw, path)
    except routing.PolicyError as exc:
        problems.append(Problem.of_policy(exc))
        return None


def _unknown_line(path: str, line: object) -> Problem:
    return Problem(path, ProblemCode.UNKNOWN_LINE, {"line": str(line)})


def _unknown_language(path: str, language: object) -> Problem:
    return Problem(path, ProblemCode.UNKNOWN_LANGUAGE, {"language": str(language)})


def _check_names(document: Document, problems: list[Problem]) -> None:
    for kind, known in (("lines", document.lines), ("languages", document.languages)):
        seen: set[str] = set()
        for i, name in enumerate(known):
            if name in seen:
                problems.append(Problem(f"{kind}[{i}]", ProblemCode.LISTED_TWICE, {"name": name}))
            seen.add(name)
    section = document.routing.get("lines")
    if isinstance(section, Mapping):
        for line in section:
            if line not in document.lines:
                problems.append(_unknown_line(f"routing.lines.{line}", line))
    section = document.routing.get("languages")
    if isinstance(section, Mapping):
        for language in section:
            if language not in document.languages:
                problems.append(_unknown_language(f"routing.languages.{language}", language))
    for i, pair in enumerate(document.unserved):
        line, _, language = pair.partition("/")
        if line not in document.lines or language not in document.languages:
            problems.append(Problem(f"unserved[{i}]", ProblemCode.BAD_UNSERVED, {"pair": pair}))
    for name in document.diverts:
        if name == "voicemail" and document.diverts[name].max_length_s is None:
            problems.append(
                Problem("diverts.voicemail.max_length_s", ProblemCode.VOICEMAIL_NEEDS_MAX_LENGTH)
            )


def _check_ivr(ivr: Ivr, document: Document, problems: list[Problem]) -> None:
    options: tuple[tuple[str, tuple[LanguageOption | LineOption, ...]], ...] = (
        ("languages", ivr.languages),
        ("lines", ivr.lines),
    )
    for menu, entries in options:
        digits: dict[str, int] = {}
        for i, option in enumerate(entries):
            where = f"ivr.{menu}[{i}]"
            if len(option.digit) != 1 or option.digit not in _DIGITS:
                problems.append(Problem(f"{where}.digit", ProblemCode.BAD_DIGIT))
            elif option.digit in digits:
                other = f"ivr.{menu}[{digits[option.digit]}]"
                problems.append(
                    Problem(
                        f"{where}.digit",
                        ProblemCode.DUPLICATE_DIGIT,
                        {"digit": option.digit, "other": other},
                    )
                )
            else:
                digits[option.digit] = i
            if isinstance(option, LanguageOption) and option.language not in document.languages:
                problems.append(_unknown_language(f"{where}.language", option.language))
            if isinstance(option, LineOption) and option.line not in document.lines:
                problems.append(_unknown_line(f"{where}.line", option.line))
    offered = [o.language for o in ivr.languages] or list(document.languages)
    if ivr.default_language not in offered:
        problems.append(
            Problem(
                "ivr.default_language",
                ProblemCode.DEFAULT_LANGUAGE_NOT_IN_MENU,
                {"language": ivr.default_language},
            )
        )
    for number, language in ivr.number_languages.items():
        if language not in document.languages:
            problems.append(_unknown_language(f"ivr.number_languages.{number}", language))
    if ivr.closed_asks_language and not ivr.languages:
        problems.append(Problem("ivr.closed_asks_language", ProblemCode.NO_LANGUAGE_MENU))
    if ivr.default_line not in document.lines:
        problems.append(_unknown_line("ivr.default_line", ivr.default_line))
    if ivr.lines:
        chosen = {o.line for o in ivr.lines}
        for line in document.lines:
            if line not in chosen:
                problems.append(
                    Problem("ivr.lines", ProblemCode.LINE_WITHOUT_DIGIT, {"line": line})
                )


def prompt_references(document: Document) -> list[tuple[str, Sound]]:
    """(path, prompt) of every sound the document names (a prompt may name one per language)."""
    found: list[tuple[str, Sound]] = [
        ("ivr.greeting", document.ivr.greeting),
        ("ivr.closed_message", document.ivr.closed_message),
    ]
    found += [
        (f"ivr.languages[{i}].prompt", o.prompt) for i, o in enumerate(document.ivr.languages)
    ]
    found += [(f"ivr.lines[{i}].prompt", o.prompt) for i, o in enumerate(document.ivr.lines)]
    found += [(f"prompts.{k}", getattr(document.prompts, k)) for k in Prompts.model_fields]
    if document.survey.enabled:
        found += [
            ("survey.prompt", document.survey.prompt),
            ("survey.thanks", document.survey.thanks),
        ]
    found += [(f"diverts.{k}.prompt", d.prompt) for k, d in document.diverts.items()]
    return found


def sound_in(prompt: Sound, path: str, language: str) -> tuple[str, str] | None:
    """(path, sound name) a caller speaking ``language`` hears for ``prompt``: the one name,
    or the language's own entry (``ivr.greeting.en``); None when a per-language prompt leaves
    the language out (validation refuses that)."""
    if isinstance(prompt, str):
        return path, prompt
    name = prompt.get(language)
    return None if name is None else (f"{path}.{language}", name)


ANNOUNCED_NUMBERS = range(100)
"""The numbers an announcement says with the set's own ``number-<n>`` (above: ``number-many``);
the same range as ``numbers:`` in ``cti/sounds/prompts.yaml``."""


def played_sounds(document: Document, language: str) -> list[tuple[str, str]]:
    """(path, sound name) of every sound the service plays to a caller speaking ``language``
    under ``document``: the named prompts (a per-language prompt's entry for the language),
    plus the numbers the queue announcements say when either is on."""
    found = [
        pair
        for path, prompt in prompt_references(document)
        if (pair := sound_in(prompt, path, language)) is not None
    ]
    spoken = document.announcements
    for switch, on in (("position", spoken.position), ("expected_wait", spoken.expected_wait)):
        if on:
            path = f"announcements.{switch}"
            found += [(path, f"number-{n}") for n in ANNOUNCED_NUMBERS]
            found.append((path, "number-many"))
    return found


def played_by_language(document: Document) -> dict[str, list[tuple[str, str]]]:
    """:func:`played_sounds` for every language of the document: what ``hotline config
    check-sounds`` asks a site's Asterisk about, language by language."""
    return {language: played_sounds(document, language) for language in document.languages}


def _check_prompt_languages(document: Document, problems: list[Problem]) -> None:
    """A per-language prompt names exactly the document's languages."""
    for path, prompt in prompt_references(document):
        if isinstance(prompt, str):
            continue
        for language in prompt:
            if language not in document.languages:
                problems.append(_unknown_language(f"{path}.{language}", language))
        missing = [lang for lang in document.languages if lang not in prompt]
        if missing:
            problems.append(
                Problem(
                    path, ProblemCode.PROMPT_LANGUAGES_MISSING, {"languages": ", ".join(missing)}
                )
            )


def _unknown_sound(path: str, name: str) -> Problem:
    return Problem(path, ProblemCode.UNKNOWN_SOUND, {"sound": name})


def _not_recorded(path: str, name: str, languages: list[str]) -> Problem:
    params = {"sound": name, "languages": ", ".join(languages)}
    return Problem(path, ProblemCode.SOUND_NOT_RECORDED, params)


def _check_sounds(document: Document, sounds: Sounds, problems: list[Problem]) -> None:
    for path, prompt in prompt_references(document):
        if isinstance(prompt, str):
            recorded = sounds.get(prompt)
            if recorded is None:
                problems.append(_unknown_sound(path, prompt))
                continue
            missing = [lang for lang in document.languages if lang not in recorded]
            if missing:
                problems.append(_not_recorded(path, prompt, missing))
            continue
        for language, name in prompt.items():
            if language not in document.languages:
                continue  # named by _check_prompt_languages
            where = f"{path}.{language}"
            recorded = sounds.get(name)
            if recorded is None:
                problems.append(_unknown_sound(where, name))
            elif language not in recorded:
                problems.append(_not_recorded(where, name, [language]))


def _number(value: float) -> int | float:
    """A number as a param: ``50``, not ``50.0``, when it is whole (as the YAML said it)."""
    return int(value) if float(value).is_integer() else value


def _check_policy(document: Document, policy: routing.Policy, problems: list[Problem]) -> None:
    """Stages that can never be reached; divert outcomes the document does not define."""
    raw_lines = document.routing.get("lines") or {}
    checked: list[tuple[str, routing.LinePolicy]] = [("routing.default", policy.default)]
    checked += [(f"routing.lines.{name}", line) for name, line in policy.lines.items()]
    for where, line in checked:
        name = where.rsplit(".", 1)[-1]
        own_stages = where == "routing.default" or "stages" in (raw_lines.get(name) or {})
        stages_at = where if own_stages else "routing.default"
        if line.max_wait_s is not None:
            max_wait_s = _number(line.max_wait_s)
            for i, stage in enumerate(line.stages):
                if stage.after_s >= line.max_wait_s:
                    problems.append(
                        Problem(
                            f"{stages_at}.stages[{i}].after_s",
                            ProblemCode.STAGE_UNREACHABLE,
                            {"line": where.removeprefix("routing."), "max_wait_s": max_wait_s},
                        )
                    )
            if (
                line.callback_offer_after_s is not None
                and line.callback_offer_after_s >= line.max_wait_s
            ):
                problems.append(
                    Problem(
                        f"{where}.callback_offer_after_s",
                        ProblemCode.CALLBACK_NEVER_OFFERED,
                        {"max_wait_s": max_wait_s},
                    )
                )
        if where == "routing.default" and document.unserved and line.on_no_agents is None:
            problems.append(
                Problem("routing.default.on_no_agents", ProblemCode.ON_NO_AGENTS_REQUIRED)
            )
        for field_name in ("on_max_wait", "on_closed", "on_no_agents"):
            target = getattr(line, field_name)
            if target is not None and target.value not in document.diverts:
                problems.append(
                    Problem(
                        f"{where}.{field_name}",
                        ProblemCode.DIVERT_UNDEFINED,
                        {"outcome": target.value},
                    )
                )


# ------------------------------------------------------------------------------- coverage


@dataclasses.dataclass(frozen=True, slots=True)
class AgentSkills:
    """One active agent of the directory, as far as coverage cares."""

    levels: Mapping[tuple[str, str], int]  # (line, language) -> level
    languages: frozenset[str]
    overflow: bool


def coverage_problems(
    config: CentreConfig,
    agents: Collection[AgentSkills],
    skills: Collection[tuple[str, str]] | None = None,
) -> list[Problem]:
    """Every (line, language) the IVR lets a caller choose that is not a skill of the directory
    (when ``skills`` is given) or that no agent could ever serve, even at the widest stage."""
    problems: list[Problem] = []
    ivr = config.document.ivr
    languages = [o.language for o in ivr.languages] or [ivr.default_language]
    lines = [o.line for o in ivr.lines] or list(config.document.lines)
    unserved = set(config.document.unserved)
    for line in lines:
        for language in languages:
            if f"{line}/{language}" in unserved:
                continue
            pair = {"line": line, "language": language}
            if skills is not None and (line, language) not in skills:
                problems.append(Problem(f"lines.{line}", ProblemCode.UNKNOWN_SKILL, pair))
                continue
            widest = config.policy.resolve(line, language).stages[-1]
            if not any(_can_serve(a, line, language, widest) for a in agents):
                code = (
                    ProblemCode.LINE_UNSERVED_OVERFLOW
                    if widest.overflow
                    else ProblemCode.LINE_UNSERVED
                )
                params: dict[str, ParamValue] = {**pair, "max_level": widest.max_level}
                problems.append(Problem(f"lines.{line}", code, params))
    return problems


def _can_serve(agent: AgentSkills, line: str, language: str, widest: routing.Stage) -> bool:
    level = agent.levels.get((line, language))
    if level is not None and level <= widest.max_level:
        return True
    return widest.overflow and agent.overflow and language in agent.languages
