"""Work-order attachments: upload, list, download (audited), delete.

Who may see an order's files is who may see the order (``workorders.access.can_read``); who may
add one is who may act on orders and can see this one; a file is removed by its uploader, a
supervisor or an admin. Limits (``settings.attachments``) are checked before the body is parsed
where the request says its length (413), and again on the bytes; the type is sniffed from the
content and refused with 415 naming the types allowed.

Serving is virus-safe by construction: always ``Content-Disposition: attachment``, ``nosniff``
and a CSP that allows nothing (sandboxed), so even a file that slipped past the sniffing never
runs as a page of this site.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import quote

import structlog
from fastapi import APIRouter, Depends, Request, Response, status
from fastapi import Path as PathParam
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from hotline import audit
from hotline.api.params import BigRowId
from hotline.auth.principal import Principal, require
from hotline.db.models import User, WorkOrderAttachment
from hotline.deps import AppState, AppStateDep, SessionDep, release_connection
from hotline.errors import (
    AppError,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    ServiceUnavailableError,
)
from hotline.roles import Role
from hotline.workorders import queries
from hotline.workorders.actors import actor_for
from hotline.workorders.attachments import FileStore, sniff
from hotline.workorders.errors import domain_errors
from hotline.workorders.settings import AttachmentSettings
from hotline.workorders.store import SqlWorkOrderStore
from hotline.workorders.virus_scan import ScannerFailed, scanner_for
from workorders import access
from workorders.model import WorkOrder

log = structlog.get_logger(__name__)
router = APIRouter(tags=["work orders"])

READER_ROLES = (
    Role.AGENT,
    Role.SPECIALIST,
    Role.LIAISON,
    Role.SUPERVISOR,
    Role.DIRECTOR,
    Role.ADMIN,
)
UPLOADER_ROLES = (Role.AGENT, Role.SPECIALIST, Role.LIAISON, Role.SUPERVISOR, Role.ADMIN)
REMOVER_ROLES = (Role.SUPERVISOR, Role.ADMIN)  # besides the uploader
readers = require(*READER_ROLES)
uploaders = require(*UPLOADER_ROLES)
Reader = Annotated[Principal, Depends(readers)]
Uploader = Annotated[Principal, Depends(uploaders)]
OrderRef = Annotated[str, PathParam(max_length=64, description="the order's id or its reference")]

# A download's headers: a file, never a page (see the module's docstring).
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"
_MULTIPART_OVERHEAD = 64 * 1024  # the form's boundaries and part headers around the file


class PayloadTooLargeError(AppError):
    status_code = 413
    slug = "payload_too_large"


class UnsupportedMediaTypeError(AppError):
    status_code = 415
    slug = "unsupported_media_type"


class InfectedFileError(InvalidInputError):
    slug = "infected_file"

    def __init__(self, filename: str, signature: str) -> None:
        super().__init__(
            f"'{filename}' was refused: the virus scanner found {signature} in it. "
            "Do not open the original; ask the sender for a clean copy"
        )
        self.filename = filename
        self.signature = signature


class ScannerUnavailableError(ServiceUnavailableError):
    slug = "scanner_unavailable"


class AttachmentRead(BaseModel):
    id: int
    order_id: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str | None = Field(description="the uploader's full name")
    uploaded_by_id: int | None
    uploaded_at: datetime


async def visible_order(
    session: AsyncSession, state: AppState, principal: Principal, order_ref: str
) -> WorkOrder:
    """The order named by id or reference, if ``principal`` may see it (else 404 / 403)."""
    actor = await actor_for(session, principal)
    order_id = order_ref
    if queries.looks_like_reference(order_ref):
        order_id = await queries.id_of_reference(session, order_ref)
    await release_connection(session)  # the store reads on a connection of its own
    with domain_errors():
        order = await SqlWorkOrderStore(state.sessionmaker).get(order_id)
        access.as_seen_by(order, actor)  # 403 for other departments' and agents' orders
    return order


def _read(row: WorkOrderAttachment, uploader: str | None) -> AttachmentRead:
    return AttachmentRead(
        id=row.id,
        order_id=row.order_id,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        uploaded_by=uploader,
        uploaded_by_id=row.uploaded_by,
        uploaded_at=row.uploaded_at,
    )


def clean_filename(name: str | None) -> str:
    """The name shown and offered on download: no path, no control characters, bounded."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')
    return base.strip(" .")[:200] or "attachment"


