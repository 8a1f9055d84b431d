"""Summaries and unanswered knowledge-base searches over whatever calls are seeded: the topics
report's screenshots need a realistic mix, the synthetic day has no summaries of its own."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import Call, CallSummaryRow, KbSearchMiss, Topic

TAXONOMY = (
    ("S_IIT", None, "个人所得税", "Individual income tax"),
    ("S_IIT.DEDUCT", "S_IIT", "专项附加扣除", "Special deductions"),
    ("S_IIT.ANNUAL", "S_IIT", "年度汇算", "Annual reconciliation"),
    ("S_VAT", None, "增值税", "VAT"),
    ("S_VAT.INVOICE", "S_VAT", "数电发票", "Digital invoices"),
    ("S_VAT.REFUND", "S_VAT", "留抵退税", "Input VAT refunds"),
    ("S_SOC", None, "社保费", "Social insurance"),
    ("S_SOC.PAY", "S_SOC", "缴费", "Paying contributions"),
)
MISSES = ("留抵退税 新政", "数电发票 红冲 流程", "个体户 核定", "境外所得 申报", "社保 断缴")


async def summarise_answered_calls(maker: async_sessionmaker[AsyncSession], seed: int = 7) -> None:
    """One summary for every answered call with an agent, topics drawn with a skew (deductions
    most); a few dozen searches that found nothing during the same hours."""
    rng = random.Random(seed)
    codes = [code for code, parent, _, _ in TAXONOMY if parent is not None]
    weights = [8, 5, 4, 3, 2]
    async with maker() as session, session.begin():
        for code, parent, zh, en in TAXONOMY:
            if await session.get(Topic, code) is None:
                session.add(Topic(code=code, parent_code=parent, name_zh=zh, name_en=en))
        await session.flush()
        answered = (
            await session.execute(
                select(Call.id, Call.agent_id, Call.arrived_at).where(
                    Call.answered_at.is_not(None), Call.agent_id.is_not(None)
                )
            )
        ).all()
        for call_id, agent_id, _ in answered:
            session.add(
                CallSummaryRow(
                    call_id=call_id,
                    agent_id=agent_id,
                    topic_code=rng.choices(codes, weights)[0],
                    question="…",
                    result="answered",
                )
            )
        for _, _, arrived in answered[:: max(1, len(answered) // 30)]:
            query = rng.choices(MISSES, [6, 4, 3, 2, 1])[0]
            session.add(KbSearchMiss(query=query, asked_by="a", at=arrived + timedelta(seconds=30)))
