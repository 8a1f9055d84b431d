"""The work-order console: the inbox (/workorders), an order's page (/workorders/{reference})
and its action forms, for specialists, liaisons, supervisors and directors.

The pages call the same queries, store and use cases as ``hotline.api.workorders`` (never the
API over HTTP), with the same scoping, masking and audit. Which actions an order offers comes
from ``lifecycle.allowed_actions``; each form sends the revision the page showed, so acting on
an order someone else changed meanwhile asks for a reload instead of overwriting their change.
Actions post through htmx (it adds the CSRF header); the answer either sends the browser back
to the order's page (HX-Redirect) or puts a message into the page's notice area.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from hotline.api.paging import next_link, page_and_total
from hotline.api.voicemails import VOICEMAIL_ROLES, voicemail_of
from hotline.api.workorders import ORDER_SORTS
from hotline.auth.principal import Principal
from hotline.db.models import Call, CallSummaryRow
from hotline.deps import AppStateDep, SessionDep, release_connection
from hotline.errors import AppError
from hotline.roles import Role
from hotline.web import i18n, nav
from hotline.web.session import PageUser
from hotline.web.templating import lang_of, render
from hotline.web.workorders import filters, view
from hotline.workorders import queries
from hotline.workorders.actors import actor_for
from hotline.workorders.glue import audit_personal_data_read
from hotline.workorders.mapping import ORDER_TABLE, order_from_row
from hotline.workorders.notifier import InboxNotifier
from hotline.workorders.store import SqlWorkOrderStore
from hotline.workorders.sweeper import rules_cache
from workorders import access, lifecycle, service
from workorders.errors import (
    ForbiddenActionError,
    InvalidPayloadError,
    OrderNotFoundError,
    StaleOrderError,
    WorkOrderError,
)
from workorders.model import Action, Actor, Category, Priority, Status, WorkOrder

router = APIRouter(include_in_schema=False)
CONSOLE_ROLES = frozenset(
    {Role.SPECIALIST, Role.LIAISON, Role.SUPERVISOR, Role.DIRECTOR, Role.ADMIN}
)
nav.register(
    "nav.workorders",
    "/workorders",
    CONSOLE_ROLES,
    order=15,
    home=[Role.SPECIALIST, Role.LIAISON],
)
PAGE_SIZE = 25
# Payload fields a form may carry; the lifecycle table says which ones each action takes.
_FORM_FIELDS = ("reason", "answer", "satisfaction", "note", "amount", "department_id", "into")


def _allowed(principal: Principal) -> bool:
    return bool(set(principal.roles) & {role.value for role in CONSOLE_ROLES})


@router.get("/workorders")
async def inbox_page(
    request: Request, principal: PageUser, session: SessionDep, state: AppStateDep
) -> Response:
    if not _allowed(principal):
        return RedirectResponse("/home", status_code=303)
    params = dict(request.query_params)
    wanted = filters.read_filters(params)
    actor = await actor_for(session, principal)
    now = state.clock.now()
    sort = ORDER_SORTS[0]  # nearest deadline first
    listed = queries.listed(actor, filters.order_filter(wanted), now)
    bad_cursor = False
    # The page and its capped total in one statement (as the API's list): one round trip less
    # per inbox page, whose database share is a few milliseconds even at a million orders.
    try:
        rows, total, capped = await page_and_total(
            session, listed, sort, params.get("cursor"), PAGE_SIZE
        )
    except AppError:  # a cursor that is not ours: start again from the first page
        bad_cursor = True
        rows, total, capped = await page_and_total(session, listed, sort, None, PAGE_SIZE)
    more = next_link(request, None, sort, rows, PAGE_SIZE)
    orders = [order_from_row(row) for row in rows[:PAGE_SIZE]]
    if "reference" in wanted.search() and len(orders) == 1:
        return _go_to(request, f"/workorders/{orders[0].reference}")  # the reference quoted
    masked = not access.sees_personal_data(actor)
    if not masked and orders:
        audit_personal_data_read(session, request, principal, orders, "console")
    departments = await view.department_names(session)
    await release_connection(session)
    rules = await rules_cache(state).get()
    shown = [order if not masked else access.as_seen_by(order, actor) for order in orders]
    return render(
        request,
        "workorders/inbox.html",
        {
            "user": principal,
            "f": wanted,
            "rows": view.rows_of(shown, departments, now, rules.ladder, rules.calendar),
            "zone": rules.calendar.zone,
            "total": total,
            "capped": capped,
            "next": more,
            "first": "cursor" in params and not bad_cursor,
            "first_href": _without_cursor(request),
            "bad_cursor": bad_cursor,
            "departments": sorted(departments.items(), key=lambda item: item[1]),
            "states": ["open", "all", *(status.value for status in Status)],
            "categories": [c.value for c in Category],
            "priorities": [p.value for p in Priority],
            "fields": filters.SEARCH_FIELDS,
            "masked": masked,
            "done": _done(params),
        },
    )


def _go_to(request: Request, where: str) -> Response:
    """A redirect htmx follows as a page load (HX-Redirect), or a plain one without htmx."""
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": where})
    return RedirectResponse(where, status_code=303)


def _done(params: dict[str, str]) -> tuple[str, str] | None:
    """The action just taken and its order's reference, when an action sent the person here."""
    action, reference = params.get("done", ""), params.get("done_ref", "")
    if action in {a.value for a in Action} and queries.looks_like_reference(reference):
        return action, reference
    return None


