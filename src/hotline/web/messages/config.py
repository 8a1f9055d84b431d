"""Messages of the configuration page (web/config): versions, check, diff, publish, rollback."""

from __future__ import annotations

from typing import Final

# message id -> (zh-CN, en)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav.config": ("中心配置", "Configuration"),
    "config.title": ("中心配置", "Centre configuration"),
    "config.in_force": ("当前生效版本", "Version in force"),
    "config.none": (
        "尚未发布任何版本：服务使用程序内置的默认配置。",
        "No version published yet: the service runs the built-in defaults.",
    ),
    "config.version": ("版本", "Version"),
    "config.published_by": ("发布人", "Published by"),
    "config.effective_at": ("生效时间", "In force from"),
    "config.reason": ("原因", "Reason"),
    "config.rollback_of": ("回滚自版本", "Rollback of version"),
    "config.scheduled": ("待生效版本", "Waiting for their time"),
    "config.history": ("历史版本", "History"),
    "config.show": ("查看", "Show"),
    "config.rollback": ("回滚到此版本", "Roll back to this version"),
    "config.rollback_reason": ("回滚原因", "Why roll back"),
    "config.edit": ("编辑并发布", "Edit and publish"),
    "config.document": ("配置文件（YAML）", "Configuration document (YAML)"),
    "config.document_hint": (
        "以当前生效版本为基础编辑；字段说明见 docs/config.md。",
        "Edit starting from the version in force; docs/config.md explains every field.",
    ),
    "config.reason_hint": (
        "说明为何修改（将随版本保存）",
        "Say why you change it (kept with the version)",
    ),
    "config.at": ("生效时间（可选，北京时间）", "Take force at (optional, Beijing time)"),
    "config.at_hint": ("留空则立即生效", "Leave empty to publish now"),
    "config.validate": ("检查", "Check"),
    "config.diff": ("与生效版本比较", "Compare with the version in force"),
    "config.publish": ("发布", "Publish"),
    "config.valid": ("配置有效，可以发布。", "The document is valid and can be published."),
    "config.problems": (
        "配置有以下问题，请逐条修改后再检查：",
        "Fix these problems, then check again:",
    ),
    "config.no_changes": ("与生效版本相同。", "The same as the version in force."),
    "config.changes": ("将要修改的内容", "What would change"),
    "config.path": ("位置", "Path"),
    "config.old": ("原值", "Now"),
    "config.new": ("新值", "New"),
    "config.published": ("已发布版本 {version}。", "Version {version} published."),
    "config.stale": (
        "在你编辑期间已有他人发布了版本 {version}：请刷新页面，查看差异后再发布。",
        "Someone published version {version} while you edited: reload the page, look at the "
        "differences, then publish again.",
    ),
    "config.only_admins": (
        "只有管理员可以发布或回滚。",
        "Only administrators publish or roll back.",
    ),
    "config.bad_at": (
        "生效时间格式应为 YYYY-MM-DDTHH:MM",
        "The time must look like YYYY-MM-DDTHH:MM",
    ),
    "config.source_of": ("版本 {version} 的配置文件", "The document of version {version}"),
    "config.back": ("返回中心配置", "Back to the configuration"),
    "config.missing": ("没有这个版本", "No such version"),
    "config.view_only": (
        "你可以检查和比较配置；发布和回滚需要管理员。",
        "You may check and compare; publishing and rolling back need an administrator.",
    ),
    "config.site": ("站点", "Site"),
    "config.site_hint": (
        "检查语音时询问该站点的 Asterisk（ARI GET /sounds）。",
        "Check sounds asks this site's Asterisk (ARI GET /sounds).",
    ),
    "config.check_sounds": ("检查语音", "Check sounds"),
    "config.sounds_complete": (
        "站点 {site} 具备本配置播放的全部语音（每种语言）。",
        "Site {site} has every sound this configuration plays, in every language.",
    ),
    "config.sounds_missing": (
        "站点 {site} 缺少以下语音：请安装（hotline sounds install）或修改配置后再发布。",
        "Site {site} lacks these sounds: install them (hotline sounds install) or change the "
        "configuration before publishing.",
    ),
    "config.pick_site": (
        "未知站点：请从列表中选择一个站点。",
        "Unknown site: choose a site from the list.",
    ),
    "config.site_silent": (
        "该站点的 Asterisk 没有应答：请检查其 ARI 地址和账号后重试。",
        "The site's Asterisk did not answer: check its ARI address and account, then try again.",
    ),
}
