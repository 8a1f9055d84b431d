"""Password hashing with argon2 (pwdlib), run off the event loop.

An argon2 check costs about 440 ms of CPU by design. The event loop also drives the calls, so
every hash and verify the service does while running goes through :func:`verify_password_async`
or :func:`hash_password_async`: they run on a small thread pool of their own (argon2 releases the
GIL while it works) and refuse new work when too much is already waiting, so a flood of logins
costs the flooder a 503 rather than costing every caller a stalled loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from hotline.errors import ServiceUnavailableError

_T = TypeVar("_T")
_HASHER: PasswordHash | None = None

# Niceness of the hashing threads. argon2 runs its lanes on threads of its own (four by default),
# which inherit it: without it, two logins put eight CPU-bound threads against the one event-loop
# thread, and the loop waits its turn for the CPU (seen: 150-350 ms lags on a two-core machine).
# At +10 the scheduler gives the loop about nine tenths of a contested core.
HASHING_NICENESS = 10


def _lower_priority() -> None:
    # Linux: a thread's own niceness (elsewhere: the default priority, slower but still correct).
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)


# Two threads: one per core of a small server; more would only queue inside argon2.
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="argon2", initializer=_lower_priority)
# Checks admitted at once (running or waiting for a thread) before new ones are refused.
MAX_PENDING = 32
_pending = 0


class PasswordCheckBusy(ServiceUnavailableError):
    """Too many password checks are waiting: 503 with ``Retry-After``, wherever it is raised
    (a login, a password change, an administrator setting a password)."""

    def __init__(self, detail: str = "too many password checks at once; try again shortly") -> None:
        super().__init__(detail, headers={"Retry-After": "1"})


def _hasher() -> PasswordHash:
    global _HASHER
    if _HASHER is None:
        _HASHER = PasswordHash((Argon2Hasher(),))
    return _HASHER


def set_hasher(hasher: PasswordHash) -> None:
    """Replace the hasher (tests use cheap argon2 parameters; hashes stay verifiable)."""
    global _HASHER, _DUMMY_HASH
    _HASHER = hasher
    _DUMMY_HASH = None


def hash_password(password: str) -> str:
    """Blocking: for the CLI and tests; the service uses :func:`hash_password_async`."""
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """Blocking: for the CLI and tests; the service uses :func:`verify_password_async`."""
    try:
        return _hasher().verify(password, password_hash)
    except Exception:  # an unknown or corrupt hash is a failed login, never a 500
        return False


# Verified against when the username does not exist, so both failures take the same time.
_DUMMY_HASH: str | None = None


def burn_verify_time(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("not-a-real-password")
    verify_password(password, _DUMMY_HASH)


async def _run(function: Callable[..., _T], *args: str) -> _T:
    global _pending
    if _pending >= MAX_PENDING:
        raise PasswordCheckBusy()
    _pending += 1
    try:
        return await asyncio.get_running_loop().run_in_executor(_POOL, function, *args)
    finally:
        _pending -= 1


async def verify_password_async(password: str, password_hash: str) -> bool:
    return await _run(verify_password, password, password_hash)


async def hash_password_async(password: str) -> str:
    return await _run(hash_password, password)


async def burn_verify_time_async(password: str) -> None:
    await _run(burn_verify_time, password)
