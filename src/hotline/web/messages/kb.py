"""Messages of the knowledge-base pages (web/kb) and the desktop's knowledge panel."""

from __future__ import annotations

from typing import Final

# message id -> (zh-CN, en)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "kb.title": ("知识库", "Knowledge base"),
    "kb.search": ("搜索知识库", "Search the knowledge base"),
    "kb.demo": ("演示数据：知识库尚未上线", "Demo items: the knowledge base is not live yet"),
    "kb.none": ("无结果", "Nothing found"),
    "kb.use": ("采用此答复", "Use this answer"),
    "kb.region": ("来电地区", "Caller's city"),
    "kb.region.any": ("不限", "Any"),
    "kb.region.hangzhou": ("杭州", "Hangzhou"),
    "kb.region.wenzhou": ("温州", "Wenzhou"),
    "kb.date": ("适用日期", "In force on"),
    "kb.go": ("搜索", "Search"),
    "kb.bad_date": ("日期格式应为 YYYY-MM-DD", "The date must be YYYY-MM-DD"),
    "kb.back": ("返回知识库搜索", "Back to the knowledge base"),
    "kb.missing": (
        "没有这篇知识或该日期无有效版本",
        "No such article, or no version in force that day",
    ),
    "kb.version": ("版本", "version"),
    "kb.open_end": ("长期有效", "until further notice"),
    "kb.legal_basis": ("政策依据", "Legal basis"),
    "kb.owner": ("负责部门", "Owner"),
    "kb.versions": ("历史版本", "Versions"),
    "kb.status.draft": ("草稿", "draft"),
    "kb.status.review": ("待审核", "in review"),
    "kb.status.published": ("已发布", "published"),
    "kb.status.retired": ("已停用", "retired"),
}
