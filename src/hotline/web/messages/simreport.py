"""The simulator's result tables as ``hotline config dry-run`` prints them (simulations.report):
one entry per key of ``simulations.report.ENGLISH``, the English the same (a test keeps them in
step). Column titles stay short: the table has eleven columns on a terminal."""

from __future__ import annotations

from typing import Final

# message id -> (zh-CN, en)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "simreport.heading": (
        "{name}：{replications} 次重复模拟，随机种子 {seed}；"
        "服务水平 = {threshold} 秒内接通 / 进线量；数值为均值 ± 95% 置信区间半宽",
        "{name}: {replications} replications, seed {seed}; "
        "SL = answered within {threshold} s / offered; mean ± 95% CI half-width",
    ),
    "simreport.overall": ("全天", "Overall"),
    "simreport.all": ("全部", "all"),
    "simreport.by_skill": ("按业务线", "By skill"),
    "simreport.by_interval": ("按时段", "By interval"),
    "simreport.column.offered": ("进线", "offered"),
    "simreport.column.answered": ("接通", "answered"),
    "simreport.column.abandoned": ("放弃", "abandoned"),
    "simreport.column.callbacks": ("回拨", "callbacks"),
    "simreport.column.service_level": ("服务水平", "SL"),
    "simreport.column.service_level_answered": ("接通服务水平", "SL ans."),
    "simreport.column.asa_s": ("平均应答秒", "ASA s"),
    "simreport.column.p_wait": ("需排队比例", "P(wait)"),
    "simreport.column.abandon_rate": ("放弃率", "aband."),
    "simreport.column.occupancy": ("占用率", "occ."),
    "simreport.column.wait_p90_s": ("等待 P90 秒", "wait p90 s"),
}
