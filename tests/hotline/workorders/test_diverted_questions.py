"""The service account that files diverted questions, and the text of the order it files."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import User
from hotline.db.session import transaction
from hotline.telephony.diverted import DivertedQuestion
from hotline.workorders.diverted_questions import SERVICE_USERNAME, draft_for, service_user_id
from workorders.model import Category

pytestmark = pytest.mark.asyncio


async def test_the_service_account_is_created_once_and_cannot_sign_in(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    first = await service_user_id(sessionmaker)
    assert await service_user_id(sessionmaker) == first
    async with transaction(sessionmaker) as session:
        user = await session.get(User, first)
    assert user is not None
    assert (user.username, user.is_active) == (SERVICE_USERNAME, False)


async def test_the_order_names_the_number_the_choices_and_the_recording() -> None:
    question = DivertedQuestion(
        call_id=42,
        caller_number="13905710001",
        reason="max_wait",
        outcome="voicemail",
        at=datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
        line="local_tax",
        language="en",
        ivr_choices={"language": "en", "line": "local_tax"},
        recording="voicemail-42",
    )
    draft = draft_for(question)
    assert draft.category is Category.ENQUIRY
    assert (draft.call_id, draft.taxpayer.phone) == ("42", "13905710001")
    assert "语音留言 voicemail" in draft.subject
    for text in ("the maximum wait", "local_tax", "language=en", "录音 recording: voicemail-42"):
        assert text in draft.description
    plain = draft_for(DivertedQuestion(43, "02162370001", "no_agents", "work_order", question.at))
    assert "recording" not in plain.description
    assert "no agent serves" in plain.description
