"""``hotline config`` from a shell: validate (every problem, naming the file, in the command's
language), publish, diff, show, rollback; a stale base is refused."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hotline.cli import app
from hotline.db.session import create_engine, create_sessionmaker

from .helpers import EXAMPLE, example, staff_every_line


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """The locale words the problems: these tests read English unless they say otherwise."""
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("HOTLINE_DATABASE_URL", database_url)

    async def seed() -> None:
        engine = create_engine(database_url)
        try:
            await staff_every_line(create_sessionmaker(engine))
        finally:
            await engine.dispose()

    asyncio.run(seed())


def test_validate_lists_every_problem_naming_the_file(tmp_path: Path) -> None:
    data = example()
    data["routing"]["default"]["stages"][2]["after_s"] = 10
    data["ivr"]["lines"][0]["line"] = "customs"
    bad = tmp_path / "edited.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(app, ["config", "validate", str(bad)])
    assert result.exit_code == 2
    assert (
        "error: edited.yaml: routing.default.stages[2].after_s: must be > stages[1].after_s"
        in result.output
    )
    assert (
        "error: edited.yaml: ivr.lines[0].line: unknown line 'customs' (not in lines)"
        in result.output
    )
    assert "nothing was published" in result.output
    good = CliRunner().invoke(app, ["config", "validate", str(EXAMPLE)])
    assert good.exit_code == 0, good.output
    assert "centre.yaml: valid" in good.output


def _broken(tmp_path: Path) -> Path:
    data = example()
    data["routing"]["default"]["stages"][2]["after_s"] = 10
    data["ivr"]["lines"][0]["line"] = "customs"
    data["hours"]["calendar"] = "lunar"
    data["ivr"]["greeting"] = "no-such-sound"
    bad = tmp_path / "edited.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return bad


def test_problems_are_worded_in_the_locale_s_language_or_the_one_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = _broken(tmp_path)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    chinese = CliRunner().invoke(app, ["config", "validate", str(bad)])
    assert chinese.exit_code == 2
    lines = chinese.output.splitlines()
    assert {
        "错误: edited.yaml: routing.default.stages[2].after_s: 必须大于 stages[1].after_s",
        "错误: edited.yaml: ivr.lines[0].line: 未知的业务线 'customs'（不在 lines 中）",
        "错误: edited.yaml: hours.calendar: 未知的日历 'lunar'：应为 chinese 或 weekdays",
        "错误: edited.yaml: ivr.greeting: 未知的语音 'no-such-sound'",
    } <= set(lines)
    assert lines[-1] == "5 个问题；未发布任何内容"

    english = CliRunner().invoke(app, ["config", "validate", str(bad), "--lang", "en"])
    assert english.exit_code == 2
    lines = english.output.splitlines()
    assert {
        "error: edited.yaml: hours.calendar: unknown calendar 'lunar': chinese or weekdays",
        "error: edited.yaml: ivr.greeting: unknown sound 'no-such-sound'",
    } <= set(lines)
    assert lines[-1] == "5 problem(s); nothing was published"

    # A server's locale names no language: Chinese, the centre's own; --lang still decides.
    monkeypatch.setenv("LANG", "C.UTF-8")
    default = CliRunner().invoke(app, ["config", "validate", str(bad)])
    assert "错误: edited.yaml: ivr.greeting: 未知的语音 'no-such-sound'" in default.output
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    asked = CliRunner().invoke(app, ["config", "validate", str(bad), "--lang", "zh-CN"])
    assert "5 个问题；未发布任何内容" in asked.output
    refused = CliRunner().invoke(app, ["config", "validate", str(bad), "--lang", "fr"])
    assert refused.exit_code == 2
    assert "--lang" in refused.output


def test_a_publish_refused_by_the_store_is_worded_in_the_language_asked(env: None) -> None:
    result = CliRunner().invoke(
        app, ["config", "publish", str(EXAMPLE), "--reason", " ", "--lang", "zh"]
    )
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert "错误: centre.yaml: reason: 请说明修改原因（将随版本保存）" in lines
    assert lines[-1] == "1 个问题；未发布任何内容"


def test_publish_diff_show_rollback(env: None, tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(
        app, ["config", "publish", str(EXAMPLE), "--reason", "start", "--by", "ann"]
    )
    assert first.exit_code == 0, first.output
    assert "published version 1" in first.output
    same = runner.invoke(app, ["config", "diff", str(EXAMPLE)])
    assert "the same as version 1 in force" in same.output

    data = example()
    data["routing"]["default"]["announce_every_s"] = 30
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    diff = runner.invoke(app, ["config", "diff", str(edited), "--json"])
    assert json.loads(diff.stdout)["changes"] == [
        {"path": "routing.default.announce_every_s", "old": 45, "new": 30}
    ]
    second = runner.invoke(app, ["config", "publish", str(edited), "--reason", "more often"])
    assert second.exit_code == 0, second.output
    stale = runner.invoke(
        app, ["config", "publish", str(EXAMPLE), "--reason", "mine", "--base", "1"]
    )
    assert stale.exit_code == 2
    assert "version 2 is in force but this edit started from version 1" in stale.output

    shown = runner.invoke(app, ["config", "show", "1"])
    assert "# version 1, published by ann" in shown.output
    assert "# The 12366 centre's configuration" in shown.output  # the file as written
    back = runner.invoke(app, ["config", "rollback", "1", "--reason", "too chatty"])
    assert back.exit_code == 0, back.output
    assert "version 1 is back in force as version 3" in back.output
    history = runner.invoke(app, ["config", "show", "--history", "--json"])
    assert [v["version"] for v in json.loads(history.stdout)] == [3, 2, 1]
    missing = runner.invoke(app, ["config", "rollback", "9"])
    assert missing.exit_code == 2
    assert "no configuration version 9" in missing.output


def test_what_the_commands_print_is_in_the_locale_s_language(
    env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    valid = runner.invoke(app, ["config", "validate", str(EXAMPLE)])
    assert valid.output.splitlines() == ["centre.yaml：检查通过"]
    bad_at = runner.invoke(
        app, ["config", "publish", str(EXAMPLE), "--reason", "r", "--at", "tonight"]
    )
    assert bad_at.exit_code == 2
    assert "错误: --at：'tonight' 不是有效的时间" in bad_at.output
    empty = runner.invoke(app, ["config", "show"])
    assert empty.exit_code == 2
    assert "错误: 尚未发布任何版本" in empty.output
    first = runner.invoke(
        app, ["config", "publish", str(EXAMPLE), "--reason", "start", "--by", "ann"]
    )
    assert first.exit_code == 0, first.output
    assert first.output.startswith("已发布版本 1，自 ")
    same = runner.invoke(app, ["config", "diff", str(EXAMPLE)])
    assert same.output.splitlines() == ["centre.yaml：与当前生效的版本 1 相同"]

    data = example()
    data["routing"]["default"]["announce_every_s"] = 30
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    diff = runner.invoke(app, ["config", "diff", str(edited)])
    assert "版本 1（当前生效）" in diff.output
    assert runner.invoke(app, ["config", "publish", str(edited), "--reason", "r"]).exit_code == 0
    stale = runner.invoke(app, ["config", "publish", str(EXAMPLE), "--reason", "r", "--base", "1"])
    assert stale.exit_code == 2
    assert "错误: 版本 2 已生效，但这次编辑基于版本 1" in stale.output
    assert "--base 2" in stale.output
    shown = runner.invoke(app, ["config", "show", "1"])
    assert shown.output.startswith("# 版本 1，由 ann 于 ")
    back = runner.invoke(app, ["config", "rollback", "1"])
    assert back.output.splitlines() == ["版本 1 已重新生效，新版本号为 3"]
    missing = runner.invoke(app, ["config", "rollback", "9"])
    assert missing.exit_code == 2
    assert "错误: 没有配置版本 9" in missing.output

    # --lang wins over the locale, both ways.
    english = runner.invoke(app, ["config", "rollback", "9", "--lang", "en"])
    assert "error: no configuration version 9" in english.output
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    asked = runner.invoke(app, ["config", "validate", str(EXAMPLE), "--lang", "zh"])
    assert asked.output.splitlines() == ["centre.yaml：检查通过"]
