"""The shipped prompt set: the table covers what the service plays; ``hotline sounds`` builds it
with espeak-ng and sox, installs it, and checks a site through ARI (the emulator, over HTTP)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
import wave
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cti.calls.model import CallMedia
from cti.calls.ports import IvrPlan
from cti.emulator import LabConfig, run_emulator
from cti.sounds import FORMATS, shipped
from cti.sounds.catalogue import parse
from hotline.cli import app
from hotline.sounds.build import build
from hotline.sounds.install import NotBuiltError, install
from hotline.telephony.menus import IVR_MENUS

MINI_TABLE = {
    "languages": {"zh": {"voice": "cmn"}, "en": {"voice": "en"}},
    "numbers": {"from": 0, "to": 1},
    "sounds": {
        "goodbye": {"zh": "再见。", "en": "Goodbye."},
        "lang-en": {"spoken_in": "en", "text": "For English, press 2."},
    },
}


def _played_sound_names() -> set[str]:
    """Every ``sound:hotline/...`` the service's defaults play, numbers expanded."""
    media = CallMedia()
    uris: list[str] = []
    for field in fields(CallMedia):
        value = getattr(media, field.name)
        if isinstance(value, tuple):
            for item in value:
                uris.extend(item[1] if isinstance(item, tuple) else (item,))
    plan = IvrPlan(open=True)
    uris += [plan.greeting, plan.closed_message]
    uris += [option.prompt for option in (*IVR_MENUS.languages, *IVR_MENUS.lines)]
    names = set()
    for uri in uris:
        scheme, _, sound = uri.partition(":")
        assert scheme == "sound", uri
        assert sound.startswith("hotline/"), uri
        name = sound.removeprefix("hotline/")
        if "{" in name:  # number-{position} / number-{minutes}
            names |= {re.sub(r"\{\w+\}", str(n), name) for n in range(100)}
            names.add(re.sub(r"\{\w+\}", "many", name))
        else:
            names.add(name)
    return names


def test_the_table_says_every_prompt_the_service_plays_in_every_language() -> None:
    prompts = shipped()
    assert set(prompts.languages) == {"zh", "en", "ko"}
    assert _played_sound_names() <= set(prompts.names)
    for name in prompts.names:
        assert set(prompts.prompts[name]) == {"zh", "en", "ko"}, name
    # The language menu offers each language in its own tongue, in every directory.
    assert {u.spoken_in for u in prompts.prompts["lang-ko"].values()} == {"ko"}
    assert prompts.prompts["welcome"]["ko"].spoken_in == "ko"


def test_a_table_entry_without_every_language_is_refused() -> None:
    broken = {**MINI_TABLE, "sounds": {"goodbye": {"zh": "再见。"}}}
    with pytest.raises(ValueError, match=r"sounds.goodbye: missing \['en'\]"):
        parse(broken)


def test_build_makes_every_format_then_only_what_changed(tmp_path: Path) -> None:
    prompts = parse(MINI_TABLE)
    first = build(prompts, tmp_path)
    assert len(first.made) == 8  # 4 sounds x 2 languages
    assert first.kept == []
    for language in ("zh", "en"):
        for name in ("goodbye", "lang-en", "number-0", "number-1"):
            for fmt in FORMATS:
                assert (tmp_path / language / "hotline" / f"{name}.{fmt}").stat().st_size > 0
    with wave.open(str(tmp_path / "zh" / "hotline" / "goodbye.wav")) as spoken:
        assert (spoken.getframerate(), spoken.getnchannels(), spoken.getsampwidth()) == (8000, 1, 2)
        seconds = spoken.getnframes() / 8000
    assert 0.2 < seconds < 5
    # .gsm is 33-byte frames of 20 ms; .alaw one byte per 8 kHz sample; .sln16 16 kHz 16-bit.
    gsm = (tmp_path / "zh" / "hotline" / "goodbye.gsm").stat().st_size
    assert gsm % 33 == 0
    alaw = (tmp_path / "zh" / "hotline" / "goodbye.alaw").stat().st_size
    assert abs(alaw / 8000 - seconds) < 0.05
    sln16 = (tmp_path / "zh" / "hotline" / "goodbye.sln16").stat().st_size
    assert abs(sln16 / 32000 - seconds) < 0.05

    again = build(prompts, tmp_path)
    assert again.made == []
    assert len(again.kept) == 8
    reworded = parse(
        {
            **MINI_TABLE,
            "sounds": {**MINI_TABLE["sounds"], "goodbye": {"zh": "再见！", "en": "Goodbye."}},
        }
    )
    assert build(reworded, tmp_path).made == ["zh/hotline/goodbye"]


def test_install_copies_into_the_asterisk_layout(tmp_path: Path) -> None:
    prompts = parse(MINI_TABLE)
    built, asterisk = tmp_path / "built", tmp_path / "asterisk-sounds"
    with pytest.raises(NotBuiltError, match="run `hotline sounds build` first"):
        install(prompts, built, asterisk)
    assert not asterisk.exists()  # nothing copied from an incomplete build
    build(prompts, built)
    report = install(prompts, built, asterisk)
    assert (report.copied, report.unchanged) == (32, 0)
    assert (asterisk / "en" / "hotline" / "lang-en.gsm").read_bytes() == (
        built / "en" / "hotline" / "lang-en.gsm"
    ).read_bytes()
    assert install(prompts, built, asterisk).unchanged == 32