def _without_cursor(request: Request) -> str:
    url = request.url.remove_query_params("cursor")
    return f"{url.path}?{url.query}"


async def _load(
    session: AsyncSession, state: AppStateDep, key: str
) -> tuple[SqlWorkOrderStore, str]:
    """The store and the order's id, from its reference (or its id)."""
    order_id = key
    if queries.looks_like_reference(key):
        order_id = await queries.id_of_reference(session, key)
    return SqlWorkOrderStore(state.sessionmaker), order_id


def _missing(request: Request, principal: Principal, message: str, status: int) -> Response:
    return render(request, "workorders/order.html", {"user": principal, "missing": message}, status)


@router.get("/workorders/{key}")
async def order_page(
    key: str, request: Request, principal: PageUser, session: SessionDep, state: AppStateDep
) -> Response:
    if not _allowed(principal):
        return RedirectResponse("/home", status_code=303)
    if len(key) > 64:
        return _missing(request, principal, "woc.missing", 404)
    actor = await actor_for(session, principal)
    try:
        store, order_id = await _load(session, state, key)
        order = await store.get(order_id)
        seen = access.as_seen_by(order, actor)
    except (AppError, OrderNotFoundError):
        return _missing(request, principal, "woc.missing", 404)
    except ForbiddenActionError:
        return _missing(request, principal, "woc.not_yours", 403)
    events = list(await store.events(order_id))
    masked = not access.sees_personal_data(actor)
    if not masked:
        audit_personal_data_read(session, request, principal, [order], "console_read")
    departments = await view.department_names(session)
    involved = [e.actor for e in events] + [order.handler or "", order.dispatcher or ""]
    request_by = order.extension_request.requested_by if order.extension_request else ""
    names = await view.people(session, [*involved, request_by, order.created_by])
    call, summary = await _call_of(session, order)
    voicemail = await _voicemail(session, principal, order)
    await release_connection(session)
    lang = lang_of(request)

    def say(key: str) -> str:
        return i18n.translate(lang, key)

    rules = await rules_cache(state).get()
    now = state.clock.now()
    row = view.rows_of([seen], departments, now, rules.ladder, rules.calendar)[0]
    return render(
        request,
        "workorders/order.html",
        {
            "user": principal,
            "missing": None,
            "o": seen,
            "row": row,
            "masked": masked,
            "zone": rules.calendar.zone,
            "names": names,
            "departments": sorted(departments.items(), key=lambda item: item[1]),
            "department_names": departments,
            "history": view.history(events, names, departments, rules.calendar, say),
            "amount": lambda text: view.amount_text(text, say),
            "trail": view.trail(order, events, rules.calendar),
            "actions": [a.value for a in lifecycle.allowed_actions(order, actor, now)],
            "rules": lifecycle.RULES,
            "Action": Action,
            "call": call,
            "summary": summary,
            "recording": _recording_link(call),
            "voicemail": voicemail,
            "done": request.query_params.get("done", ""),
            "clock_labels": view.CLOCK_LABELS,
        },
    )


