"""``GET /workorders/{id}/voicemail``: play the voicemail a diverted caller left.

A work order filed from a voicemail (``hotline.telephony.question_outbox``) names the recording
the site's Asterisk stores; this streams it, over ARI or from the directory configured as
``recording.voicemail_dir`` (``audio/wav``, one byte range at a time, as a
player asks) to those who work the order: specialists and liaisons who can see it, supervisors
and directors. Every playback (the first byte of the file) is audited: the caller's voice is
personal data.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cti.calls.ports import RecordingUnavailable
from hotline import audit
from hotline.api.attachments import OrderRef, visible_order
from hotline.api.supervision import audio_response, byte_range
from hotline.auth.principal import Principal, require
from hotline.db.models import DivertedQuestionRow
from hotline.deps import AppState, AppStateDep, SessionDep
from hotline.errors import NotFoundError, ServiceUnavailableError
from hotline.roles import Role
from hotline.telephony.component import get_telephony
from hotline.telephony.voicemails import read_voicemail_file

router = APIRouter(tags=["work orders"])

VOICEMAIL_ROLES = (Role.SPECIALIST, Role.LIAISON, Role.SUPERVISOR, Role.DIRECTOR)
listeners = require(*VOICEMAIL_ROLES)
Listener = Annotated[Principal, Depends(listeners)]
VOICEMAIL_PLAYED = "voicemail_played"


async def voicemail_of(session: AsyncSession, call_id: int | None) -> DivertedQuestionRow | None:
    """The diverted question of the order's call, when it left a voicemail."""
    if call_id is None:
        return None
    row = await session.scalar(
        select(DivertedQuestionRow).where(DivertedQuestionRow.call_id == call_id)
    )
    return row if row is not None and row.recording is not None else None


async def _audio(state: AppState, row: DivertedQuestionRow, reference: str) -> tuple[bytes, str]:
    """The voicemail's audio: from the configured directory when there is one, else from the
    site's Asterisk over ARI."""
    assert row.recording is not None
    directory = state.settings.recording.voicemail_dir
    if directory:
        audio = await read_voicemail_file(directory, row.recording)
        if audio is None:
            raise NotFoundError(
                f"the voicemail of work order {reference} is not in {directory} "
                f"({row.recording}.wav): check HOTLINE_RECORDING__VOICEMAIL_DIR"
            )
        return audio, "audio/wav"
    supervision = get_telephony(state).supervision
    if supervision is None or row.site is None:
        raise ServiceUnavailableError(
            "no ARI site is connected in this process: try again when the telephony is up"
        )
    try:
        return await supervision.recording_audio(row.site, row.recording)
    except RecordingUnavailable as error:
        raise NotFoundError(
            f"the voicemail of work order {reference} cannot be played: {error}"
        ) from error


@router.get(
    "/workorders/{order_id}/voicemail",
    response_class=Response,
    responses={
        200: {"content": {"audio/wav": {}}, "description": "the voicemail"},
        206: {"content": {"audio/wav": {}}, "description": "one byte range of it"},
        404: {"description": "the order did not come from a voicemail, or it was purged"},
    },
)
async def play_voicemail(
    order_id: OrderRef,
    request: Request,
    session: SessionDep,
    state: AppStateDep,
    principal: Listener,
) -> Response:
    """Stream the order's voicemail (``audio/wav``, byte ranges); every playback is audited."""
    order = await visible_order(session, state, principal, order_id)
    call_id = int(order.call_id) if order.call_id else None
    row = await voicemail_of(session, call_id)
    if row is None or row.recording is None:
        raise NotFoundError(f"work order {order.reference} did not come from a voicemail")
    if row.recording_purged_at is not None:
        raise NotFoundError(
            f"the voicemail of work order {order.reference} was deleted on "
            f"{row.recording_purged_at:%Y-%m-%d} (retention period)"
        )
    audio, media_type = await _audio(state, row, order.reference)
    span = byte_range(request.headers.get("range"), len(audio))
    if span is None or span[0] == 0:
        audit.add(
            session,
            action=VOICEMAIL_PLAYED,
            actor_user_id=principal.user_id,
            actor_username=principal.username,
            subject_type="work_order",
            subject_id=order.id,
            detail={"recording": row.recording, "range": request.headers.get("range")},
            request_id=getattr(request.state, "request_id", None),
            client_ip=request.client.host if request.client else None,
        )
    return audio_response(audio, media_type, span)


__all__ = ["VOICEMAIL_PLAYED", "VOICEMAIL_ROLES", "router", "voicemail_of"]
