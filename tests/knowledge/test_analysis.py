"""Segmentation with the tax dictionary, synonyms, empty queries and highlighting."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.analysis import default_analyzer
from knowledge.corpus import ArticleFileError, parse_article, render_article
from knowledge.ranking import CorpusStats, bm25

EXAMPLES = Path(__file__).parents[2] / "examples" / "kb"


@pytest.mark.parametrize(
    ("query", "term"),
    [
        ("个税怎么交", "个人所得税"),
        ("专票丢了", "增值税专用发票"),
        ("专项附加扣除在哪填", "专项附加扣除"),
        ("小规模纳税人按季申报", "小规模纳税人"),
    ],
)
def test_tax_terms_stay_whole_and_abbreviations_become_the_canonical(query: str, term: str) -> None:
    assert term in default_analyzer().query_terms(query)


@pytest.mark.parametrize("query", ["", "   ", "？！。，", "...", "的吗"])
def test_empty_or_punctuation_only_queries_have_no_terms(query: str) -> None:
    assert default_analyzer().query_terms(query) == []


def test_highlight_marks_every_written_form_and_escapes_html() -> None:
    a = default_analyzer()
    out = a.highlight("个税即个人所得税<script>x</script>", a.query_terms("个税"))
    assert out == "<mark>个税</mark>即<mark>个人所得税</mark>&lt;script&gt;x&lt;/script&gt;"


def test_bm25_prefers_rarer_terms_and_shorter_documents() -> None:
    stats = CorpusStats(documents=100, total_length=10_000)
    rare = bm25({"a": 1}, 100, {"a": 2}, stats)
    common = bm25({"a": 1}, 100, {"a": 90}, stats)
    assert rare > common > 0
    assert bm25({"a": 1}, 50, {"a": 2}, stats) > rare


def test_every_sample_article_parses_and_round_trips() -> None:
    files = sorted(EXAMPLES.glob("*.md"))
    assert len(files) >= 50
    for path in files:
        article = parse_article(path.name, path.read_text(encoding="utf-8"))
        again = parse_article(path.name, render_article(article))
        assert again == article


def test_a_bad_file_names_the_file_and_the_field() -> None:
    text = (
        "---\nid: kb-x-001\ntitle: t\nquestion: q\ndepartment: d\nowner: o\nregions: [zhejiang]\n"
    )
    text += "effective_from: 2024-13-01\n---\nbody\n"
    with pytest.raises(ArticleFileError, match=r"kb-x-001\.md: effective_from: '2024-13-01'"):
        parse_article("kb-x-001.md", text)
    with pytest.raises(ArticleFileError, match=r"kb-x-001\.md: owner: is missing"):
        parse_article("kb-x-001.md", text.replace("owner: o\n", ""))


def test_a_query_with_chinese_in_it_is_not_read_as_pinyin() -> None:
    analyzer = default_analyzer()
    assert analyzer.query_terms("gs") == ["gs", "py:gs"]
    assert analyzer.query_terms("个税 app") == ["个人所得税", "app"]
    assert "py:grsds" in analyzer.title_pinyin("个税年度汇算")
    assert "py:gs" in analyzer.title_pinyin("个人所得税APP")
