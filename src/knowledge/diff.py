"""What changed between two versions of an article: field by field, the answer line by line.

Why :mod:`difflib` rather than a diff library: the texts are one article (a few dozen lines), the
standard library's ``SequenceMatcher`` gives the same opcodes on every machine with no dependency,
and its output is plain values the page escapes itself. Inside a changed line the comparison is by
character, not by word: Chinese has no spaces between words, so a character diff is what shows
"1000元" becoming "2000元" without marking the whole sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from difflib import SequenceMatcher
from typing import Literal

from knowledge.model import VersionContent

Kind = Literal["same", "added", "removed", "changed"]
Op = Literal["equal", "insert", "delete"]


@dataclass(frozen=True)
class Piece:
    """A run of text within a line: kept, inserted (only in the newer), deleted (only older)."""

    op: Op
    text: str


@dataclass(frozen=True)
class LineChange:
    """One line of the answer: ``old`` / ``new`` are the pieces of each side (empty if absent)."""

    kind: Kind
    old: tuple[Piece, ...]
    new: tuple[Piece, ...]


@dataclass(frozen=True)
class FieldChange:
    """A field that differs, both values as text (lists one item per line)."""

    field: str
    old: str
    new: str


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return "\n".join(str(item) for item in value)
    return str(value)


def changed_fields(old: VersionContent, new: VersionContent) -> list[FieldChange]:
    """Every field but the answer whose value differs, in the order of :class:`VersionContent`."""
    out = []
    for f in fields(VersionContent):
        if f.name == "answer":
            continue
        a, b = _as_text(getattr(old, f.name)), _as_text(getattr(new, f.name))
        if a != b:
            out.append(FieldChange(f.name, a, b))
    return out


def _inline(old: str, new: str) -> tuple[tuple[Piece, ...], tuple[Piece, ...]]:
    left: list[Piece] = []
    right: list[Piece] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            left.append(Piece("equal", old[i1:i2]))
            right.append(Piece("equal", new[j1:j2]))
            continue
        if i2 > i1:
            left.append(Piece("delete", old[i1:i2]))
        if j2 > j1:
            right.append(Piece("insert", new[j1:j2]))
    return tuple(left), tuple(right)


def answer_diff(old: str, new: str) -> list[LineChange]:
    """The answers line by line; a replaced line paired with its successor is diffed inside."""
    a, b = old.splitlines(), new.splitlines()
    out: list[LineChange] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(
                LineChange("same", (Piece("equal", line),), (Piece("equal", line),))
                for line in a[i1:i2]
            )
            continue
        olds, news = a[i1:i2], b[j1:j2]
        paired = min(len(olds), len(news)) if tag == "replace" else 0
        for k in range(paired):
            left, right = _inline(olds[k], news[k])
            out.append(LineChange("changed", left, right))
        out.extend(LineChange("removed", (Piece("delete", x),), ()) for x in olds[paired:])
        out.extend(LineChange("added", (), (Piece("insert", x),)) for x in news[paired:])
    return out
