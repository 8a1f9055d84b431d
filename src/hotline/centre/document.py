"""The centre's configuration document: its schema and its validation (pure: no I/O, no clock).

One YAML document says how the centre answers: business lines and languages, the routing policy
(the very ``routing:`` format of the simulator's scenarios, read by ``routing.Policy.from_dict``,
so a policy tried in ``hotline simulate`` can be published as is), service hours per line with
the working-day calendar and special days, the IVR menus, the prompts, the announcements, the
survey and what each divert outcome does. docs/config.md describes every field.

:func:`parse_document` reports EVERY problem, each as ``path: what is wrong``, instead of
stopping at the first: an admin fixes a file in one pass. The sounds that exist (per language)
are an argument, so that this module reads no file; the directory check (a line that no agent
can ever serve) needs the database and lives in :func:`coverage_problems`, fed plain data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

import routing

CalendarName = Literal["chinese", "weekdays"]
DivertName = Literal["voicemail", "work_order", "callback", "message"]
_DIGITS = frozenset("0123456789*#")

Sound = str | dict[str, str]
"""A prompt: one sound name that plays in the caller's language (``welcome``: Asterisk plays
``sounds/<language>/hotline/welcome``), or a name per language (``{zh: welcome, en:
welcome-intl}``), which must then name every language of the document."""


class ConfigInvalid(ValueError):
    """A document that cannot be published; ``problems`` holds one ``path: message`` each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


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
        raise ConfigInvalid([_pydantic_problem(e) for e in exc.errors()]) from None
    problems: list[str] = []
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


def _pydantic_problem(error: Any) -> str:
    path = ""
    for part in error["loc"]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    message = str(error["msg"])
    if error["type"] == "extra_forbidden":
        message = "unknown field"
    elif error["type"] == "missing":
        message = "required"
    return f"{path or '(top level)'}: {message}"


def _routing(document: Document, problems: list[str]) -> routing.Policy | None:
    """The routing policy, with every section checked apart so that all problems show."""
    raw = document.routing
    if "service_hours" in raw:
        problems.append("routing.service_hours: unknown field: service hours go under hours")
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
    found: list[str] = []
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


def _policy_problem(exc: routing.PolicyError) -> str:
    return f"routing.{exc.path}: {exc.problem}" if exc.path else f"routing: {exc.problem}"


_HOURS_OWN = ("calendar", "lines")


def _hours(
    document: Document, problems: list[str]
) -> tuple[routing.ServiceHours | None, dict[str, routing.ServiceHours], CalendarName | None]:
    raw = document.hours
    if raw is None:
        return None, {}, None
    calendar = raw.get("calendar", "chinese")
    if calendar not in ("chinese", "weekdays"):
        problems.append(f"hours.calendar: unknown calendar {calendar!r}: chinese or weekdays")
        calendar = "weekdays"
    common = {k: v for k, v in raw.items() if k not in _HOURS_OWN}
    hours = _service_hours(common, "hours", problems)
    per_line: dict[str, routing.ServiceHours] = {}
    lines = raw.get("lines") or {}
    if not isinstance(lines, Mapping):
        problems.append("hours.lines: must be a mapping of line -> hours")
        lines = {}
    for line, own in lines.items():
        where = f"hours.lines.{line}"
        if line not in document.lines:
            problems.append(f"{where}: unknown line {line!r} (not in lines)")
            continue
        if not isinstance(own, Mapping):
            problems.append(f"{where}: must be a mapping")
            continue
        # A line's hours start from the centre's and replace the fields they name.
        found = _service_hours({**common, **own}, where, problems)
        if found is not None:
            per_line[str(line)] = found
    return hours, per_line, calendar


def _service_hours(
    raw: Mapping[str, Any], path: str, problems: list[str]
) -> routing.ServiceHours | None:
    try:
        return routing.ServiceHours.from_dict(raw, path)
    except routing.PolicyError as exc:
        problems.append(f"{exc.path}: {exc.problem}")
        return None


