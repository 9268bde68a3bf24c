import datetime as dt

import pytest

from parcours.core import clock

from ..factories import MembershipFactory

# A Tuesday. Files are opened on 2 February 2026 (see `file`), so records may go back to 2 February 2025.
TODAY = dt.date(2026, 3, 10)
OPENED = dt.datetime(2026, 2, 2, 9, 0, tzinfo=clock.PARIS)


@pytest.fixture(autouse=True)
def frozen_today():
    with clock.travel_to(TODAY):
        yield


@pytest.fixture
def colleague(personas):
    """A second social worker of the same association, who is not the person's referent."""
    return MembershipFactory(organisation=personas.association, role="social_worker",
                             user__username="collegue", user__first_name="Camille",
                             user__last_name="Collègue")  # fmt: skip


@pytest.fixture
def file(personas):
    """A person followed by the association, whose referent is the social worker persona."""
    return personas.person(referent=personas.worker.user, first_name="Prenomfictive", last_name="Nomfictive",
                           created_at=OPENED)  # fmt: skip


def login(client, membership):
    client.force_login(membership.user)
    return client
