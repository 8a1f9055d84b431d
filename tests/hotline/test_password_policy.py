"""The password policy: length, the common-passwords list shipped with the project, the username."""

from __future__ import annotations

import pytest

from hotline.auth.policy import PasswordRejected, check_password, common_passwords


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("short1!", "at least 10"),
        ("aaaaaaaaaaaaaa", "repeat"),
        ("Password123", "most common"),
        ("1qaz 2wsx 3edc", "most common"),
        ("WoAini1314", "most common"),
        ("my name is zhou.xun ok", "username"),
    ],
)
def test_the_password_policy_names_the_rule(password: str, rule: str) -> None:
    with pytest.raises(PasswordRejected, match=rule):
        check_password(password, username="zhou.xun")


def test_a_good_password_passes() -> None:
    check_password("tea on the west lake at dawn", username="zhou.xun")


def test_the_shipped_list_is_read() -> None:
    assert {"123456", "password", "5201314", "qwerty123456"} <= common_passwords()
