"""Pinyin initials of Chinese words, so an agent can find a title by typing ``gs`` or ``grsds``.

Why pypinyin: it carries a phrase dictionary that picks the reading of a polyphonic character
from its word (行 is h in 银行, x in 行政), which a per-character table gets wrong; it is pure
Python and offline. The version is pinned in pyproject.toml because a new dictionary could change
which titles an initials query finds on an index built with the old one.

Only titles are indexed this way (short, and where an agent looks first); a pinyin term is kept
apart from word terms by :data:`PREFIX`, so it never matches a word and the word statistics
(lengths, document frequencies) are unchanged.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

PREFIX = "py:"
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,}$")
# What an initials query looks like: letters only, 2 to 16 of them (no Chinese typed).
_QUERY = re.compile(r"^[a-z]{2,16}$")


@lru_cache(maxsize=65_536)
def initials(word: str) -> str | None:
    """``个人所得税`` -> ``grsds``; None for a single character or anything not all Chinese."""
    if not _HAN.match(word):
        return None
    letters = "".join(lazy_pinyin(word, style=Style.FIRST_LETTER, strict=False))
    return letters if _QUERY.match(letters) else None


def query_term(term: str) -> str | None:
    """The pinyin index term a typed term stands for (``gs`` -> ``py:gs``), if it can be one."""
    return PREFIX + term if _QUERY.match(term) else None
