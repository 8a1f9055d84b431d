"""Routing policy as data: stages that widen with waiting time, timers, limits, service hours.

Resolution for a contact: the line's `LinePolicy` (or `default` for a line not listed), then the
patch for the contact's language, then the patch for its region; a later patch wins.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from routing.errors import PolicyError
from routing.errors import PolicyProblem as P
from routing.hours import OpenInterval, ServiceHours
from routing.model import Contact

if TYPE_CHECKING:
    from routing.model import Skill


class DivertTarget(enum.Enum):
    """Where a contact goes when routing gives up on it."""

    VOICEMAIL = "voicemail"  # the message becomes a work order downstream
    WORK_ORDER = "work_order"  # the shell opens a work order for a callback by a specialist
    CALLBACK = "callback"  # the shell schedules a callback (遇忙回复)


class AgentSelection(enum.Enum):
    """How to choose among eligible idle agents at the best level."""

    LONGEST_IDLE = "longest_idle"
    LEAST_OCCUPIED = "least_occupied"  # lowest busy share of logged-in time
    ROUND_ROBIN = "round_robin"  # next agent id after the last one chosen for the skill


@dataclass(frozen=True, slots=True)
class Stage:
    """From `after_s` seconds of waiting, agents up to `max_level` (and the overflow pool) serve."""

    after_s: float
    max_level: int
    overflow: bool = False

    def __post_init__(self) -> None:
        if not _is_number(self.after_s) or not math.isfinite(self.after_s) or self.after_s < 0:
            raise PolicyError(
                "after_s", "must be a finite number >= 0", P.MUST_BE_FINITE_NON_NEGATIVE
            )
        if not _is_int(self.max_level) or self.max_level < 1:
            raise PolicyError(
                "max_level", "must be an integer >= 1", P.MUST_BE_INTEGER_AT_LEAST, {"minimum": 1}
            )
        if not isinstance(self.overflow, bool):
            raise PolicyError("overflow", "must be true or false", P.MUST_BE_BOOL)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class LinePolicy:
    """Everything the engine needs to route one business line.

    `handle_time_s` seeds the learned mean handle time used for expected-wait announcements.
    `on_no_agents`, when set, diverts an arriving contact nobody logged in could ever serve.
    """

    stages: tuple[Stage, ...]
    callback_offer_after_s: float | None = None
    max_wait_s: float | None = None
    on_max_wait: DivertTarget = DivertTarget.VOICEMAIL
    ring_timeout_s: float = 15.0
    rona_misses: int = 2
    wrap_up_s: float = 30.0
    announce_every_s: float | None = None
    on_closed: DivertTarget = DivertTarget.VOICEMAIL
    on_no_agents: DivertTarget | None = None
    handle_time_s: float = 300.0

    def __post_init__(self) -> None:
        _check_stages(self.stages)
        _check_optional(self.callback_offer_after_s, "callback_offer_after_s", positive=False)
        _check_optional(self.max_wait_s, "max_wait_s", positive=True)
        _check_optional(self.announce_every_s, "announce_every_s", positive=True)
        _check_number(self.ring_timeout_s, "ring_timeout_s", positive=True)
        _check_number(self.wrap_up_s, "wrap_up_s", positive=False)
        _check_number(self.handle_time_s, "handle_time_s", positive=True)
        if not _is_int(self.rona_misses) or self.rona_misses < 1:
            raise PolicyError(
                "rona_misses",
                "must be an integer >= 1",
                P.MUST_BE_INTEGER_AT_LEAST,
                {"minimum": 1},
            )
        for name in ("on_max_wait", "on_closed"):
            if not isinstance(getattr(self, name), DivertTarget):
                raise PolicyError(name, "must be a DivertTarget", P.MUST_BE_DIVERT_TARGET)
        if self.on_no_agents is not None and not isinstance(self.on_no_agents, DivertTarget):
            raise PolicyError(
                "on_no_agents", "must be a DivertTarget or None", P.MUST_BE_DIVERT_TARGET_OR_NONE
            )

    def stage_at(self, waited_s: float) -> int:
        """Index of the stage in force after waiting `waited_s` seconds."""
        index = 0
        for i, stage in enumerate(self.stages):
            if stage.after_s <= waited_s:
                index = i
        return index


def _check_stages(stages: object) -> None:
    if not isinstance(stages, tuple) or not stages:
        raise PolicyError("stages", "must be a non-empty tuple of stages", P.STAGES_EMPTY)
    for i, stage in enumerate(stages):
        if not isinstance(stage, Stage):
            raise PolicyError(f"stages[{i}]", "must be a Stage", P.MUST_BE_STAGE)
    if stages[0].after_s != 0:
        raise PolicyError(
            "stages[0].after_s",
            "must be 0 (the first stage starts at once)",
            P.FIRST_STAGE_NOT_AT_ONCE,
        )
    for i in range(1, len(stages)):
        previous, stage = stages[i - 1], stages[i]
        if stage.after_s <= previous.after_s:
            raise PolicyError(
                f"stages[{i}].after_s",
                f"must be > stages[{i - 1}].after_s",
                P.STAGE_NOT_LATER,
                {"previous": i - 1},
            )
        if stage.max_level < previous.max_level:
            raise PolicyError(
                f"stages[{i}].max_level",
                "stages may only widen: must not decrease",
                P.STAGE_LEVEL_NARROWS,
            )
        if previous.overflow and not stage.overflow:
            raise PolicyError(
                f"stages[{i}].overflow",
                "stages may only widen: must stay true",
                P.STAGE_OVERFLOW_DROPPED,
            )


def _check_number(value: object, name: str, *, positive: bool) -> None:
    if not _is_number(value) or not math.isfinite(value):  # type: ignore[arg-type]
        raise PolicyError(name, "must be a finite number", P.MUST_BE_FINITE)
    if positive and value <= 0:  # type: ignore[operator]
        raise PolicyError(name, "must be > 0", P.MUST_BE_POSITIVE)
    if value < 0:  # type: ignore[operator]
        raise PolicyError(name, "must be >= 0", P.MUST_BE_NON_NEGATIVE)


def _check_optional(value: object, name: str, *, positive: bool) -> None:
    if value is not None:
        _check_number(value, name, positive=positive)


LINE_POLICY_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(LinePolicy))


@dataclass(frozen=True, slots=True)
class PolicyPatch:
    """A partial `LinePolicy`: only the fields it names replace the base policy's values."""

    values: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        for name, _ in self.values:
            if name not in LINE_POLICY_FIELDS:
                raise PolicyError(name, "unknown field", P.UNKNOWN_FIELD)

    @classmethod
    def of(cls, **values: Any) -> PolicyPatch:
        return cls(tuple(sorted(values.items())))

    def apply(self, base: LinePolicy) -> LinePolicy:
        return dataclasses.replace(base, **dict(self.values)) if self.values else base


