"""Login throttling and temporary lockout, kept in memory by the process that checks passwords.

Three rules, checked before any password is hashed (a refused attempt costs no argon2 time):

- per client address: at most ``address_failures`` failed logins in ``window_s`` seconds;
- per username: at most ``user_failures`` failed logins in ``window_s`` seconds;
- lockout: ``lockout_after`` failures in a row for one username lock it for ``lockout_s`` seconds,
  even with the right password (a success before that clears the run).

A refusal says how long to wait (``Retry-After``). Each rule reports when it first starts refusing
a key (``Refusal.first``), so the audit trail gets one entry per episode rather than one per
request of a flood. The state is per process: with several replicas each counts on its own, which
multiplies the allowance by the number of replicas but never lets a lockout be bypassed on the
replica that saw the failures.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from hotline.config import LoginSettings

# Keys remembered at most per rule; beyond that the stalest are dropped (an attacker cycling
# through random usernames or addresses must not grow memory without bound).
MAX_KEYS = 50_000


@dataclass(frozen=True)
class Refusal:
    scope: str  # "address" | "user" | "locked"
    retry_after_s: int
    first: bool  # the first refusal of this episode (audit it)

    @property
    def reason(self) -> str:
        if self.scope == "locked":
            return "account temporarily locked after repeated failed logins"
        return (
            f"too many failed logins from this {'address' if self.scope == 'address' else 'user'}"
        )


@dataclass
class _Window:
    """Failure times of one key within the window, and until when a refusal was reported."""

    failures: deque[float] = field(default_factory=deque)
    reported_until: float = 0.0


@dataclass
class _Run:
    in_a_row: int = 0
    locked_until: float = 0.0
    reported: bool = False


class LoginThrottle:
    def __init__(self, settings: LoginSettings) -> None:
        self.settings = settings
        self._addresses: dict[str, _Window] = {}
        self._users: dict[str, _Window] = {}
        self._runs: dict[str, _Run] = {}

    def check(self, *, username: str, address: str, now: float) -> Refusal | None:
        """Whether this attempt may go ahead (None) or must be refused."""
        run = self._runs.get(username)
        if run is not None and run.locked_until > now:
            first = not run.reported
            run.reported = True
            return Refusal("locked", _seconds(run.locked_until - now), first)
        for scope, table, limit in (
            ("address", self._addresses, self.settings.address_failures),
            ("user", self._users, self.settings.user_failures),
        ):
            key = address if scope == "address" else username
            window = table.get(key)
            if window is None:
                continue
            self._expire(window, now)
            if len(window.failures) >= limit:
                retry = window.failures[0] + self.settings.window_s - now
                first = window.reported_until <= now
                window.reported_until = now + retry
                return Refusal(scope, _seconds(retry), first)
        return None

    def failed(self, *, username: str, address: str, now: float) -> Refusal | None:
        """Record a failed login; returns the lockout when this failure starts one."""
        for table, key in ((self._addresses, address), (self._users, username)):
            window = table.get(key)
            if window is None:
                window = table[key] = _Window()
                _bound(table)
            self._expire(window, now)
            window.failures.append(now)
        run = self._runs.get(username)
        if run is None:
            run = self._runs[username] = _Run()
            _bound(self._runs)
        if run.locked_until <= now and run.locked_until:
            run.locked_until, run.in_a_row = 0.0, 0  # the last lockout is over: a fresh run
        run.in_a_row += 1
        if run.in_a_row >= self.settings.lockout_after:
            run.locked_until = now + self.settings.lockout_s
            run.in_a_row, run.reported = 0, True
            return Refusal("locked", _seconds(self.settings.lockout_s), True)
        return None

    def succeeded(self, *, username: str) -> None:
        self._runs.pop(username, None)
        self._users.pop(username, None)

    def _expire(self, window: _Window, now: float) -> None:
        horizon = now - self.settings.window_s
        while window.failures and window.failures[0] <= horizon:
            window.failures.popleft()


def _seconds(value: float) -> int:
    return max(1, math.ceil(value))


def _bound(table: dict[str, Any]) -> None:
    # dicts keep insertion order: the first keys are the oldest.
    while len(table) > MAX_KEYS:
        del table[next(iter(table))]
