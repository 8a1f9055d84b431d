"""What ``hotline config ...`` prints besides the problems (those are in config_problems):
verdicts, summaries and usage errors, with ``{name}`` params filled in by the command.

The stale-base texts are shared by the command line (``config.stale.cli*``) and the API's
``message`` (``config.stale.api*``): each says what to do in its reader's own terms (``--base``
for a shell, ``base_version`` for a client).
"""

from __future__ import annotations

from typing import Final

# message id -> (zh-CN, en)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "config.cli.valid": ("{file}：检查通过", "{file}: valid"),
    "config.cli.bad_at": (
        "--at：{text} 不是有效的时间，请写成 2026-12-08T20:00 或 2026-12-08T12:00+00:00",
        "--at: {text} is not a time like 2026-12-08T20:00 or 2026-12-08T12:00+00:00",
    ),
    "config.cli.version": ("版本 {version}", "version {version}"),
    "config.cli.version_in_force": ("版本 {version}（当前生效）", "version {version} (in force)"),
    "config.cli.no_version_in_force": ("（无生效版本）", "(no version in force)"),
    "config.cli.candidate": ("{file}（待发布）", "{file} (candidate)"),
    "config.cli.same": (
        "{file}：与当前生效的版本 {version} 相同",
        "{file}: the same as version {version} in force",
    ),
    "config.cli.published": (
        "已发布版本 {version}，自 {effective_at} 起生效",
        "published version {version}, in force from {effective_at}",
    ),
    "config.cli.rolled_back": (
        "版本 {version} 已重新生效，新版本号为 {new}",
        "version {version} is back in force as version {new}",
    ),
    "config.cli.not_found": (
        "没有配置版本 {version}：用 hotline config show --history 查看已有的版本",
        "no configuration version {version}: hotline config show --history lists them",
    ),
    "config.cli.none_published": (
        "尚未发布任何版本：请先运行 hotline config publish FILE --reason ...",
        "no version has been published yet: hotline config publish FILE --reason ...",
    ),
    "config.cli.shown": (
        "# 版本 {version}，由 {by} 于 {at} 发布：{reason}",
        "# version {version}, published by {by} at {at}: {reason}",
    ),
    "config.cli.sound_missing": (
        "缺少：{language}：hotline/{sound}（用于 {paths}）",
        "missing: {language}: hotline/{sound} (used at {paths})",
    ),
    "config.cli.sounds_summary": (
        "{source} 在站点 {site}：已有语音 {summary}；{verdict}",
        "{source} on site {site}: {summary} sounds present; {verdict}",
    ),
    "config.cli.sounds_complete": ("齐全", "complete"),
    "config.cli.sounds_missing": ("缺少 {count} 个", "{count} missing"),
    "config.cli.sounds_refused": (
        "站点缺少语音：未发布任何内容；请先把缺少的语音装到站点的 Asterisk 上",
        "sounds are missing on the site; nothing was published: install them on the site's "
        "Asterisk first",
    ),
    "config.cli.no_version_for_sounds": (
        "没有生效的版本：请用 --file FILE 指定文件，或先发布一个版本",
        "no version in force: give --file FILE, or publish one first",
    ),
    "config.cli.replayed": (
        "最近 {hours} 小时录得 {calls} 通来电，重放结果：",
        "{calls} recorded calls in the last {hours} h, replayed:",
    ),
    "config.cli.no_traffic": (
        "最近 {hours} 小时没有来电进入队列：没有可重放的话务；请加大 --hours",
        "no recorded call reached a queue in the last {hours} hours: nothing to replay; "
        "try a larger --hours",
    ),
    "config.stale.cli": (
        "版本 {in_force} 已生效，但这次编辑基于版本 {base}：请先查看 hotline config diff，"
        "再用 --base {in_force} 重新发布",
        "version {in_force} is in force but this edit started from version {base}: look at "
        "`hotline config diff` and publish again with --base {in_force}",
    ),
    "config.stale.cli_no_base": (
        "版本 {in_force} 已生效，但这次编辑不基于任何版本：请先查看 hotline config diff，"
        "再用 --base {in_force} 重新发布",
        "version {in_force} is in force but this edit started from no version: look at "
        "`hotline config diff` and publish again with --base {in_force}",
    ),
    "config.stale.api": (
        "在你编辑期间已有他人发布了版本 {in_force}（你的编辑基于版本 {base}）：请查看与版本 "
        "{in_force} 的差异，再以 base_version {in_force} 重新发布",
        "someone published version {in_force} while you edited (your edit started from version "
        "{base}): look at the differences from version {in_force}, then publish again with "
        "base_version {in_force}",
    ),
    "config.stale.api_no_base": (
        "在你编辑期间已有他人发布了版本 {in_force}（你的编辑不基于任何版本）：请查看与版本 "
        "{in_force} 的差异，再以 base_version {in_force} 重新发布",
        "someone published version {in_force} while you edited (your edit started from no "
        "version): look at the differences from version {in_force}, then publish again with "
        "base_version {in_force}",
    ),
}
