"""Password hashing with argon2 (pwdlib)."""

from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_HASHER: PasswordHash | None = None


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
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
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
