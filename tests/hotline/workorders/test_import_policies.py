"""The import file's optional ``sla_policies``: stored as versions, idempotent, never changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import SlaPolicyRow
from hotline.db.session import transaction
from hotline.importer import ImportFileError, import_file
from hotline.workorders.rules import policy_to_data
from workorders.sla import default_sla_policy

pytestmark = pytest.mark.asyncio


def _write(path: Path, policies: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump({"version": 1, "sla_policies": policies}, allow_unicode=True))
    return path


async def test_policies_import_once_and_are_never_rewritten(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    targets = policy_to_data(default_sla_policy())
    longer = {key: dict(value) for key, value in targets.items()}
    longer["complaint/normal"]["resolve"] = "20d"
    policies = [
        {"version": 1, "note": "published limits", "targets": targets},
        {"version": 2, "note": "longer complaints", "targets": longer},
    ]
    file = _write(tmp_path / "centre.yaml", policies)
    summary = await import_file(sessionmaker, file)
    assert summary.counts["sla_policies"] == 2
    await import_file(sessionmaker, file)  # the same file again changes nothing
    async with transaction(sessionmaker) as session:
        rows = (await session.scalars(select(SlaPolicyRow).order_by(SlaPolicyRow.version))).all()
    assert [(row.version, row.created_by) for row in rows] == [(1, "import"), (2, "import")]
    assert rows[1].targets["complaint/normal"]["resolve"] == "20 working days"

    policies[0]["targets"] = longer
    with pytest.raises(ImportFileError) as changed:
        await import_file(sessionmaker, _write(tmp_path / "changed.yaml", policies))
    assert "sla_policies[0] (version=1): version 1 is stored already" in str(changed.value)

    broken = {**targets, "enquiry/normal": {**targets["enquiry/normal"], "resolve": "soon"}}
    with pytest.raises(ImportFileError) as unreadable:
        await import_file(
            sessionmaker,
            _write(tmp_path / "broken.yaml", [{"version": 3, "targets": broken}]),
        )
    assert "enquiry/normal', resolve: cannot read the working duration" in str(unreadable.value)