@contextlib.contextmanager
def _emulator(config: LabConfig) -> Iterator[str]:
    """An emulator on its own thread and loop: the CLI under test runs its own asyncio.run."""
    started, stopping = threading.Event(), threading.Event()
    urls: list[str] = []

    async def serve() -> None:
        async with run_emulator(port=0, config=config) as running:
            urls.append(running.base_url)
            started.set()
            while not stopping.is_set():
                await asyncio.sleep(0.02)

    thread = threading.Thread(target=lambda: asyncio.run(serve()), daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        yield urls[0]
    finally:
        stopping.set()
        thread.join(10)


# The locale decides the language of the messages (LC_ALL first, then LC_MESSAGES, then LANG).
ENGLISH = {"LC_ALL": "en_US.UTF-8"}
CHINESE = {"LC_ALL": "zh_CN.UTF-8"}


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("HOTLINE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)
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
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    imported = runner.invoke(app, ["import", str(path)])
    assert imported.exit_code == 0, imported.output


def test_check_names_the_prompts_a_site_lacks_per_language(
    runner: CliRunner, tmp_path: Path
) -> None:
    with _emulator(LabConfig(prompt_languages=("zh", "en"))) as url:
        _import_site(runner, tmp_path, url)
        result = runner.invoke(app, ["sounds", "check", "--site", "wz", "--json"])
        table = runner.invoke(app, ["sounds", "check", "--site", "wz"])
        only_installed = runner.invoke(
            app, ["sounds", "check", "--site", "wz", "--lang", "zh", "--lang", "en"]
        )
    assert result.exit_code == 1, result.output
    body = json.loads(result.stdout)
    assert body["site"] == "wz"
    assert body["complete"] is False
    by_language = {entry["language"]: entry for entry in body["languages"]}
    names = list(shipped().names)
    assert by_language["zh"]["missing"] == []
    assert by_language["en"]["missing"] == []
    assert by_language["ko"]["missing"] == names
    assert by_language["ko"]["present"] == 0
    assert table.exit_code == 1
    assert "welcome" in table.stdout
    assert "ko" in table.stdout
    assert only_installed.exit_code == 0, only_installed.output


def test_check_on_a_complete_site_passes_and_an_unknown_site_is_named(
    runner: CliRunner, tmp_path: Path
) -> None:
    with _emulator(LabConfig()) as url:
        _import_site(runner, tmp_path, url)
        complete = runner.invoke(app, ["sounds", "check", "--site", "wz", "--json"])
        unknown = runner.invoke(app, ["sounds", "check", "--site", "gz"], env=ENGLISH)
        chinese = runner.invoke(app, ["sounds", "check", "--site", "gz"], env=CHINESE)
        table = runner.invoke(app, ["sounds", "check", "--site", "wz"], env=CHINESE)
    assert complete.exit_code == 0, complete.output
    assert json.loads(complete.stdout)["complete"] is True
    assert unknown.exit_code == 2
    assert "--site: no site 'gz' in the database" in unknown.output
    # The messages are the locale's language; zh-CN unless it is an English one.
    assert chinese.exit_code == 2
    assert "--site: 数据库中没有站点 'gz'" in chinese.output
    assert table.exit_code == 0, table.output
    assert "站点 wz 上的 hotline 提示音" in table.stdout
    assert "缺少的提示音" in table.stdout


def test_bad_settings_are_named_by_their_variable_in_the_locales_language(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLINE_AUTO_MIGRATE", "maybe")
    english = runner.invoke(app, ["sounds", "check", "--site", "wz"], env=ENGLISH)
    chinese = runner.invoke(app, ["sounds", "check", "--site", "wz"], env=CHINESE)
    assert english.exit_code == 2
    assert "invalid settings:" in english.output
    assert "auto_migrate (env HOTLINE_AUTO_MIGRATE): must be true or false" in english.output
    assert chinese.exit_code == 2
    assert "设置无效：" in chinese.output
    assert "auto_migrate（环境变量 HOTLINE_AUTO_MIGRATE）：必须是 true 或 false" in chinese.output
    # A command on the database says it on one line, as its other errors.
    shown = runner.invoke(app, ["config", "show"], env=CHINESE)
    assert shown.exit_code == 2
    assert "错误: 设置无效：auto_migrate（环境变量 HOTLINE_AUTO_MIGRATE）：必须是" in shown.output
    monkeypatch.delenv("HOTLINE_AUTO_MIGRATE")
    monkeypatch.setenv("HOTLINE_CONFIG_FILE", "no-such.toml")
    missing = runner.invoke(app, ["sounds", "check", "--site", "wz"], env=CHINESE)
    assert "HOTLINE_CONFIG_FILE=no-such.toml：文件不存在" in missing.output


def test_the_documented_table_says_what_the_data_says() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "cti.md").read_text(encoding="utf-8")
    rows = {
        cells[0].strip("`"): cells[2:5]
        for line in doc.splitlines()
        if line.startswith("| `") and len(cells := [c.strip() for c in line.split("|")[1:-1]]) == 5
    }
    prompts = shipped()
    for name in prompts.names:
        if name.startswith("number-") and name != "number-many":
            continue
        texts = [prompts.prompts[name][language].text for language in ("zh", "en", "ko")]
        assert rows.get(name) == texts, name
