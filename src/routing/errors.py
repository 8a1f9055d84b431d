"""Errors raised by the routing engine.

Hierarchy::

    RoutingError                 base of everything this package raises on purpose
    ├── PolicyError              a policy (or a piece of one) is invalid; names the field path
    │                            and what is wrong as a stable code (PolicyProblem) with params
    ├── UnknownContactError      a read accessor was asked about a contact the state does not hold
    └── UnknownAgentError        a read accessor was asked about an agent who is not logged in

`apply` itself never raises these for late or duplicated telephony events: those are normal and
yield no decisions. Only the read accessors (`contact_snapshot`, `agent_view`) raise, because
asking them about an id you never gave the engine is a programming mistake.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

ParamValue = str | int | float
"""A value a problem's wording names: a field, a number, a quoted value."""


class PolicyProblem(enum.StrEnum):
    """What is wrong with a policy value, as a stable code.

    The English ``problem`` of a :class:`PolicyError` is this package's own wording (for the
    simulator, logs and tests); a shell that speaks to people in other languages words the code
    and its params from its own catalogue (hotline: zh-CN and en), which is why every raise
    names one. The values are part of that contract: never rename one.
    """

    INVALID = "invalid"  # a problem with no code of its own; params: detail (the English text)
    REQUIRED = "required"
    UNKNOWN_FIELD = "unknown_field"
    MUST_BE_MAPPING = "must_be_mapping"
    KEYS_MUST_BE_STRINGS = "keys_must_be_strings"  # key
    MUST_BE_NUMBER = "must_be_number"
    MUST_BE_INTEGER = "must_be_integer"
    MUST_BE_ONE_OF = "must_be_one_of"  # choices
    MUST_BE_FINITE = "must_be_finite"
    MUST_BE_POSITIVE = "must_be_positive"
    MUST_BE_NON_NEGATIVE = "must_be_non_negative"
    MUST_BE_FINITE_NON_NEGATIVE = "must_be_finite_non_negative"
    MUST_BE_INTEGER_AT_LEAST = "must_be_integer_at_least"  # minimum
    MUST_BE_BOOL = "must_be_bool"
    MUST_BE_DIVERT_TARGET = "must_be_divert_target"
    MUST_BE_DIVERT_TARGET_OR_NONE = "must_be_divert_target_or_none"
    MUST_BE_AGENT_SELECTION = "must_be_agent_selection"
    MUST_BE_STAGE = "must_be_stage"
    MUST_BE_STAGE_LIST = "must_be_stage_list"
    STAGES_EMPTY = "stages_empty"
    FIRST_STAGE_NOT_AT_ONCE = "first_stage_not_at_once"
    STAGE_NOT_LATER = "stage_not_later"  # previous (the index of the stage before)
    STAGE_LEVEL_NARROWS = "stage_level_narrows"
    STAGE_OVERFLOW_DROPPED = "stage_overflow_dropped"
    UTC_OFFSET_OUT_OF_RANGE = "utc_offset_out_of_range"  # low, high
    MUST_BE_INTERVAL_LIST = "must_be_interval_list"
    MUST_BE_INTERVAL_TEXT = "must_be_interval_text"
    INTERVAL_OUT_OF_ORDER = "interval_out_of_order"
    INTERVAL_MALFORMED = "interval_malformed"  # text (as written, quoted)
    MUST_BE_DATE_LIST = "must_be_date_list"
    NOT_A_DATE = "not_a_date"  # value (as written, quoted)


class RoutingError(Exception):
    """Base class of the routing package's errors."""


class PolicyError(RoutingError, ValueError):
    """An invalid policy value; `path` locates it, e.g. ``lines.national_tax.stages[1].after_s``.

    `problem` says what is wrong in English; `code` and `params` say the same as data (see
    :class:`PolicyProblem`). Without a code the problem is ``invalid``, its text the ``detail``.
    """

    def __init__(
        self,
        path: str,
        problem: str,
        code: PolicyProblem = PolicyProblem.INVALID,
        params: Mapping[str, ParamValue] | None = None,
    ) -> None:
        self.path = path
        self.problem = problem
        self.code = code
        if params is None:
            params = {"detail": problem} if code is PolicyProblem.INVALID else {}
        self.params: Mapping[str, ParamValue] = dict(params)
        super().__init__(f"{path}: {problem}" if path else problem)

    def under(self, prefix: str) -> PolicyError:
        """The same problem, located below `prefix` (used while descending a nested document)."""
        if not prefix:
            return self
        joined = f"{prefix}{self.path}" if self.path.startswith("[") else f"{prefix}.{self.path}"
        return PolicyError(joined if self.path else prefix, self.problem, self.code, self.params)


class UnknownContactError(RoutingError, KeyError):
    """The state holds no contact with this id (never arrived, or already finished)."""

    def __init__(self, contact_id: str) -> None:
        self.contact_id = contact_id
        super().__init__(contact_id)

    def __str__(self) -> str:
        return f"unknown contact {self.contact_id!r}"


class UnknownAgentError(RoutingError, KeyError):
    """The state holds no logged-in agent with this id."""

    def __init__(self, agent_id: str) -> None:
        self.agent_id = agent_id
        super().__init__(agent_id)

    def __str__(self) -> str:
        return f"unknown agent {self.agent_id!r}"
