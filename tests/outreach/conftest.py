import datetime as dt

import pytest

from parcours.core import clock
from parcours.outreach import services

TUESDAY = dt.date(2026, 3, 3)


@pytest.fixture
def session(personas):
    """A Tuesday drop-in of the personas' association, 13:30–18:30 (5 hours)."""
    with clock.travel_to(TUESDAY):
        return services.add_extra_session(personas.head, day=TUESDAY, starts_at=dt.time(13, 30),
                                          ends_at=dt.time(18, 30), place="Local fictif")  # fmt: skip


KEY = "6f1c2a52-8d2e-4c8a-9a61-0c6f5b1d2e01"
