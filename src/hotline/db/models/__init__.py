"""ORM models; importing this package registers every table on ``Base.metadata``."""

from hotline.db.models.audit import AuditLog
from hotline.db.models.call import AgentSession, AgentStateLog, Call, Callback, CallEvent
from hotline.db.models.directory import (
    Agent,
    AgentEndpoint,
    AgentSkill,
    Department,
    Liaison,
    Site,
    Skill,
)
from hotline.db.models.user import RoleRow, User, UserRole

__all__ = [
    "Agent",
    "AgentEndpoint",
    "AgentSession",
    "AgentSkill",
    "AgentStateLog",
    "AuditLog",
    "Call",
    "CallEvent",
    "Callback",
    "Department",
    "Liaison",
    "RoleRow",
    "Site",
    "Skill",
    "User",
    "UserRole",
]