def download_headers(filename: str) -> dict[str, str]:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return {
        "Content-Disposition": (
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
        ),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": DOWNLOAD_CSP,
        "Cache-Control": "private, no-store",
        "Cross-Origin-Resource-Policy": "same-origin",
    }


@router.get("/workorders/{order_id}/attachments", response_model=list[AttachmentRead])
async def list_attachments(
    order_id: OrderRef, session: SessionDep, state: AppStateDep, principal: Reader
) -> list[AttachmentRead]:
    """The order's files, oldest first, with the uploader's name."""
    order = await visible_order(session, state, principal, order_id)
    return await attachments_of(session, order)


async def attachments_of(session: AsyncSession, order: WorkOrder) -> list[AttachmentRead]:
    rows = await session.execute(
        select(WorkOrderAttachment, User.full_name)
        .outerjoin(User, User.id == WorkOrderAttachment.uploaded_by)
        .where(WorkOrderAttachment.order_id == order.id)
        .order_by(WorkOrderAttachment.uploaded_at, WorkOrderAttachment.id)
    )
    return [_read(row, name) for row, name in rows]


async def read_upload(request: Request, max_bytes: int) -> tuple[str, bytes]:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes + _MULTIPART_OVERHEAD:
        raise PayloadTooLargeError(f"the file is larger than the limit of {max_bytes} bytes")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise _field_error("send the file as multipart/form-data in the field 'file'")
    async with request.form(max_files=1, max_fields=5) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise _field_error("the form has no file in the field 'file'")
        data = await upload.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise PayloadTooLargeError(f"the file is larger than the limit of {max_bytes} bytes")
        if not data:
            raise _field_error("the file is empty")
        return clean_filename(upload.filename), data


def _field_error(message: str) -> InvalidInputError:
    return InvalidInputError([{"loc": ["body", "file"], "msg": message, "type": "value_error"}])


_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.post(
    "/workorders/{order_id}/attachments",
    response_model=AttachmentRead,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=_UPLOAD_BODY,
    responses={
        413: {"description": "larger than the configured limit (named in the detail)"},
        415: {"description": "a type not allowed (the allowed types are named)"},
        422: {"description": "the virus scanner found something (the file and the threat named)"},
        503: {"description": "the configured virus scanner could not check the file"},
    },
)
async def upload_attachment(
    order_id: OrderRef,
    request: Request,
    session: SessionDep,
    state: AppStateDep,
    principal: Uploader,
) -> AttachmentRead:
    """Attach a file (multipart field ``file``); its type is sniffed from the bytes."""
    order = await visible_order(session, state, principal, order_id)
    filename, data = await read_upload(request, state.settings.attachments.max_bytes)
    return await add_attachment(session, state, principal, order, filename, data)


async def add_attachment(
    session: AsyncSession,
    state: AppState,
    principal: Principal,
    order: WorkOrder,
    filename: str,
    data: bytes,
) -> AttachmentRead:
    """Check the type and the count, store the file, add its row (the caller commits)."""
    limits = state.settings.attachments
    kind = sniff(data)
    if kind not in limits.allowed_types:
        raise UnsupportedMediaTypeError(
            f"files of type {kind} are not accepted; allowed: {', '.join(limits.allowed_types)}"
        )
    await refuse_infected(limits, filename, data)
    count = await session.scalar(
        select(func.count()).where(WorkOrderAttachment.order_id == order.id)
    )
    if int(count or 0) >= limits.max_per_order:
        raise ConflictError(
            f"work order {order.reference} already has {limits.max_per_order} files, the limit"
        )
    key, digest = await FileStore(limits.directory).save(data)
    row = WorkOrderAttachment(
        order_id=order.id,
        filename=filename,
        content_type=kind,
        size=len(data),
        sha256=digest,
        storage_key=key,
        uploaded_by=principal.user_id,
        uploaded_at=state.clock.now(),
    )
    session.add(row)
    await session.flush()
    uploader = await session.scalar(select(User.full_name).where(User.id == principal.user_id))
    return _read(row, uploader)


