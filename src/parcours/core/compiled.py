"""SQL statements compiled once per key and executed as they are, for the few queries every page runs
(issue 15, docs/decisions/0066-statements-compiled-once.md).

Building a queryset and compiling it costs Django 0.3-1.9 ms (a `select_related` over five tables: 1.9 ms
for a query that finds no row), where PostgreSQL answers in a tenth of that. When a query's SQL depends only
on a few known values (the membership, the day), it is compiled on the first use of their key and kept in
the process; the values that change from one page to the next (a pk, the pks of a page) are `Slot`s bound at
each execution. The rows are read from the database every time: nothing but SQL text is kept.

The rules callers keep: the key holds everything the SQL depends on, and building the queryset reads
nothing from the database (a visibility rule made of filters and subqueries). The rows are what the
database driver gives, without Django's conversions (an encrypted column comes back encrypted, a datetime
without the ORM's time zone handling) and the bound values reach the driver as they are (None would give
`= NULL`, which matches nothing): compile queries of integers, plain text and dates only, and bind integers
or text (`bind` refuses None).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import CharField, Expression, Field, IntegerField, Lookup, Value

KEPT = 512  # statements kept per Statements; all dropped when full (a few hundred characters each)
BIGINT_MAX = 2**63 - 1  # the largest key a row can have


def row_key(value) -> bool:
    """Whether `value` is a key a row can have (an address's number beyond it would be the driver's error)."""
    return isinstance(value, int) and 0 < value <= BIGINT_MAX


class Slot:
    """A parameter of a compiled statement, given its value at each execution (`Compiled.bind`)."""

    def __init__(self, name: str, encode: Callable[[Any], Any] | None = None):
        self.name = name
        self.encode = encode

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"


def slot(name: str) -> Value:
    """A value to filter on, bound at each execution: `filter(pk=slot("pk"))`."""
    return Value(Slot(name))


class Listed(Expression):
    """The values of a list bound at each execution, for the lookup `any_of`:
    `filter(pk__any_of=Listed("pks"))`; integers, or texts with `text=True`. PostgreSQL receives one array,
    SQLite one JSON text, so the statement is the same for any length."""

    output_field = IntegerField()

    def __init__(self, name: str, text: bool = False):
        super().__init__()
        self.name = name
        self.text = text
        if text:
            self.output_field = CharField()

    def as_sql(self, compiler, connection):  # SQLite and others: JSON text
        return "%s", [Slot(self.name, _as_text_json if self.text else _as_json)]

    def as_postgresql(self, compiler, connection):
        if self.text:
            return "%s::text[]", [Slot(self.name, lambda values: [str(v) for v in values])]
        return "%s::bigint[]", [Slot(self.name, lambda ids: [int(i) for i in ids])]


@Field.register_lookup
class AnyOf(Lookup):
    """`field__any_of=Listed(name)`: the field's value is one of the list's. On PostgreSQL `= ANY(array)`,
    which an index answers, under an OR too (`IN (SELECT unnest(…))` made the planner read the whole table
    there); on SQLite `IN (SELECT value FROM json_each(…))`."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        if not isinstance(self.rhs, Listed):
            raise TypeError("any_of takes a Listed")
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]
        # Django's own SQL of the column and of the parameter's placeholder, never input.
        return f"{lhs} IN (SELECT value FROM json_each({rhs}))", [*lhs_params, *rhs_params]  # noqa: S608


def _as_json(ids) -> str:
    return json.dumps([int(i) for i in ids])


def _as_text_json(values) -> str:
    return json.dumps([str(v) for v in values])


@dataclass(frozen=True)
class Compiled:
    sql: str
    params: tuple

    def bind(self, **values) -> tuple:
        """The parameters with each slot given its value (every slot must be given one)."""
        bound = []
        for param in self.params:
            if isinstance(param, Slot):
                value = values[param.name]
                if value is None:
                    raise ValueError(f"{param!r}: None would compare as = NULL")
                param = param.encode(value) if param.encode else value
            bound.append(param)
        return tuple(bound)

    def rows(self, **values) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.bind(**values))
            return cursor.fetchall()

    def first(self, **values) -> tuple | None:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.bind(**values))
            return cursor.fetchone()


def compile_queryset(queryset, wrap: str = "{sql}") -> Compiled | None:
    """The queryset's SQL placed in `wrap`, with its parameters; None when it can match nothing (Django's
    EmptyResultSet: no query to run)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return None
    return Compiled(wrap.format(sql=sql), tuple(params))


class Statements:
    """Statements compiled once per key (with the database alias) in this process."""

    def __init__(self, kept: int = KEPT):
        self.kept = kept
        self._by_key: dict[tuple, Compiled | None] = {}

    def get(self, key: Hashable, build: Callable[[], Any], wrap: str = "{sql}") -> Compiled | None:
        """The statement of `key`: `build()` (a queryset) compiled on the key's first use, its SQL placed in
        `wrap`. None when the queryset can match nothing (Django's EmptyResultSet: no query to run)."""
        full_key = (connection.alias, key)
        try:
            return self._by_key[full_key]
        except KeyError:
            pass
        found = compile_queryset(build(), wrap)
        if len(self._by_key) >= self.kept:
            self._by_key.clear()
        self._by_key[full_key] = found
        return found

    def clear(self) -> None:
        self._by_key.clear()

    def __len__(self) -> int:
        return len(self._by_key)
