"""The letterhead edit page: the head of service for her association, the préfecture's agents for their
préfecture, each her own organisation only; optimistic locking; a clear French error and nothing saved on bad
input; the change journaled with it."""

import pytest
from django.urls import reverse

from parcours.accounts.models import Letterhead
from parcours.audit.models import AccessLog

URL = "/documents-officiels/en-tete/"

VALUES = {
    "authority": "Association fictive du Gard",
    "service_lines": "Service d'accompagnement fictif",
    "address": "3 rue Imaginaire\n30000 Nîmes",
    "city": "Nîmes",
    "signatory_name": "Claude Fictive",
    "signatory_title": "La directrice",
}


def test_the_page_has_the_address_of_the_brief():
    assert reverse("papers:letterhead") == URL


@pytest.mark.django_db
def test_the_head_of_service_sets_her_association_s_letterhead_and_it_is_journaled(client, personas):
    client.force_login(personas.head.user)
    page = client.get(URL).content.decode()
    assert 'name="version" value="0"' in page
    assert "Association fictive du Gard" in page  # the default proposed: the organisation's name
    response = client.post(URL, {**VALUES, "version": "0"})
    assert response.status_code == 302
    row = Letterhead.objects.get(organisation=personas.association)
    assert (row.city, row.signatory_name, row.version) == ("Nîmes", "Claude Fictive", 1)
    event = AccessLog.objects.filter(event="letterhead.update").get()
    assert (event.user_id, event.person_id) == (personas.head.user_id, None)
    # A second save from the page showing version 1.
    client.post(URL, {**VALUES, "signatory_name": "Camille Fictive", "version": "1"})
    row.refresh_from_db()
    assert (row.signatory_name, row.version) == ("Camille Fictive", 2)


@pytest.mark.django_db
def test_an_edit_from_a_stale_page_is_refused_with_the_values_saved_meanwhile(client, personas):
    client.force_login(personas.agent.user)
    client.post(URL, {**VALUES, "authority": "Préfet du Gard (fictif)", "version": "0"})
    client.post(URL, {**VALUES, "authority": "Préfet du Gard (fictif)", "city": "Alès", "version": "1"})
    response = client.post(
        URL, {**VALUES, "authority": "Préfet du Gard (fictif)", "city": "Uzès", "version": "1"}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Modification simultanée : rien n'a été enregistré" in page and "Alès" in page
    row = Letterhead.objects.get(organisation=personas.prefecture)
    assert (row.city, row.version) == ("Alès", 2)


@pytest.mark.django_db
def test_a_letterhead_without_authority_is_refused_in_french_and_nothing_is_saved(client, personas):
    client.force_login(personas.head.user)
    response = client.post(URL, {**VALUES, "authority": "  ", "version": "0"})
    assert response.status_code == 200
    assert "L'en-tête n'est pas enregistré : corrigez les champs signalés." in response.content.decode()
    assert not Letterhead.objects.exists()
    assert not AccessLog.objects.filter(event="letterhead.update").exists()


@pytest.mark.django_db
def test_only_the_head_of_service_and_the_prefecture_agents_edit_and_only_their_own(client, personas):
    for membership in (personas.worker, personas.secretariat, personas.member, personas.volunteer):
        client.force_login(membership.user)
        assert client.post(URL, {**VALUES, "version": "0"}).status_code == 403
    assert not Letterhead.objects.exists()
    # The other département's agent edits her own préfecture's letterhead, never the Gard's.
    client.force_login(personas.other_agent.user)
    client.post(URL, {**VALUES, "authority": "Préfet fictif 13", "version": "0"})
    assert list(Letterhead.objects.values_list("organisation_id", "authority")) == [
        (personas.other_prefecture.pk, "Préfet fictif 13")
    ]
