"""The SIP account an agent's browser softphone registers with, one per agent endpoint."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db.base import Base, TimestampMixin
from hotline.db.models.directory import AgentEndpoint


class SoftphoneAccount(TimestampMixin, Base):
    """The PJSIP auth of the endpoint the service originates (e.g. PJSIP/1001 on site hz).

    An endpoint without an account is a desk SIP phone: the desk then shows the softphone as off.
    """

    __tablename__ = "softphone_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("agent_endpoint.id", ondelete="CASCADE"), unique=True
    )
    sip_user: Mapped[str] = mapped_column(String(64))
    # Write-only through the API: only the agent's own softphone configuration returns it, and it
    # is never logged (the request log carries paths and statuses, never bodies).
    sip_password: Mapped[str] = mapped_column(String(255))

    endpoint: Mapped[AgentEndpoint] = relationship(lazy="raise")
