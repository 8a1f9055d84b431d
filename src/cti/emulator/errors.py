"""The one error type the emulator core raises: an ARI status with Asterisk's exact body."""

from __future__ import annotations

from typing import Any


class AriError(Exception):
    """A failed ARI request: bodies are `{"message": ...}`, allocation failures use `error`."""

    def __init__(self, status: int, message: str, *, key: str = "message") -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.key = key

    @property
    def body(self) -> dict[str, Any]:
        return {self.key: self.message}


def not_found(what: str) -> AriError:
    return AriError(404, f"{what} not found")


def not_in_stasis() -> AriError:
    return AriError(409, "Channel not in Stasis application")