@dataclass(frozen=True)
class Policy:
    """The whole centre's routing policy. Build it in code or with `Policy.from_dict`."""

    default: LinePolicy
    lines: Mapping[str, LinePolicy] = field(default_factory=dict)
    languages: Mapping[str, PolicyPatch] = field(default_factory=dict)
    regions: Mapping[str, PolicyPatch] = field(default_factory=dict)
    service_hours: ServiceHours | None = None
    agent_selection: AgentSelection = AgentSelection.LONGEST_IDLE
    # Lines with their own hours (a line not listed keeps `service_hours`); the centre's
    # configuration document sets them (hotline.centre), the plain policy data does not.
    line_hours: Mapping[str, ServiceHours] = field(default_factory=dict)
    _cache: dict[tuple[str, str, str | None], LinePolicy] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        if not isinstance(self.agent_selection, AgentSelection):
            raise PolicyError(
                "agent_selection", "must be an AgentSelection", P.MUST_BE_AGENT_SELECTION
            )
        for name, patches in (("languages", self.languages), ("regions", self.regions)):
            for key, patch in patches.items():
                try:
                    patch.apply(self.default)
                except PolicyError as exc:
                    raise exc.under(f"{name}.{key}") from None

    def resolve(self, line: str, language: str, region: str | None = None) -> LinePolicy:
        """The effective policy for a contact on `line`, speaking `language`, from `region`."""
        key = (line, language, region)
        found = self._cache.get(key)
        if found is None:
            found = self.lines.get(line, self.default)
            patch = self.languages.get(language)
            if patch is not None:
                found = patch.apply(found)
            if region is not None:
                patch = self.regions.get(region)
                if patch is not None:
                    found = patch.apply(found)
            self._cache[key] = found
        return found

    def for_contact(self, contact: Contact) -> LinePolicy:
        return self.resolve(contact.line, contact.language, contact.region)

    def for_skill(self, skill: Skill) -> LinePolicy:
        return self.resolve(skill.line, skill.language)

    def is_open(self, now: float) -> bool:
        """Whether the centre takes calls: some line is open (the IVR greets or says closed)."""
        if self.service_hours is None or self.service_hours.is_open(now):
            return True
        return any(hours.is_open(now) for hours in self.line_hours.values())

    def hours_for(self, line: str) -> ServiceHours | None:
        return self.line_hours.get(line, self.service_hours)

    def is_open_for(self, line: str, now: float) -> bool:
        hours = self.hours_for(line)
        return hours is None or hours.is_open(now)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        """Validate plain data (as loaded from YAML); raises `PolicyError` naming the field."""
        from routing import _policy_codec

        return _policy_codec.policy_from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """Plain data that `from_dict` reads back into an equal policy."""
        from routing import _policy_codec

        return _policy_codec.policy_to_dict(self)


def default_policy() -> Policy:
    """The 12366 centre's policy: widen from specialists to the overflow pool within a minute."""
    line = LinePolicy(
        stages=(
            Stage(after_s=0, max_level=1),  # 主修 specialists speaking the caller's language
            Stage(after_s=20, max_level=2),
            Stage(after_s=45, max_level=3),  # every 选修 agent
            Stage(after_s=60, max_level=3, overflow=True),
        ),
        callback_offer_after_s=90,
        max_wait_s=600,
        on_max_wait=DivertTarget.WORK_ORDER,
        ring_timeout_s=15,
        rona_misses=2,
        wrap_up_s=30,
        announce_every_s=45,
        on_closed=DivertTarget.VOICEMAIL,
        on_no_agents=DivertTarget.VOICEMAIL,
        handle_time_s=300,
    )
    nine_to_five = OpenInterval.parse("09:00-17:00")
    return Policy(
        default=line,
        lines={"national_tax": line, "local_tax": line, "finance": line},
        service_hours=ServiceHours.weekdays([nine_to_five]),
        agent_selection=AgentSelection.LONGEST_IDLE,
    )
