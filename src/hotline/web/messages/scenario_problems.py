"""What is wrong with a simulator scenario, by problem code (simulations.scenario).

One entry per ``simulations.scenario.ScenarioProblemCode``; the scenario's routing policy keeps
the routing package's codes, worded by ``config.problem.<code>`` (config_problems). The English
is the simulator's own wording (a test keeps the two equal), so the CLI and the English page say
the same. Each text says what is wrong with the field; the page puts the file and the field's path
(YAML keys, never translated) in front of it.
"""

from __future__ import annotations

from typing import Final

# message id -> (zh-CN, en)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "scenario.problem.unreadable_file": ("无法读取文件：{reason}", "cannot read file: {reason}"),
    "scenario.problem.not_yaml": ("不是有效的 YAML：{detail}", "not valid YAML: {detail}"),
    "scenario.problem.empty": ("场景为空", "empty scenario"),
    "scenario.problem.required": ("必须填写", "is required"),
    "scenario.problem.must_be_version_1": ("必须为 1", "must be 1"),
    "scenario.problem.must_be_mapping": ("必须是键值映射", "must be a mapping"),
    "scenario.problem.must_be_policy_mapping": (
        "必须是键值映射（路由策略）",
        "must be a mapping (the routing policy)",
    ),
    "scenario.problem.must_be_non_empty_list": ("必须是非空列表", "must be a non-empty list"),
    "scenario.problem.must_be_string": ("必须是文本", "must be a string"),
    "scenario.problem.must_be_integer": ("必须是整数", "must be an integer"),
    "scenario.problem.must_be_number": ("必须是数字", "must be a number"),
    "scenario.problem.must_be_bool": ("必须是 true 或 false", "must be true or false"),
    "scenario.problem.must_be_at_least": ("必须大于或等于 {limit}", "must be >= {limit}"),
    "scenario.problem.must_be_greater_than": ("必须大于 {limit}", "must be > {limit}"),
    "scenario.problem.must_be_at_most": ("必须小于或等于 {limit}", "must be <= {limit}"),
    "scenario.problem.must_be_one_of": ("必须是以下之一：{choices}", "must be one of {choices}"),
    "scenario.problem.must_be_clock_time": (
        "必须是 HH:MM 格式的时间，例如 '09:00'（填写的是 {value}）",
        "must be a clock time HH:MM, e.g. '09:00' (got {value})",
    ),
    "scenario.problem.must_be_language_list": (
        "必须是语种代码列表",
        "must be a list of language codes",
    ),
    "scenario.problem.unknown_field": (
        "未知字段（可用字段：{expected}）",
        "unknown field (expected one of {expected})",
    ),
    "scenario.problem.listed_twice": ("{pair} 重复列出", "{pair} is listed twice"),
    "scenario.problem.poisson_only": (
        "必须为 poisson（目前仅支持泊松到达）",
        "must be poisson (the only arrival process so far)",
    ),
    "scenario.problem.group_name_taken": (
        "坐席组名 {name} 已被另一个组使用",
        "{name} is used by another group",
    ),
    "scenario.problem.bad_skill_level": (
        "技能等级必须是大于或等于 1 的整数",
        "level must be an integer >= 1",
    ),
    "scenario.problem.group_without_skill": (
        "坐席组至少需要一项技能，或设置 overflow: true",
        "a group needs at least one skill or overflow: true",
    ),
    "scenario.problem.skill_without_traffic": (
        "坐席组 {group} 的技能 {skill} 没有对应的话务业务线（话务中的技能：{skills}）",
        "group {group} names skill {skill}, which no traffic line has (traffic skills: {skills})",
    ),
    "scenario.problem.unserved": (
        "没有坐席组能接听 {pair} 的来电（技能与语种）",
        "no agent group can serve {pair} (skill and language)",
    ),
    "scenario.problem.overflow_only": (
        "没有坐席组具备技能 {skill}，其来电只能由溢出池接听（坐席组的技能：{skills}）",
        "no agent group lists skill {skill}, only an overflow pool could take its calls "
        "(group skills: {skills})",
    ),
    "scenario.problem.length_mismatch": (
        "有 {got} 个值，但 intervals.count 为 {count}",
        "has {got} values but intervals.count is {count}",
    ),
    # the traffic and routing taken from the database (hotline.scenarios.history, .resolve);
    # the English is the CLI's (HistoryError's own message)
    "scenario.history.days": (
        "必须是 1 到 {most} 之间的天数（填写的是 {got}）",
        "must be between 1 and {most} (got {got})",
    ),
    "scenario.history.no_calls": (
        "{first} 至 {last} 之间没有进入队列的来电：请选择更多天数，或检查来电是否在记录",
        "no call reached the queue between {first} and {last}: "
        "choose more days, or check that calls are being recorded",
    ),
    "scenario.history.no_answered": (
        "{first} 至 {last} 之间没有已接听的来电可用来估算处理时长：请选择更多天数",
        "no answered call between {first} and {last} to learn handle times from: choose more days",
    ),
    "scenario.history.intervals_required": (
        "必须填写（count、minutes、start），才能把来电放入各时段",
        "is required (count, minutes, start) to place the calls",
    ),
    "scenario.history.count": ("必须是大于或等于 1 的整数", "must be an integer >= 1"),
    "scenario.history.minutes": ("必须是大于 0 的数字", "must be a number > 0"),
    "scenario.history.start": (
        "必须是 HH:MM 格式的时间（填写的是 {value}）",
        "must be a clock time HH:MM (got {value})",
    ),
    "scenario.history.no_version_in_force": (
        "设为 live，但当前没有生效的配置版本（请先发布：hotline config publish）",
        "live, but no configuration version is in force "
        "(publish one first: hotline config publish)",
    ),
}
