"""Messages of the service-standard targets form (web/reports, standards page) and of the
adherence columns of the agent report."""

from __future__ import annotations

from typing import Final

# message id -> (zh-CN, en)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "reports.targets": ("调整目标", "Edit the targets"),
    "reports.targets.about": (
        "目标保存在数据库中，每次修改记录修改人和时间（审计日志），红绿表随即按新目标计算。",
        "The targets are kept in the database; every change records who and when (audit log),"
        " and the red/green table measures against the new target at once.",
    ),
    "reports.targets.standard": ("标准", "Standard"),
    "reports.targets.comparison": ("比较", "Comparison"),
    "reports.targets.target": ("目标值", "Target"),
    "reports.targets.target.help": (
        "比率填 0 到 1 之间的小数（75% 填 0.75），平均应答速度填秒数",
        "a rate as a share between 0 and 1 (0.75 for 75%), the average speed of answer in seconds",
    ),
    "reports.targets.threshold": ("阈值 T（秒）", "Threshold T (s)"),
    "reports.targets.active": ("启用", "Active"),
    "reports.targets.version": ("版本", "Version"),
    "reports.targets.changed": ("最后修改", "Last changed"),
    "reports.targets.save": ("保存", "Save"),
    "reports.targets.saved": ("已保存。", "Saved."),
    "reports.targets.bad": (
        "目标未保存：{problem}。请改正后再保存。",
        "The target was not saved: {problem}. Correct it and save again.",
    ),
}
