"""The papers are offered where users need them, to the roles that may open them, and only when they exist."""

import datetime as dt

import pytest
from django.urls import reverse

from parcours.core import clock
from parcours.pathway import transitions as t

from ..conftest import request_in_state


def page(client, membership, name, pk):
    client.force_login(membership.user)
    response = client.get(reverse(name, kwargs={"pk": pk}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_request_page_offers_the_letter_and_certificates_once_authorised(client, personas):
    req = request_in_state(personas, "authorised")
    html = page(client, personas.agent, "pathway:request", req.pk)
    for name in ("decision_letter", "afis_certificate", "aps_certificate"):
        assert reverse(f"papers:{name}", kwargs={"pk": req.decision.pk}) in html
    assert reverse("papers:request_file", kwargs={"pk": req.pk}) in html
    assert reverse("papers:pathway_document", kwargs={"pk": req.pk}) in html


@pytest.mark.django_db
def test_a_refused_request_offers_the_letter_but_no_certificate(client, personas):
    req = request_in_state(personas, "refused")
    html = page(client, personas.worker, "pathway:request", req.pk)
    assert reverse("papers:decision_letter", kwargs={"pk": req.decision.pk}) in html
    assert reverse("papers:afis_certificate", kwargs={"pk": req.decision.pk}) not in html
    html = page(client, personas.secretariat, "pathway:request", req.pk)
    assert reverse("papers:decision_letter", kwargs={"pk": req.decision.pk}) not in html  # not hers


@pytest.mark.django_db
def test_members_find_the_pseudonymised_file_on_the_session_page(client, personas):
    req = request_in_state(personas, "scheduled")
    session = req.agenda_items.get().session
    html = page(client, personas.member, "pathway:session", session.pk)
    assert reverse("papers:request_file_members", kwargs={"pk": req.pk}) in html
    assert reverse("papers:request_file", kwargs={"pk": req.pk}) not in html


@pytest.mark.django_db
def test_the_person_page_offers_the_early_end_letter(client, personas):
    req = request_in_state(personas, "authorised")
    url = reverse("papers:early_end_letter", kwargs={"pk": req.pathway.pk})
    assert url not in page(client, personas.agent, "people:person", req.pathway.person_id)
    with clock.travel_to(dt.date(2025, 3, 20)):
        t.end_early(req.pathway, personas.agent, dt.date(2025, 3, 20), "Motif fictif")
    assert url in page(client, personas.agent, "people:person", req.pathway.person_id)
    assert url in page(client, personas.worker, "people:person", req.pathway.person_id)


@pytest.mark.django_db
def test_the_organisation_page_leads_the_head_of_service_to_the_letterhead(client, personas):
    client.force_login(personas.head.user)
    assert reverse("papers:letterhead") in client.get(reverse("accounts:organisation")).content.decode()
    client.force_login(personas.worker.user)
    assert reverse("papers:letterhead") not in client.get(reverse("accounts:organisation")).content.decode()
