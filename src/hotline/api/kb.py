"""Knowledge-base search, a placeholder until the knowledge-base issue lands.

It has the shape the real search will have (``GET /kb/search?q=`` returning ranked articles) so the
desktop's panel is built once; every item says ``demo: true`` and the response header
``X-Hotline-Placeholder`` says the results are not the real knowledge base.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from hotline.api.access import AnyUser
from hotline.schemas.base import Schema

router = APIRouter(prefix="/kb", tags=["knowledge base"])


class KbHit(Schema):
    id: str
    title: str
    answer: str
    topic_codes: list[str]
    version: int
    score: float
    demo: bool = True


# Demonstration items written for this project; they are not tax guidance.
_DEMO: tuple[KbHit, ...] = (
    KbHit(
        id="demo-iit-deduct",
        title="专项附加扣除在哪里填报？（演示）",
        answer="演示条目：可在个人所得税APP的“专项附加扣除填报”中填写，或由扣缴单位代为办理。",
        topic_codes=["IIT.DEDUCT"],
        version=1,
        score=1.0,
    ),
    KbHit(
        id="demo-inv-red",
        title="开错的数电发票如何处理？（演示）",
        answer="演示条目：通过电子发票服务平台开具红字发票冲销，再重新开具正确的发票。",
        topic_codes=["INV.RED"],
        version=1,
        score=1.0,
    ),
    KbHit(
        id="demo-vat-small",
        title="小规模纳税人按季还是按月申报？（演示）",
        answer="演示条目：小规模纳税人一般按季度申报，具体以主管税务机关核定为准。",
        topic_codes=["VAT.SMALL"],
        version=1,
        score=1.0,
    ),
)


@router.get("/search", response_model=list[KbHit])
async def search(
    _: AnyUser,
    response: Response,
    q: Annotated[str, Query(max_length=200, description="the agent's words")] = "",
) -> list[KbHit]:
    """Demo items whose title or answer contains a word of ``q``; an empty query finds nothing."""
    response.headers["X-Hotline-Placeholder"] = "kb-demo"
    words = [w for w in q.replace("，", " ").split() if w.strip()]
    if not words:
        return []
    return [hit for hit in _DEMO if any(w in hit.title or w in hit.answer for w in words)][:5]
