"""The Jinja2 environment shared by every area: layout, ``_()`` and the static URLs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.responses import Response

from hotline.roles import Role
from hotline.web import i18n, nav

WEB_DIR = Path(__file__).resolve().parent
_NOTICE_ROLES = {Role.SPECIALIST, Role.LIAISON, Role.SUPERVISOR, Role.DIRECTOR}
# Every sub-package with a routes.py is an area: its pages, templates/ and static/ (under
# /static/<area>); found on disk so that a new screen touches no shared list.
AREAS: tuple[str, ...] = tuple(
    sorted(p.name for p in WEB_DIR.iterdir() if (p / "routes.py").is_file())
)


def _environment() -> Jinja2Templates:
    loader = ChoiceLoader(
        [FileSystemLoader(WEB_DIR / "templates")]
        + [FileSystemLoader(WEB_DIR / area / "templates") for area in AREAS]
    )
    # No auto_reload: the templates ship with the code and change only with a restart, and
    # with it every ``include`` of every render asked the disk whether its file had changed
    # (an os.stat per included template: ~50 per work-order inbox page, one per row partial).
    env = Environment(loader=loader, autoescape=select_autoescape(default=True), auto_reload=False)
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
    user = values.get("user")
    values.setdefault("nav", nav.links_for(user.roles) if user is not None else [])
    values.setdefault("nav_current", nav.current(values["nav"], request.url.path))
    # Live work-order notices (web/notices/static/live.js) for the people who handle orders;
    # the agent desktop has its own stream and no use for them.
    values.setdefault("live_notices", user is not None and bool(set(user.roles) & _NOTICE_ROLES))
    return TEMPLATES.TemplateResponse(request, name, values, status_code=status_code)
