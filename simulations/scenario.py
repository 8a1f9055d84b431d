"""The scenario file: a simulated day of traffic and staffing, validated field by field.

``load_scenario(path)`` reads YAML; ``parse_scenario(data, source)`` validates plain data. Every
problem is collected (not just the first) and reported as ``source: traffic[0].handle_time.mean_s:
must be > 0``. Each problem is also data (:class:`ScenarioProblem`: the path, a stable code and
the values its text names), so that a shell speaking to people in other languages (hotline's ops
pages, in zh-CN or English) can word it from its own catalogue, as it does the routing package's
``PolicyError``; the English here is this package's own wording. Set-ups that cannot be
simulated (a call type no agent group can serve, lists whose length does not match the number of
intervals) are refused here, before any simulation runs. The format is documented in
docs/simulator.md.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml

import routing

DistributionKind = Literal["exponential", "lognormal", "constant"]
_DISTRIBUTIONS: tuple[DistributionKind, ...] = ("exponential", "lognormal", "constant")
_T = TypeVar("_T")


ParamValue = str | int | float
"""A value a problem's wording names: a field, a number, a quoted value, a list as text."""


class ScenarioProblemCode(enum.StrEnum):
    """What is wrong with a scenario, as a stable code (params in the comments). A shell words
    the code from its own catalogue (hotline: ``scenario.problem.<code>``, zh-CN and en); never
    rename a value. The routing policy's own problems keep routing's codes (``PolicyProblem``),
    prefixed ``policy.``."""

    UNREADABLE_FILE = "unreadable_file"  # reason (the system's words)
    NOT_YAML = "not_yaml"  # detail (the YAML parser's words)
    EMPTY = "empty"
    REQUIRED = "required"
    MUST_BE_VERSION_1 = "must_be_version_1"
    MUST_BE_MAPPING = "must_be_mapping"
    MUST_BE_POLICY_MAPPING = "must_be_policy_mapping"
    MUST_BE_NON_EMPTY_LIST = "must_be_non_empty_list"
    MUST_BE_STRING = "must_be_string"
    MUST_BE_INTEGER = "must_be_integer"
    MUST_BE_NUMBER = "must_be_number"
    MUST_BE_BOOL = "must_be_bool"
    MUST_BE_AT_LEAST = "must_be_at_least"  # limit
    MUST_BE_GREATER_THAN = "must_be_greater_than"  # limit
    MUST_BE_AT_MOST = "must_be_at_most"  # limit
    MUST_BE_ONE_OF = "must_be_one_of"  # choices
    MUST_BE_CLOCK_TIME = "must_be_clock_time"  # value (as written, quoted)
    MUST_BE_LANGUAGE_LIST = "must_be_language_list"
    UNKNOWN_FIELD = "unknown_field"  # expected
    LISTED_TWICE = "listed_twice"  # pair (line/language)
    POISSON_ONLY = "poisson_only"
    GROUP_NAME_TAKEN = "group_name_taken"  # name (quoted)
    BAD_SKILL_LEVEL = "bad_skill_level"
    GROUP_WITHOUT_SKILL = "group_without_skill"
    SKILL_WITHOUT_TRAFFIC = "skill_without_traffic"  # group, skill (quoted), skills
    UNSERVED = "unserved"  # pair (line/language)
    OVERFLOW_ONLY = "overflow_only"  # skill (quoted), skills
    LENGTH_MISMATCH = "length_mismatch"  # got, count


