"""What the work-order endpoints share: recomputing open orders after an edit, and auditing
reads of taxpayer personal data."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from hotline import audit
from hotline.auth.principal import Principal
from hotline.deps import AppState
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


def audit_personal_data_read(
    session: AsyncSession,
    request: Request,
    principal: Principal,
    orders: Sequence[WorkOrder],
    purpose: str,
) -> None:
    """One audit entry per response that shows taxpayers' data unmasked, in the request's own
    session: it commits with the response, on the request's one connection."""
    shown = [order for order in orders if order.taxpayer != type(order.taxpayer)()]
    if not shown:
        return
    audit.add(
        session,
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
