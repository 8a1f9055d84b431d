"""A live service with the example centre and the sample knowledge base, for browser tests and
screenshots of the knowledge-base pages (no telephony: these pages need none).

``kb-iit-001`` gets one editor, ``national-spec1``; ``national-spec2`` is a specialist of the
same back office who is not one of its editors; ``agent001`` an agent.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from playwright.async_api import Page
from sqlalchemy import update

from hotline.config import Settings
from hotline.db.models import KbArticle
from hotline.demo.options import ARI_PASSWORD_ENV, PASSWORD_ENV
from hotline.demo.runner import bound_port, import_centre, serving
from hotline.main import create_app
from tests.browser import ARI_PASSWORD, PASSWORD, ROOT

ARTICLE = "kb-iit-001"
EDITOR = "national-spec1"
NOT_EDITOR = "national-spec2"
AGENT = "agent001"


@dataclass
class KbCentre:
    base_url: str
    app: Any

    async def sign_in(self, page: Page, username: str, then: str) -> None:
        """Sign in through the login form, landing on ``then``."""
        await page.context.clear_cookies()
        await page.goto(f"{self.base_url}/login?next={then}")
        await page.fill("#username", username)
        await page.fill("#password", PASSWORD)
        await page.press("#password", "Enter")
        await page.wait_for_url(self.base_url + then)


@contextlib.asynccontextmanager
async def kb_centre(database: Path) -> AsyncIterator[KbCentre]:
    os.environ[PASSWORD_ENV] = PASSWORD
    os.environ[ARI_PASSWORD_ENV] = ARI_PASSWORD
    settings = Settings(database_url=f"sqlite+aiosqlite:///{database}")
    example = yaml.safe_load((ROOT / "examples" / "hangzhou.yaml").read_text("utf-8"))
    example["sites"] = [{**site, "enabled": False} for site in example["sites"]]
    await import_centre(settings, example)
    app = create_app(settings)
    async with serving(app, 0) as server:
        async with app.state.hotline.sessionmaker() as session:
            await session.execute(
                update(KbArticle).where(KbArticle.id == ARTICLE).values(editors=[EDITOR])
            )
            await session.commit()
        yield KbCentre(f"http://127.0.0.1:{bound_port(server)}", app)
