"""Work orders (工单): create from a call, list, read (masked and audited), act; SLA policies.

Who may do what is the lifecycle table's business (``workorders.lifecycle.RULES``); the guards
here only admit the roles that appear in it, and every refusal comes back with its reason:
403 for the wrong role or department, 409 ``wrong_state`` for the wrong status, 422 for a bad
payload. A refused action changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi import Path as PathParam
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.api.paging import (
    DEFAULT_LIMIT,
    CursorParam,
    Key,
    LimitParam,
    PageStatements,
    Sort,
    choose_sort,
    next_link,
    parse_datetime,
    refuse_retired,
    sort_param,
)
from hotline.api.params import MAX_ROW_ID
from hotline.auth.principal import Principal, require
from hotline.db.models import CallSummaryRow
from hotline.deps import AppStateDep, SessionDep, release_connection
from hotline.errors import InvalidInputError
from hotline.roles import Role
from hotline.schemas.base import Moment
from hotline.summaries.topics import field_error
from hotline.workorders import queries
from hotline.workorders.actors import actor_for
from hotline.workorders.errors import domain_errors, etag
from hotline.workorders.glue import (
    audit_personal_data_read,
    audit_personal_data_shown,
    recompute_open_orders,
)
from hotline.workorders.mapping import ORDER_TABLE, order_from_row
from hotline.workorders.notifier import InboxNotifier
from hotline.workorders.rules import add_policy, ensure_default_policy, policy_to_data
from hotline.workorders.schemas import (
    ActionPayload,
    EventRead,
    SlaPolicyCreate,
    SlaPolicyCreated,
    SlaPolicyRead,
    WorkOrderCreate,
    WorkOrderDetail,
    WorkOrderPage,
    WorkOrderRead,
)
from hotline.workorders.store import SqlWorkOrderStore
from hotline.workorders.sweeper import rules_cache
from workorders import access, lifecycle, service
from workorders.model import Category, Priority, Status, Taxpayer

router = APIRouter(tags=["work orders"])

creators = require(Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
readers = require(
    Role.AGENT, Role.SPECIALIST, Role.LIAISON, Role.SUPERVISOR, Role.DIRECTOR, Role.ADMIN
)
actors = require(Role.AGENT, Role.SPECIALIST, Role.LIAISON, Role.SUPERVISOR, Role.ADMIN)
policy_readers = require(Role.ADMIN, Role.SUPERVISOR, Role.DIRECTOR)
policy_writers = require(Role.ADMIN)

Creator = Annotated[Principal, Depends(creators)]
Reader = Annotated[Principal, Depends(readers)]
ActingUser = Annotated[Principal, Depends(actors)]
PolicyReader = Annotated[Principal, Depends(policy_readers)]
PolicyWriter = Annotated[Principal, Depends(policy_writers)]

_ORDERS = ORDER_TABLE.c

_PROBLEM: dict[str, object] = {"content": {"application/problem+json": {}}}
ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "not signed in", **_PROBLEM},
    403: {"description": "your role or department may not do this", **_PROBLEM},
    422: {"description": "a field is wrong: the detail names it", **_PROBLEM},
}
READ_ERRORS: dict[int | str, dict[str, object]] = {
    **ERRORS,
    404: {"description": "no such work order", **_PROBLEM},
}
ACT_ERRORS: dict[int | str, dict[str, object]] = {
    **READ_ERRORS,
    409: {
        "description": "wrong_state: the status does not allow the action; stale_order: the "
        "order changed since the version sent in If-Match (the ETag header names the current "
        "one: reload and decide again); conflict: someone is changing it right now",
        **_PROBLEM,
    },
}
ORDER_SORTS = (
    # The inbox order: nearest resolution deadline first (orders without one last), then newest.
    Sort(
        "resolve_due_at",
        (
            Key(_ORDERS.resolve_due_at, nullable=True, parse=parse_datetime),
            Key(_ORDERS.created_at, True, parse=parse_datetime),
            Key(_ORDERS.id),
        ),
    ),
    Sort("-created_at", (Key(_ORDERS.created_at, True, parse=parse_datetime), Key(_ORDERS.id))),
    Sort("created_at", (Key(_ORDERS.created_at, parse=parse_datetime), Key(_ORDERS.id))),
)


# The list's statements, one per filter shape (``PageStatements`` says why).
_PAGES = PageStatements()


@router.get("/sla-policies", response_model=list[SlaPolicyRead])
async def list_policies(state: AppStateDep, _: PolicyReader) -> list[SlaPolicyRead]:
    rules = await rules_cache(state).get()
    return [
        SlaPolicyRead(version=policy.version, note=policy.note, targets=policy_to_data(policy))
        for _, policy in sorted(rules.policies.policies.items())
    ]


@router.post("/sla-policies", response_model=SlaPolicyCreated, status_code=status.HTTP_201_CREATED)
async def create_policy(
    body: SlaPolicyCreate, state: AppStateDep, session: SessionDep, principal: PolicyWriter
) -> SlaPolicyCreated:
    """A new policy version for new orders; with ``adopt_open_orders`` open orders move too."""
    with domain_errors():
        await ensure_default_policy(session)
        policy = await add_policy(session, body.targets, body.note, principal.username)
    await session.commit()
    rules_cache(state).invalidate()
    recomputed = None
    if body.adopt_open_orders:
        reason = f"SLA policy version {policy.version} adopted by {principal.username}"
        if body.note:
            reason += f": {body.note}"
        recomputed = await recompute_open_orders(state, reason, adopt_policy=policy)
    return SlaPolicyCreated(
        version=policy.version,
        note=policy.note,
        targets=policy_to_data(policy),
        recomputed=recomputed,
    )


async def check_summary_of_call(
    session: AsyncSession, summary_id: str, call_id: int | None
) -> None:
    """``call_summary_id`` names a filed summary of the order's call (422 naming the field)."""
    summary = None
    if summary_id.isdigit() and len(summary_id) < 19:
        summary = await session.get(CallSummaryRow, int(summary_id))
    if summary is None:
        raise field_error("call_summary_id", f"no call summary {summary_id!r}")
    if call_id is None or summary.call_id != call_id:
        raise field_error("call_summary_id", f"summary {summary_id} is not a summary of call_id")


