"""The header's count of notifications not done is compiled once per membership and day (issue 15,
notifications/unread.py), and still counts what the inbox lists: the count is read on every page, a role
changed or a consent that ends the next day changes what it counts."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parcours.accounts.models import Membership, Organisation
from parcours.core import clock
from parcours.notifications import unread
from parcours.notifications.models import Notification
from parcours.people import services as people

from ..conftest import walk_to_avis
from ..factories import MembershipFactory, OrganisationFactory, PersonFactory, departement

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _fresh():
    unread._statements.clear()
    with clock.travel_to(DAY):
        yield
    unread._statements.clear()


def notify(membership, person=None, key="pathway:1", done=False):
    return Notification.objects.create(
        recipient=membership.user, organisation=membership.organisation, kind="renewal", due_on=DAY,
        object_key=key, person=person, person_reference="P-000001", url="/a-faire/", dedup_key=key,
        done_at=clock.now() if done else None,
    )  # fmt: skip


def header_count(client, membership) -> int:
    client.force_login(membership.user)
    page = client.get(reverse("notifications:preferences")).content.decode()
    found = re.search(
        r'fr-icon-notification-3-line"[^>]*>Notifications(?:<span[^>]*> :</span> <span[^>]*>(\d+)<)?', page
    )
    assert found, "the header shows the notifications link"
    return int(found.group(1) or 0)


def test_the_header_counts_what_she_may_see_read_again_on_every_page(client, personas):
    mine = personas.person()
    theirs = PersonFactory(association=personas.other_association)  # a file she does not see (transferred)
    notify(personas.worker, mine, "pathway:1")
    notify(personas.worker, None, "session:2")  # about no person: always counted
    notify(personas.worker, theirs, "pathway:3")
    notify(personas.worker, mine, "pathway:4", done=True)
    notify(personas.head, mine, "pathway:5")  # someone else's
    assert header_count(client, personas.worker) == 2
    notify(personas.worker, mine, "pathway:6")  # a new one shows on the next page, compiled or not
    assert header_count(client, personas.worker) == 3
    Notification.objects.filter(object_key="pathway:1").update(done_at=clock.now())
    assert header_count(client, personas.worker) == 2


def test_a_role_changed_counts_with_the_new_role(client, personas):
    notify(personas.worker, personas.person(), "pathway:1")
    notify(personas.worker, None, "session:2")
    assert header_count(client, personas.worker) == 2
    Membership.objects.filter(pk=personas.worker.pk).update(role="volunteer")  # sees no file any more
    assert header_count(client, personas.worker) == 1


def test_a_partners_count_follows_her_consents_from_one_day_to_the_next(client, personas):
    partner = OrganisationFactory(kind="partner", name="France Travail fictive", departement=None)
    counsellor = MembershipFactory(
        organisation=partner, role="partner_counsellor", user__username="conseillere"
    )
    shared = personas.person()
    people.record_consent(shared, personas.worker, purpose="sharing", given_on=dt.date(2026, 1, 5),
                          partner=partner, scopes=["identity_contact"], expires_on=DAY)  # fmt: skip
    notify(counsellor, shared, "pathway:1")
    assert header_count(client, counsellor) == 1
    with clock.travel_to(DAY + dt.timedelta(days=1)):  # the consent expired yesterday evening
        assert header_count(client, counsellor) == 0


@pytest.mark.parametrize(
    "who", ["worker", "head", "volunteer", "intern", "secretariat", "member", "agent", "national"]
)
def test_the_statement_depends_on_nothing_read_from_the_database(personas, who):
    """What makes compiling it once per key correct: building the query reads nothing (a visibility rule that
    read a list of people while being built would be frozen in the compiled statement)."""
    membership = Membership.objects.select_related("organisation").get(pk=getattr(personas, who).pk)
    with CaptureQueriesContext(connection) as queries:
        unread.statement(membership)
    assert queries.captured_queries == []
    notify(membership, None, "session:9")
    assert unread.count(membership) == Notification.objects.for_membership(membership).unread().count() == 1


# --- Each part of the key (the review of the change): the count follows a change of that part ---
def loaded(membership):
    """As MembershipMiddleware loads it, on every request."""
    return Membership.objects.select_related("organisation", "organisation__departement").get(
        pk=membership.pk
    )


def both(membership):
    m = loaded(membership)
    return unread.count(m), Notification.objects.for_membership(m).unread().count()


def test_key_prefecture_departement_moved(personas):
    person = personas.person()
    walk_to_avis(personas, person, submitted_on=dt.date(2026, 1, 5), session_on=dt.date(2026, 2, 2))
    notify(personas.agent, person, "k:1")
    assert both(personas.agent) == (1, 1)
    Organisation.objects.filter(pk=personas.prefecture.pk).update(departement=departement("84"))
    count, truth = both(personas.agent)
    assert (count, truth) == (0, 0), "stale: counts a notification about a person of another département"


def test_key_membership_deactivated(personas):
    notify(personas.worker, None, "k:1")
    assert both(personas.worker) == (1, 1)
    Membership.objects.filter(pk=personas.worker.pk).update(is_active=False)
    assert both(personas.worker) == (0, 0)


def test_key_two_colleagues_same_role(personas):
    colleague = MembershipFactory(organisation=personas.association, role="social_worker",
                                  user__username="collegue")  # fmt: skip
    notify(personas.worker, personas.person(), "k:1")
    notify(personas.worker, None, "k:2")
    assert both(personas.worker) == (2, 2)
    assert both(colleague) == (0, 0)


def test_key_same_user_two_organisations(personas):
    elsewhere = MembershipFactory(organisation=personas.other_association, role="social_worker",
                                  user=personas.worker.user)  # fmt: skip
    notify(personas.worker, personas.person(), "k:1")
    assert both(personas.worker) == (1, 1)
    assert both(elsewhere) == (0, 0)


def test_partner_statement_reads_nothing_and_follows_a_same_day_withdrawal(personas):
    from parcours.people.models import Consent

    partner = OrganisationFactory(kind="partner", name="Partenaire fictif", departement=None)
    counsellor = MembershipFactory(organisation=partner, role="partner_counsellor", user__username="cons")
    shared = personas.person()
    people.record_consent(shared, personas.worker, purpose="sharing", given_on=dt.date(2026, 1, 5),
                          partner=partner, scopes=["identity_contact"])  # fmt: skip
    notify(counsellor, shared, "k:1")
    m = loaded(counsellor)
    with CaptureQueriesContext(connection) as queries:
        unread.statement(m)
    assert queries.captured_queries == []
    assert both(counsellor) == (1, 1)
    Consent.objects.filter(person=shared, partner=partner).update(withdrawn_on=DAY)  # withdrawn today
    assert both(counsellor) == (0, 0)