async def _call_of(
    session: AsyncSession, order: WorkOrder
) -> tuple[Call | None, CallSummaryRow | None]:
    if order.call_id is None or not order.call_id.isdigit():
        return None, None
    call = await session.get(Call, int(order.call_id))
    summary = None
    if order.call_summary_id and order.call_summary_id.isdigit():
        summary = await session.get(CallSummaryRow, int(order.call_summary_id))
    elif call is not None:
        summary = await session.scalar(
            select(CallSummaryRow)
            .where(CallSummaryRow.call_id == call.id)
            .order_by(CallSummaryRow.id.desc())
            .limit(1)
        )
    return call, summary


async def _voicemail(
    session: AsyncSession, principal: Principal, order: WorkOrder
) -> dict[str, Any] | None:
    """The player of the voicemail the order came from, for those who may play it (the API
    checks again and audits each playback)."""
    if not principal.has_any(VOICEMAIL_ROLES) or not (order.call_id or "").isdigit():
        return None
    row = await voicemail_of(session, int(order.call_id or 0))
    if row is None:
        return None
    return {"url": f"/api/v1/workorders/{order.id}/voicemail", "purged_at": row.recording_purged_at}


def _recording_link(call: Call | None) -> str | None:
    """The call's page (web/calls, with the player) when the call has a recording not yet
    purged; that page checks who may play it and audits each playback."""
    if call is None or not call.recording_name or call.recording_purged_at is not None:
        return None
    return f"/calls/{call.id}"


def _notice(request: Request, message: str, detail: str = "", **extra: Any) -> Response:
    """A message for the page's notice area (htmx swaps it there, whatever the form was)."""
    response = render(
        request,
        "workorders/_notice.html",
        {"message": message, "detail": detail, **extra},
    )
    response.headers["HX-Retarget"] = "#wo-notice"
    response.headers["HX-Reswap"] = "innerHTML"
    return response


def _payload(action: Action, form: FormData) -> tuple[dict[str, object], str | None]:
    """The form's fields the action takes (the others are left out); an error message id."""
    rule = lifecycle.RULES[action]
    takes = {*rule.required, *rule.optional, *(("into",) if action is Action.MERGE else ())}
    payload: dict[str, object] = {}
    for name in _FORM_FIELDS:
        value = form.get(name)
        if name not in takes or not isinstance(value, str) or not value.strip():
            continue
        if name == "satisfaction":
            if not value.isdigit() or not 1 <= int(value) <= 5:
                return {}, "woc.error.satisfaction"
            payload[name] = int(value)
        elif name == "department_id":
            if not value.isdigit() or len(value) > 9:
                return {}, "woc.error.department"
            payload[name] = value
        else:
            payload[name] = value.strip()[:4000]
    return payload, None