@router.post("/workorders", response_model=WorkOrderRead, status_code=status.HTTP_201_CREATED)
async def create_order(
    body: WorkOrderCreate,
    request: Request,
    state: AppStateDep,
    session: SessionDep,
    principal: Creator,
) -> WorkOrderRead:
    actor = await actor_for(session, principal)
    if body.call_id is not None:
        await queries.check_call_for_agent(session, body.call_id, actor)
    if body.call_summary_id is not None:
        await check_summary_of_call(session, body.call_summary_id, body.call_id)
    draft = lifecycle.OrderDraft(
        category=body.category,
        priority=body.priority,
        subject=body.subject,
        description=body.description,
        taxpayer=Taxpayer(**body.taxpayer.model_dump()),
        call_id=str(body.call_id) if body.call_id is not None else None,
        call_summary_id=body.call_summary_id,
    )
    await release_connection(session)  # the rules cache and the store take their own
    rules = await rules_cache(state).get()
    with domain_errors():
        order, _ = await service.create_order(
            SqlWorkOrderStore(state.sessionmaker), state.clock, rules, actor, draft
        )
    masked = not access.sees_personal_data(actor)
    if not masked:
        audit_personal_data_read(session, request, principal, [order], "create")
    return WorkOrderRead.of(order, masked)


