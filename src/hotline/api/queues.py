"""Realtime queue statistics: who waits per skill, the agents' states, today's counters."""

from __future__ import annotations

from fastapi import APIRouter

from hotline.api.access import QueueReader
from hotline.deps import AppStateDep
from hotline.telephony import get_telephony
from hotline.telephony.schemas import QueueRead
from hotline.telephony.stats import SkillCounters

router = APIRouter(prefix="/queues", tags=["queues"])


@router.get("", response_model=list[QueueRead])
async def list_queues(_: QueueReader, state: AppStateDep) -> list[QueueRead]:
    service = get_telephony(state)
    live = {(s.skill.line, s.skill.language): s for s in await service.queues()}
    today = await service.today()
    result = []
    for line, language in sorted(set(live) | set(today)):
        snapshot = live.get((line, language))
        counters = today.get((line, language), SkillCounters())
        result.append(
            QueueRead(
                line=line,
                language=language,
                waiting=0 if snapshot is None else snapshot.waiting,
                longest_wait_s=0.0 if snapshot is None else snapshot.longest_wait_s,
                agents={}
                if snapshot is None
                else {k.value: v for k, v in snapshot.agents_by_status.items()},
                offered=counters.offered,
                answered=counters.answered,
                answered_within_sl=counters.answered_within,
                abandoned=counters.abandoned,
                callbacks_requested=counters.callbacks_requested,
                service_level=counters.service_level,
            )
        )
    return result
