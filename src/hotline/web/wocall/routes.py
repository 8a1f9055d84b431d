"""The 回访-by-phone button of a work order's page and what it answers.

``templates/workorders/_follow_up_call.html`` is the partial the order page includes; its
button posts (htmx) to ``/workorders/{id}/follow-up-call/panel``, which places the call through
the API's own function (``hotline.api.follow_up_calls``: the same checks) and answers a short
status in the user's language: the phone rings now, or why not and what to do.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from hotline.api import follow_up_calls as api
from hotline.deps import AppStateDep, SessionDep
from hotline.errors import AppError, ForbiddenError
from hotline.web import i18n
from hotline.web.session import PageUser
from hotline.web.templating import lang_of, render

router = APIRouter(include_in_schema=False)

# The API's refusal slugs the page explains in the user's language.
_REFUSALS = {
    "forbidden": "wocall.forbidden",
    "wrong_state": "wocall.wrong_state",
    "no_phone": "wocall.no_phone",
    "phone_busy": "wocall.phone_busy",
    "no_taxpayer_number": "wocall.no_number",
    "unavailable": "wocall.unavailable",
    "not_found": "wocall.not_found",
}


@router.post("/workorders/{order_id}/follow-up-call/panel")
async def call_back(
    order_id: str, request: Request, session: SessionDep, state: AppStateDep, principal: PageUser
) -> Response:
    lang = lang_of(request)
    try:
        if not principal.has_any(api.CALLER_ROLES):
            raise ForbiddenError("your role may not make 回访 calls")
        placed = await api.follow_up_call(order_id[:64], session, state, principal)
    except AppError as exc:
        message = i18n.translate(lang, _REFUSALS.get(exc.slug, "wocall.failed"))
        return render(request, "wocall/_status.html", {"ok": False, "message": message})
    message = i18n.translate(lang, "wocall.dialling").format(call_id=placed.call_id)
    return render(request, "wocall/_status.html", {"ok": True, "message": message})
