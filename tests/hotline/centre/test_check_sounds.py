"""``hotline config check-sounds`` and ``publish --check-sounds``: every sound the configuration
plays, asked of a site's Asterisk (the emulator over real HTTP), missing ones named per language."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cti.emulator import LabConfig
from hotline.cli import app
from hotline.db.session import create_engine, create_sessionmaker
from tests.hotline.test_sounds import _emulator

from .helpers import EXAMPLE, example, staff_every_line


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, database_url: str) -> CliRunner:
    monkeypatch.setenv("HOTLINE_DATABASE_URL", database_url)
    # The locale words a file's problems (docs/config.md): these tests read English.
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)

    async def seed() -> None:
        engine = create_engine(database_url)
        try:
            await staff_every_line(create_sessionmaker(engine))
        finally:
            await engine.dispose()

    asyncio.run(seed())
    return CliRunner()


def _import_site(runner: CliRunner, tmp_path: Path, ari_url: str) -> None:
    site = {
        "code": "wz",
        "name": "Wenzhou",
        "ari_url": ari_url,
        "ari_username": "hotline",
        "ari_password": "secret",
    }
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "sites": [site]}))
    imported = runner.invoke(app, ["import", str(path)])
    assert imported.exit_code == 0, imported.output


def test_the_emulator_lists_each_language_and_leaves_out_a_removed_file(
    runner: CliRunner, tmp_path: Path
) -> None:
    removed = LabConfig(absent_sounds=("ko/hotline/goodbye",))
    with _emulator(removed) as url:
        _import_site(runner, tmp_path, url)
        result = runner.invoke(
            app, ["config", "check-sounds", "--site", "wz", "--file", str(EXAMPLE), "--json"]
        )
        text = runner.invoke(
            app, ["config", "check-sounds", "--site", "wz", "--file", str(EXAMPLE)]
        )
    assert result.exit_code == 1, result.output
    body = json.loads(result.stdout)
    assert body["complete"] is False
    assert body["source"] == "centre.yaml"
    by_language = {entry["language"]: entry for entry in body["languages"]}
    assert set(by_language) == {"zh", "en", "ko"}
    assert by_language["zh"]["missing"] == []
    assert by_language["en"]["missing"] == []
    assert by_language["ko"]["missing"] == [{"sound": "goodbye", "paths": ["prompts.goodbye"]}]
    # The named prompts plus number-0..99 and number-many for the announcements.
    assert by_language["ko"]["needed"] >= 101 + 20
    assert by_language["ko"]["present"] == by_language["ko"]["needed"] - 1
    assert text.exit_code == 1
    assert "missing: ko: hotline/goodbye (used at prompts.goodbye)" in text.stdout


def test_a_complete_site_passes_and_the_version_in_force_is_the_default(
    runner: CliRunner, tmp_path: Path
) -> None:
    with _emulator(LabConfig()) as url:
        _import_site(runner, tmp_path, url)
        nothing = runner.invoke(app, ["config", "check-sounds", "--site", "wz"])
        published = runner.invoke(
            app, ["config", "publish", str(EXAMPLE), "--reason", "first", "--check-sounds", "wz"]
        )
        in_force = runner.invoke(app, ["config", "check-sounds", "--site", "wz", "--json"])
    assert nothing.exit_code == 2
    assert "no version in force" in nothing.output
    assert published.exit_code == 0, published.output
    assert in_force.exit_code == 0, in_force.output
    body = json.loads(in_force.stdout)
    assert body["complete"] is True
    assert body["source"] == "version 1"


def test_publish_with_a_missing_sound_publishes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    data = example()
    data["announcements"] = {"position": False, "expected_wait": False}
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with _emulator(LabConfig(prompt_languages=("zh", "en"))) as url:
        _import_site(runner, tmp_path, url)
        refused = runner.invoke(
            app, ["config", "publish", str(edited), "--reason", "x", "--check-sounds", "wz"]
        )
        checked = runner.invoke(
            app, ["config", "check-sounds", "--site", "wz", "--file", str(edited), "--json"]
        )
    assert refused.exit_code == 1, refused.output
    assert "missing: ko: hotline/welcome (used at ivr.greeting)" in refused.stdout
    assert "nothing was published" in refused.output
    assert runner.invoke(app, ["config", "show"]).exit_code == 2  # still no version
    ko = {e["language"]: e for e in json.loads(checked.stdout)["languages"]}["ko"]
    # Announcements off: no number-<n> is needed.
    assert not any(m["sound"].startswith("number-") for m in ko["missing"])
    assert ko["present"] == 0


def test_bad_input_names_the_file_or_the_site(runner: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    data = example()
    data["ivr"]["greeting"] = "no-such-sound"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with _emulator(LabConfig()) as url:
        _import_site(runner, tmp_path, url)
        invalid = runner.invoke(
            app, ["config", "check-sounds", "--site", "wz", "--file", str(broken)]
        )
        absent = runner.invoke(
            app, ["config", "check-sounds", "--site", "wz", "--file", str(tmp_path / "no.yaml")]
        )
        unknown = runner.invoke(
            app, ["config", "check-sounds", "--site", "gz", "--file", str(EXAMPLE)]
        )
        chinese = runner.invoke(
            app,
            ["config", "check-sounds", "--site", "gz", "--file", str(EXAMPLE), "--lang", "zh"],
        )
    assert invalid.exit_code == 2
    assert "broken.yaml: ivr.greeting: unknown sound 'no-such-sound'" in invalid.output
    assert absent.exit_code == 2
    assert "no.yaml: cannot read file" in absent.output
    assert unknown.exit_code == 2
    assert "--site: no site 'gz'" in unknown.output
    assert chinese.exit_code == 2
    assert "--site: 数据库中没有站点 'gz'" in chinese.output


def test_a_sound_named_per_language_is_checked_in_its_own_language(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = example()
    # Korean callers are thanked with another recording, which this site lacks in Korean.
    data["survey"]["thanks"] = {"zh": "survey-thanks", "en": "survey-thanks", "ko": "goodbye"}
    edited = tmp_path / "per-language.yaml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    removed = LabConfig(absent_sounds=("ko/hotline/goodbye", "en/hotline/survey-thanks"))
    with _emulator(removed) as url:
        _import_site(runner, tmp_path, url)
        result = runner.invoke(
            app, ["config", "check-sounds", "--site", "wz", "--file", str(edited), "--json"]
        )
    assert result.exit_code == 1, result.output
    by_language = {entry["language"]: entry for entry in json.loads(result.stdout)["languages"]}
    assert by_language["zh"]["missing"] == []
    assert by_language["en"]["missing"] == [
        {"sound": "survey-thanks", "paths": ["survey.thanks.en"]}
    ]
    assert by_language["ko"]["missing"] == [
        {"sound": "goodbye", "paths": ["prompts.goodbye", "survey.thanks.ko"]}
    ]
