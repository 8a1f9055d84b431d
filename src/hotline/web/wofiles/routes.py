"""The attachments panel of a work order's page (list, upload, remove), and a page of its own.

``templates/workorders/_attachments.html`` is the partial the order page includes: it loads
this panel by htmx (``GET /workorders/{id}/attachments/panel``), so the order page needs no
knowledge of files. Uploads and removals go through the same functions as the API
(``hotline.api.attachments``: limits, sniffing, visibility, audit); a refusal is shown in the
panel, in the user's language, saying what to do. Downloads use the API's URL (the session
cookie signs them in), which always serves files as attachments.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from starlette.responses import Response

from hotline.api import attachments as api
from hotline.auth.principal import Principal
from hotline.deps import AppStateDep, SessionDep
from hotline.errors import AppError, ForbiddenError
from hotline.web import i18n
from hotline.web.session import PageUser
from hotline.web.templating import lang_of, render
from workorders.model import WorkOrder

router = APIRouter(include_in_schema=False)

# The file chooser's hint; the server sniffs the bytes whatever the name says.
_EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg,.jpeg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "text/plain": ".txt",
    "application/zip": ".zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
}


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


async def _panel(
    request: Request,
    session: SessionDep,
    state: AppStateDep,
    principal: Principal,
    order: WorkOrder,
    error: str | None = None,
) -> Response:
    limits = state.settings.attachments
    items = await api.attachments_of(session, order)
    context: dict[str, Any] = {
        "user": principal,
        "order_id": order.id,
        "reference": order.reference,
        "items": items,
        "sizes": {item.id: _size(item.size) for item in items},
        "zone": ZoneInfo(state.settings.timezone),
        "error": error,
        "can_upload": principal.has_any(api.UPLOADER_ROLES),
        "removable": {
            item.id
            for item in items
            if principal.has_any(api.REMOVER_ROLES) or item.uploaded_by_id == principal.user_id
        },
        "accept": ",".join(
            _EXTENSIONS[kind] for kind in limits.allowed_types if kind in _EXTENSIONS
        ),
        "max_size": _size(limits.max_bytes),
        "kinds": ", ".join(
            _EXTENSIONS.get(kind, kind).replace(",", " ") for kind in limits.allowed_types
        ),
    }
    return render(request, "wofiles/_panel.html", context)


def _refusal(request: Request, state: AppStateDep, exc: AppError) -> str:
    lang = lang_of(request)
    limits = state.settings.attachments
    if isinstance(exc, api.PayloadTooLargeError):
        return i18n.translate(lang, "wofiles.too_large").format(limit=_size(limits.max_bytes))
    if isinstance(exc, api.UnsupportedMediaTypeError):
        allowed = ", ".join(
            _EXTENSIONS.get(kind, kind).replace(",", " ") for kind in limits.allowed_types
        )
        return i18n.translate(lang, "wofiles.bad_type").format(allowed=allowed)
    if isinstance(exc, api.InfectedFileError):
        return i18n.translate(lang, "wofiles.infected").format(
            filename=exc.filename, signature=exc.signature
        )
    if isinstance(exc, api.ScannerUnavailableError):
        return i18n.translate(lang, "wofiles.scanner_down")
    if exc.status_code == 422:
        return i18n.translate(lang, "wofiles.no_file")
    if exc.status_code == 403:
        return i18n.translate(lang, "wofiles.forbidden")
    return str(exc.detail)


@router.get("/workorders/{order_id}/attachments/panel")
async def panel(
    order_id: str, request: Request, session: SessionDep, state: AppStateDep, principal: PageUser
) -> Response:
    """The panel alone (htmx loads it into the order page)."""
    order = await api.visible_order(session, state, principal, order_id[:64])
    return await _panel(request, session, state, principal, order)


@router.get("/workorders/{order_id}/files")
async def files_page(
    order_id: str, request: Request, session: SessionDep, state: AppStateDep, principal: PageUser
) -> Response:
    """A page with the panel only: a link target until (and besides) the order page."""
    order = await api.visible_order(session, state, principal, order_id[:64])
    return render(
        request,
        "wofiles/files.html",
        {"user": principal, "order_id": order.id, "reference": order.reference},
    )


@router.post("/workorders/{order_id}/attachments/panel")
async def upload(
    order_id: str, request: Request, session: SessionDep, state: AppStateDep, principal: PageUser
) -> Response:
    order = await api.visible_order(session, state, principal, order_id[:64])
    error = None
    try:
        if not principal.has_any(api.UPLOADER_ROLES):
            raise ForbiddenError("your role may not add files")
        filename, data = await api.read_upload(request, state.settings.attachments.max_bytes)
        await api.add_attachment(session, state, principal, order, filename, data)
        await session.commit()
    except AppError as exc:
        await session.rollback()
        error = _refusal(request, state, exc)
    return await _panel(request, session, state, principal, order, error)


@router.delete("/workorders/{order_id}/attachments/panel/{attachment_id}")
async def remove(
    order_id: str,
    attachment_id: int,
    request: Request,
    session: SessionDep,
    state: AppStateDep,
    principal: PageUser,
) -> Response:
    order = await api.visible_order(session, state, principal, order_id[:64])
    error = None
    try:
        await api.delete_attachment(order.id, attachment_id, request, session, state, principal)
    except AppError as exc:
        await session.rollback()
        error = _refusal(request, state, exc)
    return await _panel(request, session, state, principal, order, error)
