"""The cluster's leases: which instance runs the call engine now (``hotline.cluster``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db.base import Base


class ClusterLease(Base):
    """One row per lease name (``call-engine``), rewritten by each new holder.

    ``token`` grows by one at every change of term (a takeover, or the same instance taking the
    lease again after losing it): a holder acts only while the row still carries its token.
    The times are the database's clock, so instances with skewed clocks agree on expiry.

    ``(name, token)`` is unique although ``name`` alone is the key: the index makes ``token`` a
    key column for PostgreSQL's row locks, so a takeover (which changes the token) waits for
    the old term's write batches holding the row's key-share lock, while a renewal (which
    changes only the times) does not (``hotline.db.fence``).
    """

    __tablename__ = "cluster_lease"
    __table_args__ = (UniqueConstraint("name", "token"),)

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))  # the instance id
    advertise_url: Mapped[str] = mapped_column(String(500), default="")
    token: Mapped[int] = mapped_column(BigInteger)
    acquired_at: Mapped[datetime]
    renewed_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class ClusterMember(Base):
    """One row per running instance (``hotline.cluster.membership``), refreshed while it runs.

    ``fingerprint`` is a JSON object of what must agree between the instances of one cluster
    (code version, migration head, enabled sites, lease TTL, time zone...): a new instance whose
    fingerprint differs from a live member's is refused at start. Never a secret in clear.
    """

    __tablename__ = "cluster_member"

    instance_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime]
    seen_at: Mapped[datetime]


class ClusterIdentity(Base):
    """This database's identity: a UUID created once (``key = 'database'``), written by the
    leader on every ARI site it commands, so that an instance on another database is refused."""

    __tablename__ = "cluster_identity"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    identity: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime]