async def refuse_infected(limits: AttachmentSettings, filename: str, data: bytes) -> None:
    """422 naming the file when the configured scanner finds something; 503 when it cannot say
    (an unscanned file is not stored while scanning is on)."""
    scanner = scanner_for(limits.scan_command, limits.scan_clamd, limits.scan_timeout_s)
    if scanner is None:
        return
    try:
        verdict = await scanner.scan(data)
    except ScannerFailed as error:
        log.warning("attachment_scan_failed", filename=filename, error=str(error))
        raise ScannerUnavailableError(
            f"the virus scanner could not check '{filename}': try again in a minute, and tell "
            "an administrator if it keeps failing"
        ) from error
    if verdict.infected:
        log.warning("attachment_infected", filename=filename, signature=verdict.signature)
        raise InfectedFileError(filename, verdict.signature or "")


async def _attachment(
    session: SessionDep, order: WorkOrder, attachment_id: int
) -> WorkOrderAttachment:
    row = await session.get(WorkOrderAttachment, attachment_id)
    if row is None or row.order_id != order.id:
        raise NotFoundError(f"work order {order.reference} has no attachment {attachment_id}")
    return row


@router.get(
    "/workorders/{order_id}/attachments/{attachment_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the file"}},
)
async def download_attachment(
    order_id: OrderRef,
    attachment_id: BigRowId,
    request: Request,
    session: SessionDep,
    state: AppStateDep,
    principal: Reader,
) -> Response:
    """The file, always as a download; every download is audited."""
    order = await visible_order(session, state, principal, order_id)
    row = await _attachment(session, order, attachment_id)
    try:
        data = await FileStore(state.settings.attachments.directory).read(row.storage_key)
    except FileNotFoundError:
        raise NotFoundError(
            f"the file of attachment {attachment_id} is missing from the store; "
            "ask an administrator to restore it"
        ) from None
    audit.add(
        session,
        action="attachment_downloaded",
        actor_user_id=principal.user_id,
        actor_username=principal.username,
        subject_type="work_order",
        subject_id=order.id,
        detail={"attachment_id": row.id, "filename": row.filename, "sha256": row.sha256},
        request_id=getattr(request.state, "request_id", None),
        client_ip=request.client.host if request.client else None,
    )
    await session.commit()
    return Response(data, media_type=row.content_type, headers=download_headers(row.filename))


@router.delete(
    "/workorders/{order_id}/attachments/{attachment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
)
async def delete_attachment(
    order_id: OrderRef,
    attachment_id: BigRowId,
    request: Request,
    session: SessionDep,
    state: AppStateDep,
    principal: Uploader,
) -> Response:
    """Remove a file: its uploader, a supervisor or an admin (audited)."""
    order = await visible_order(session, state, principal, order_id)
    row = await _attachment(session, order, attachment_id)
    if row.uploaded_by != principal.user_id and not principal.has_any(REMOVER_ROLES):
        raise ForbiddenError("only the uploader, a supervisor or an admin may remove this file")
    key = row.storage_key
    await session.delete(row)
    audit.add(
        session,
        action="attachment_deleted",
        actor_user_id=principal.user_id,
        actor_username=principal.username,
        subject_type="work_order",
        subject_id=order.id,
        detail={"attachment_id": attachment_id, "filename": row.filename},
        request_id=getattr(request.state, "request_id", None),
        client_ip=request.client.host if request.client else None,
    )
    await session.commit()
    await FileStore(state.settings.attachments.directory).delete(key)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
