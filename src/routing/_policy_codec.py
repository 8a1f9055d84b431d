"""Plain data (YAML, JSON) to `Policy` and back, with errors that name the field path."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from routing.errors import PolicyError
from routing.errors import PolicyProblem as P
from routing.hours import CHINA_UTC_OFFSET_S, OpenInterval, ServiceHours
from routing.policy import (
    LINE_POLICY_FIELDS,
    AgentSelection,
    DivertTarget,
    LinePolicy,
    Policy,
    PolicyPatch,
    Stage,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TOP_FIELDS = ("default", "lines", "languages", "regions", "service_hours", "agent_selection")
_HOURS_FIELDS = (
    "utc_offset_hours",
    "weekly",
    "non_working_dates",
    "extra_working_dates",
    "adjusted_day_hours",
)
_STAGE_FIELDS = ("after_s", "max_level", "overflow")
_E = TypeVar("_E", bound=enum.Enum)


def policy_from_dict(data: Mapping[str, Any]) -> Policy:
    top = _mapping(data, "")
    _no_unknown(top, _TOP_FIELDS, "")
    if "default" not in top:
        raise PolicyError("default", "required", P.REQUIRED)
    default_values = _line_values(top["default"], "default")
    if "stages" not in default_values:
        raise PolicyError("default.stages", "required", P.REQUIRED)
    default = _build("default", LinePolicy, **default_values)
    lines: dict[str, LinePolicy] = {}
    for name, raw in _mapping(top.get("lines", {}), "lines").items():
        path = f"lines.{name}"
        values = _line_values(raw, path)
        lines[name] = _build(path, PolicyPatch.of(**values).apply, default)
    patches: dict[str, dict[str, PolicyPatch]] = {}
    for kind in ("languages", "regions"):
        patches[kind] = {}
        for key, raw in _mapping(top.get(kind, {}), kind).items():
            path = f"{kind}.{key}"
            patch = PolicyPatch.of(**_line_values(raw, path))
            _build(path, patch.apply, default)
            patches[kind][key] = patch
    hours = top.get("service_hours")
    return Policy(
        default=default,
        lines=lines,
        languages=patches["languages"],
        regions=patches["regions"],
        service_hours=None if hours is None else _hours_from_dict(hours, "service_hours"),
        agent_selection=_enum(
            AgentSelection, top.get("agent_selection", "longest_idle"), "agent_selection"
        ),
    )


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    data: dict[str, Any] = {
        "agent_selection": policy.agent_selection.value,
        "default": _line_to_dict(policy.default),
        "lines": {
            name: _line_difference(line, policy.default) for name, line in policy.lines.items()
        },
        "languages": {k: _patch_to_dict(p) for k, p in policy.languages.items()},
        "regions": {k: _patch_to_dict(p) for k, p in policy.regions.items()},
    }
    if policy.service_hours is not None:
        data["service_hours"] = _hours_to_dict(policy.service_hours)
    return data


_T = TypeVar("_T")


def _build(path: str, make: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    try:
        return make(*args, **kwargs)
    except PolicyError as exc:
        raise exc.under(path) from None


def _line_values(raw: object, path: str) -> dict[str, Any]:
    """Parse the fields present in a line (or patch) mapping; absent fields stay absent."""
    fields = _mapping(raw, path)
    _no_unknown(fields, LINE_POLICY_FIELDS, path)
    values: dict[str, Any] = {}
    for name, value in fields.items():
        where = f"{path}.{name}"
        if name == "stages":
            values[name] = _stages(value, where)
        elif name in ("on_max_wait", "on_closed"):
            values[name] = _enum(DivertTarget, value, where)
        elif name == "on_no_agents":
            values[name] = None if value is None else _enum(DivertTarget, value, where)
        elif name == "rona_misses":
            if isinstance(value, bool) or not isinstance(value, int):
                raise PolicyError(where, "must be an integer", P.MUST_BE_INTEGER)
            values[name] = value
        elif value is None and name in ("callback_offer_after_s", "max_wait_s", "announce_every_s"):
            values[name] = None
        else:
            values[name] = _number(value, where)
    return values


def _stages(raw: object, path: str) -> tuple[Stage, ...]:
    if not isinstance(raw, list | tuple):
        raise PolicyError(path, "must be a list of stages", P.MUST_BE_STAGE_LIST)
    stages = []
    for i, item in enumerate(raw):
        where = f"{path}[{i}]"
        fields = _mapping(item, where)
        _no_unknown(fields, _STAGE_FIELDS, where)
        for required in ("after_s", "max_level"):
            if required not in fields:
                raise PolicyError(f"{where}.{required}", "required", P.REQUIRED)
        stages.append(_build(where, Stage, **fields))
    return tuple(stages)


def _hours_from_dict(raw: object, path: str) -> ServiceHours:
    fields = _mapping(raw, path)
    _no_unknown(fields, _HOURS_FIELDS, path)
    weekly_raw = _mapping(fields.get("weekly", {}), f"{path}.weekly")
    _no_unknown(weekly_raw, WEEKDAYS, f"{path}.weekly")
    weekly = tuple(_intervals(weekly_raw.get(day, []), f"{path}.weekly.{day}") for day in WEEKDAYS)
    adjusted = fields.get("adjusted_day_hours")
    offset_hours = _number(
        fields.get("utc_offset_hours", CHINA_UTC_OFFSET_S / 3600), f"{path}.utc_offset_hours"
    )
    if not -14 <= offset_hours <= 14:
        raise PolicyError(
            f"{path}.utc_offset_hours",
            "must be between -14 and 14",
            P.UTC_OFFSET_OUT_OF_RANGE,
            {"low": -14, "high": 14},
        )
    return ServiceHours(
        weekly=weekly,  # type: ignore[arg-type]  # seven entries, one per WEEKDAYS
        utc_offset_s=offset_hours * 3600.0,
        non_working_dates=_dates(fields.get("non_working_dates", []), f"{path}.non_working_dates"),
        extra_working_dates=_dates(
            fields.get("extra_working_dates", []), f"{path}.extra_working_dates"
        ),
        adjusted_day_hours=None
        if adjusted is None
        else _intervals(adjusted, f"{path}.adjusted_day_hours"),
    )


def hours_from_dict(raw: object, path: str) -> ServiceHours:
    return _hours_from_dict(raw, path)


def _intervals(raw: object, path: str) -> tuple[OpenInterval, ...]:
    if not isinstance(raw, list | tuple):
        raise PolicyError(
            path, "must be a list like ['09:00-12:00', '13:00-17:00']", P.MUST_BE_INTERVAL_LIST
        )
    result = []
    for i, item in enumerate(raw):
        if not isinstance(item, str):
            raise PolicyError(
                f"{path}[{i}]", "must be a string 'HH:MM-HH:MM'", P.MUST_BE_INTERVAL_TEXT
            )
        result.append(_build(f"{path}[{i}]", OpenInterval.parse, item))
    return tuple(sorted(result))


def _dates(raw: object, path: str) -> frozenset[dt.date]:
    if not isinstance(raw, list | tuple):
        raise PolicyError(path, "must be a list of dates", P.MUST_BE_DATE_LIST)
    result = set()
    for i, item in enumerate(raw):
        if isinstance(item, dt.date) and not isinstance(item, dt.datetime):
            result.add(item)
            continue
        try:
            result.add(dt.date.fromisoformat(str(item)))
        except ValueError:
            raise PolicyError(
                f"{path}[{i}]",
                f"not a date (YYYY-MM-DD): {item!r}",
                P.NOT_A_DATE,
                {"value": repr(item)},
            ) from None
    return frozenset(result)


def _hours_to_dict(hours: ServiceHours) -> dict[str, Any]:
    data: dict[str, Any] = {
        "utc_offset_hours": hours.utc_offset_s / 3600.0,
        "weekly": {
            day: [str(iv) for iv in hours.weekly[i]]
            for i, day in enumerate(WEEKDAYS)
            if hours.weekly[i]
        },
        "non_working_dates": sorted(d.isoformat() for d in hours.non_working_dates),
        "extra_working_dates": sorted(d.isoformat() for d in hours.extra_working_dates),
    }
    if hours.adjusted_day_hours is not None:
        data["adjusted_day_hours"] = [str(iv) for iv in hours.adjusted_day_hours]
    return data


def _line_to_dict(line: LinePolicy) -> dict[str, Any]:
    return {name: _plain(getattr(line, name)) for name in LINE_POLICY_FIELDS}


def _line_difference(line: LinePolicy, base: LinePolicy) -> dict[str, Any]:
    """Only the fields where `line` departs from `base` (a line is written as a patch)."""
    return {
        name: _plain(getattr(line, name))
        for name in LINE_POLICY_FIELDS
        if getattr(line, name) != getattr(base, name)
    }


def _patch_to_dict(patch: PolicyPatch) -> dict[str, Any]:
    return {name: _plain(value) for name, value in patch.values}


def _plain(value: object) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Stage):
        return {"after_s": value.after_s, "max_level": value.max_level, "overflow": value.overflow}
    return value


def _mapping(raw: object, path: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise PolicyError(path, "must be a mapping", P.MUST_BE_MAPPING)
    for key in raw:
        if not isinstance(key, str):
            raise PolicyError(
                path,
                f"keys must be strings, got {key!r}",
                P.KEYS_MUST_BE_STRINGS,
                {"key": repr(key)},
            )
    return raw


def _no_unknown(fields: Mapping[str, Any], known: tuple[str, ...], path: str) -> None:
    for name in fields:
        if name not in known:
            raise PolicyError(f"{path}.{name}" if path else name, "unknown field", P.UNKNOWN_FIELD)


def _number(value: object, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PolicyError(path, "must be a number", P.MUST_BE_NUMBER)
    return value


def _enum(kind: type[_E], value: object, path: str) -> _E:
    if isinstance(value, kind):
        return value
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(str(member.value) for member in kind)
        raise PolicyError(
            path, f"must be one of: {choices}", P.MUST_BE_ONE_OF, {"choices": choices}
        ) from None
