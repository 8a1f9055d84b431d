"""ORM models; importing this package registers every table on ``Base.metadata``."""

from hotline.db.models.audit import AuditLog
from hotline.db.models.bus import BusEventRow
from hotline.db.models.calendar import CalendarDay, CalendarSetting
from hotline.db.models.call import AgentSession, AgentStateLog, Call, Callback, CallEvent
from hotline.db.models.cluster import ClusterIdentity, ClusterLease, ClusterMember
from hotline.db.models.config import ConfigVersion
from hotline.db.models.directory import (
    Agent,
    AgentEndpoint,
    AgentSkill,
    Department,
    Liaison,
    Site,
    Skill,
)
from hotline.db.models.diverted import DivertedQuestionRow
from hotline.db.models.knowledge import (
    KbArticle,
    KbCorrection,
    KbEvent,
    KbPosting,
    KbSearchMiss,
    KbTerm,
    KbVersion,
)
from hotline.db.models.monitoring import CallMonitorRow, MonitorPhone
from hotline.db.models.notice import NoticeContact, NoticeOutboxRow, WorkOrderAttachment
from hotline.db.models.ops import OpsRunRow
from hotline.db.models.report import (
    AgentRollup,
    AgentShift,
    CallRollup,
    HeadcountRollup,
    PresenceRollup,
    RollupPosition,
    ServiceStandardRow,
    StateRollup,
    StateTotalRollup,
    SurveyRollup,
)
from hotline.db.models.softphone import SoftphoneAccount
from hotline.db.models.summary import CallSummaryRow, Topic
from hotline.db.models.user import RoleRow, User, UserRole
from hotline.db.models.workorder import (
    EscalationRow,
    NotificationRow,
    SlaPolicyRow,
    WorkOrderEventRow,
    WorkOrderRow,
    WorkOrderSerial,
)

__all__ = [
    "Agent",
    "AgentEndpoint",
    "AgentRollup",
    "AgentSession",
    "AgentShift",
    "AgentSkill",
    "AgentStateLog",
    "AuditLog",
    "BusEventRow",
    "CalendarDay",
    "CalendarSetting",
    "Call",
    "CallEvent",
    "CallMonitorRow",
    "CallRollup",
    "CallSummaryRow",
    "Callback",
    "ClusterIdentity",
    "ClusterLease",
    "ClusterMember",
    "ConfigVersion",
    "Department",
    "DivertedQuestionRow",
    "EscalationRow",
    "HeadcountRollup",
    "KbArticle",
    "KbCorrection",
    "KbEvent",
    "KbPosting",
    "KbSearchMiss",
    "KbTerm",
    "KbVersion",
    "Liaison",
    "MonitorPhone",
    "NoticeContact",
    "NoticeOutboxRow",
    "NotificationRow",
    "OpsRunRow",
    "PresenceRollup",
    "RoleRow",
    "RollupPosition",
    "ServiceStandardRow",
    "Site",
    "Skill",
    "SlaPolicyRow",
    "SoftphoneAccount",
    "StateRollup",
    "StateTotalRollup",
    "SurveyRollup",
    "Topic",
    "User",
    "UserRole",
    "WorkOrderAttachment",
    "WorkOrderEventRow",
    "WorkOrderRow",
    "WorkOrderSerial",
]
