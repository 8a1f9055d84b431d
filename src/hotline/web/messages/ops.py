"""Messages of the ops pages (web/ops): simulations and staffing searches from the browser."""

from __future__ import annotations

from typing import Final

# message id -> (zh-CN, en)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav.ops": ("仿真与排班", "Simulation"),
    "ops.title": ("话务仿真与排班测算", "Traffic simulation and staffing"),
    "ops.about": (
        "用生产环境的路由引擎模拟一天的话务，或测算每个时段满足目标所需的最少坐席。"
        "场景格式见 docs/simulator.md；可使用当前生效配置的路由，并用最近几天的实际来电生成话务。",
        "Simulate a day of traffic with the production routing engine, or find the fewest agents "
        "per interval meeting the target. The scenario format is in docs/simulator.md; the "
        "routing in force and the traffic of the last days' recorded calls can be used.",
    ),
    "ops.scenario": ("场景（YAML）", "Scenario (YAML)"),
    "ops.scenario_hint": (
        "预填的是杭州工作日示例：修改坐席人数、话务或路由后运行。",
        "Prefilled with the Hangzhou weekday example: change agents, traffic or routing, then run.",
    ),
    "ops.file": ("从文件读取场景", "Read a scenario file"),
    "ops.policy": ("路由与话务来源", "Routing and traffic"),
    "ops.routing_in_force": (
        "使用当前生效配置版本的路由",
        "Use the routing of the configuration version in force",
    ),
    "ops.from_history": (
        "话务取自最近几天的实际来电",
        "Traffic from the calls recorded in the last days",
    ),
    "ops.days": ("天数", "Days"),
    "ops.settings": ("运行设置", "Run settings"),
    "ops.replications": ("重复次数", "Replications"),
    "ops.target": ("服务水平目标（百分比/秒）", "Service level target (percent/seconds)"),
    "ops.max_abandon": ("放弃率上限（0-1，可空）", "Abandonment ceiling (0-1, optional)"),
    "ops.simulate": ("模拟这一天", "Simulate the day"),
    "ops.staff": ("测算所需坐席", "Find the staffing"),
    "ops.problems": (
        "场景或设置有问题，请按字段修改后再运行：",
        "The scenario or settings have problems; fix these fields and run again:",
    ),
    "ops.busy": (
        "您已有一次运行正在进行：请等它结束后再开始新的运行。",
        "You already have a run going: wait for it to finish, then start the next one.",
    ),
    "ops.runs": ("我的运行", "My runs"),
    "ops.no_runs": ("还没有运行。", "No runs yet."),
    "ops.run": ("运行", "Run"),
    "ops.started": ("开始时间", "Started"),
    "ops.kind": ("类型", "Kind"),
    "ops.kind.simulate": ("话务仿真", "Simulation"),
    "ops.kind.staff": ("排班测算", "Staffing search"),
    "ops.name": ("场景", "Scenario"),
    "ops.status": ("状态", "Status"),
    "ops.status.waiting": ("排队等待中", "Waiting for its turn"),
    "ops.status.running": ("运行中", "Running"),
    "ops.status.done": ("已完成", "Done"),
    "ops.status.failed": ("失败", "Failed"),
    "ops.replications_done": ("次重复已完成", "replications done"),
    "ops.failed": ("运行失败：", "The run failed:"),
    "ops.missing": (
        "找不到这次运行：每人只保留最近十次运行，也只能查看自己的运行。",
        "This run is not here: each person keeps their last ten runs, and sees only their own.",
    ),
    "ops.stopped": (
        "运行超过 {minutes} 分钟被停止：请减少重复次数、时段或来电量",
        "stopped after {minutes} minutes: run fewer replications, intervals or calls",
    ),
    "ops.interrupted": (
        "服务在运行结束前重启，运行中断；请重新运行。",
        "the server restarted before the run finished; run it again.",
    ),
    "ops.compare_pick": ("对比", "Compare"),
    "ops.compare": ("并排对比", "Compare side by side"),
    "ops.compare_none": (
        "请在“我的运行”中勾选已完成的运行再对比。",
        "Tick finished runs under “My runs” to compare them.",
    ),
    "ops.notes": ("数据来源", "Taken from"),
    "ops.note.routing": (
        "路由取自配置版本 {version}",
        "Routing of configuration version {version}",
    ),
    "ops.note.history": (
        "话务取自 {first} 至 {last} 中有来电的 {days} 天、共 {calls} 通来电；"
        "{outside} 通在场景时段之外",
        "Traffic from {calls} calls on {days} days ({first}..{last}); "
        "{outside} outside the scenario's day",
    ),
    "ops.agents_needed": ("各时段所需坐席", "Agents needed per interval"),
    "ops.per_interval": ("各时段指标", "Per interval"),
    "ops.interval": ("时段", "Interval"),
    "ops.total": ("合计", "Total"),
    "ops.met": ("达标", "Met"),
    "ops.yes": ("是", "yes"),
    "ops.no": ("否", "no"),
    "ops.k.offered": ("进线量", "Offered"),
    "ops.k.service_level": ("服务水平", "Service level"),
    "ops.k.asa_s": ("平均应答速度（秒）", "ASA (s)"),
    "ops.k.abandon_rate": ("放弃率", "Abandon rate"),
    "ops.k.occupancy": ("占用率", "Occupancy"),
    "ops.definitions": (
        "均为多次重复模拟的平均值。服务水平 = 目标秒数内接通 / 进入队列的来电；"
        "平均应答速度 = 接通来电的平均等待；放弃率 = 放弃 / 进入队列；"
        "占用率 = 处理时间 / 在线时间。",
        "Means over the replications. Service level = answered within the target seconds / calls "
        "that reached a queue; ASA = mean wait of answered calls; abandon rate = abandons / calls "
        "that reached a queue; occupancy = handling time / logged-in time.",
    ),
    # problems of the form (the field's name in front stays as it is: the form's own)
    "ops.problem.kind": ("必须是 simulate 或 staff", "must be simulate or staff"),
    "ops.problem.whole": (
        "必须是 {low} 到 {high} 之间的整数（填写的是 {got}）",
        "must be a whole number from {low} to {high} (got {got})",
    ),
    "ops.problem.share": (
        "必须是 0 到 1 之间的比例，例如 0.05（填写的是 {got}）",
        "must be a share from 0 to 1, e.g. 0.05 (got {got})",
    ),
    "ops.problem.target_format": (
        "目标 {got}：应为 百分比/秒数，例如 80/20",
        "target {got}: expected PERCENT/SECONDS, e.g. 80/20",
    ),
    "ops.problem.target_range": (
        "目标 {got}：百分比须在 0 到 100 之间（不含两端），秒数须大于或等于 0",
        "target {got}: percent must be in (0, 100), seconds >= 0",
    ),
    "ops.problem.too_long": (
        "超过 {kb} KB，请粘贴更小的场景",
        "longer than {kb} KB; paste a smaller scenario",
    ),
    "ops.problem.empty": (
        "内容为空，请粘贴场景（可从示例开始）",
        "is empty; paste a scenario (the example is a start)",
    ),
    "ops.problem.too_many_intervals": (
        "从浏览器运行最多 {most} 个时段",
        "at most {most} from the browser",
    ),
    "ops.problem.too_many_calls": (
        "每天 {calls} 通来电；从浏览器运行每天最多 {most} 通（更大的话务量请用 hotline simulate）",
        "{calls} calls a day; at most {most} from the browser (run larger days with "
        "hotline simulate)",
    ),
}