@router.get("/workorders", response_model=WorkOrderPage, responses=ERRORS)
async def list_orders(
    request: Request,
    response: Response,
    state: AppStateDep,
    session: SessionDep,
    principal: Reader,
    status_: Annotated[list[Status] | None, Query(alias="status")] = None,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    due_within_hours: Annotated[
        float | None, Query(gt=0, le=24 * 366, description="due soon: deadline within N hours")
    ] = None,
    overdue: bool | None = None,
    from_: Annotated[Moment | None, Query(alias="from", description="created at or after")] = None,
    to: Annotated[Moment | None, Query(description="created before")] = None,
    category: Annotated[list[Category] | None, Query()] = None,
    priority: Annotated[list[Priority] | None, Query()] = None,
    mine: Annotated[
        bool, Query(description="only orders you handle, dispatched or created")
    ] = False,
    reference: Annotated[str | None, Query(max_length=32)] = None,
    phone: Annotated[
        str | None, Query(max_length=32, description="the taxpayer's phone number, exactly")
    ] = None,
    taxpayer_number: Annotated[
        str | None, Query(max_length=32, description="纳税人识别号, exactly")
    ] = None,
    taxpayer_name: Annotated[
        str | None, Query(max_length=120, description="the taxpayer's name, exactly")
    ] = None,
    text: Annotated[
        str | None, Query(min_length=2, max_length=100, description="words in the subject")
    ] = None,
    sort: Annotated[str | None, sort_param(ORDER_SORTS)] = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> WorkOrderPage:
    """Orders the caller may see (own department, own orders, or all), filtered, in keyset
    pages (docs/api.md); by default the nearest resolution deadline first.

    The search fields (reference, phone, taxpayer_number, taxpayer_name, text) narrow the same
    list; roles that see taxpayers masked get masked results, and every unmasked page is
    audited as a personal-data read."""
    refuse_retired(request, "page", "page_size")
    chosen = choose_sort(ORDER_SORTS, sort)
    actor = await actor_for(session, principal)
    wanted = queries.OrderFilter(
        statuses=tuple(status_ or ()),
        department_id=department_id,
        due_within=timedelta(hours=due_within_hours) if due_within_hours else None,
        overdue=overdue,
        created_from=from_,
        created_to=to,
        categories=tuple(category or ()),
        priorities=tuple(priority or ()),
        mine=mine,
        reference=reference,
        phone=phone,
        taxpayer_number=taxpayer_number,
        taxpayer_name=taxpayer_name,
        text=text,
    )
    shape, values = queries.listed_shape(actor, wanted, state.clock.now())
    rows, total, capped = await _PAGES.page_and_total(
        session, shape, lambda: queries.shown_statement(shape), values, chosen, cursor, limit
    )
    link = next_link(request, response, chosen, rows, limit)
    orders = [order_from_row(row) for row in rows[:limit]]
    masked = not access.sees_personal_data(actor)
    if not masked:
        await audit_personal_data_shown(state, session, request, principal, orders, "list")
    return WorkOrderPage(
        # Built without re-validating each row (same JSON: WorkOrderRead.unvalidated says why).
        items=[WorkOrderRead.unvalidated(order, masked) for order in orders],
        limit=limit,
        next=link,
        total=total,
        total_capped=capped,
    )


@router.get(
    "/workorders/by-reference/{reference}", response_model=WorkOrderDetail, responses=READ_ERRORS
)
async def get_order_by_reference(
    reference: Annotated[
        str,
        PathParam(
            max_length=32,
            pattern=queries.REFERENCE_PATTERN,
            description="the reference read to the taxpayer (12366-20261207-0001)",
        ),
    ],
    request: Request,
    response: Response,
    state: AppStateDep,
    session: SessionDep,
    principal: Reader,
) -> WorkOrderDetail:
    """One order by the reference the taxpayer quotes, with the same checks and audit as by id;
    the ETag header is the version to send back in If-Match when acting on it."""
    order_id = await queries.id_of_reference(session, reference)
    return await _detail(order_id, request, response, state, session, principal)


@router.get("/workorders/{order_id}", response_model=WorkOrderDetail, responses=READ_ERRORS)
async def get_order(
    order_id: Annotated[
        str,
        PathParam(
            max_length=64,
            description="the order's id, or its reference as read to the taxpayer "
            "(12366-20261207-0001)",
        ),
    ],
    request: Request,
    response: Response,
    state: AppStateDep,
    session: SessionDep,
    principal: Reader,
) -> WorkOrderDetail:
    """One order with its whole history, by id or by reference (the same checks and audit);
    the ETag header is the version to send back in If-Match when acting on it."""
    if queries.looks_like_reference(order_id):
        order_id = await queries.id_of_reference(session, order_id)
    return await _detail(order_id, request, response, state, session, principal)


async def _detail(
    order_id: str,
    request: Request,
    response: Response,
    state: AppStateDep,
    session: AsyncSession,
    principal: Principal,
) -> WorkOrderDetail:
    actor = await actor_for(session, principal)
    await release_connection(session)  # the store's units of work take their own
    store = SqlWorkOrderStore(state.sessionmaker)
    with domain_errors():
        order = await store.get(order_id)
        access.as_seen_by(order, actor)  # refuses other departments' and other agents' orders
    history = await store.events(order_id)
    masked = not access.sees_personal_data(actor)
    if not masked:
        await audit_personal_data_shown(state, session, request, principal, [order], "read")
    read = WorkOrderRead.of(order, masked)
    response.headers["ETag"] = etag(order.revision)
    allowed = lifecycle.allowed_actions(order, actor, state.clock.now())
    return WorkOrderDetail(
        **read.model_dump(),
        history=[EventRead.of(event) for event in history],
        allowed_actions=[action.value for action in allowed],
    )


def expected_revision(if_match: str | None) -> int | None:
    """The revision named by an If-Match header ("3", W/"3" or 3); 422 naming the header."""
    if if_match is None or if_match.strip() == "*":
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or len(text) > 9:
        raise InvalidInputError(
            [
                {
                    "loc": ["header", "If-Match"],
                    "msg": 'send the ETag of the order you read, e.g. "3"',
                    "type": "value_error",
                }
            ]
        )
    return int(text)


@router.post(
    "/workorders/{order_id}/actions/{action}", response_model=WorkOrderRead, responses=ACT_ERRORS
)
async def act(
    order_id: str,
    action: str,
    body: ActionPayload,
    request: Request,
    response: Response,
    state: AppStateDep,
    session: SessionDep,
    principal: ActingUser,
    if_match: Annotated[
        str | None,
        Header(
            max_length=40,
            description="the ETag of the order as you read it: if it changed since, 409 "
            "stale_order instead of acting on a copy you have not seen",
        ),
    ] = None,
) -> WorkOrderRead:
    """dispatch, acknowledge, start, resolve, follow_up, close, return, request_extension,
    approve_extension, refuse_extension, supervise, reopen, merge, pause, resume. The order is
    named by id or by reference, as for reading it. Send If-Match to act only on the version
    you read (optimistic concurrency); the answer's ETag is the new version."""
    expected = expected_revision(if_match)
    actor = await actor_for(session, principal)
    if queries.looks_like_reference(order_id):
        order_id = await queries.id_of_reference(session, order_id)
    payload: dict[str, object] = body.model_dump(exclude_none=True)
    department = payload.get("department_id")
    if isinstance(department, int):
        if not await queries.department_exists(session, department):
            raise InvalidInputError(
                [
                    {
                        "loc": ["body", "department_id"],
                        "msg": f"department {department} does not exist",
                        "type": "reference",
                    }
                ]
            )
        payload["department_id"] = str(department)
    await release_connection(session)  # the rules cache and the store take their own
    rules = await rules_cache(state).get()
    store = SqlWorkOrderStore(state.sessionmaker)
    with domain_errors():
        parsed = lifecycle.parse_action(action)
        order, _ = await service.apply_action(
            store,
            state.clock,
            rules,
            InboxNotifier(store, state.clock, state.settings.notices.channels()),
            order_id,
            parsed,
            actor,
            expected,
            **payload,
        )
    response.headers["ETag"] = etag(order.revision)
    masked = not access.sees_personal_data(actor) or not access.can_read(order, actor)
    if not masked:
        audit_personal_data_read(session, request, principal, [order], parsed.value)
    return WorkOrderRead.of(order, masked)
