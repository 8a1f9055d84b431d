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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

import rjieba
import yaml

from knowledge.pinyin import PREFIX, initials, query_term

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
_HAN = re.compile(r"[\u4e00-\u9fff]")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


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
        """The distinct terms of a query, in the order typed. A query with no Chinese in it may
        be pinyin initials (``gs``, ``grsds``): each all-letter term also asks for the titles
        whose words have those initials (:meth:`title_pinyin`)."""
        terms = self.terms(query)
        if not _HAN.search(query):
            terms += [p for p in map(query_term, terms) if p]
        return list(dict.fromkeys(terms))

    @cached_property
    def _forms_of(self) -> dict[str, set[str]]:
        """canonical -> every written form (the canonical itself and its synonyms)."""
        out: dict[str, set[str]] = {}
        for form, canon in self.canonical.items():
            out.setdefault(canon, {canon}).add(form)
        return out

    def _word_forms(self, text: str) -> list[tuple[str, set[str]]]:
        """Each word of ``text`` as written, with every form that stands for it."""
        out = []
        for token in self.segmenter.cut_for_search(_normalise(text), True):
            token = token.strip()
            if not token or not _WORDY.search(token) or token in STOPWORDS:
                continue
            forms = {token} | self._synonyms(token)
            # 个人所得税app: its Chinese part stands for itself too (grsds, and gs for 个税).
            for run in _HAN_RUN.findall(token):
                forms |= {run} | self._synonyms(run)
            out.append((token, forms))
        return out

    def _synonyms(self, word: str) -> set[str]:
        canon = self.canonical.get(word, word)
        return self._forms_of.get(canon, {canon})

    def title_pinyin(self, title: str) -> list[str]:
        """The pinyin index terms of a title: ``py:`` and the initials of each of its words and
        of their synonyms (a title with 个人所得税 is found by ``grsds`` and by ``gs``, 个税)."""
        found: dict[str, None] = {}
        for _, forms in self._word_forms(title):
            for form in sorted(forms):
                letters = initials(form)
                if letters:
                    found[PREFIX + letters] = None
        return list(found)

    def surface_forms(self, terms: Iterable[str]) -> set[str]:
        """Every written form of the terms (the canonical and its synonyms), for highlighting."""
        wanted = set(terms)
        forms = {t for t in wanted if len(t) > 1 or not t.isascii()}
        forms |= {form for form, canon in self.canonical.items() if canon in wanted}
        return forms

    def highlight(self, text: str, terms: Iterable[str]) -> str:
        """``text`` HTML-escaped, with every written form of ``terms`` wrapped in ``<mark>``."""
        return self.marker(terms)(text)

    def marker(self, terms: Iterable[str]) -> Callable[[str], str]:
        """:meth:`highlight` for many texts and the same terms: the forms of the words are
        gathered once (a search marks two fields of every hit)."""
        terms = list(terms)
        wanted = {t.removeprefix(PREFIX) for t in terms if t.startswith(PREFIX)}
        words = self.surface_forms(t for t in terms if not t.startswith(PREFIX))
        pattern = _pattern(words)

        def mark(text: str) -> str:
            if not wanted:
                return _marked(text, pattern)
            # A pinyin match marks the title's words whose initials (or a synonym's) were typed.
            typed = {
                token
                for token, forms in self._word_forms(text)
                if any(initials(form) in wanted for form in forms)
            }
            return _marked(text, _pattern(words | typed))

        return mark


def _pattern(forms: set[str]) -> re.Pattern[str] | None:
    """One alternation of ``forms``, longest first (个人所得税 before 所得税)."""
    if not forms:
        return None
    ordered = sorted(forms, key=len, reverse=True)
    return re.compile("|".join(re.escape(f) for f in ordered), re.IGNORECASE)


def _marked(text: str, pattern: re.Pattern[str] | None) -> str:
    if pattern is None:
        return html.escape(text)
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
