"""Report rows as CSV and as XLSX (openpyxl), with the figures' definitions.

CSV keeps the machine names as its header (scripts read it); the XLSX is for people: labels in
the reader's language on the first sheet, a second sheet with every figure's definition, times as
spreadsheet date-times in Asia/Shanghai and shares formatted as percentages.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from hotline.reports.definitions import Figure

REASON_PREFIX = "not_ready:"
_TIME_SUFFIXES = ("_start", "_end", "_at", "_call")
_SHARES = frozenset(
    {
        "service_level",
        "service_level_answered",
        "service_level_no_short",
        "abandon_rate",
        "occupancy",
        "share",
        "complaint_rate",
        "completion_rate",
        "timeliness",
        "response_rate",
    }
)


def flatten(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str]
) -> tuple[list[str], list[list[Any]]]:
    """The listed columns, plus one ``not_ready:<reason>`` column per reason seen; nested
    lists (an abandon's floor) are left out of flat exports."""
    reasons = sorted({r for row in rows for r in row.get("not_ready_by_reason", {}) or {}})
    header = [*columns, *(REASON_PREFIX + r for r in reasons)]
    table = [
        [row.get(c) for c in columns]
        + [(row.get("not_ready_by_reason") or {}).get(r, 0.0) for r in reasons]
        for row in rows
    ]
    return header, table


def to_csv(header: Sequence[str], table: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in line] for line in table)
    return buffer.getvalue()


def _label(column: str, figures: Mapping[str, Figure], lang: str) -> str:
    if column.startswith(REASON_PREFIX):
        reason = column.removeprefix(REASON_PREFIX)
        return f"示忙：{reason}" if lang == "zh" else f"Not ready: {reason}"
    figure = figures.get(column)
    if figure is None:
        return column
    return figure.label_zh if lang == "zh" else figure.label_en


def _cell(column: str, value: Any) -> Any:
    if isinstance(value, str) and column.endswith(_TIME_SUFFIXES):
        try:
            return datetime.fromisoformat(value).replace(tzinfo=None)  # local wall time
        except ValueError:
            return value
    return value


def to_xlsx(
    title: str,
    header: Sequence[str],
    table: Sequence[Sequence[Any]],
    figures: Mapping[str, Figure],
    lang: str,
) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append([_label(c, figures, lang) for c in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in table:
        sheet.append([_cell(c, v) for c, v in zip(header, line, strict=True)])
    for index, column in enumerate(header, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(10, len(_label(column, figures, lang)) + 4)
        if column in _SHARES:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "0.0%"
        elif column.endswith(_TIME_SUFFIXES):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "yyyy-mm-dd hh:mm"
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("定义" if lang == "zh" else "Definitions")
    notes.append(["字段", "名称", "定义"] if lang == "zh" else ["Field", "Label", "Definition"])
    for column in header:
        figure = figures.get(column)
        if figure is not None:
            definition = figure.definition_zh if lang == "zh" else figure.definition_en
            notes.append([column, _label(column, figures, lang), definition])
    notes.column_dimensions["C"].width = 80
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
