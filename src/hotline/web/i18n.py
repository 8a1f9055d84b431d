"""One translation layer for every user-visible string of the pages (Python, templates, JS).

Why a typed catalog in Python rather than gettext ``.po`` files compiled with Babel: the pages
have two languages and a few hundred strings; a dict keyed by message id needs no compile step in
``./dev`` or CI, mypy and a test check that every id used in a template or script exists in both
languages (gettext would silently fall back to the id), and a reviewer sees a string and its
translation side by side in one diff. When a third language or translators' tools are needed,
the same ``_()`` calls can move to Babel catalogs without touching the templates.

The messages live in one module per area under ``hotline.web.messages`` (each a ``MESSAGES``
dict), found by walking the package: a new screen adds its own module and touches nothing shared.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from typing import Final, Literal

from hotline.web import messages

Lang = Literal["zh-CN", "en"]
LANGS: Final[tuple[Lang, ...]] = ("zh-CN", "en")
DEFAULT_LANG: Final[Lang] = "zh-CN"
LANG_COOKIE: Final = "hotline_lang"


def _load_catalog() -> dict[str, tuple[str, str]]:
    """Every area's messages in one dict; an id defined twice is a programming error."""
    catalog: dict[str, tuple[str, str]] = {}
    for info in sorted(pkgutil.iter_modules(messages.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{messages.__name__}.{info.name}")
        area: dict[str, tuple[str, str]] = module.MESSAGES
        twice = sorted(area.keys() & catalog.keys())
        if twice:
            raise RuntimeError(f"hotline.web.messages.{info.name}: ids defined twice: {twice}")
        catalog.update(area)
    return catalog


# message id -> (zh-CN, en)
CATALOG: Final[dict[str, tuple[str, str]]] = _load_catalog()


def pick_lang(cookie: str | None) -> Lang:
    """The language the switch chose, else zh-CN: the hotline works in Chinese whatever the
    browser's own language (agents' PCs are often set up in English)."""
    for lang in LANGS:
        if cookie == lang:
            return lang
    return DEFAULT_LANG


def _lang_of_tag(tag: str) -> Lang | None:
    """``zh``, ``zh-CN``, ``zh_CN.UTF-8`` -> zh-CN; ``en``, ``en-GB``, ``en_US.UTF-8`` -> en."""
    primary = tag.strip().lower().replace("_", "-").split(".")[0].split("-")[0]
    if primary == "zh":
        return "zh-CN"
    if primary == "en":
        return "en"
    return None


def pick_accepted(header: str | None) -> Lang:
    """The API's language: the first of ``Accept-Language`` (by its q-values) the catalogue
    has, else zh-CN. A client that says nothing gets Chinese, as the pages do."""
    choices: list[tuple[float, int, str]] = []
    for order, part in enumerate((header or "").split(",")):
        tag, _, rest = part.partition(";")
        quality = 1.0
        for parameter in rest.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0  # a q it cannot read: as if the client had not asked
        if tag.strip() and quality > 0:
            choices.append((-quality, order, tag))
    for _, _, tag in sorted(choices):
        found = _lang_of_tag(tag)
        if found is not None:
            return found
    return DEFAULT_LANG


def pick_locale(environ: Mapping[str, str]) -> Lang:
    """The command line's language: the POSIX locale that decides messages (``LC_ALL``, then
    ``LC_MESSAGES``, then ``LANG``: the first set), zh-CN unless it is an English one. ``C``
    and ``POSIX`` (a server's usual) name no language, so they get the default."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return _lang_of_tag(value) or DEFAULT_LANG
    return DEFAULT_LANG


def translate(lang: Lang, key: str) -> str:
    """The message in ``lang``; an unknown id shows itself (and fails the catalog test)."""
    entry = CATALOG.get(key)
    if entry is None:
        return key
    return entry[0] if lang == "zh-CN" else entry[1]


def translate_with(lang: Lang, key: str, **params: object) -> str:
    """The message in ``lang`` with its ``{name}`` params filled in (a command's or an API
    answer's sentence; the pages' templates fill theirs with ``replace``)."""
    return translate(lang, key).format(**params)


def bundle(lang: Lang, prefixes: tuple[str, ...]) -> dict[str, str]:
    """The messages a page's script needs, embedded in the page as JSON."""
    return {k: translate(lang, k) for k in CATALOG if k.startswith(prefixes)}
