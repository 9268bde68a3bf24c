"""Each kind of deadline at the edges of its horizon (notifications/rules.py), told to the right people only:
the referent and the head of service for a person, the secretariat for its commission's sessions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parcours.core import clock
from parcours.notifications import services
from parcours.notifications.models import Notification
from parcours.pathway.models import Period
from parcours.records import samples
from parcours.records import services as records
from parcours.rights import services as rights
from parcours.rights.services import AfisDates

from ..conftest import FIRST_PERIOD_END, pathway_in_state, request_in_state
from ..factories import MembershipFactory

D = dt.date


def told(on: dt.date) -> list[tuple[str, str, str, dt.date | None]]:
    with clock.travel_to(on):
        services.notify()
    return sorted(
        (n.recipient.username, n.kind, n.person_reference, n.due_on)
        for n in Notification.objects.select_related("recipient")
    )


@pytest.fixture
def colleague(personas):
    return MembershipFactory(
        organisation=personas.association, role="social_worker", user__username="collegue"
    )


def test_an_adjourned_request_is_told_to_her_referent_and_the_head_not_to_a_colleague(personas, colleague):
    person = personas.person(referent=personas.worker.user)
    request_in_state(personas, "adjourned", person=person)  # adjourned at the session of 3 February 2025
    ref = person.reference
    assert told(D(2025, 2, 4)) == [
        ("cheffe", "adjourned", ref, D(2025, 2, 3)),
        ("travailleuse", "adjourned", ref, D(2025, 2, 3)),
    ]
    assert (
        Notification.objects.get(recipient=personas.worker.user).url
        == f"/parcours/demandes/{person.pathways.get().requests.get().pk}/"
    )


def test_a_document_is_told_60_days_before_it_expires(personas, settings, tmp_path):
    settings.PARCOURS_DOCUMENTS_DIR = tmp_path / "documents"
    person = personas.person(referent=personas.worker.user)
    with clock.travel_to(D(2025, 1, 6)):
        upload = SimpleUploadedFile("titre.pdf", samples.pdf("Titre fictif"), "application/pdf")
        records.add_document(
            person, personas.worker, kind="residence", upload=upload, expires_on=D(2025, 6, 30)
        )
    assert told(D(2025, 4, 30)) == []  # 61 days before
    assert told(D(2025, 5, 1)) == [
        ("cheffe", "document", person.reference, D(2025, 6, 30)),
        ("travailleuse", "document", person.reference, D(2025, 6, 30)),
    ]


def test_an_afis_without_a_first_payment_is_told_when_the_msa_is_to_be_chased(personas):
    person = personas.person(referent=personas.worker.user, residence_status="aps", dependent_children=1)
    pathway_in_state(personas, "active", person=person)
    with clock.travel_to(D(2025, 2, 20)):
        rights.save_afis(person, personas.worker, AfisDates(D(2025, 2, 20)))
    # The MSA is chased two months after the request (20 April); told 31 days before.
    assert [k for k in told(D(2025, 3, 19)) if k[1] == "afis_payment"] == []
    assert [k for k in told(D(2025, 3, 20)) if k[1] == "afis_payment"] == [
        ("cheffe", "afis_payment", person.reference, D(2025, 4, 20)),
        ("travailleuse", "afis_payment", person.reference, D(2025, 4, 20)),
    ]


def test_a_pathway_at_its_24_months_is_told_92_days_before_its_last_day_not_as_a_renewal(personas):
    person = personas.person(referent=personas.worker.user)
    pathway = pathway_in_state(personas, "active", person=person)
    # As after three renewals: the periods granted sum to the 24 months of the cap (set here directly).
    Period.objects.filter(pathway=pathway).update(months=24)
    last_day = FIRST_PERIOD_END
    assert told(last_day - dt.timedelta(days=93)) == []
    assert told(last_day - dt.timedelta(days=92)) == [
        ("cheffe", "pathway_end", person.reference, last_day),
        ("travailleuse", "pathway_end", person.reference, last_day),
    ]


def test_a_session_is_told_to_its_secretariat_a_month_before_and_to_nobody_else(personas):
    from parcours.pathway import transitions as t

    with clock.travel_to(D(2025, 3, 1)):
        t.create_session(personas.secretariat, D(2025, 6, 20))
        t.create_session(personas.other_secretariat, D(2025, 6, 24))
    assert told(D(2025, 5, 19)) == []  # 32 days before
    assert told(D(2025, 5, 20)) == [("secretariat", "session", "", D(2025, 6, 20))]
    assert told(D(2025, 5, 24))[-1] == ("secretariat-13", "session", "", D(2025, 6, 24))


def test_an_inactive_account_is_told_nothing(personas):
    personas.worker.user.is_active = False
    personas.worker.user.save()
    person = personas.person(referent=personas.worker.user)
    request_in_state(personas, "adjourned", person=person)
    assert [k[0] for k in told(D(2025, 2, 4))] == ["cheffe"]
