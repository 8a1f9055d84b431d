"""What the work-order endpoints share: recomputing open orders after an edit, and auditing
reads of taxpayer personal data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from hotline import audit
from hotline.audit_reads import read_audits, read_entry
from hotline.auth.principal import Principal
from hotline.clock import utc_now
from hotline.db.models import AuditLog
from hotline.deps import AppState, release_connection
from hotline.workorders.schemas import RecomputeSummary
from hotline.workorders.store import SqlWorkOrderStore
from hotline.workorders.sweeper import rules_cache
from workorders import service
from workorders.model import WorkOrder
from workorders.sla import SlaPolicy


async def recompute_open_orders(
    state: AppState, reason: str, adopt_policy: SlaPolicy | None = None
) -> RecomputeSummary:
    """Reload the rules and move the deadlines of every open order; the history says why."""
    cache = rules_cache(state)
    cache.invalidate()
    rules = await cache.get()
    run = await service.recompute_open_orders(
        SqlWorkOrderStore(state.sessionmaker), state.clock, rules, reason, adopt_policy
    )
    return RecomputeSummary(
        reason=reason,
        orders_changed=len(run.changes),
        skipped_locked=run.skipped_locked,
        failed=run.failed,
    )


def _shown_entry(
    request: Request, principal: Principal, orders: Sequence[WorkOrder], purpose: str
) -> dict[str, Any] | None:
    """The audit entry of a response showing ``orders`` unmasked (None: no taxpayer shown)."""
    shown = [order for order in orders if order.taxpayer != type(order.taxpayer)()]
    if not shown:
        return None
    return read_entry(
        at=utc_now(),
        action=audit.PERSONAL_DATA_READ,
        actor_user_id=principal.user_id,
        actor_username=principal.username,
        subject_type="work_order",
        subject_id=shown[0].id if len(shown) == 1 else None,
        detail={
            "purpose": purpose,
            "work_orders": [order.id for order in shown],
            "fields": ["name", "phone", "taxpayer_number"],
        },
        request_id=getattr(request.state, "request_id", None),
        client_ip=request.client.host if request.client else None,
    )


def audit_personal_data_read(
    session: AsyncSession,
    request: Request,
    principal: Principal,
    orders: Sequence[WorkOrder],
    purpose: str,
) -> None:
    """For a request that writes (an action, a creation): the entry goes into the request's own
    session and commits with the change it audits, on the request's one connection."""
    entry = _shown_entry(request, principal, orders, purpose)
    if entry is not None:
        session.add(AuditLog(**entry))


async def audit_personal_data_shown(
    state: AppState,
    session: AsyncSession,
    request: Request,
    principal: Principal,
    orders: Sequence[WorkOrder],
    purpose: str,
) -> None:
    """For a read: the entry is committed with the entries of the reads running beside it
    (``hotline.audit_reads``, a group commit) before this returns, so the response that shows
    the data is built only once its read is on record. The request's connection goes back to
    the pool first: it has nothing left to write, and must not hold one while it waits."""
    entry = _shown_entry(request, principal, orders, purpose)
    if entry is None:
        return
    await release_connection(session)
    await read_audits(state.extras).write(entry)