# This package's own (English) wording of each code; hotline's catalogue has the same English.
ENGLISH: dict[ScenarioProblemCode, str] = {
    ScenarioProblemCode.UNREADABLE_FILE: "cannot read file: {reason}",
    ScenarioProblemCode.NOT_YAML: "not valid YAML: {detail}",
    ScenarioProblemCode.EMPTY: "empty scenario",
    ScenarioProblemCode.REQUIRED: "is required",
    ScenarioProblemCode.MUST_BE_VERSION_1: "must be 1",
    ScenarioProblemCode.MUST_BE_MAPPING: "must be a mapping",
    ScenarioProblemCode.MUST_BE_POLICY_MAPPING: "must be a mapping (the routing policy)",
    ScenarioProblemCode.MUST_BE_NON_EMPTY_LIST: "must be a non-empty list",
    ScenarioProblemCode.MUST_BE_STRING: "must be a string",
    ScenarioProblemCode.MUST_BE_INTEGER: "must be an integer",
    ScenarioProblemCode.MUST_BE_NUMBER: "must be a number",
    ScenarioProblemCode.MUST_BE_BOOL: "must be true or false",
    ScenarioProblemCode.MUST_BE_AT_LEAST: "must be >= {limit}",
    ScenarioProblemCode.MUST_BE_GREATER_THAN: "must be > {limit}",
    ScenarioProblemCode.MUST_BE_AT_MOST: "must be <= {limit}",
    ScenarioProblemCode.MUST_BE_ONE_OF: "must be one of {choices}",
    ScenarioProblemCode.MUST_BE_CLOCK_TIME: (
        "must be a clock time HH:MM, e.g. '09:00' (got {value})"
    ),
    ScenarioProblemCode.MUST_BE_LANGUAGE_LIST: "must be a list of language codes",
    ScenarioProblemCode.UNKNOWN_FIELD: "unknown field (expected one of {expected})",
    ScenarioProblemCode.LISTED_TWICE: "{pair} is listed twice",
    ScenarioProblemCode.POISSON_ONLY: "must be poisson (the only arrival process so far)",
    ScenarioProblemCode.GROUP_NAME_TAKEN: "{name} is used by another group",
    ScenarioProblemCode.BAD_SKILL_LEVEL: "level must be an integer >= 1",
    ScenarioProblemCode.GROUP_WITHOUT_SKILL: "a group needs at least one skill or overflow: true",
    ScenarioProblemCode.SKILL_WITHOUT_TRAFFIC: (
        "group {group} names skill {skill}, which no traffic line has (traffic skills: {skills})"
    ),
    ScenarioProblemCode.UNSERVED: "no agent group can serve {pair} (skill and language)",
    ScenarioProblemCode.OVERFLOW_ONLY: (
        "no agent group lists skill {skill}, only an overflow pool could take its calls "
        "(group skills: {skills})"
    ),
    ScenarioProblemCode.LENGTH_MISMATCH: "has {got} values but intervals.count is {count}",
}
POLICY_PREFIX = "policy."
_Code = ScenarioProblemCode


@dataclass(frozen=True, slots=True)
class ScenarioProblem:
    """One thing wrong: where (a path of YAML keys, ``""`` for the whole file), what (a
    :class:`ScenarioProblemCode`, or ``policy.`` and a ``routing.PolicyProblem``), the values
    its text names, and the English text."""

    path: str
    code: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    english: str = ""

    @classmethod
    def of(cls, path: str, code: ScenarioProblemCode, **params: ParamValue) -> ScenarioProblem:
        return cls(path, str(code), params, ENGLISH[code].format(**params))

    @classmethod
    def of_policy(cls, exc: routing.PolicyError, prefix: str = "routing") -> ScenarioProblem:
        """A routing policy error, its path placed below ``prefix``."""
        path = f"{prefix}.{exc.path}" if exc.path else prefix
        return cls(path, POLICY_PREFIX + str(exc.code), dict(exc.params), exc.problem)

    def line(self) -> str:
        """``path: text`` in English (``text`` alone for the whole file)."""
        return f"{self.path}: {self.english}" if self.path else self.english


class ScenarioError(ValueError):
    """An invalid scenario: every problem found (``items``); ``problems`` holds each as one
    English ``path: message`` line, the message names the file in front of each."""

    def __init__(self, source: str, items: Iterable[ScenarioProblem]) -> None:
        self.source = source
        self.items: tuple[ScenarioProblem, ...] = tuple(items)
        self.problems = [item.line() for item in self.items]
        super().__init__("\n".join(f"{source}: {problem}" for problem in self.problems))


@dataclass(frozen=True, slots=True)
class Distribution:
    """A positive random duration in seconds; ``cv`` is used by lognormal only."""

    kind: DistributionKind
    mean_s: float
    cv: float = 1.0


@dataclass(frozen=True, slots=True)
class Traffic:
    """One business line in one language: its expected calls per interval and caller behaviour."""

    line: str
    language: str
    calls_per_interval: tuple[float, ...]  # one value per interval
    handle_time: Distribution
    patience: Distribution | None  # None: callers never hang up
    priority: int = 0

    @property
    def label(self) -> str:
        return f"{self.line}/{self.language}"


