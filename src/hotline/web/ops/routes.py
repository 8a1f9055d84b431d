"""GET /ops: ops run a simulated day or a staffing search from the browser, then read the result
with charts and compare runs side by side.

The scenario is the YAML of docs/simulator.md (prefilled with the Hangzhou weekday), optionally
with the routing of the configuration version in force and the traffic of the last N days'
recorded calls (hotline.scenarios.resolve, as ``hotline simulate --from-history``). Every problem
is listed by the field it is about, with a 422. Runs go through hotline.scenarios.jobs: in another
process, one at a time per person, bounded in size and time. Each run is kept in ``ops_run``
(hotline.scenarios.run_store) with what its page shows, so the list, the results and the
comparison outlive a restart; the process that started a run follows its progress.
"""

from __future__ import annotations

import asyncio
import math
from importlib.resources import files
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import yaml
from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from hotline.auth.principal import Principal
from hotline.db.models import OpsRunRow
from hotline.deps import AppState, AppStateDep, SessionDep
from hotline.roles import Role
from hotline.scenarios import problems as scenario_problems
from hotline.scenarios import run_store
from hotline.scenarios.history import MAX_DAYS, HistoryError
from hotline.scenarios.jobs import STOPPED, Run, RunBusy, Runs, RunStatus
from hotline.scenarios.resolve import resolve
from hotline.web import i18n, nav
from hotline.web.i18n import translate, translate_with
from hotline.web.ops import figures
from hotline.web.session import PageUser
from hotline.web.templating import lang_of, render
from simulations.charts import Lang
from simulations.scenario import Scenario, ScenarioError, parse_scenario
from simulations.staffing import Target, TargetError

router = APIRouter(include_in_schema=False)
nav.register("nav.ops", "/ops", [Role.OPS], order=75)
_ALLOWED = frozenset({Role.OPS})
_RUNS_KEY = "ops_runs"
_SOURCE = "scenario.yaml"
MAX_YAML = 64 * 1024
MAX_REPLICATIONS = 30
MAX_STAFF_REPLICATIONS = 5  # a staffing search runs the day many times over
MAX_INTERVALS = 96  # a whole day in quarter hours
MAX_CALLS_PER_DAY = 20_000


def _example() -> str:
    # The scenarios ship inside the simulations package directory of the repository.
    path = files("simulations") / "scenarios" / "hangzhou-weekday.yaml"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def _runs(state: AppState) -> Runs:
    runs = state.extras.get(_RUNS_KEY)
    if not isinstance(runs, Runs):
        runs = state.extras[_RUNS_KEY] = Runs()

        async def keep(run: Run, status: RunStatus) -> None:
            # The charts are a few plotly figures: built off the event loop, once, in both
            # languages, so the stored page needs neither the simulator nor plotly to be shown.
            view = await asyncio.to_thread(_view, run) if status == "done" else None
            await run_store.finished(state.sessionmaker, run, status, view, state.clock.now())

        runs.on_finish = keep
    return runs


def _view(run: Run) -> dict[str, Any] | None:
    """What the run's page shows, as plain data to store."""
    outcome = run.outcome
    if outcome is None:
        return None
    plan = run.plan
    langs: tuple[Lang, ...] = ("zh", "en")
    return {
        "overall": figures.overall(outcome),
        "intervals": figures.interval_rows(outcome),
        "plan": figures.plan_rows(plan) if plan is not None else None,
        "charts": {
            lang: {
                "day": figures.day_chart(outcome, run.target, lang),
                "staff": figures.staff_chart(plan, lang) if plan is not None else None,
            }
            for lang in langs
        },
    }


def _may(principal: Principal) -> bool:
    return principal.has_any(_ALLOWED)


def _form_defaults() -> dict[str, Any]:
    return {
        "source": _example(),
        "kind": "simulate",
        "routing_in_force": False,
        "from_history": False,
        "days": 7,
        "replications": 10,
        "target": "80/20",
        "max_abandon": "0.05",
    }


