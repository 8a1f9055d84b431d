"""The knowledge base's refusals in the page's language.

The knowledge package says what it refuses in English with a ``code`` and ``params``; the
editor's pages word the code from the catalogue (``kb.problem.<code>``). In Chinese a workflow
step or status named in a refusal is the pages' own word for it (``kbedit.step.<step>``,
``kb.status.<status>``); the English keeps the package's words, as the API says them.
"""

from __future__ import annotations

from hotline.web import i18n
from knowledge.errors import KnowledgeError

_PREFIX = "kb.problem."


def message(exc: KnowledgeError, lang: i18n.Lang) -> str:
    """What ``exc`` refuses, in ``lang``; an error without a worded code keeps its English."""
    key = f"{_PREFIX}{exc.code}"
    if exc.code is None or key not in i18n.CATALOG:
        return exc.message
    params = dict(exc.params)
    if lang == "zh-CN":
        for name, prefix in (("action", "kbedit.step."), ("status", "kb.status.")):
            if name in params:
                params[name] = _word(lang, prefix, params[name])
        for name, prefix in (("actions", "kbedit.step."), ("sources", "kb.status.")):
            if name in params:
                words = [_word(lang, prefix, part.strip()) for part in params[name].split(",")]
                params[name] = "、".join(words)
    return i18n.translate_with(lang, key, **params)


def _word(lang: i18n.Lang, prefix: str, value: str) -> str:
    key = prefix + value
    return i18n.translate(lang, key) if key in i18n.CATALOG else value