@router.post("/workorders/{key}/actions/{action}")
async def act(
    key: str,
    action: str,
    request: Request,
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
) -> Response:
    if not _allowed(principal):
        return _notice(request, "woc.error.refused")
    try:
        parsed = lifecycle.parse_action(action)
    except WorkOrderError:
        return _notice(request, "woc.error.refused", action)
    form = await request.form()
    revision = str(form.get("revision", ""))
    if not revision.isdigit():
        return _notice(request, "woc.stale_unknown")
    payload, problem = _payload(parsed, form)
    if problem:
        return _notice(request, problem)
    department = payload.get("department_id")
    if isinstance(department, str) and not await queries.department_exists(
        session, int(department)
    ):
        return _notice(request, "woc.error.department")
    actor = await actor_for(session, principal)
    try:
        store, order_id = await _load(session, state, key)
    except AppError:
        return _notice(request, "woc.missing")
    await release_connection(session)
    rules = await rules_cache(state).get()
    try:
        order, _ = await service.apply_action(
            store,
            state.clock,
            rules,
            InboxNotifier(store, state.clock),
            order_id,
            parsed,
            actor,
            int(revision),
            **payload,
        )
    except StaleOrderError as exc:
        return _notice(request, "woc.stale", "", stale=exc)
    except WorkOrderError as exc:
        return _notice(request, _refusal(exc), str(exc))
    response = Response(status_code=204)
    # Back to the order, or to the inbox when the action took it out of the person's reach
    # (a return clears the department: the liaison no longer sees it).
    where = (
        f"/workorders/{order.reference}?done={parsed.value}"
        if access.can_read(order, actor)
        else f"/workorders?done={parsed.value}&done_ref={order.reference}"
    )
    response.headers["HX-Redirect"] = where
    return response


def _refusal(exc: WorkOrderError) -> str:
    if isinstance(exc, ForbiddenActionError):
        return "woc.error.forbidden"
    if isinstance(exc, OrderNotFoundError):
        return "woc.missing"
    if isinstance(exc, InvalidPayloadError):
        return "woc.error.payload"
    return "woc.error.refused"


@router.get("/workorders/{key}/duplicates")
async def duplicates(
    key: str, request: Request, principal: PageUser, session: SessionDep, state: AppStateDep
) -> Response:
    """Orders this one could be merged into: the same taxpayer's and category's open orders,
    or those found by the reference or words typed into the merge form's search."""
    if not _allowed(principal):
        return Response(status_code=403)
    actor = await actor_for(session, principal)
    try:
        store, order_id = await _load(session, state, key)
        order = access.as_seen_by(await store.get(order_id), actor)
    except (AppError, WorkOrderError):
        return render(request, "workorders/_candidates.html", {"candidates": []})
    candidates = await _candidates(session, actor, order, request.query_params.get("q", "")[:100])
    if candidates and access.sees_personal_data(actor):
        audit_personal_data_read(session, request, principal, candidates, "console_merge")
    return render(request, "workorders/_candidates.html", {"candidates": candidates})


async def _candidates(
    session: AsyncSession, actor: Actor, order: WorkOrder, q: str
) -> list[WorkOrder]:
    table = ORDER_TABLE
    same: list[Any] = []
    if order.taxpayer.taxpayer_number:
        same.append(table.c.taxpayer_number == order.taxpayer.taxpayer_number)
    if order.taxpayer.phone:
        same.append(table.c.taxpayer_phone == order.taxpayer.phone)
    text = q.strip()
    if queries.looks_like_reference(text):
        wanted: Any = table.c.reference == text
    elif len(text) >= 2:
        words = queries.contains_words(table.c.subject, text)
        wanted = and_(or_(*same) if same else table.c.id.is_(None), words)
    else:
        wanted = or_(*same) if same else table.c.id.is_(None)
    query = (
        select(table)
        .where(
            queries.visible_to(actor),
            wanted,
            table.c.id != order.id,
            table.c.category == order.category.value,
            table.c.status.not_in([Status.MERGED.value, Status.CLOSED.value]),
        )
        .order_by(table.c.created_at.desc())
        .limit(10)
    )
    found = [order_from_row(row) for row in await session.execute(query)]
    if not access.sees_personal_data(actor):
        found = [access.as_seen_by(item, actor) for item in found]
    return found
