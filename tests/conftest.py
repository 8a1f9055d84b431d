"""Global test configuration: the database fixtures, and a plain word on what was skipped."""

from __future__ import annotations

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from hotline.auth.passwords import set_hasher

pytest_plugins = ["tests.fixtures.database", "tests.fixtures.app"]

# Real argon2, cheap parameters: the suite hashes hundreds of passwords.
set_hasher(PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),)))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.fixtures.database import postgres_status

    status = postgres_status()
    if status.checked and not status.available:
        terminalreporter.write_sep(
            "!",
            f"PostgreSQL half SKIPPED: {status.reason} "
            "(set HOTLINE_TEST_POSTGRES_URL; CI requires it)",
            yellow=True,
            bold=True,
        )
    elif status.checked:
        terminalreporter.write_line(f"PostgreSQL half ran against {status.display_url}")
