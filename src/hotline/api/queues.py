"""Realtime queue statistics: who waits per skill, the agents' states, today's counters."""

from __future__ import annotations

from fastapi import APIRouter

from hotline.api.access import QueueReader
from hotline.deps import AppStateDep
from hotline.telephony import get_telephony
from hotline.telephony.schemas import QueueRead
from hotline.telephony.wallboard import tiles

router = APIRouter(prefix="/queues", tags=["queues"])


@router.get("", response_model=list[QueueRead])
async def list_queues(_: QueueReader, state: AppStateDep) -> list[QueueRead]:
    return await tiles(get_telephony(state))
