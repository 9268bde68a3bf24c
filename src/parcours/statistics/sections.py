"""Sections of the association's figures added by the apps above the statistics layer (funding): each a
function `(organisation, start, end) -> Section | None`, registered from that app's `ready()`. The
statistics app may not import them (layers, pyproject.toml); they come to it. A section holds amounts and
events, never a count of people (those go through secrecy.py as indicators)."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    intro: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]  # the last row may be the total (`total_row`)
    total_row: bool = False


Builder = Callable[[object, dt.date, dt.date], Section | None]
_BUILDERS: list[Builder] = []


def register(builder: Builder) -> Builder:
    if builder not in _BUILDERS:
        _BUILDERS.append(builder)
    return builder


def for_association(organisation, start: dt.date, end: dt.date) -> list[Section]:
    """The sections with at least one row for the association and the period (an empty one is left out)."""
    return [s for build in _BUILDERS if (s := build(organisation, start, end)) is not None and s.rows]
