"""pydantic's field errors as configuration problems: a code by the error's ``type``.

pydantic words its errors in English (``Input should be a valid integer``); the page and the
CLI speak the reader's language, so each ``type`` the document's schema can raise maps to a
code of the catalogue, with the limits from the error's ``ctx`` as params. A type not listed
here (a future pydantic's) is still shown: as ``invalid`` with pydantic's own words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hotline.centre.problems import ParamValue, Problem, ProblemCode
from routing import PolicyProblem

# type -> (code, the ctx key whose value the text names, as which param)
_BY_TYPE: dict[str, tuple[str, tuple[str, str] | None]] = {
    "missing": (PolicyProblem.REQUIRED, None),
    "extra_forbidden": (PolicyProblem.UNKNOWN_FIELD, None),
    "string_type": (ProblemCode.MUST_BE_TEXT, None),
    "int_type": (PolicyProblem.MUST_BE_INTEGER, None),
    "int_parsing": (PolicyProblem.MUST_BE_INTEGER, None),
    "int_from_float": (PolicyProblem.MUST_BE_INTEGER, None),
    "float_type": (PolicyProblem.MUST_BE_NUMBER, None),
    "float_parsing": (PolicyProblem.MUST_BE_NUMBER, None),
    "finite_number": (PolicyProblem.MUST_BE_FINITE, None),
    "bool_type": (PolicyProblem.MUST_BE_BOOL, None),
    "bool_parsing": (PolicyProblem.MUST_BE_BOOL, None),
    "dict_type": (PolicyProblem.MUST_BE_MAPPING, None),
    "model_type": (PolicyProblem.MUST_BE_MAPPING, None),
    "model_attributes_type": (PolicyProblem.MUST_BE_MAPPING, None),
    "tuple_type": (ProblemCode.MUST_BE_LIST, None),
    "list_type": (ProblemCode.MUST_BE_LIST, None),
    "literal_error": (PolicyProblem.MUST_BE_ONE_OF, ("expected", "choices")),
    "greater_than": (ProblemCode.MUST_BE_GREATER_THAN, ("gt", "limit")),
    "greater_than_equal": (ProblemCode.MUST_BE_AT_LEAST, ("ge", "limit")),
    "less_than": (ProblemCode.MUST_BE_LESS_THAN, ("lt", "limit")),
    "less_than_equal": (ProblemCode.MUST_BE_AT_MOST, ("le", "limit")),
    "too_short": (ProblemCode.TOO_SHORT, ("min_length", "min_length")),
    "too_long": (ProblemCode.TOO_LONG, ("max_length", "max_length")),
}
MAPPED_TYPES = frozenset(_BY_TYPE)


def schema_problem(error: Mapping[str, Any]) -> Problem:
    """One entry of ``ValidationError.errors()`` as a problem at its path."""
    path = ""
    for part in error["loc"]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    found = _BY_TYPE.get(str(error["type"]))
    if found is None:
        return Problem(path, PolicyProblem.INVALID, {"detail": str(error["msg"])})
    code, named = found
    params: dict[str, ParamValue] = {}
    if named is not None:
        key, param = named
        params[param] = _param(key, (error.get("ctx") or {}).get(key))
    return Problem(path, code, params)


def _param(key: str, value: object) -> ParamValue:
    if key == "expected":
        # pydantic joins a Literal's choices with an English "or": the choices alone are
        # what every language needs ("'chinese', 'weekdays'").
        return str(value).replace(" or ", ", ")
    if isinstance(value, float) and value.is_integer():
        return int(value)  # a float field's limit: "> 0", as the schema was written
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return str(value)
