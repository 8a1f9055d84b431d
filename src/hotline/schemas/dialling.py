"""How a site dials a taxpayer back: the dial template and the caller id it presents.

Checked where the configuration enters (the import file, ``/sites``) so that a site that cannot
call back is refused with the field named, instead of Asterisk answering ``500 Allocation
failed`` on the first callback (issue 10).
"""

from __future__ import annotations

import re
import string
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

DEFAULT_CALLBACK_DIAL = "PJSIP/{number}@trunk"
"""``PJSIP/<number>@<endpoint>``: the number sent out through the PJSIP endpoint named ``trunk``."""

CHANNEL_TECHNOLOGIES = ("PJSIP", "SIP", "IAX2", "DAHDI", "Local")
"""The channel drivers an Asterisk 22 site can dial a taxpayer through (chan_sip only on older
builds, kept for sites that still run it); anything else is a typo Asterisk would refuse."""

_RESOURCE = re.compile(r"^[^\s,{}]*\{number\}[^\s,{}]*$")
_CALLER_ID = re.compile(r'^(?:"[^"<>]{0,40}"\s*)?<\+?[0-9*#]{1,32}>$|^\+?[0-9*#]{1,32}$')


def check_dial_template(template: str) -> str:
    """``TECH/resource`` where the resource holds ``{number}`` once; Local needs ``@context``."""
    technology, slash, resource = template.partition("/")
    if not slash or not technology:
        raise ValueError("must look like TECHNOLOGY/resource, e.g. PJSIP/{number}@trunk")
    if technology not in CHANNEL_TECHNOLOGIES:
        raise ValueError(
            f"unknown technology {technology!r}; expected one of {', '.join(CHANNEL_TECHNOLOGIES)}"
        )
    fields = [name for _, name, _, _ in string.Formatter().parse(resource) if name is not None]
    if fields != ["number"] or not _RESOURCE.match(resource):
        raise ValueError(
            "the resource must contain {number} exactly once and no other {field}, spaces or commas"
        )
    if technology == "Local" and "@" not in resource:
        raise ValueError("a Local channel needs a context: Local/{number}@context")
    return template


def check_caller_id(text: str) -> str:
    """``"Name" <number>`` or a bare number, as Asterisk's ``callerId`` parameter takes it."""
    if not _CALLER_ID.match(text):
        raise ValueError('must be a number or "Name" <number>, e.g. "12366" <12366>')
    return text


DialTemplate = Annotated[
    str, StringConstraints(max_length=128), AfterValidator(check_dial_template)
]
CallerIdText = Annotated[str, StringConstraints(max_length=80), AfterValidator(check_caller_id)]
