"""Answers are Markdown; they are rendered with raw HTML off, so a ``<script>`` in an answer is
shown as text, and markdown-it's link check drops ``javascript:`` and similar URLs."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def answer_html(markdown: str) -> str:
    """Safe HTML for an answer."""
    return str(_markdown().render(markdown))
