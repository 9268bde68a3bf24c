"""The header's count of notifications not yet done, on every page (issue 15).

Building and compiling its queryset (`for_membership`, with the person visibility rule as a subquery) cost
Django about 0.5 ms on every page, more than PostgreSQL takes to answer it. Its SQL and parameters are a
function of the membership alone (who, where, which role, active or not) and of the day (a partner's
consents in force): they are compiled once per such key in each process and executed as they are. The
count itself is read from the database on every page, so a notification created or done shows at once.

The rule this depends on: building `Notification.objects.for_membership(m)` reads nothing from the database
(every part of the visibility rule is a filter or a subquery). tests/notifications/test_unread.py checks it.
"""

from django.core.exceptions import EmptyResultSet
from django.db import connection

from parcours.core import clock

from .models import Notification

KEPT = 512  # keys held per process (a statement of 300-700 characters each); all dropped when full
_compiled: dict[tuple, tuple[str, tuple] | None] = {}  # None: the query can match nothing
MISSING = object()


def key_of(membership) -> tuple:
    """Everything the statement depends on: the membership's own fields, its organisation's département
    (a préfecture's scope) and the day."""
    organisation = membership.organisation
    return (
        connection.alias, membership.pk, membership.user_id, membership.organisation_id, membership.role,
        bool(membership.is_active), organisation.departement_id, clock.today(),
    )  # fmt: skip


def statement(membership) -> tuple[str, tuple] | None:
    """The counting statement of `membership`, compiled on its key's first use (None: it matches nothing)."""
    key = key_of(membership)
    found = _compiled.get(key, MISSING)
    if found is MISSING:
        query = Notification.objects.for_membership(membership).unread().order_by().values("pk")
        try:
            sql, params = query.query.sql_with_params()
        except EmptyResultSet:
            found = None
        else:
            found = (f"SELECT COUNT(*) FROM ({sql}) AS unread", params)  # noqa: S608 (Django's own SQL)
        if len(_compiled) >= KEPT:
            _compiled.clear()
        _compiled[key] = found
    return found


def count(membership) -> int:
    """The number of `membership`'s notifications not yet done, about people she still sees."""
    compiled = statement(membership)
    if compiled is None:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(*compiled)
        return cursor.fetchone()[0]
