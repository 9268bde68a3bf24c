"""The header's count of notifications not yet done, on every page (issue 15).

Building and compiling its queryset (`for_membership`, with the person visibility rule as a subquery) cost
Django about 0.5 ms on every page, more than PostgreSQL takes to answer it. Its SQL and parameters are a
function of the membership alone (who, where, which role, active or not) and of the day (a partner's
consents in force): they are compiled once per such key (`policy.scope_key`) in each process and executed
as they are (core/compiled.py). The count itself is read from the database on every page, so a notification
created or done shows at once.

The rule this depends on: building `Notification.objects.for_membership(m)` reads nothing from the database
(every part of the visibility rule is a filter or a subquery). tests/notifications/test_unread.py checks it.
"""

from parcours.accounts.policy import scope_key
from parcours.core.compiled import Statements

from .models import Notification

_statements = Statements()


def statement(membership):
    """The counting statement of `membership`, compiled on its key's first use (None: it matches nothing)."""
    return _statements.get(
        scope_key(membership),
        lambda: Notification.objects.for_membership(membership).unread().order_by().values("pk"),
        wrap="SELECT COUNT(*) FROM ({sql}) AS unread",
    )


def count(membership) -> int:
    """The number of `membership`'s notifications not yet done, about people she still sees."""
    compiled = statement(membership)
    return compiled.first()[0] if compiled is not None else 0
