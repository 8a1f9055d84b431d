"""Console output of the simulation commands that reads the same in a terminal, a pipe and CI.

* Results (tables, JSON) go to stdout; progress and errors go to stderr.
* Error messages are never wrapped: a long path or field name stays on one line, whatever the
  terminal width (tests and users grep for it).
* Tables take the width of the terminal or ``$COLUMNS`` (200 columns into a file or a pipe); when
  a table needs more, rich squeezes it and a note on stderr says how to see it whole.
* Progress bars appear only when stderr is a terminal.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

PIPE_WIDTH = 200
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def output_console() -> Console:
    """Where results go: stdout (with ``--json`` nothing but the JSON is printed there)."""
    console = Console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        # A file or a pipe has no width: do not squeeze tables into rich's default 80 columns.
        console.width = PIPE_WIDTH
    return console


def error_console() -> Console:
    return Console(stderr=True, soft_wrap=True, highlight=False)


def fail(message: str, detail: str = "", code: int = EXIT_BAD_INPUT) -> typer.Exit:
    """Print ``message`` (red in a terminal) and the detail lines unwrapped; return the exit."""
    console = error_console()
    console.print(Text(message, style="red"))
    if detail:
        console.print(Text(detail))
    return typer.Exit(code)


def print_table(console: Console, table: Table) -> None:
    """Print ``table``; if it needs more columns than the console has, say how to widen."""
    # Measured against a very wide page: the console's own width would cap the answer.
    needed = console.measure(table, options=console.options.update_width(10_000)).maximum
    console.print(table)
    if needed > console.width:
        error_console().print(
            f"note: the table {table.title or ''!s} needs {needed} columns and was squeezed into "
            f"{console.width}; widen the terminal, run with COLUMNS={needed}, or use --json",
        )


def progress(total_label: str = "") -> Progress:
    """A progress bar on stderr, shown only when stderr is a terminal."""
    console = Console(stderr=True)
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    if total_label:
        columns.append(TextColumn(total_label))
    return Progress(
        *columns,
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
        transient=True,
    )


def check_output_file(path: Path | None, option: str) -> None:
    """Refuse, before any work, an output file whose folder is missing or not writable."""
    if path is None:
        return
    folder = path.parent
    if not folder.is_dir():
        raise fail(f"{option} {path}: the folder {folder} does not exist; create it first")
    if path.is_dir():
        raise fail(f"{option} {path}: is a folder; give a file name, e.g. {path / 'day'}")
    probe = folder / f".{path.name}.hotline-write-test"
    try:
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise fail(f"{option} {path}: cannot write in {folder} ({exc.strerror})") from None