def _check_names(document: Document, problems: list[str]) -> None:
    for kind, known in (("lines", document.lines), ("languages", document.languages)):
        seen: set[str] = set()
        for i, name in enumerate(known):
            if name in seen:
                problems.append(f"{kind}[{i}]: {name!r} is listed twice")
            seen.add(name)
    section = document.routing.get("lines")
    if isinstance(section, Mapping):
        for line in section:
            if line not in document.lines:
                problems.append(f"routing.lines.{line}: unknown line {line!r} (not in lines)")
    section = document.routing.get("languages")
    if isinstance(section, Mapping):
        for language in section:
            if language not in document.languages:
                problems.append(
                    f"routing.languages.{language}: unknown language {language!r} "
                    "(not in languages)"
                )
    for i, pair in enumerate(document.unserved):
        line, _, language = pair.partition("/")
        if line not in document.lines or language not in document.languages:
            problems.append(
                f"unserved[{i}]: {pair!r} must be line/language, both listed under lines and "
                "languages"
            )
    for name in document.diverts:
        if name == "voicemail" and document.diverts[name].max_length_s is None:
            problems.append("diverts.voicemail.max_length_s: required for a voicemail")


def _check_ivr(ivr: Ivr, document: Document, problems: list[str]) -> None:
    options: tuple[tuple[str, tuple[LanguageOption | LineOption, ...]], ...] = (
        ("languages", ivr.languages),
        ("lines", ivr.lines),
    )
    for menu, entries in options:
        digits: dict[str, int] = {}
        for i, option in enumerate(entries):
            where = f"ivr.{menu}[{i}]"
            if len(option.digit) != 1 or option.digit not in _DIGITS:
                problems.append(f"{where}.digit: must be one key: 0-9, * or #")
            elif option.digit in digits:
                problems.append(
                    f"{where}.digit: {option.digit!r} is already ivr.{menu}[{digits[option.digit]}]"
                )
            else:
                digits[option.digit] = i
            if isinstance(option, LanguageOption) and option.language not in document.languages:
                problems.append(
                    f"{where}.language: unknown language {option.language!r} (not in languages)"
                )
            if isinstance(option, LineOption) and option.line not in document.lines:
                problems.append(f"{where}.line: unknown line {option.line!r} (not in lines)")
    offered = [o.language for o in ivr.languages] or list(document.languages)
    if ivr.default_language not in offered:
        problems.append(
            f"ivr.default_language: {ivr.default_language!r} is not a language of the menu"
        )
    for number, language in ivr.number_languages.items():
        if language not in document.languages:
            problems.append(
                f"ivr.number_languages.{number}: unknown language {language!r} (not in languages)"
            )
    if ivr.closed_asks_language and not ivr.languages:
        problems.append("ivr.closed_asks_language: the language menu (ivr.languages) is empty")
    if ivr.default_line not in document.lines:
        problems.append(f"ivr.default_line: unknown line {ivr.default_line!r} (not in lines)")
    if ivr.lines:
        chosen = {o.line for o in ivr.lines}
        for line in document.lines:
            if line not in chosen:
                problems.append(f"ivr.lines: line {line!r} has no digit: no caller can reach it")


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


def _check_prompt_languages(document: Document, problems: list[str]) -> None:
    """A per-language prompt names exactly the document's languages."""
    for path, prompt in prompt_references(document):
        if isinstance(prompt, str):
            continue
        for language in prompt:
            if language not in document.languages:
                problems.append(
                    f"{path}.{language}: unknown language {language!r} (not in languages)"
                )
        missing = [lang for lang in document.languages if lang not in prompt]
        if missing:
            problems.append(
                f"{path}: no sound for {', '.join(missing)} (a prompt named per language names "
                "every language of the document)"
            )


