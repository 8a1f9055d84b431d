"""Policy as data: resolution, validation with field paths, YAML-shaped round trips."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from routing import (
    AgentSelection,
    Contact,
    DivertTarget,
    LinePolicy,
    Policy,
    PolicyError,
    PolicyPatch,
    Stage,
    default_policy,
)

BASE: dict[str, Any] = {
    "agent_selection": "longest_idle",
    "default": {
        "stages": [
            {"after_s": 0, "max_level": 1},
            {"after_s": 20, "max_level": 2},
            {"after_s": 60, "max_level": 3, "overflow": True},
        ],
        "ring_timeout_s": 15,
        "max_wait_s": 600,
        "on_max_wait": "work_order",
    },
    "lines": {"national_tax": {"wrap_up_s": 45}, "finance": {}},
    "languages": {"en": {"ring_timeout_s": 20, "announce_every_s": 30}},
    "regions": {"wenzhou": {"ring_timeout_s": 25}},
    "service_hours": {
        "utc_offset_hours": 8,
        "weekly": {day: ["09:00-12:00", "13:00-17:00"] for day in ("mon", "tue", "wed")},
        "non_working_dates": ["2026-10-01"],
        "extra_working_dates": ["2026-02-14"],
    },
}


def test_the_12366_policy_is_the_documented_one() -> None:
    policy = default_policy()
    line = policy.resolve("national_tax", "zh")
    assert [(s.after_s, s.max_level, s.overflow) for s in line.stages] == [
        (0, 1, False),
        (20, 2, False),
        (45, 3, False),
        (60, 3, True),
    ]
    assert line.callback_offer_after_s == 90
    assert (line.max_wait_s, line.on_max_wait) == (600, DivertTarget.WORK_ORDER)
    assert (line.ring_timeout_s, line.rona_misses, line.wrap_up_s) == (15, 2, 30)
    assert line.announce_every_s == 45
    assert set(policy.lines) == {"national_tax", "local_tax", "finance"}
    assert policy.agent_selection is AgentSelection.LONGEST_IDLE
    hours = policy.service_hours
    assert hours is not None
    monday_10h_beijing = 1_774_836_000.0  # 2026-03-30 10:00 +08:00
    assert hours.is_open(monday_10h_beijing)
    assert not hours.is_open(monday_10h_beijing + 8 * 3600)  # 18:00


@pytest.mark.parametrize(
    ("line", "language", "region", "ring", "wrap", "announce"),
    [
        ("national_tax", "zh", None, 15, 45, None),  # the line's own value
        ("local_tax", "zh", None, 15, 30, None),  # an unlisted line falls back to default
        ("national_tax", "en", None, 20, 45, 30),  # language patch over the line
        ("national_tax", "zh", "wenzhou", 25, 45, None),  # region patch
        ("finance", "en", "wenzhou", 25, 30, 30),  # region wins over language
        ("finance", "ko", "hangzhou", 15, 30, None),  # no patch for either
    ],
)
def test_resolution_table(
    line: str, language: str, region: str | None, ring: float, wrap: float, announce: float | None
) -> None:
    policy = Policy.from_dict(BASE)
    resolved = policy.resolve(line, language, region)
    assert (resolved.ring_timeout_s, resolved.wrap_up_s, resolved.announce_every_s) == (
        ring,
        wrap,
        announce,
    )
    contact = Contact("c", line, language, 0.0, region=region)
    assert policy.for_contact(contact) == resolved
    assert policy.resolve(line, language, region) is resolved  # cached


def test_round_trip_through_plain_data() -> None:
    policy = Policy.from_dict(BASE)
    again = Policy.from_dict(copy.deepcopy(policy.to_dict()))
    assert again == policy
    assert Policy.from_dict(default_policy().to_dict()) == default_policy()
    assert default_policy().to_dict()["lines"] == {
        "national_tax": {},
        "local_tax": {},
        "finance": {},
    }


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("default", "stages", 1, "after_s"), -5, "default.stages[1].after_s: must be a finite"),
        (("default", "stages", 0, "after_s"), 3, "default.stages[0].after_s: must be 0"),
        (("default", "stages", 2, "after_s"), 10, "default.stages[2].after_s: must be >"),
        (("default", "stages", 1, "max_level"), 0, "default.stages[1].max_level: must be an"),
        (("default", "stages", 2, "max_level"), 1, "default.stages[2].max_level: stages may"),
        (("default", "stages", 1, "colour"), 1, "default.stages[1].colour: unknown field"),
        (("default", "stages", 1, "after_s"), _DELETE, "default.stages[1].after_s: required"),
        (("default", "stages", 1), "soon", "default.stages[1]: must be a mapping"),
        (("default", "stages"), "all", "default.stages: must be a list"),
        (("default", "stages"), [], "default.stages: must be a non-empty"),
        (("default", "stages"), _DELETE, "default.stages: required"),
        (("default",), _DELETE, "default: required"),
        (("default", "ring_timeout_s"), 0, "default.ring_timeout_s: must be > 0"),
        (("default", "ring_timeout_s"), "15", "default.ring_timeout_s: must be a number"),
        (("default", "ring_timeout_s"), True, "default.ring_timeout_s: must be a number"),
        (("default", "wrap_up_s"), -1, "default.wrap_up_s: must be >= 0"),
        (("default", "rona_misses"), 0, "default.rona_misses: must be an integer >= 1"),
        (("default", "rona_misses"), 1.5, "default.rona_misses: must be an integer"),
        (("default", "on_max_wait"), "email", "default.on_max_wait: must be one of"),
        (("default", "on_no_agents"), "fax", "default.on_no_agents: must be one of"),
        (
            ("lines", "national_tax", "stages"),
            [{"after_s": 0, "max_level": 2}, {"after_s": 9, "max_level": 1}],
            "lines.national_tax.stages[1].max_level",
        ),
        (("lines", "national_tax", "wrap"), 1, "lines.national_tax.wrap: unknown field"),
        (("lines", "national_tax", "max_wait_s"), 0, "lines.national_tax.max_wait_s: must be > 0"),
        (("languages", "en", "ring_timeout_s"), -2, "languages.en.ring_timeout_s: must be > 0"),
        (("regions", "wenzhou"), [], "regions.wenzhou: must be a mapping"),
        (("agent_selection",), "random", "agent_selection: must be one of"),
        (("colour",), "blue", "colour: unknown field"),
        (("service_hours", "weekly", "mon", 0), "9-5", "service_hours.weekly.mon[0]: expected"),
        (("service_hours", "weekly", "mon", 0), "17:00-09:00", "service_hours.weekly.mon[0]: must"),
        (("service_hours", "weekly", "mon", 0), 9, "service_hours.weekly.mon[0]: must be a str"),
        (("service_hours", "weekly", "mon"), "9-5", "service_hours.weekly.mon: must be a list"),
        (("service_hours", "weekly", "someday"), [], "service_hours.weekly.someday: unknown"),
        (("service_hours", "non_working_dates", 0), "May Day", "non_working_dates[0]: not a date"),
        (("service_hours", "extra_working_dates"), "x", "extra_working_dates: must be a list"),
        (("service_hours", "utc_offset_hours"), 20, "service_hours.utc_offset_hours: must be"),
        (("service_hours", "adjusted_day_hours"), "x", "adjusted_day_hours: must be a list"),
    ],
)
def test_from_dict_errors_name_the_field(path: tuple[Any, ...], value: Any, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        Policy.from_dict(_with(path, value))
    assert message in str(caught.value)


def test_from_dict_rejects_non_mappings_and_odd_keys() -> None:
    with pytest.raises(PolicyError, match="must be a mapping"):
        Policy.from_dict([])  # type: ignore[arg-type]
    with pytest.raises(PolicyError, match="keys must be strings"):
        Policy.from_dict({1: "x"})  # type: ignore[dict-item]


def test_optional_fields_accept_null_and_dates_accept_date_objects() -> None:
    import datetime as dt

    data = _with(("default", "max_wait_s"), None)
    data["default"]["on_no_agents"] = None
    data["service_hours"]["non_working_dates"] = [dt.date(2026, 10, 1)]
    data["service_hours"]["adjusted_day_hours"] = ["10:00-16:00"]
    policy = Policy.from_dict(data)
    assert policy.default.max_wait_s is None
    assert policy.service_hours is not None
    assert policy.service_hours.non_working_dates == {dt.date(2026, 10, 1)}
    assert Policy.from_dict(policy.to_dict()) == policy


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        ((Stage(0, 2), Stage(10, 3, overflow=True), Stage(20, 3)), "stages[2].overflow"),
        ((), "stages: must be a non-empty"),
        ((Stage(0, 1), "later"), "stages[1]: must be a Stage"),
    ],
)
def test_line_policy_validates_when_built_in_code(stages: Any, message: str) -> None:
    with pytest.raises(PolicyError, match=message.replace("[", r"\[").replace("]", r"\]")):
        LinePolicy(stages=stages)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("on_max_wait", "voicemail"),
        ("on_closed", None),
        ("on_no_agents", "x"),
        ("callback_offer_after_s", -1),
        ("announce_every_s", 0),
        ("handle_time_s", float("inf")),
    ],
)
def test_line_policy_field_checks(field: str, value: Any) -> None:
    with pytest.raises(PolicyError, match=field):
        LinePolicy(stages=(Stage(0, 1),), **{field: value})


@pytest.mark.parametrize(
    ("after_s", "max_level", "overflow"), [(float("nan"), 1, False), (0, 1.5, False), (0, 1, 1)]
)
def test_stage_checks(after_s: float, max_level: int, overflow: bool) -> None:
    with pytest.raises(PolicyError):
        Stage(after_s, max_level, overflow)


def test_patches_reject_unknown_fields_and_bad_values() -> None:
    with pytest.raises(PolicyError, match="colour: unknown field"):
        PolicyPatch.of(colour="blue")
    line = LinePolicy(stages=(Stage(0, 1),))
    with pytest.raises(PolicyError, match=r"languages\.en\.ring_timeout_s"):
        Policy(default=line, languages={"en": PolicyPatch.of(ring_timeout_s=-1)})
    with pytest.raises(PolicyError, match="agent_selection"):
        Policy(default=line, agent_selection="fastest")  # type: ignore[arg-type]
    assert PolicyPatch().apply(line) is line


def test_stage_at_and_open_without_hours() -> None:
    line = LinePolicy(stages=(Stage(0, 1), Stage(20, 2), Stage(45, 3)))
    assert [line.stage_at(w) for w in (0, 19.9, 20, 44, 45, 1000)] == [0, 0, 1, 1, 2, 2]
    assert Policy(default=line).is_open(0.0)


def test_policy_error_paths_compose() -> None:
    error = PolicyError("after_s", "bad").under("stages[1]").under("lines.x")
    assert str(error) == "lines.x.stages[1].after_s: bad"
    assert str(PolicyError("[2]", "bad").under("list")) == "list[2]: bad"
    assert str(PolicyError("", "bad").under("where")) == "where: bad"
    assert str(PolicyError("", "bad")) == "bad"
    assert PolicyError("a", "bad").under("").path == "a"


def test_enum_values_may_be_given_as_members_and_skills_resolve() -> None:
    from routing import Skill

    data = copy.deepcopy(BASE)
    data["default"]["on_max_wait"] = DivertTarget.CALLBACK
    policy = Policy.from_dict(data)
    assert policy.default.on_max_wait is DivertTarget.CALLBACK
    assert policy.for_skill(Skill("national_tax", "en")) == policy.resolve("national_tax", "en")
