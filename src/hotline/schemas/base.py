from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    SecretStr,
    StringConstraints,
    field_validator,
)


def refuse_nul(text: str) -> str:
    # PostgreSQL text cannot hold U+0000 (SQLite can): refuse it at the edge, naming the field,
    # rather than as a database error once the handler has started its work.
    if "\x00" in text:
        raise ValueError("must not contain the NUL character (U+0000)")
    return text


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_character(cls, value: Any) -> Any:
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(text, str):
            refuse_nul(text)
        return value


Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=120)]
Username = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{1,63}$")]
# Free text a client searches with (query parameters outside any Schema).
SearchText = Annotated[str, StringConstraints(max_length=120), AfterValidator(refuse_nul)]
DialString = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]+/\S{1,120}$")]