async def _page(
    request: Request,
    principal: Principal,
    session: SessionDep,
    state: AppStateDep,
    form: dict[str, Any],
    problems: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    rows = await run_store.of(session, principal.user_id)
    return render(
        request,
        "ops.html",
        {
            "user": principal,
            "form": form,
            "problems": problems or [],
            "runs": [_summary(row, state, lang_of(request)) for row in rows],
            "max_days": MAX_DAYS,
            "max_replications": MAX_REPLICATIONS,
        },
        status_code,
    )


@router.get("/ops")
async def ops_page(
    request: Request, principal: PageUser, session: SessionDep, state: AppStateDep
) -> Response:
    if not _may(principal):
        return RedirectResponse("/home", status_code=303)
    return await _page(request, principal, session, state, _form_defaults())


@router.post("/ops/runs")
async def start_run(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
    source: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "simulate",
    routing_in_force: Annotated[bool, Form()] = False,
    from_history: Annotated[bool, Form()] = False,
    days: Annotated[str, Form()] = "7",
    replications: Annotated[str, Form()] = "10",
    target: Annotated[str, Form()] = "80/20",
    max_abandon: Annotated[str, Form()] = "",
) -> Response:
    if not _may(principal):
        return RedirectResponse("/home", status_code=303)
    lang = lang_of(request)
    form = {
        "source": source,
        "kind": kind,
        "routing_in_force": routing_in_force,
        "from_history": from_history,
        "days": days,
        "replications": replications,
        "target": target,
        "max_abandon": max_abandon,
    }
    problems: list[str] = []
    if kind not in ("simulate", "staff"):
        problems.append(f"kind: {translate(lang, 'ops.problem.kind')}")
    ceiling = MAX_STAFF_REPLICATIONS if kind == "staff" else MAX_REPLICATIONS
    count = _whole(replications, "replications", 1, ceiling, problems, lang)
    history_days = _whole(days, "days", 1, MAX_DAYS, problems, lang) if from_history else None
    parsed_target = _target(target, max_abandon, problems, lang)
    data = _yaml(source, problems, lang)
    if problems:
        return await _page(request, principal, session, state, form, problems, 422)
    if routing_in_force and isinstance(data, dict):
        data = {**data, "routing": "live"}
    now = state.clock.now()
    try:
        resolved = await resolve(
            session, data, now, ZoneInfo(state.settings.timezone), history_days
        )
    except HistoryError as exc:
        problems = [exc.message(lang)]
        return await _page(request, principal, session, state, form, problems, 422)
    try:
        scenario = parse_scenario(resolved.data, _SOURCE)
    except ScenarioError as exc:
        problems = scenario_problems.lines(exc, lang)
        return await _page(request, principal, session, state, form, problems, 422)
    size = _size_problems(scenario, lang)
    if size:
        return await _page(request, principal, session, state, form, size, 422)
    assert count is not None
    assert parsed_target is not None
    try:
        run = _runs(state).start(
            principal.user_id,
            "staff" if kind == "staff" else "simulate",
            scenario,
            parsed_target,
            count,
            resolved.notes,
            now,
        )
    except RunBusy:
        busy = [translate(lang, "ops.busy")]
        return await _page(request, principal, session, state, form, busy, 409)
    target_text = f"{target}, abandon <= {max_abandon}" if max_abandon.strip() else target
    await run_store.started(session, run, target_text)
    return Response(headers={"HX-Redirect": f"/ops/runs/{run.id}"})


def _whole(
    text: str, name: str, low: int, high: int, problems: list[str], lang: i18n.Lang
) -> int | None:
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        said = translate_with(lang, "ops.problem.whole", low=low, high=high, got=repr(text))
        problems.append(f"{name}: {said}")
        return None
    return value


def _target(text: str, max_abandon: str, problems: list[str], lang: i18n.Lang) -> Target | None:
    ceiling: float | None = None
    if max_abandon.strip():
        try:
            ceiling = float(max_abandon)
        except ValueError:
            ceiling = math.nan
        if not 0.0 <= ceiling <= 1.0:  # NaN fails too
            said = translate_with(lang, "ops.problem.share", got=repr(max_abandon))
            problems.append(f"max_abandon: {said}")
            ceiling = None
    try:
        return Target.parse(text, ceiling)
    except TargetError as exc:
        said = translate_with(lang, f"ops.problem.target_{exc.code}", got=repr(exc.text))
        problems.append(f"target: {said}")
        return None


def _yaml(source: str, problems: list[str], lang: i18n.Lang) -> Any:
    if len(source.encode("utf-8")) > MAX_YAML:
        said = translate_with(lang, "ops.problem.too_long", kb=MAX_YAML // 1024)
        problems.append(f"{_SOURCE}: {said}")
        return None
    if not source.strip():
        problems.append(f"{_SOURCE}: {translate(lang, 'ops.problem.empty')}")
        return None
    try:
        return yaml.safe_load(source)
    except yaml.YAMLError as exc:
        # The YAML parser's own account (line and column) stays as it says it.
        said = translate_with(lang, "scenario.problem.not_yaml", detail=str(exc))
        problems.append(f"{_SOURCE}: {said}")
        return None


def _size_problems(scenario: Scenario, lang: i18n.Lang) -> list[str]:
    problems = []
    if scenario.interval_count > MAX_INTERVALS:
        said = translate_with(lang, "ops.problem.too_many_intervals", most=MAX_INTERVALS)
        problems.append(f"intervals.count: {said}")
    calls = sum(sum(t.calls_per_interval) for t in scenario.traffic)
    if calls > MAX_CALLS_PER_DAY:
        said = translate_with(
            lang,
            "ops.problem.too_many_calls",
            calls=f"{calls:,.0f}",
            most=f"{MAX_CALLS_PER_DAY:,}",
        )
        problems.append(f"traffic: {said}")
    return problems


def _notes(notes: list[dict[str, Any]], lang: i18n.Lang) -> list[str]:
    return [translate(lang, f"ops.note.{note['key']}").format(**note["values"]) for note in notes]


def _summary(row: OpsRunRow, state: AppState, lang: i18n.Lang = "zh-CN") -> dict[str, Any]:
    """A stored run as the pages list it. A run still going is followed by the process that
    started it; one the database says is going that no process follows was cut short by a
    restart."""
    status, done, error = row.status, row.done, row.error
    if status in ("waiting", "running"):
        live = _runs(state).get(row.user_id, row.id)
        if live is None:
            status, error = "failed", translate(lang, "ops.interrupted")
        else:
            # The process following the run knows its error before the row may say it.
            status, done, error = live.status, live.done, live.error or error
    if error is not None and error.startswith(f"{STOPPED}:"):
        minutes = error.removeprefix(f"{STOPPED}:")
        error = translate_with(lang, STOPPED, minutes=minutes)
    view = row.view or {}
    return {
        "id": row.id,
        "kind": row.kind,
        "name": row.name,
        "status": status,
        "started": row.started_at.astimezone(ZoneInfo(state.settings.timezone)).strftime(
            "%m-%d %H:%M:%S"
        ),
        "done": done,
        "total": row.replications,
        "overall": view.get("overall"),
        "notes": _notes(row.notes or [], lang),
        "error": error,
    }


@router.get("/ops/runs/{run_id}")
async def run_page(
    request: Request, run_id: str, principal: PageUser, session: SessionDep, state: AppStateDep
) -> Response:
    if not _may(principal):
        return RedirectResponse("/home", status_code=303)
    row = await run_store.get(session, principal.user_id, run_id)
    if row is None:
        return render(request, "ops_missing.html", {"user": principal}, 404)
    summary = _summary(row, state, lang_of(request))
    context: dict[str, Any] = {"user": principal, "run": summary}
    if summary["status"] == "done" and row.view:
        charts = row.view["charts"]["en" if lang_of(request) == "en" else "zh"]
        context["day_chart"] = charts["day"]
        context["intervals"] = row.view["intervals"]
        if row.view.get("plan") is not None:
            context["staff_chart"] = charts["staff"]
            context["plan"] = row.view["plan"]
    return render(request, "ops_run.html", context)


@router.get("/ops/runs/{run_id}/progress")
async def run_progress(
    request: Request, run_id: str, principal: PageUser, session: SessionDep, state: AppStateDep
) -> Response:
    if not _may(principal):
        return Response(status_code=403)
    row = await run_store.get(session, principal.user_id, run_id)
    if row is None:
        return Response(status_code=404)
    summary = _summary(row, state, lang_of(request))
    if summary["status"] in ("done", "failed"):
        return Response(status_code=204, headers={"HX-Refresh": "true"})
    return render(request, "ops_progress.html", {"run": summary})


@router.get("/ops/compare")
async def compare_page(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
    run: Annotated[list[str] | None, Query()] = None,
) -> Response:
    if not _may(principal):
        return RedirectResponse("/home", status_code=303)
    chosen = [await run_store.get(session, principal.user_id, run_id) for run_id in (run or [])[:4]]
    lang = lang_of(request)
    summaries = [_summary(row, state, lang) for row in chosen if row is not None]
    return render(
        request,
        "ops_compare.html",
        {
            "user": principal,
            "runs": [s for s in summaries if s["status"] == "done" and s["overall"]],
            "keys": figures.OVERALL_KEYS,
        },
    )