@dataclass(frozen=True, slots=True)
class AgentGroup:
    """Agents with the same skills; ``count`` is the number logged in during each interval."""

    name: str
    count: tuple[int, ...]
    levels: Mapping[str, int]  # business line -> level (1 primary)
    languages: frozenset[str]
    overflow: bool = False
    cost: float = 1.0  # relative cost of one seat for an interval (staffing search objective)

    def can_serve(self, line: str, language: str) -> bool:
        if language not in self.languages:
            return False
        return line in self.levels or self.overflow


@dataclass(frozen=True, slots=True)
class Callbacks:
    offer_after_s: float
    accept_probability: float


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    seed: int
    replications: int
    interval_count: int
    interval_minutes: float
    warmup_minutes: float
    threshold_s: float
    traffic: tuple[Traffic, ...]
    agents: tuple[AgentGroup, ...]
    wrap_up_s: float = 0.0
    ring_s: float = 0.0
    routing: Mapping[str, Any] | None = None  # None: the production default policy
    callbacks: Callbacks | None = None
    source: str = "scenario"
    start_minute: int = 9 * 60  # clock time of the first interval, minutes after midnight

    @property
    def interval_s(self) -> float:
        return self.interval_minutes * 60.0

    @property
    def warmup_s(self) -> float:
        return self.warmup_minutes * 60.0

    @property
    def day_s(self) -> float:
        return self.interval_count * self.interval_s

    def interval_label(self, index: int) -> str:
        """Interval ``index`` as the clock times people plan with, e.g. ``09:00-09:30``."""
        start = self.start_minute + index * self.interval_minutes
        return f"{_clock(start)}-{_clock(start + self.interval_minutes)}"

    def interval_start(self, index: int) -> str:
        """The clock time interval ``index`` starts, e.g. ``09:30``."""
        return _clock(self.start_minute + index * self.interval_minutes)

    def with_staffing(self, counts: Mapping[str, tuple[int, ...]]) -> Scenario:
        """A copy with some groups' per-interval agent counts replaced (staffing search)."""
        groups = tuple(
            replace(group, count=counts[group.name]) if group.name in counts else group
            for group in self.agents
        )
        return replace(self, agents=groups)


def load_scenario(path: str | Path) -> Scenario:
    source = Path(path).name
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        problem = ScenarioProblem.of("", _Code.UNREADABLE_FILE, reason=str(exc.strerror))
        raise ScenarioError(source, [problem]) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(
            source, [ScenarioProblem.of("", _Code.NOT_YAML, detail=str(exc))]
        ) from exc
    return parse_scenario(data, source)


def parse_scenario(data: object, source: str = "scenario") -> Scenario:
    reader = _Reader()
    scenario = reader.scenario(data, source)
    if reader.problems or scenario is None:
        raise ScenarioError(source, reader.problems or [ScenarioProblem.of("", _Code.EMPTY)])
    return scenario


