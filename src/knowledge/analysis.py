"""Query and document analysis: segmentation, synonyms, highlighting.

Text is cut by jieba-rs (``rjieba``) in search mode (a long word also yields its
parts: 个人所得税 -> 个人, 所得, 所得税, 个人所得税), with the project's tax dictionary added
so terms such as 专项附加扣除 stay whole. Every term of a synonym group is then replaced by
the group's canonical form, on the article side and on the query side alike, so 个税 finds
个人所得税 and 专票 finds 增值税专用发票 without expanding the query. Punctuation and a few
function words are dropped: a query made only of them has no terms and finds nothing.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import rjieba
import yaml

# Words that carry no meaning for the search (a caller's filler words, particles).
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "是",
        "我",
        "你",
        "他",
        "她",
        "它",
        "我们",
        "在",
        "有",
        "和",
        "与",
        "及",
        "或",
        "也",
        "都",
        "就",
        "还",
        "要",
        "想",
        "请问",
        "请",
        "问",
        "一下",
        "这个",
        "那个",
        "这",
        "那",
        "怎么",
        "怎么办",
        "怎样",
        "如何",
        "什么",
        "哪些",
        "哪里",
        "哪个",
        "多少",
        "可以",
        "能",
        "能不能",
        "会",
        "是不是",
        "有没有",
        "吗",
        "么",
        "一个",
        "个",
        "被",
        "把",
        "给",
        "对",
        "从",
        "到",
        "为",
        "以",
        "等",
    ]
)
_WORDY = re.compile(r"\w", re.UNICODE)


def _normalise(text: str) -> str:
    # Full-width letters and digits (ＡＰＰ, ２０２５) become ASCII; Latin letters lower case.
    return unicodedata.normalize("NFKC", text).lower()


@dataclass(frozen=True)
class Analyzer:
    """Cuts text into index terms; one instance serves the index and the queries alike."""

    segmenter: rjieba.Jieba
    canonical: dict[str, str]

    def terms(self, text: str) -> list[str]:
        """The index terms of ``text`` in order, repeated as they occur (term frequency counts)."""
        out: list[str] = []
        for token in self.segmenter.cut_for_search(_normalise(text), True):
            token = token.strip()
            if not token or not _WORDY.search(token) or token in STOPWORDS:
                continue
            out.append(self.canonical.get(token, token))
        return out

    def query_terms(self, query: str) -> list[str]:
        """The distinct terms of a query, in the order typed."""
        return list(dict.fromkeys(self.terms(query)))

    def surface_forms(self, terms: Iterable[str]) -> set[str]:
        """Every written form of the terms (the canonical and its synonyms), for highlighting."""
        wanted = set(terms)
        forms = {t for t in wanted if len(t) > 1 or not t.isascii()}
        forms |= {form for form, canon in self.canonical.items() if canon in wanted}
        return forms

    def highlight(self, text: str, terms: Iterable[str]) -> str:
        """``text`` HTML-escaped, with every written form of ``terms`` wrapped in ``<mark>``."""
        forms = sorted(self.surface_forms(terms), key=len, reverse=True)
        if not forms:
            return html.escape(text)
        pattern = re.compile("|".join(re.escape(f) for f in forms), re.IGNORECASE)
        parts: list[str] = []
        last = 0
        for match in pattern.finditer(text):
            parts.append(html.escape(text[last : match.start()]))
            parts.append(f"<mark>{html.escape(match.group(0))}</mark>")
            last = match.end()
        parts.append(html.escape(text[last:]))
        return "".join(parts)


def load_synonyms(text: str) -> dict[str, str]:
    """``synonyms.yaml`` as a map from every member of a group to its canonical form."""
    data = yaml.safe_load(text) or {}
    canonical: dict[str, str] = {}
    for group in data.get("groups", []):
        canon = _normalise(str(group["canonical"]))
        for term in group.get("terms", []):
            canonical[_normalise(str(term))] = canon
    return canonical


def build_analyzer(dictionary: str, synonyms: str) -> Analyzer:
    """An analyzer from a jieba user dictionary (``term freq POS`` lines) and synonym groups."""
    segmenter = rjieba.Jieba()
    for line in dictionary.splitlines():
        parts = line.split()
        if not parts or line.startswith("#"):
            continue
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[2] if len(parts) > 2 else None
        segmenter.add_word(_normalise(parts[0]), freq, tag)
    return Analyzer(segmenter=segmenter, canonical=load_synonyms(synonyms))


@cache
def default_analyzer() -> Analyzer:
    """The analyzer with the dictionary and synonyms this package ships (built once: ~0.3 s)."""
    data = resources.files("knowledge") / "data"
    return build_analyzer(
        (data / "dictionary.txt").read_text(encoding="utf-8"),
        (data / "synonyms.yaml").read_text(encoding="utf-8"),
    )
