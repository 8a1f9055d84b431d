"""The password policy: long enough, not a common password, not the username.

The common passwords are a list shipped with the project (``data/common-passwords.txt``), read
once. A password is compared case-insensitively and with its spaces removed, so "Pass Word 123"
counts as "password123".
"""

from __future__ import annotations

from functools import cache
from importlib import resources

MIN_LENGTH = 10
MAX_LENGTH = 128


class PasswordRejected(ValueError):
    """The password breaks the policy; the message says which rule (never the password)."""


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("hotline.auth").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(
        _normal(line) for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _normal(value: str) -> str:
    return "".join(value.split()).casefold()


def check_password(password: str, *, username: str) -> None:
    """Raise :class:`PasswordRejected` naming the first rule ``password`` breaks."""
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(f"must be at least {MIN_LENGTH} characters long")
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(f"must be at most {MAX_LENGTH} characters long")
    normal = _normal(password)
    if len(set(normal)) < 3:
        raise PasswordRejected("must not repeat one or two characters")
    if normal in common_passwords():
        raise PasswordRejected("is one of the most common passwords; choose another")
    name = _normal(username)
    if name and (name in normal or normal in name):
        raise PasswordRejected("must not contain the username")
