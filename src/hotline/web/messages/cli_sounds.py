"""What ``hotline sounds ...`` and the settings' errors say on the command line (the sites'
lookups are shared with ``hotline config check-sounds``). JSON output and exit codes are for
programs and are not worded here."""

from __future__ import annotations

from typing import Final

# message id -> (zh-CN, en)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "cli.error": ("错误", "error"),
    # the settings (hotline.cli_settings); the field and its variable stay as they are spelt
    "cli.settings.invalid": ("设置无效：", "invalid settings:"),
    "cli.settings.line": (
        "  {field}（环境变量 {env}）：{problem}",
        "  {field} (env {env}): {problem}",
    ),
    "cli.settings.line_no_env": ("  {field}：{problem}", "  {field}: {problem}"),
    "cli.settings.no_file": (
        "HOTLINE_CONFIG_FILE={named}：文件不存在",
        "HOTLINE_CONFIG_FILE={named}: no such file",
    ),
    # a site's Asterisk asked from the command line (hotline.sounds.site)
    "sounds.site.unknown": (
        "数据库中没有站点 {site}（请先用 `hotline import` 导入）",
        "no site {site} in the database (see `hotline import`)",
    ),
    "sounds.site.unreachable": (
        "无法连接站点 {site} 的 Asterisk（{url}）：{detail}",
        "site {site} ({url}): {detail}",
    ),
    # hotline sounds check
    "sounds.cli.unknown_languages": (
        "没有以下语种的提示音：{languages}",
        "no prompts for language(s) {languages}",
    ),
    "sounds.cli.title": ("站点 {site} 上的 hotline 提示音", "hotline prompts on site {site}"),
    "sounds.cli.language": ("语种", "language"),
    "sounds.cli.present": ("已有", "present"),
    "sounds.cli.missing": ("缺少", "missing"),
    "sounds.cli.missing_prompts": ("缺少的提示音", "missing prompts"),
    "sounds.cli.built": (
        "已生成 {made} 条提示音，{kept} 条无需更新；{out} 中共 {files} 个文件（{formats}）",
        "{made} prompt(s) made, {kept} up to date; {files} files ({formats}) in {out}",
    ),
    "sounds.cli.installed": (
        "已复制 {copied} 个文件到 {directory}，{unchanged} 个未变",
        "{copied} file(s) copied, {unchanged} unchanged, into {directory}",
    ),
    "sounds.cli.cannot_write": (
        "无法写入 {directory}：{reason}",
        "cannot write to {directory}: {reason}",
    ),
    "sounds.cli.cannot_read": (
        "{file}：无法读取文件：{reason}",
        "{file}: cannot read file: {reason}",
    ),
    "sounds.cli.table_updated": ("{file}：表格已更新", "{file}: table updated"),
    "sounds.cli.table_current": ("{file}：表格已是最新", "{file}: table already up to date"),
    # what the sounds modules report (hotline.sounds: build, install, table)
    "sounds.cli.tools_missing": (
        "找不到 {tools}：请安装 Debian 软件包（apt-get install espeak-ng sox libsox-fmt-base）",
        "{tools} not found: install the Debian packages "
        "(apt-get install espeak-ng sox libsox-fmt-base)",
    ),
    "sounds.cli.tool_failed": ("{tool} 运行失败：{problem}", "{tool} failed: {problem}"),
    "sounds.cli.not_built": (
        "{source} 中缺少 {count} 个文件（第一个：{first}）；请先运行 `hotline sounds build`",
        "{count} file(s) missing in {source} (first: {first}); run `hotline sounds build` first",
    ),
    "sounds.cli.no_markers": (
        "找不到 {begin} 与 {end} 之间的区块",
        "no block between {begin} and {end}",
    ),
}
