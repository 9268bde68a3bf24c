"""The rights page as a worker sees it, and who may open it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from parcours.core import clock
from parcours.rights.deadlines import next_by_right, prefetch_rights
from parcours.rights.models import AfisFile, ApsFile

from ..conftest import authorised_pathway
from ..factories import PersonFactory, departement

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen_today():
    with clock.travel_to(TODAY):
        yield


def login(client, membership):
    client.force_login(membership.user)
    return client


def url(person):
    return reverse("rights:person", args=[person.pk])


def page(client, membership, person) -> str:
    response = login(client, membership).get(url(person))
    assert response.status_code == 200
    return response.content.decode()


def in_pathway(personas, **fields):
    person = personas.person(**{"residence_status": "permit", "monthly_resources": Decimal("200"), **fields})
    authorised_pathway(
        personas, person, submitted_on=D(2026, 1, 5), session_on=D(2026, 1, 19), decided_on=D(2026, 1, 26)
    )
    return person


def test_the_url_carries_only_the_reference_number(personas):
    person = personas.person()
    assert url(person) == f"/droits/personnes/{person.pk}/"


@pytest.mark.parametrize(("children", "amount"), [(0, "343,20"), (1, "449,28"), (4, "767,52")])
def test_worker_sees_the_afis_amount_for_her_children_today(client, personas, children, amount):
    html = page(client, personas.worker, personas.person(dependent_children=children))
    assert f"{amount} € par mois" in html
    assert "Barème « 2022 »" in html
    assert "montant à vérifier" not in html


def test_in_mayotte_the_amount_is_shown_as_to_check(client, personas):
    person = PersonFactory(
        association=personas.association, departement=departement("976"), dependent_children=4
    )
    html = page(client, personas.worker, person)
    assert "472,12 € par mois" in html and "Mayotte" in html
    assert "montant à vérifier" in html


def test_eligibility_shows_each_condition_with_its_basis(client, personas):
    html = page(client, personas.worker, in_pathway(personas))
    assert "Éligible" in html and "Non éligible" not in html
    for label in (
        "Être majeure",
        "parcours de sortie autorisé",
        "Nationalité ou droit au séjour",
        "Ressources du foyer",
        "Ne percevoir ni RSA ni ADA",
    ):
        assert label in html
    assert "R121-12-13-1" in html
    assert "caisse de MSA" in html
    assert "Demande d&#x27;AFIS à adresser à la MSA" in html


def test_a_person_outside_any_pathway_is_not_eligible_and_unknown_fields_are_said(client, personas):
    html = page(client, personas.worker, personas.person())
    assert "Non éligible" in html
    assert "Aucune période de parcours autorisée" in html
    assert "Ressources mensuelles non renseignées" in html


def test_worker_records_an_afis_request_from_the_page(client, personas):
    person = in_pathway(personas)
    response = login(client, personas.worker).post(
        url(person), {"op": "afis", "afis-requested_on": "2026-02-02"}, follow=True
    )
    html = response.content.decode()
    assert "Le dossier d&#x27;AFIS est enregistré." in html
    assert AfisFile.objects.get(person=person).requested_on == D(2026, 2, 2)
    assert "Relancer la MSA" in html  # no first payment yet: chase on 2 April


def test_dates_out_of_order_are_refused_in_french_and_nothing_is_saved(client, personas):
    person = personas.person()
    response = login(client, personas.worker).post(
        url(person), {"op": "afis", "afis-requested_on": "2026-02-02", "afis-first_payment_on": "2026-01-15"}
    )
    assert response.status_code == 200
    assert "Le premier versement ne peut pas précéder la demande." in response.content.decode()
    assert not AfisFile.objects.exists()


@pytest.mark.parametrize("value", ["31/02/2026", "demain", "2026-13-01", "<script>"])
def test_an_unreadable_date_is_refused(client, personas, value):
    person = personas.person()
    response = login(client, personas.worker).post(
        url(person), {"op": "aps_new", "apsnew-requested_on": value}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "rien n&#x27;a été enregistré" in html
    assert "<script>" not in html.split("<main", 1)[-1].replace("&lt;script&gt;", "")
    assert not ApsFile.objects.exists()


def test_worker_follows_the_aps_and_records_its_renewal(client, personas):
    person = in_pathway(personas, residence_status="none")
    c = login(client, personas.worker)
    c.post(url(person), {"op": "aps_new", "apsnew-requested_on": "2026-01-27"})
    aps = ApsFile.objects.get(person=person)
    c.post(
        url(person),
        {
            "op": "aps",
            "dossier": aps.pk,
            "version": aps.version,
            "aps-requested_on": "2026-01-27",
            "aps-receipt_on": "2026-01-28",
            "aps-receipt_expires_on": "2026-04-27",
            "aps-issued_on": "2026-02-10",
            "aps-expires_on": "2026-08-09",
        },
    )
    html = page(client, personas.worker, person)
    assert "Renouvellement de l&#x27;APS à demander (expire le 9 août 2026" in html
    assert "10 juin 2026" in html  # 60 days before
    c.post(
        url(person),
        {
            "op": "aps_new",
            "apsnew-requested_on": "2026-03-01",
            "apsnew-issued_on": "2026-03-05",
            "apsnew-expires_on": "2026-09-04",
        },
    )
    assert ApsFile.objects.filter(person=person).count() == 2
    assert "APS précédentes" in page(client, personas.worker, person)


def test_unknown_operation_is_not_found(client, personas):
    person = personas.person()
    assert login(client, personas.worker).post(url(person), {"op": "drop"}).status_code == 404


def test_person_of_another_association_is_not_found(client, personas):
    person = personas.person()
    c = login(client, personas.outsider)
    assert c.get(url(person)).status_code == 404
    assert c.post(url(person), {"op": "afis", "afis-requested_on": "2026-02-02"}).status_code == 404
    assert not AfisFile.objects.exists()


@pytest.mark.parametrize("role", ["volunteer", "intern", "secretariat", "member", "agent", "national"])
def test_roles_without_the_file_are_refused(client, personas, role):
    person = personas.person()
    c = login(client, getattr(personas, role))
    refused = 404 if role in ("volunteer", "intern") else 403  # they are not told the file exists (issue 11)
    assert c.get(url(person)).status_code == refused
    assert c.post(url(person), {"op": "afis", "afis-requested_on": "2026-02-02"}).status_code == refused
    assert not AfisFile.objects.exists()


def test_anonymous_visitor_is_sent_to_login(client, personas):
    response = client.get(url(personas.person()))
    assert response.status_code == 302


def test_the_rights_section_is_in_the_person_menu(client, personas):
    person = personas.person()
    assert f'href="{url(person)}"' in page(client, personas.worker, person)


def test_the_summary_shows_the_next_deadline_of_each_right(personas):
    person = in_pathway(personas, residence_status="none")
    prefetch_rights(person)  # as the synthesis page does (desk/person_held.py)
    html = render_to_string("rights/person_summary.html", {"person": person, "next": next_by_right(person)})
    assert "AFIS" in html and "Aucune échéance" in html  # no residence right yet: no AFIS request
    assert "Demande d&#x27;APS à adresser à la préfecture" in html and "26 janvier 2026" in html
    assert url(person) in html


def test_after_an_early_end_the_page_proposes_the_stop_of_next_month_and_records_it_ahead(client, personas):
    """Finding 7 a, through the page: the préfet ends the pathway on 10 March 2026; the form proposes the stop
    on 1 April (the law's date), and saving it today is accepted. Before the fix the deadline said 10 March
    and a stop dated 1 April was refused as « dans le futur »."""
    from parcours.pathway import transitions as t
    from parcours.rights import services
    from parcours.rights.services import AfisDates

    person = in_pathway(personas)  # period 26 January – 25 July 2026
    afis = services.save_afis(person, personas.worker, AfisDates(D(2026, 2, 2), D(2026, 3, 5)))
    t.end_early(person.pathways.get(), personas.agent, TODAY, "Engagements non tenus")
    html = page(client, personas.worker, person)
    assert 'name="afis-stopped_on" value="2026-04-01"' in html
    assert '<option value="prefet" selected>' in html
    assert "AFIS due jusqu&#x27;au 31 mars 2026, arrêt le 1er avril 2026" in html
    response = login(client, personas.worker).post(url(person), {
        "op": "afis", "dossier": str(afis.pk), "version": str(afis.version),
        "afis-requested_on": "2026-02-02", "afis-first_payment_on": "2026-03-05",
        "afis-stopped_on": "2026-04-01", "afis-stop_reason": "prefet",
    })  # fmt: skip
    assert response.status_code == 302
    afis.refresh_from_db()
    assert (afis.stopped_on, afis.stop_reason) == (D(2026, 4, 1), "prefet")
