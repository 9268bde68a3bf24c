"""A line diff between two versions of a text (difflib), shaped for a template."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

CONTEXT = 2  # unchanged lines kept around each change


@dataclass(frozen=True)
class DiffLine:
    op: str  # "equal", "delete", "insert" or "skip" (a run of unchanged lines left out)
    text: str = ""
    skipped: int = 0


def line_diff(old: str, new: str, context: int = CONTEXT) -> list[DiffLine]:
    a, b = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            run = a[i1:i2]
            first, last = i1 == 0, i2 == len(a)
            keep_head = 0 if first else context
            keep_tail = 0 if last else context
            if len(run) > keep_head + keep_tail + 1:
                lines += [DiffLine("equal", t) for t in run[:keep_head]]
                lines.append(DiffLine("skip", skipped=len(run) - keep_head - keep_tail))
                lines += [DiffLine("equal", t) for t in run[len(run) - keep_tail :]]
            else:
                lines += [DiffLine("equal", t) for t in run]
            continue
        lines += [DiffLine("delete", t) for t in a[i1:i2]]
        lines += [DiffLine("insert", t) for t in b[j1:j2]]
    return lines


def changed(lines: list[DiffLine]) -> bool:
    return any(line.op in {"insert", "delete"} for line in lines)
