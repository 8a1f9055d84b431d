"""What is wrong with a configuration document, by problem code (hotline.centre.problems).

One entry per code of ``routing.PolicyProblem`` and ``hotline.centre.problems.ProblemCode``;
``{name}`` is a param of the problem. The path is not part of the text: it is shown before it as
written in the file. The English texts of the routing codes are the routing package's own
wording (a test keeps them equal), so that the simulator and the centre say the same thing.
"""

from __future__ import annotations

from typing import Final

# message id -> (zh-CN, en)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # ---- the routing policy (routing.PolicyProblem)
    "config.problem.invalid": ("取值无效：{detail}", "{detail}"),
    "config.problem.required": ("必填", "required"),
    "config.problem.unknown_field": ("未知字段：请删除或检查拼写", "unknown field"),
    "config.problem.must_be_mapping": ("必须是映射（键: 值）", "must be a mapping"),
    "config.problem.keys_must_be_strings": (
        "键必须是字符串，实际为 {key}",
        "keys must be strings, got {key}",
    ),
    "config.problem.must_be_number": ("必须是数字", "must be a number"),
    "config.problem.must_be_integer": ("必须是整数", "must be an integer"),
    "config.problem.must_be_one_of": ("必须是以下之一：{choices}", "must be one of: {choices}"),
    "config.problem.must_be_finite": ("必须是有限的数字", "must be a finite number"),
    "config.problem.must_be_positive": ("必须大于 0", "must be > 0"),
    "config.problem.must_be_non_negative": ("必须大于或等于 0", "must be >= 0"),
    "config.problem.must_be_finite_non_negative": (
        "必须是大于或等于 0 的有限数字",
        "must be a finite number >= 0",
    ),
    "config.problem.must_be_integer_at_least": (
        "必须是大于或等于 {minimum} 的整数",
        "must be an integer >= {minimum}",
    ),
    "config.problem.must_be_bool": ("必须是 true 或 false", "must be true or false"),
    "config.problem.must_be_divert_target": (
        "必须是转移去向（voicemail、work_order 或 callback）",
        "must be a DivertTarget",
    ),
    "config.problem.must_be_divert_target_or_none": (
        "必须是转移去向（voicemail、work_order 或 callback）或留空",
        "must be a DivertTarget or None",
    ),
    "config.problem.must_be_agent_selection": (
        "必须是坐席选择方式（longest_idle、least_occupied 或 round_robin）",
        "must be an AgentSelection",
    ),
    "config.problem.must_be_stage": ("必须是一个阶段", "must be a Stage"),
    "config.problem.must_be_stage_list": ("必须是阶段列表", "must be a list of stages"),
    "config.problem.stages_empty": (
        "必须是非空的阶段列表",
        "must be a non-empty tuple of stages",
    ),
    "config.problem.first_stage_not_at_once": (
        "必须为 0（第一个阶段立即开始）",
        "must be 0 (the first stage starts at once)",
    ),
    "config.problem.stage_not_later": (
        "必须大于 stages[{previous}].after_s",
        "must be > stages[{previous}].after_s",
    ),
    "config.problem.stage_level_narrows": (
        "阶段只能逐步放宽：不得小于上一阶段",
        "stages may only widen: must not decrease",
    ),
    "config.problem.stage_overflow_dropped": (
        "阶段只能逐步放宽：上一阶段已启用溢出池，此处必须保持 true",
        "stages may only widen: must stay true",
    ),
    "config.problem.utc_offset_out_of_range": (
        "必须在 {low} 到 {high} 之间",
        "must be between {low} and {high}",
    ),
    "config.problem.must_be_interval_list": (
        "必须是时段列表，例如 ['09:00-12:00', '13:00-17:00']",
        "must be a list like ['09:00-12:00', '13:00-17:00']",
    ),
    "config.problem.must_be_interval_text": (
        "必须是 'HH:MM-HH:MM' 格式的字符串",
        "must be a string 'HH:MM-HH:MM'",
    ),
    "config.problem.interval_out_of_order": (
        "必须满足 00:00 <= 开始 < 结束 <= 24:00",
        "must satisfy 00:00 <= start < end <= 24:00",
    ),
    "config.problem.interval_malformed": (
        "应为 'HH:MM-HH:MM'，实际为 {text}",
        "expected 'HH:MM-HH:MM', got {text}",
    ),
    "config.problem.must_be_date_list": ("必须是日期列表", "must be a list of dates"),
    "config.problem.not_a_date": (
        "不是日期（应为 YYYY-MM-DD）：{value}",
        "not a date (YYYY-MM-DD): {value}",
    ),
    # ---- the centre's document (hotline.centre.problems.ProblemCode)
    "config.problem.service_hours_in_routing": (
        "未知字段：服务时间请写在 hours 下",
        "unknown field: service hours go under hours",
    ),
    "config.problem.unknown_calendar": (
        "未知的日历 '{calendar}'：应为 chinese 或 weekdays",
        "unknown calendar '{calendar}': chinese or weekdays",
    ),
    "config.problem.hours_lines_not_mapping": (
        "必须是“业务线 -> 服务时间”的映射",
        "must be a mapping of line -> hours",
    ),
    "config.problem.unknown_line": (
        "未知的业务线 '{line}'（不在 lines 中）",
        "unknown line '{line}' (not in lines)",
    ),
    "config.problem.unknown_language": (
        "未知的语言 '{language}'（不在 languages 中）",
        "unknown language '{language}' (not in languages)",
    ),
    "config.problem.listed_twice": ("'{name}' 重复列出了两次", "'{name}' is listed twice"),
    "config.problem.bad_unserved": (
        "'{pair}' 应写成“业务线/语言”，且两者都须列在 lines 和 languages 中",
        "'{pair}' must be line/language, both listed under lines and languages",
    ),
    "config.problem.voicemail_needs_max_length": (
        "语音留言必须设置此项",
        "required for a voicemail",
    ),
    "config.problem.bad_digit": ("必须是一个按键：0-9、* 或 #", "must be one key: 0-9, * or #"),
    "config.problem.duplicate_digit": (
        "按键 '{digit}' 已被 {other} 使用",
        "'{digit}' is already {other}",
    ),
    "config.problem.default_language_not_in_menu": (
        "'{language}' 不是语言菜单中的语言",
        "'{language}' is not a language of the menu",
    ),
    "config.problem.no_language_menu": (
        "语言菜单（ivr.languages）为空",
        "the language menu (ivr.languages) is empty",
    ),
    "config.problem.line_without_digit": (
        "业务线 '{line}' 没有按键：来电者无法进入",
        "line '{line}' has no digit: no caller can reach it",
    ),
    "config.problem.prompt_languages_missing": (
        "缺少 {languages} 的语音（按语言分别命名的提示音必须列出文档中的每一种语言）",
        "no sound for {languages} (a prompt named per language names every language of the "
        "document)",
    ),
    "config.problem.unknown_sound": ("未知的语音 '{sound}'", "unknown sound '{sound}'"),
    "config.problem.sound_not_recorded": (
        "语音 '{sound}' 没有 {languages} 的录音",
        "sound '{sound}' has no recording in {languages}",
    ),
    "config.problem.stage_unreachable": (
        "永远不会到达：{line} 的来电者在等待 max_wait_s {max_wait_s} 秒时已被转移",
        "can never be reached: callers on {line} are diverted at max_wait_s {max_wait_s}",
    ),
    "config.problem.callback_never_offered": (
        "永远不会提供回拨：必须小于 max_wait_s {max_wait_s}",
        "never offered: must be below max_wait_s {max_wait_s}",
    ),
    "config.problem.on_no_agents_required": (
        "有业务线/语言无人服务（unserved）时必须设置（否则其来电者会一直空等）",
        "required when some line/language is unserved (their callers would wait for nobody)",
    ),
    "config.problem.divert_undefined": (
        "'{outcome}' 在 diverts 中没有对应条目",
        "'{outcome}' has no entry under diverts",
    ),
    "config.problem.unknown_skill": (
        "未知技能 {line}/{language}（坐席目录中没有该技能：请添加，或将其列入 unserved）",
        "unknown skill {line}/{language} (the directory has no such skill: add it, or list it "
        "under unserved)",
    ),
    "config.problem.line_unserved": (
        "没有任何坐席组能服务 {line}/{language}（没有在职坐席具备该技能且级别 <= {max_level}）",
        "no agent group can ever serve {line}/{language} (no active agent with the skill at "
        "level <= {max_level})",
    ),
    "config.problem.line_unserved_overflow": (
        "没有任何坐席组能服务 {line}/{language}（没有在职坐席具备该技能且级别 <= {max_level}，"
        "溢出池中也没有）",
        "no agent group can ever serve {line}/{language} (no active agent with the skill at "
        "level <= {max_level} or in the overflow pool)",
    ),
    "config.problem.not_yaml": ("不是有效的 YAML：{detail}", "not valid YAML: {detail}"),
    "config.problem.unreadable_file": ("无法读取文件：{reason}", "cannot read file: {reason}"),
    "config.problem.reason_required": (
        "请说明修改原因（将随版本保存）",
        "say why (it is kept with the version)",
    ),
    "config.problem.at_in_past": (
        "{at} 已经过去：请给出更晚的时间，或留空立即发布",
        "{at} is in the past: give a later time, or none for now",
    ),
    "config.problem.no_version_in_force": (
        "没有生效的版本：请发送一个配置文件（source 或 document）",
        "no version in force: send a document (source or document)",
    ),
    # ---- pydantic's field errors, by type (hotline.centre.schema_errors)
    "config.problem.must_be_text": ("必须是文本", "must be text"),
    "config.problem.must_be_list": ("必须是列表", "must be a list"),
    "config.problem.must_be_greater_than": ("必须大于 {limit}", "must be > {limit}"),
    "config.problem.must_be_at_least": ("必须大于或等于 {limit}", "must be >= {limit}"),
    "config.problem.must_be_less_than": ("必须小于 {limit}", "must be < {limit}"),
    "config.problem.must_be_at_most": ("必须小于或等于 {limit}", "must be <= {limit}"),
    "config.problem.too_short": (
        "至少需要 {min_length} 项",
        "must have at least {min_length} item(s)",
    ),
    "config.problem.too_long": (
        "最多只能有 {max_length} 项",
        "must have at most {max_length} item(s)",
    ),
    # ---- how the CLI lists them (hotline config ...)
    "config.cli.error": ("错误", "error"),
    "config.cli.refused": (
        "{count} 个问题；未发布任何内容",
        "{count} problem(s); nothing was published",
    ),
}
