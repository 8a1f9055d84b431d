"""The example document and small edits of it, for the configuration tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from hotline.db.models import Agent, AgentSkill, Skill
from hotline.db.session import transaction

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "centre.yaml"


def example() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return copy.deepcopy(data)


async def staff_every_line(sessionmaker: Any) -> None:
    """One agent per language, specialist on every line, so that every line can be served."""
    async with transaction(sessionmaker) as session:
        for n, language in enumerate(("zh", "en", "ko")):
            skills = [
                Skill(business_line=line, language=language, name=f"{line}/{language}")
                for line in ("national_tax", "local_tax", "finance")
            ]
            session.add(
                Agent(
                    code=f"A{n}",
                    name=f"agent {n}",
                    languages=[language],
                    skills=[AgentSkill(skill=skill, level=1) for skill in skills],
                )
            )