def _check_sounds(document: Document, sounds: Sounds, problems: list[str]) -> None:
    for path, prompt in prompt_references(document):
        if isinstance(prompt, str):
            recorded = sounds.get(prompt)
            if recorded is None:
                problems.append(f"{path}: unknown sound {prompt!r}")
                continue
            missing = [lang for lang in document.languages if lang not in recorded]
            if missing:
                problems.append(
                    f"{path}: sound {prompt!r} has no recording in {', '.join(missing)}"
                )
            continue
        for language, name in prompt.items():
            if language not in document.languages:
                continue  # named by _check_prompt_languages
            where = f"{path}.{language}"
            recorded = sounds.get(name)
            if recorded is None:
                problems.append(f"{where}: unknown sound {name!r}")
            elif language not in recorded:
                problems.append(f"{where}: sound {name!r} has no recording in {language}")


def _check_policy(document: Document, policy: routing.Policy, problems: list[str]) -> None:
    """Stages that can never be reached; divert outcomes the document does not define."""
    raw_lines = document.routing.get("lines") or {}
    checked: list[tuple[str, routing.LinePolicy]] = [("routing.default", policy.default)]
    checked += [(f"routing.lines.{name}", line) for name, line in policy.lines.items()]
    for where, line in checked:
        name = where.rsplit(".", 1)[-1]
        own_stages = where == "routing.default" or "stages" in (raw_lines.get(name) or {})
        stages_at = where if own_stages else "routing.default"
        if line.max_wait_s is not None:
            for i, stage in enumerate(line.stages):
                if stage.after_s >= line.max_wait_s:
                    problems.append(
                        f"{stages_at}.stages[{i}].after_s: can never be reached: callers on "
                        f"{where.removeprefix('routing.')} are diverted at max_wait_s "
                        f"{line.max_wait_s:g}"
                    )
            if (
                line.callback_offer_after_s is not None
                and line.callback_offer_after_s >= line.max_wait_s
            ):
                problems.append(
                    f"{where}.callback_offer_after_s: never offered: must be below max_wait_s "
                    f"{line.max_wait_s:g}"
                )
        if where == "routing.default" and document.unserved and line.on_no_agents is None:
            problems.append(
                "routing.default.on_no_agents: required when some line/language is unserved "
                "(their callers would wait for nobody)"
            )
        for field_name in ("on_max_wait", "on_closed", "on_no_agents"):
            target = getattr(line, field_name)
            if target is not None and target.value not in document.diverts:
                problems.append(
                    f"{where}.{field_name}: {target.value!r} has no entry under diverts"
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
) -> list[str]:
    """Every (line, language) the IVR lets a caller choose that is not a skill of the directory
    (when ``skills`` is given) or that no agent could ever serve, even at the widest stage."""
    problems: list[str] = []
    ivr = config.document.ivr
    languages = [o.language for o in ivr.languages] or [ivr.default_language]
    lines = [o.line for o in ivr.lines] or list(config.document.lines)
    unserved = set(config.document.unserved)
    for line in lines:
        for language in languages:
            if f"{line}/{language}" in unserved:
                continue
            if skills is not None and (line, language) not in skills:
                problems.append(
                    f"lines.{line}: unknown skill {line}/{language} (the directory has no such "
                    "skill: add it, or list it under unserved)"
                )
                continue
            widest = config.policy.resolve(line, language).stages[-1]
            if not any(_can_serve(a, line, language, widest) for a in agents):
                problems.append(
                    f"lines.{line}: no agent group can ever serve {line}/{language} "
                    f"(no active agent with the skill at level <= {widest.max_level}"
                    f"{' or in the overflow pool' if widest.overflow else ''})"
                )
    return problems


def _can_serve(agent: AgentSkills, line: str, language: str, widest: routing.Stage) -> bool:
    level = agent.levels.get((line, language))
    if level is not None and level <= widest.max_level:
        return True
    return widest.overflow and agent.overflow and language in agent.languages
