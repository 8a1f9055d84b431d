"""Request and response bodies of the agent desk and queue endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import model_validator

from hotline.schemas.base import Code, DialString, Schema


class SessionLogin(Schema):
    site: Code
    endpoint: DialString | None = None


class StateChange(Schema):
    """``ready``, or ``not_ready`` with a reason from ``NOT_READY_REASONS``."""

    state: Literal["ready", "not_ready"]
    reason: str | None = None

    @model_validator(mode="after")
    def _reason_goes_with_not_ready(self) -> StateChange:
        if self.state == "not_ready" and not self.reason:
            raise ValueError("a not_ready state needs a reason")
        if self.state == "ready" and self.reason is not None:
            raise ValueError("a ready state takes no reason")
        return self


class SessionRead(Schema):
    agent_id: int
    site: str
    endpoint: str
    status: str
    reason: str | None
    since: datetime


class QueueRead(Schema):
    line: str
    language: str
    waiting: int
    longest_wait_s: float
    agents: dict[str, int]
    offered: int
    answered: int
    answered_within_sl: int
    abandoned: int
    callbacks_requested: int
    service_level: float | None
