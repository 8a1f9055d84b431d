"""Expiring JWT access tokens (pyjwt).

Each token carries the user's ``token_stamp`` (claim ``stm``); the principal loader compares it
with the stored one on every request, which is how logout, a password change or a role change
revoke the tokens issued before them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from hotline.config import AuthSettings


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    username: str
    roles: tuple[str, ...]
    expires_at: datetime
    stamp: str


_ALLOWED_SKEW_S = 60


class InvalidTokenError(Exception):
    pass


def issue_token(
    settings: AuthSettings,
    *,
    user_id: int,
    username: str,
    roles: list[str],
    stamp: str,
    now: datetime,
) -> tuple[str, datetime]:
    expires_at = now + timedelta(minutes=settings.token_ttl_minutes)
    payload = {
        "sub": str(user_id),
        "name": username,
        "roles": sorted(roles),
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
        "iss": settings.issuer,
        "stm": stamp,
    }
    token = jwt.encode(
        payload, settings.jwt_secret.get_secret_value(), algorithm=settings.jwt_algorithm
    )
    return token, expires_at


def decode_token(settings: AuthSettings, token: str, *, now: datetime) -> TokenClaims:
    try:
        payload = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=[settings.jwt_algorithm],
            issuer=settings.issuer,
            # Both time checks use the injected clock below, not the OS clock.
            options={
                "require": ["sub", "exp", "iat", "iss", "stm"],
                "verify_exp": False,
                "verify_iat": False,
            },
        )
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(f"invalid token: {exc}") from None
    # Expiry and issue time are checked against the injected clock, not the OS clock.
    if int(payload["exp"]) <= int(now.timestamp()):
        raise InvalidTokenError("token expired")
    if int(payload["iat"]) > int(now.timestamp()) + _ALLOWED_SKEW_S:
        raise InvalidTokenError("token issued in the future")
    try:
        return TokenClaims(
            user_id=int(payload["sub"]),
            username=str(payload.get("name", "")),
            roles=tuple(payload.get("roles", ())),
            expires_at=datetime.fromtimestamp(int(payload["exp"]), tz=now.tzinfo),
            stamp=str(payload["stm"]),
        )
    except (TypeError, ValueError):
        raise InvalidTokenError("invalid token: malformed claims") from None