class _Reader:
    """Walks plain data, records every problem with its path, and builds the model when clean."""

    def __init__(self) -> None:
        self.problems: list[ScenarioProblem] = []
        self.demands: list[tuple[int, str, str]] = []  # (traffic index, line, language)

    def fail(self, path: str, code: ScenarioProblemCode, **params: ParamValue) -> None:
        self.problems.append(ScenarioProblem.of(path, code, **params))

    def scenario(self, data: object, source: str) -> Scenario | None:
        root = self.mapping(data, "(top level)")
        if root is None:
            return None
        known = {
            "version",
            "name",
            "seed",
            "replications",
            "intervals",
            "warmup_minutes",
            "service_level",
            "traffic",
            "wrap_up_s",
            "ring_s",
            "agents",
            "routing",
            "callbacks",
            "description",
        }
        self.no_unknown(root, known, "")
        version = root.get("version")
        if version != 1:
            self.fail("version", _Code.MUST_BE_VERSION_1 if "version" in root else _Code.REQUIRED)
        name = self.text(root, "name", "", default="scenario")
        seed = self.integer(root, "seed", "", default=0, minimum=0)
        replications = self.integer(root, "replications", "", default=10, minimum=1)
        intervals = self.mapping(root.get("intervals"), "intervals")
        count = 0
        minutes = 30.0
        start_minute = 9 * 60
        if intervals is not None:
            self.no_unknown(intervals, {"count", "minutes", "start"}, "intervals.")
            count = self.integer(intervals, "count", "intervals.", minimum=1)
            minutes = self.number(intervals, "minutes", "intervals.", default=30.0, above=0.0)
            start_minute = self.clock_time(intervals, "start", "intervals.", default=start_minute)
        warmup = self.number(root, "warmup_minutes", "", default=0.0, minimum=0.0)
        threshold = 20.0
        level = root.get("service_level")
        if level is not None:
            level_map = self.mapping(level, "service_level")
            if level_map is not None:
                self.no_unknown(level_map, {"threshold_s"}, "service_level.")
                threshold = self.number(
                    level_map, "threshold_s", "service_level.", default=20.0, minimum=0.0
                )
        traffic = self.traffic_list(root.get("traffic"), count)
        groups = self.group_list(root.get("agents"), count)
        wrap_up = self.number(root, "wrap_up_s", "", default=0.0, minimum=0.0)
        ring = self.number(root, "ring_s", "", default=0.0, minimum=0.0)
        routing = root.get("routing")
        if routing is not None and not isinstance(routing, dict):
            self.fail("routing", _Code.MUST_BE_POLICY_MAPPING)
            routing = None
        elif routing:
            self.policy(routing)
        callbacks = self.callbacks(root.get("callbacks"))
        self.check_coverage(groups)
        if self.problems:
            return None
        return Scenario(
            name=name,
            seed=seed,
            replications=replications,
            interval_count=count,
            interval_minutes=minutes,
            warmup_minutes=warmup,
            threshold_s=threshold,
            traffic=tuple(traffic),
            agents=tuple(groups),
            wrap_up_s=wrap_up,
            ring_s=ring,
            routing=routing,
            callbacks=callbacks,
            source=source,
            start_minute=start_minute,
        )

    def policy(self, data: dict[str, Any]) -> None:
        """The routing engine validates its own policy; its errors are placed under ``routing``."""
        try:
            routing.Policy.from_dict(data)
        except routing.PolicyError as exc:
            self.problems.append(ScenarioProblem.of_policy(exc))

    def traffic_list(self, data: object, count: int) -> list[Traffic]:
        items = self.sequence(data, "traffic", required=True)
        result: list[Traffic] = []
        seen: set[tuple[str, str]] = set()
        for index, item in enumerate(items):
            path = f"traffic[{index}]"
            entry = self.mapping(item, path)
            if entry is None:
                continue
            known = {"skill", "language", "calls_per_interval", "arrivals", "handle_time"}
            self.no_unknown(entry, known | {"patience", "priority"}, f"{path}.")
            line = self.text(entry, "skill", f"{path}.")
            language = self.text(entry, "language", f"{path}.", default="zh")
            self.demands.append((index, line, language))
            if (line, language) in seen:
                self.fail(f"{path}.skill", _Code.LISTED_TWICE, pair=f"{line}/{language}")
            seen.add((line, language))
            arrivals = entry.get("arrivals", "poisson")
            if arrivals != "poisson":
                self.fail(f"{path}.arrivals", _Code.POISSON_ONLY)
            calls = self.per_interval(
                entry.get("calls_per_interval"), f"{path}.calls_per_interval", count, float
            )
            handle = self.distribution(entry.get("handle_time"), f"{path}.handle_time", True)
            patience = self.distribution(entry.get("patience"), f"{path}.patience", False)
            priority = self.integer(entry, "priority", f"{path}.", default=0)
            if handle is not None and calls is not None:
                result.append(Traffic(line, language, calls, handle, patience, priority))
        return result

    def group_list(self, data: object, count: int) -> list[AgentGroup]:
        items = self.sequence(data, "agents", required=True)
        result: list[AgentGroup] = []
        names: set[str] = set()
        for index, item in enumerate(items):
            path = f"agents[{index}]"
            entry = self.mapping(item, path)
            if entry is None:
                continue
            self.no_unknown(
                entry, {"group", "count", "skills", "languages", "overflow", "cost"}, f"{path}."
            )
            name = self.text(entry, "group", f"{path}.")
            if name in names:
                self.fail(f"{path}.group", _Code.GROUP_NAME_TAKEN, name=repr(name))
            names.add(name)
            counts = self.per_interval(entry.get("count"), f"{path}.count", count, int)
            levels: dict[str, int] = {}
            skills = self.mapping(entry.get("skills", {}), f"{path}.skills")
            for line, level in (skills or {}).items():
                if isinstance(level, bool) or not isinstance(level, int) or level < 1:
                    self.fail(f"{path}.skills.{line}", _Code.BAD_SKILL_LEVEL)
                else:
                    levels[str(line)] = level
            languages_data = entry.get("languages", ["zh"])
            languages = self.sequence(languages_data, f"{path}.languages", required=True)
            if not all(isinstance(lang, str) and lang for lang in languages):
                self.fail(f"{path}.languages", _Code.MUST_BE_LANGUAGE_LIST)
            overflow = entry.get("overflow", False)
            if not isinstance(overflow, bool):
                self.fail(f"{path}.overflow", _Code.MUST_BE_BOOL)
            if not levels and overflow is not True:
                self.fail(f"{path}.skills", _Code.GROUP_WITHOUT_SKILL)
            cost = self.number(entry, "cost", f"{path}.", default=1.0, above=0.0)
            if counts is not None:
                group = AgentGroup(
                    name, counts, levels, frozenset(map(str, languages)), overflow is True, cost
                )
                result.append(group)
        return result

    def callbacks(self, data: object) -> Callbacks | None:
        if data is None:
            return None
        entry = self.mapping(data, "callbacks")
        if entry is None:
            return None
        self.no_unknown(entry, {"offer_after_s", "accept_probability"}, "callbacks.")
        offer_after = self.number(entry, "offer_after_s", "callbacks.", minimum=0.0)
        probability = self.number(
            entry, "accept_probability", "callbacks.", minimum=0.0, maximum=1.0
        )
        return Callbacks(offer_after, probability)

    def check_coverage(self, groups: list[AgentGroup]) -> None:
        lines = {line for _, line, _ in self.demands if line}
        group_lines = {line for group in groups for line in group.levels}
        for group_index, group in enumerate(groups):
            # A skill no traffic line asks for is almost always a typo (nationl_tax): refuse it
            # rather than staff seats that would silently never take a call of that line.
            for line in sorted(set(group.levels) - lines):
                self.fail(
                    f"agents[{group_index}].skills.{line}",
                    _Code.SKILL_WITHOUT_TRAFFIC,
                    group=repr(group.name),
                    skill=repr(line),
                    skills=_listing(lines),
                )
        for index, line, language in self.demands:
            if line and not any(group.can_serve(line, language) for group in groups):
                self.fail(f"traffic[{index}].skill", _Code.UNSERVED, pair=f"{line}/{language}")
            elif line and line not in group_lines:
                # Only overflow seats could take it: almost always a typo in the traffic entry.
                self.fail(
                    f"traffic[{index}].skill",
                    _Code.OVERFLOW_ONLY,
                    skill=repr(line),
                    skills=_listing(group_lines),
                )

    def clock_time(self, entry: Mapping[str, Any], key: str, prefix: str, default: int) -> int:
        """``"09:00"`` as minutes after midnight."""
        value = entry.get(key)
        if value is None:
            return default
        # YAML 1.1 reads an unquoted 09:00 as the sexagesimal integer 540 (= minutes); accept it.
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
            return value
        if isinstance(value, str):
            hours, _, mins = value.partition(":")
            if hours.isdigit() and mins.isdigit() and int(hours) < 24 and int(mins) < 60:
                return int(hours) * 60 + int(mins)
        self.fail(f"{prefix}{key}", _Code.MUST_BE_CLOCK_TIME, value=repr(value))
        return default

    def distribution(self, data: object, path: str, required: bool) -> Distribution | None:
        if data is None:
            if required:
                self.fail(path, _Code.REQUIRED)
            return None
        entry = self.mapping(data, path)
        if entry is None:
            return None
        kind = entry.get("dist", "exponential")
        if kind not in _DISTRIBUTIONS:
            self.fail(f"{path}.dist", _Code.MUST_BE_ONE_OF, choices=", ".join(_DISTRIBUTIONS))
            return None
        allowed = {"dist", "mean_s", "cv"} if kind == "lognormal" else {"dist", "mean_s"}
        self.no_unknown(entry, allowed, f"{path}.")
        mean = self.number(entry, "mean_s", f"{path}.", above=0.0)
        cv = 1.0
        if kind == "lognormal":
            cv = self.number(entry, "cv", f"{path}.", above=0.0)
        return Distribution(kind, mean, cv)

    def per_interval(
        self, data: object, path: str, count: int, kind: Callable[[Any], _T]
    ) -> tuple[_T, ...] | None:
        """A single value for every interval, or a list with exactly one value per interval."""
        wanted = _Code.MUST_BE_INTEGER if kind is int else _Code.MUST_BE_NUMBER
        if data is None:
            self.fail(path, _Code.REQUIRED)
            return None
        values = data if isinstance(data, list) else [data] * max(count, 1)
        if isinstance(data, list) and count and len(data) != count:
            self.fail(path, _Code.LENGTH_MISMATCH, got=len(data), count=count)
            return None
        result: list[_T] = []
        for index, value in enumerate(values):
            where = f"{path}[{index}]" if isinstance(data, list) else path
            if not _is_number(value) or (kind is int and not isinstance(value, int)):
                self.fail(where, wanted)
                return None
            if value < 0:
                self.fail(where, _Code.MUST_BE_AT_LEAST, limit="0")
                return None
            result.append(kind(value))
        return tuple(result)

    def mapping(self, data: object, path: str) -> dict[str, Any] | None:
        if not isinstance(data, dict):
            self.fail(path, _Code.REQUIRED if data is None else _Code.MUST_BE_MAPPING)
            return None
        return {str(key): value for key, value in data.items()}

    def sequence(self, data: object, path: str, required: bool) -> list[Any]:
        if data is None:
            if required:
                self.fail(path, _Code.REQUIRED)
            return []
        if not isinstance(data, list) or (required and not data):
            self.fail(path, _Code.MUST_BE_NON_EMPTY_LIST)
            return []
        return data

    def no_unknown(self, entry: Mapping[str, Any], known: set[str], prefix: str) -> None:
        for key in entry:
            if key not in known:
                self.fail(f"{prefix}{key}", _Code.UNKNOWN_FIELD, expected=_listing(known))

    def text(self, entry: Mapping[str, Any], key: str, prefix: str, default: str = "") -> str:
        value = entry.get(key, default or None)
        if not isinstance(value, str) or not value:
            self.fail(f"{prefix}{key}", _Code.REQUIRED if value is None else _Code.MUST_BE_STRING)
            return default
        return value

    def integer(
        self,
        entry: Mapping[str, Any],
        key: str,
        prefix: str,
        default: int | None = None,
        minimum: int | None = None,
    ) -> int:
        value = entry.get(key, default)
        if value is None:
            self.fail(f"{prefix}{key}", _Code.REQUIRED)
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"{prefix}{key}", _Code.MUST_BE_INTEGER)
            return 0
        if minimum is not None and value < minimum:
            self.fail(f"{prefix}{key}", _Code.MUST_BE_AT_LEAST, limit=str(minimum))
        return value

    def number(
        self,
        entry: Mapping[str, Any],
        key: str,
        prefix: str,
        default: float | None = None,
        minimum: float | None = None,
        above: float | None = None,
        maximum: float | None = None,
    ) -> float:
        value = entry.get(key, default)
        path = f"{prefix}{key}"
        if value is None:
            self.fail(path, _Code.REQUIRED)
            return 0.0
        if not _is_number(value):
            self.fail(path, _Code.MUST_BE_NUMBER)
            return 0.0
        number = float(value)
        if minimum is not None and number < minimum:
            self.fail(path, _Code.MUST_BE_AT_LEAST, limit=_show(minimum))
        if above is not None and number <= above:
            self.fail(path, _Code.MUST_BE_GREATER_THAN, limit=_show(above))
        if maximum is not None and number > maximum:
            self.fail(path, _Code.MUST_BE_AT_MOST, limit=_show(maximum))
        return number


def _clock(minutes: float) -> str:
    whole = round(minutes)
    if whole == 24 * 60:
        return "24:00"  # the end of a day that closes at midnight
    return f"{whole // 60 % 24:02d}:{whole % 60:02d}"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _show(number: float) -> str:
    return f"{number:g}"


def _listing(names: Iterable[str]) -> str:
    """Names as a sorted list in text; ``-`` for none (a sign every language reads)."""
    return ", ".join(sorted(names)) or "-"
