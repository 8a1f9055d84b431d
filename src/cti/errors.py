"""Errors raised by the CTI layer.

Hierarchy (everything derives from :class:`AriError`, so one ``except AriError`` covers the lot)::

    AriError
    ├── AriHttpError            Asterisk answered with an error status (carries status, message,
    │   │                       method and path; never the query string, never credentials)
    │   ├── AriBadRequestError  400 and 422: bad parameters, unknown event source
    │   ├── AriAuthError        401 and 403: wrong credentials or a read-only ARI user
    │   ├── AriNotFoundError    404: channel, bridge or playback already gone, or an unknown route
    │   ├── AriConflictError    409: e.g. a client-chosen bridge id already exists, MOH not playing
    │   └── AriServerError      5xx: e.g. ``Allocation failed`` for an unknown channel technology
    ├── AriUnavailableError     no answer at all: connection refused or reset, timeout
    │   └── AriFencedError      not sent: this process may no longer command the site
    ├── AriResponseError        a success status whose body does not match the ARI model
    └── AriEventError           a websocket message that is not valid JSON or fails its model

What callers usually do: ``AriNotFoundError`` on hangup/stop means "already gone" (fine, events are
the truth); ``AriUnavailableError`` means the outcome of a POST is unknown, so the caller reconciles
by id (ids are client-chosen for exactly this reason) instead of retrying blindly.
"""

from __future__ import annotations


class AriError(Exception):
    """Base of every ARI failure."""


class AriHttpError(AriError):
    """Asterisk answered an ARI request with an error status."""

    def __init__(self, status: int, message: str, method: str, path: str) -> None:
        super().__init__(f"{method} {path} -> {status}: {message}")
        self.status = status
        self.message = message
        self.method = method
        self.path = path


class AriBadRequestError(AriHttpError):
    """400 or 422: the request was understood but its parameters are wrong."""


class AriAuthError(AriHttpError):
    """401 or 403: the ARI user is unknown, the password wrong, or the user is read-only."""


class AriNotFoundError(AriHttpError):
    """404: the resource (channel, bridge, playback...) or the route does not exist."""


class AriConflictError(AriHttpError):
    """409: the request conflicts with the current state (duplicate id, MOH not playing...)."""


class AriServerError(AriHttpError):
    """5xx: Asterisk failed (allocation failure, unknown device state...)."""


class AriUnavailableError(AriError):
    """Asterisk could not be reached or did not answer in time; the outcome is unknown."""


class AriFencedError(AriUnavailableError):
    """The command was refused before it left: the client's gate is closed (the service lost its
    leader lease, so another instance may be commanding the site). Nothing was sent."""


class AriResponseError(AriError):
    """Asterisk answered with success but the body is not what the ARI spec describes."""


class AriEventError(AriError):
    """A websocket message could not be turned into an ARI event; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_BY_STATUS: dict[int, type[AriHttpError]] = {
    400: AriBadRequestError,
    401: AriAuthError,
    403: AriAuthError,
    404: AriNotFoundError,
    409: AriConflictError,
    422: AriBadRequestError,
}


def http_error(status: int, message: str, method: str, path: str) -> AriHttpError:
    """The most specific :class:`AriHttpError` subclass for ``status``."""
    if status >= 500:
        return AriServerError(status, message, method, path)
    error_class = _BY_STATUS.get(status, AriHttpError)
    return error_class(status, message, method, path)


__all__ = [
    "AriAuthError",
    "AriBadRequestError",
    "AriConflictError",
    "AriError",
    "AriEventError",
    "AriFencedError",
    "AriHttpError",
    "AriNotFoundError",
    "AriResponseError",
    "AriServerError",
    "AriUnavailableError",
    "http_error",
]
