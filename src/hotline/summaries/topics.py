"""The topic taxonomy: read as a tree, upserted by the importer and by admins."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.db.models.summary import Topic
from hotline.errors import InvalidInputError
from hotline.summaries.schemas import TopicRead, TopicWrite


def field_error(field: str, message: str) -> InvalidInputError:
    """A 422 naming the body field, in the same shape as FastAPI's own validation errors."""
    return InvalidInputError([{"loc": ["body", field], "msg": message, "type": "value_error"}])


async def tree(session: AsyncSession, *, include_retired: bool = False) -> list[TopicRead]:
    query = select(Topic).order_by(Topic.position, Topic.code)
    if not include_retired:
        query = query.where(Topic.active)
    rows = (await session.scalars(query)).all()
    areas = [TopicRead.model_validate(r) for r in rows if r.parent_code is None]
    by_code = {a.code: a for a in areas}
    for row in rows:
        if row.parent_code is not None and row.parent_code in by_code:
            by_code[row.parent_code].children.append(TopicRead.model_validate(row))
    return areas


async def upsert(session: AsyncSession, data: TopicWrite) -> Topic:
    """Create or change one topic; two levels only, and a subject's code starts with its area's."""
    if data.parent_code is None:
        if "." in data.code:
            raise field_error("parent_code", f"topic {data.code} is a subject: name its area")
    else:
        parent = await session.get(Topic, data.parent_code)
        if parent is None:
            raise field_error("parent_code", f"unknown topic area {data.parent_code!r}")
        if parent.parent_code is not None:
            raise field_error("parent_code", "topics have two levels: the parent must be an area")
        if not data.code.startswith(data.parent_code + "."):
            parent_code = data.parent_code
            raise field_error("code", f"a subject of {parent_code} is named {parent_code}.X")
    row = await session.get(Topic, data.code)
    if row is None:
        row = Topic(code=data.code)
        session.add(row)
    for name, value in data.model_dump().items():
        setattr(row, name, value)
    await session.flush()
    return row


async def require_subject(session: AsyncSession, code: str) -> Topic:
    """The active subject ``code`` (a second-level topic), or a 422 naming ``topic_code``."""
    row = await session.get(Topic, code)
    if row is None or not row.active:
        raise field_error("topic_code", f"unknown topic {code!r}")
    if row.parent_code is None:
        raise field_error("topic_code", f"{code!r} is a topic area: choose one of its subjects")
    return row
