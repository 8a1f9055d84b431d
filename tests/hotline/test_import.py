"""``hotline import``: the Hangzhou example, idempotency, and all-or-nothing errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.auth.passwords import verify_password
from hotline.db.models import Agent, AgentSkill, Department, Site, Skill, User
from hotline.importer import ImportFileError, import_file
from hotline.services import directory

pytestmark = pytest.mark.asyncio

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hangzhou.yaml"


@pytest.fixture(autouse=True)
def demo_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_DEMO_PASSWORD", "demo-password-1")
    monkeypatch.setenv("HOTLINE_DEMO_ARI_PASSWORD", "demo-ari-secret")


async def _snapshot(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    async with sessionmaker() as session:
        agents = [
            directory.agent_read(a).model_dump(exclude={"created_at", "updated_at"})
            for a in await directory.list_agents(session)
        ]
        departments = [
            (await directory.department_read(session, d)).model_dump(
                exclude={"created_at", "updated_at"}
            )
            for d in await directory.list_departments(session)
        ]
        users = [
            (u.username, u.password_hash, u.department_id, u.is_active)
            for u in (await session.scalars(select(User).order_by(User.username))).all()
        ]
        counts = {
            model.__name__: await session.scalar(select(func.count()).select_from(model))
            for model in (Site, Skill, Agent, AgentSkill, Department, User)
        }
    return {"agents": agents, "departments": departments, "users": users, "counts": counts}


async def test_hangzhou_example_imports_and_twice_is_the_same(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    summary = await import_file(sessionmaker, EXAMPLE)
    assert summary.counts["agents"] == 40
    assert summary.counts["topics"] == 56  # 8 areas and their 48 subjects
    first = await _snapshot(sessionmaker)
    await import_file(sessionmaker, EXAMPLE)
    assert await _snapshot(sessionmaker) == first

    counts = first["counts"]
    assert counts["Site"] == 2
    assert counts["Skill"] == 9  # 3 business lines x zh, en, ko
    agents = {a["code"]: a for a in first["agents"]}
    front_line = [a for a in agents.values() if not a["overflow"]]
    assert len(front_line) == 36
    assert all(any(s["level"] == 1 for s in a["skills"]) for a in front_line)
    assert all(any(s["level"] >= 2 for s in a["skills"]) for a in front_line)
    assert sum(a["overflow"] for a in agents.values()) == 4
    languages = {lang for a in agents.values() for lang in a["languages"]}
    assert languages == {"zh", "en", "ko"}
    branches = [d for d in first["departments"] if d["kind"] == "branch_bureau"]
    assert len(branches) >= 4
    assert all(d["liaisons"] for d in branches)

    async with sessionmaker() as session:
        admin = await session.scalar(select(User).where(User.username == "admin"))
        site = await session.scalar(select(Site).where(Site.code == "hz"))
    assert admin is not None
    assert verify_password("demo-password-1", admin.password_hash)
    assert site is not None
    assert site.ari_password == "demo-ari-secret"


def _write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "centre.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    return path


def _example() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text())
    return document


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d["topics"][1]["children"].append(
                {"code": "IIT.STRAY", "name_zh": "错位", "name_en": "Stray"}
            ),
            "topics[1] (code=VAT): code: a subject of VAT is named VAT.X",
        ),
        (
            lambda d: d["agents"][3]["skills"].update({"national_tax": 12}),
            "agents[3] (code=A004): skills.national_tax: Input should be less than or equal to 9",
        ),
        (
            lambda d: d["agents"][5].update({"endpoints": {"gz": "PJSIP/1"}}),
            "agents[5] (code=A006): endpoints.0.site: site 'gz' does not exist",
        ),
        (
            lambda d: d["agents"][7]["skills"].update({"customs": 2}),
            "agents[7] (code=A008): skills.customs: no skill customs exists in the agent's "
            "languages zh",
        ),
        (
            lambda d: d["users"][2].update({"roles": ["boss"]}),
            "users[2] (username=director): roles.0: Input should be",
        ),
        (
            lambda d: d["departments"][0]["liaisons"].append({"username": "ghost"}),
            "departments[0] (code=bo-national): liaisons.0: user 'ghost' does not exist",
        ),
        (
            lambda d: d["sites"][1].update({"ari_url": "ftp://x"}),
            "sites[1] (code=wz): ari_url: Value error, must be an http:// or https:// URL",
        ),
        (
            lambda d: d["sites"][0].update({"callback_dial": "SIPP/{number}@trunk"}),
            "sites[0] (code=hz): callback_dial: unknown technology 'SIPP'",
        ),
        (
            lambda d: d["sites"][1].update({"callback_dial": "PJSIP/13800138000@trunk"}),
            "sites[1] (code=wz): callback_dial: the resource must contain {number} exactly once",
        ),
        (
            lambda d: d["sites"][1].update({"callback_dial": "Local/{number}"}),
            "sites[1] (code=wz): callback_dial: a Local channel needs a context",
        ),
        (
            lambda d: d["sites"][0].update({"callback_caller_id": "12366 hotline"}),
            "sites[0] (code=hz): callback_caller_id: must be a number or",
        ),
        (
            lambda d: d["agents"][0].update({"langauges": ["zh"]}),
            "agents[0] (code=A001): langauges: unknown field",
        ),
        (
            lambda d: d.update({"version": 2}),
            "version: Input should be less than or equal to 1",
        ),
    ],
)
async def test_a_bad_entry_is_named_and_nothing_is_written(
    sessionmaker: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    mutate: Any,
    expected: str,
) -> None:
    document = _example()
    mutate(document)
    path = _write(tmp_path, document)
    with pytest.raises(ImportFileError) as info:
        await import_file(sessionmaker, path)
    assert any(expected in problem for problem in info.value.problems), info.value.problems
    assert str(path) in str(info.value)
    snapshot = await _snapshot(sessionmaker)
    assert set(snapshot["counts"].values()) == {0}


async def test_sites_keep_their_callback_dialling(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await import_file(sessionmaker, EXAMPLE)
    async with sessionmaker() as session:
        sites = {s.code: s for s in await directory.list_sites(session)}
    assert sites["hz"].callback_dial == "PJSIP/{number}@trunk"
    assert sites["hz"].callback_caller_id == '"12366" <057112366>'
    assert sites["wz"].callback_dial == "Local/{number}@callbacks"
    assert sites["wz"].callback_caller_id is None


async def test_a_failed_reimport_keeps_what_was_accepted(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await import_file(sessionmaker, EXAMPLE)
    before = await _snapshot(sessionmaker)
    document = _example()
    document["agents"][0]["name"] = "changed"
    document["agents"][-1]["endpoints"] = {"nowhere": "PJSIP/9"}
    with pytest.raises(ImportFileError):
        await import_file(sessionmaker, _write(tmp_path, document))
    assert await _snapshot(sessionmaker) == before


async def test_missing_secret_env_is_named(
    sessionmaker: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOTLINE_DEMO_ARI_PASSWORD")
    with pytest.raises(ImportFileError, match=r"sites\[0\] \(code=hz\): ari_password_env"):
        await import_file(sessionmaker, EXAMPLE)


async def test_plain_passwords_can_be_refused(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    document = _example()
    document["users"][0].pop("password_env")
    document["users"][0]["password"] = "plain-text-pw"
    with pytest.raises(ImportFileError, match="plain passwords are refused"):
        await import_file(sessionmaker, _write(tmp_path, document), allow_plain_passwords=False)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("version: 1\nsites: [\n", "invalid YAML"),
        ("- just\n- a list\n", "top level must be a mapping"),
        ("sites: []\n", "version: Field required"),
    ],
)
async def test_malformed_files(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    with pytest.raises(ImportFileError, match=expected):
        await import_file(sessionmaker, path)


async def test_missing_file(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    with pytest.raises(ImportFileError, match="no such file"):
        await import_file(sessionmaker, Path("/nowhere.yaml"))
