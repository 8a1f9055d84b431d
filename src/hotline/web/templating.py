"""The Jinja2 environment shared by every area: layout, ``_()`` and the static URLs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.responses import Response

from hotline.web import i18n

WEB_DIR = Path(__file__).resolve().parent
AREAS = ("desk", "kb")


def _environment() -> Jinja2Templates:
    loader = ChoiceLoader(
        [FileSystemLoader(WEB_DIR / "templates")]
        + [FileSystemLoader(WEB_DIR / area / "templates") for area in AREAS]
    )
    env = Environment(loader=loader, autoescape=select_autoescape(default=True))
    return Jinja2Templates(env=env)


TEMPLATES = _environment()


def lang_of(request: Request) -> i18n.Lang:
    return i18n.pick_lang(request.cookies.get(i18n.LANG_COOKIE))


def _demo_people(request: Request) -> list[str]:
    state = getattr(request.app.state, "hotline", None)
    return list(state.extras.get("demo_people", [])) if state is not None else []


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    lang = lang_of(request)
    values: dict[str, Any] = {
        "lang": lang,
        "other_lang": "en" if lang == "zh-CN" else "zh-CN",
        "_": lambda key: i18n.translate(lang, key),
        "csrf_token": request.cookies.get("hotline_csrf", ""),
        "path": request.url.path,
        # The demo names the logins meant for people (set by hotline.demo.runner).
        "demo_people": _demo_people(request),
        **(context or {}),
    }
    return TEMPLATES.TemplateResponse(request, name, values, status_code=status_code)
