"""The stack's own figures of a live run, as a table beside the simulator's KPI tables."""

from __future__ import annotations

from rich.table import Table

from hotline.livesim.runner import StackFigures


def stack_table(stack: StackFigures) -> Table:
    table = Table(title=f"The stack at speed {stack.speed:g}", title_justify="left")
    table.add_column("")
    table.add_column("value", justify="right")
    rows = [
        ("calls placed / recorded", f"{stack.calls_placed} / {stack.calls_recorded}"),
        ("calls per real second", f"{stack.calls_per_s:.2f}"),
        ("ARI events per real second", f"{stack.events_per_s:.0f}"),
        ("lost calls (no record)", str(stack.lost_calls)),
        ("stuck calls (no outcome)", str(stack.stuck_calls)),
        ("IVR hang-ups (not offered)", str(stack.ivr_abandons)),
        ("failed calls", str(stack.failed_calls)),
        (
            "mean IVR time, emulated s",
            "-" if stack.mean_ivr_s is None else f"{stack.mean_ivr_s:.1f}",
        ),
        ("ARI / director errors", f"{stack.ari_errors} / {stack.director_errors}"),
        ("real time: day / whole run", f"{stack.real_day_s:.1f} s / {stack.real_total_s:.1f} s"),
        ("drain after the day, emulated s", f"{stack.drain_s:.0f}"),
    ]
    for label, value in rows:
        table.add_row(label, value)
    return table
