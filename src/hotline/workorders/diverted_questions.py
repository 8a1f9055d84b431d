"""Questions routing gave up on become work orders, through the desk's own use case.

A voicemail or a ``work_order`` divert files an enquiry (咨询) for the caller's number, naming
the line, the language, the IVR choices and, for a voicemail, the stored recording, with the
call attached, so that whoever picks it up can listen and call back. The order is created by a
service account (``ivr``, inactive: it can never sign in), because ``work_order.created_by``
names a user and nobody at the desk created it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.clock import Clock
from hotline.db.models import User, WorkOrderRow
from hotline.telephony.diverted import DivertedQuestion, QuestionHook
from hotline.workorders.rules import RulesCache
from hotline.workorders.store import SqlWorkOrderStore
from workorders import lifecycle, service
from workorders.model import Actor, Category, Priority, Role, Taxpayer

SERVICE_USERNAME = "ivr"
_NO_PASSWORD = "!"  # no hash matches it: the account cannot sign in

_REASONS = {
    "max_wait": ("等待超时", "the maximum wait was reached"),
    "no_agents": ("无可用坐席", "no agent serves the line and language"),
    "closed": ("非服务时间", "outside service hours"),
}


async def service_user_id(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """The ``ivr`` account's id, created (inactive) on first use; two processes racing to
    create it both end up with the one row."""
    async with sessionmaker() as session:
        found = await session.scalar(select(User.id).where(User.username == SERVICE_USERNAME))
        if found is not None:
            return found
        user = User(
            username=SERVICE_USERNAME,
            full_name="IVR 语音留言",
            password_hash=_NO_PASSWORD,
            is_active=False,
        )
        session.add(user)
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()
            again = await session.scalar(select(User.id).where(User.username == SERVICE_USERNAME))
            if again is None:
                raise
            return again
        return user.id


def draft_for(question: DivertedQuestion) -> lifecycle.OrderDraft:
    """The order's text: bilingual, since whoever reads it may work in either language."""
    zh, en = _REASONS.get(question.reason, (question.reason, question.reason))
    kind = ("语音留言", "voicemail") if question.recording else ("来电转工单", "call")
    lines = [
        f"{zh} / {en}",
        f"来电号码 caller: {question.caller_number}",
        f"业务线 line: {question.line or '-'}",
        f"语言 language: {question.language or '-'}",
        "IVR: " + ", ".join(f"{k}={v}" for k, v in sorted(question.ivr_choices.items())),
    ]
    if question.recording:
        lines.append(f"录音 recording: {question.recording}")
    return lifecycle.OrderDraft(
        category=Category.ENQUIRY,
        priority=Priority.NORMAL,
        subject=f"{kind[0]} {kind[1]}: {question.caller_number}",
        description="\n".join(lines),
        taxpayer=Taxpayer(phone=question.caller_number),
        call_id=str(question.call_id),
    )


def question_filer(
    sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, rules: RulesCache
) -> QuestionHook:
    """The hook ``Acd.on_question`` takes (set by the composition root)."""
    user_id: int | None = None

    async def file(question: DivertedQuestion) -> str:
        nonlocal user_id
        if user_id is None:
            user_id = await service_user_id(sessionmaker)
        # Idempotent: a retry after a filing whose acknowledgement was lost finds the order it
        # made (one order per diverted call) instead of making another.
        async with sessionmaker() as session:
            made = await session.scalar(
                select(WorkOrderRow.reference)
                .where(
                    WorkOrderRow.call_id == question.call_id,
                    WorkOrderRow.created_by == user_id,
                )
                .limit(1)
            )
        if made is not None:
            return made
        actor = Actor(user_id=str(user_id), roles=frozenset({Role.SUPERVISOR}))
        order, _ = await service.create_order(
            SqlWorkOrderStore(sessionmaker), clock, await rules.get(), actor, draft_for(question)
        )
        return order.reference

    return file


__all__ = ["SERVICE_USERNAME", "draft_for", "question_filer", "service_user_id"]
