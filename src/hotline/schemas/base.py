from __future__ import annotations

from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    SecretStr,
    StringConstraints,
    ValidationInfo,
    field_validator,
)


def refuse_nul(text: str) -> str:
    # PostgreSQL text cannot hold U+0000 (SQLite can): refuse it at the edge, naming the field,
    # rather than as a database error once the handler has started its work.
    if "\x00" in text:
        raise ValueError("must not contain the NUL character (U+0000)")
    return text


_Model = TypeVar("_Model", bound=BaseModel)


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_character(cls, value: Any) -> Any:
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(text, str):
            refuse_nul(text)
        return value


_set = object.__setattr__


def trusted(cls: type[_Model], fields: dict[str, Any]) -> _Model:
    """``cls.model_construct(**fields)`` for a ``fields`` that holds every field of ``cls`` by
    its name: the same instance (its ``__dict__`` is ``fields``, every field counted as set),
    without ``model_construct``'s walk over each field's aliases and defaults, which was the
    larger part of building a list page's rows (fifteen to thirty-four fields each, fifty rows).
    Only for models without aliases, extra fields, private attributes or a post-init hook;
    ``tests/hotline/test_trusted_models.py`` holds each model it builds to ``model_construct``.
    """
    item = cls.__new__(cls)
    _set(item, "__dict__", fields)
    _set(item, "__pydantic_fields_set__", set(fields))
    _set(item, "__pydantic_extra__", None)
    _set(item, "__pydantic_private__", None)
    return item


class Patch(Schema):
    """A partial update: a field left out keeps its value, ``null`` clears it.

    Only the fields in ``clearable`` (optional columns: a region, a department head) can be
    cleared. For the others ``null`` would reach a NOT NULL column (a database error once the
    handler has started) or be silently ignored: it is refused here, naming the field (422)."""

    clearable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_clearable(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.clearable:
            raise ValueError("must not be null: leave the field out to keep its current value")
        return value


def _moment_text(value: Any) -> Any:
    # pydantic reads a bare number as seconds since 1970: a client that sent 20260301 meant a
    # day, not a moment in 1970; only ISO 8601 text is taken.
    if isinstance(value, int | float) or (isinstance(value, str) and _is_number(value)):
        raise ValueError("must be an ISO 8601 date-time with a UTC offset, not a number")
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


Moment = Annotated[AwareDatetime, BeforeValidator(_moment_text)]
"""A point in time from a client: ISO 8601 with its UTC offset (2026-03-01T00:00:00+08:00). A
naive time or a bare date is a 422 naming the parameter, never compared against stored UTC."""

Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=120)]
Username = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{1,63}$")]
# Free text a client searches with (query parameters outside any Schema).
SearchText = Annotated[str, StringConstraints(max_length=120), AfterValidator(refuse_nul)]
DialString = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]+/\S{1,120}$")]
