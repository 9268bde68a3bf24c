"""The one clock of Parcours: every "today" and "now" comes from here, so tests and the demo generator can
travel in time (`with clock.travel_to(date): ...`)."""

import contextlib
import datetime as dt
import threading
from zoneinfo import ZoneInfo

from django.utils import timezone

_frozen = threading.local()
PARIS = ZoneInfo("Europe/Paris")


def now() -> dt.datetime:
    return getattr(_frozen, "now", None) or timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


@contextlib.contextmanager
def travel_to(when: dt.date | dt.datetime):
    """Freeze the clock at `when` (a date means 10:00 in Paris that day)."""
    if not isinstance(when, dt.datetime):
        when = dt.datetime.combine(when, dt.time(10, 0), tzinfo=PARIS)
    previous = getattr(_frozen, "now", None)
    _frozen.now = when
    try:
        yield
    finally:
        _frozen.now = previous
