"""A partner's counsellor sees only the people who consented to share with her organisation, only the parts
of the file they consented to, and only while the consent is in force."""

import datetime as dt

import pytest
from django.urls import reverse

from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.core.clock import PARIS
from parcours.followup import services as followup
from parcours.people import services
from parcours.people.models import Consent

from ..factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)
ALL = ["identity_contact", "administrative", "employment", "appointments"]


@pytest.fixture(autouse=True)
def frozen_today():
    with clock.travel_to(TODAY):
        yield


@pytest.fixture
def partner(db):
    return OrganisationFactory(kind="partner", name="France Travail fictive", departement=None)


@pytest.fixture
def counsellor(partner):
    return MembershipFactory(organisation=partner, role="partner_counsellor", user__username="conseillere")


@pytest.fixture
def browser(client, counsellor):
    client.force_login(counsellor.user)
    return client


def share(personas, person, partner, scopes, **kwargs):
    values = {"purpose": "sharing", "given_on": dt.date(2026, 1, 5), "partner": partner, "scopes": scopes}
    values.update(kwargs)
    return services.record_consent(person, personas.worker, **values)


def person_page(browser, person):
    return browser.get(reverse("sharing:person", args=[person.pk]))


def test_the_list_holds_only_the_people_who_consented_to_share_with_her_organisation(
    personas, partner, browser
):
    other_partner = OrganisationFactory(
        kind="partner", name="Organisme de formation fictif", departement=None
    )
    shared = personas.person(first_name="Amara", last_name="Partagee")
    elsewhere = personas.person(first_name="Bisi", last_name="Ailleurs")
    expired = personas.person(first_name="Chioma", last_name="Expiree")
    withdrawn = personas.person(first_name="Dada", last_name="Retiree")
    to_come = personas.person(first_name="Efe", last_name="Future")
    processing = personas.person(first_name="Femi", last_name="Traitement")
    share(personas, shared, partner, ALL)
    share(personas, elsewhere, other_partner, ALL)
    share(personas, expired, partner, ALL, expires_on=dt.date(2026, 3, 9))
    consent = share(personas, withdrawn, partner, ALL)
    services.withdraw_consent(consent, personas.worker, TODAY)
    Consent.objects.create(person=to_come, purpose="sharing", partner=partner, scopes=ALL, scope="tout",
                           given_on=dt.date(2026, 3, 11), recorded_by=personas.worker.user)  # fmt: skip
    services.record_consent(processing, personas.worker, purpose="processing", given_on=TODAY)

    page = browser.get(reverse("sharing:people")).content.decode()

    assert "Amara PARTAGEE" in page
    for name in ("Ailleurs", "Expiree", "Retiree", "Future", "Traitement"):
        assert name.upper() not in page
    assert "1 personne" in page
    for person in (elsewhere, expired, withdrawn, to_come, processing):
        assert person_page(browser, person).status_code == 404


def test_her_page_shows_only_the_consented_scopes(personas, partner, browser):
    person = personas.person(first_name="Grace", last_name="Perimetre", phone="06 11 22 33 44",
                             residence_status="aps", residence_permit_expiry=dt.date(2026, 8, 9))  # fmt: skip
    followup.add_action(person, personas.worker, domain="employment", description="Atelier CV fictif")
    followup.add_action(person, personas.worker, domain="health", description="Bilan de santé fictif")
    share(personas, person, partner, ["administrative"])

    page = person_page(browser, person).content.decode()

    assert "Autorisation provisoire de séjour (APS)" in page
    assert "9 août 2026" in page
    # Neither her name nor her phone nor her actions: she did not consent to share them.
    assert "Grace" not in page and "PERIMETRE" not in page and "06 11 22 33 44" not in page
    assert "Atelier CV fictif" not in page
    assert person.reference in page
    # The list names her by her case number only.
    listing = browser.get(reverse("sharing:people")).content.decode()
    assert person.reference in listing and "Grace" not in listing


def test_contact_comes_with_its_safe_contact_rules(personas, partner, browser):
    person = personas.person(first_name="Hope", last_name="Contact", phone="06 11 22 33 44",
                             safe_phone="07 55 66 77 88", safe_times="le matin",
                             no_written_messages=True)  # fmt: skip
    share(personas, person, partner, ["identity_contact"])

    page = person_page(browser, person).content.decode()

    assert "Hope CONTACT" in page
    assert "Contact sous conditions" in page
    assert "Utiliser uniquement le numéro sûr" in page and "07 55 66 77 88" in page
    assert "Aucun message écrit" in page and "le matin" in page
    assert "Situation administrative" not in page


def test_employment_and_appointments_show_employment_only(personas, partner, browser):
    person = personas.person(french_level="A2")
    followup.add_action(person, personas.worker, domain="employment", description="Atelier CV fictif",
                        due_date=dt.date(2026, 4, 1))  # fmt: skip
    followup.add_action(person, personas.worker, domain="health", description="Bilan de santé fictif")
    for day, purpose in ((12, "employment"), (13, "justice")):
        followup.schedule_appointment(
            person, personas.worker, worker=personas.worker.user, purpose=purpose,
            starts_at=dt.datetime(2026, 3, day, 14, 0, tzinfo=PARIS),
            ends_at=dt.datetime(2026, 3, day, 15, 0, tzinfo=PARIS),
        )  # fmt: skip
    share(personas, person, partner, ["employment", "appointments"])

    page = person_page(browser, person).content.decode()

    assert "Atelier CV fictif" in page and "1er avril 2026" in page and "A2 (survie)" in page
    assert "Bilan de santé fictif" not in page
    assert "jeudi 12 mars 2026, 14:00" in page and "Emploi, formation" in page
    assert "vendredi 13 mars 2026, 14:00" in page and "rendez-vous avec l'association" in page
    assert "Plainte, justice" not in page


def test_two_consents_add_up_their_scopes(personas, partner, browser):
    person = personas.person(first_name="Ines", last_name="Cumul", residence_status="aps")
    share(personas, person, partner, ["identity_contact"])
    share(personas, person, partner, ["administrative"], given_on=dt.date(2026, 2, 1))

    page = person_page(browser, person).content.decode()

    assert "Ines CUMUL" in page and "Autorisation provisoire de séjour (APS)" in page


def test_a_withdrawal_cuts_access_from_the_next_request(personas, partner, browser):
    person = personas.person(first_name="Joy", last_name="Retrait")
    consent = share(personas, person, partner, ALL)
    assert person_page(browser, person).status_code == 200

    services.withdraw_consent(consent, personas.worker)

    assert person_page(browser, person).status_code == 404
    assert "RETRAIT" not in browser.get(reverse("sharing:people")).content.decode()


def test_an_expiry_cuts_access_the_next_day(personas, partner, counsellor, client):
    person = personas.person(first_name="Kemi", last_name="Echeance")
    share(personas, person, partner, ALL, expires_on=dt.date(2026, 3, 31))
    with clock.travel_to(dt.datetime(2026, 3, 31, 23, 50, tzinfo=PARIS)):
        client.force_login(counsellor.user)
        assert person_page(client, person).status_code == 200
    with clock.travel_to(dt.datetime(2026, 4, 1, 0, 5, tzinfo=PARIS)):
        assert person_page(client, person).status_code == 404
        assert "ECHEANCE" not in client.get(reverse("sharing:people")).content.decode()


def test_another_counsellor_of_another_partner_sees_nothing(personas, partner, client):
    person = personas.person()
    share(personas, person, partner, ALL)
    other = MembershipFactory(
        organisation=OrganisationFactory(kind="partner", name="Autre partenaire fictif", departement=None),
        role="partner_counsellor",
    )
    client.force_login(other.user)
    assert client.get(reverse("sharing:person", args=[person.pk])).status_code == 404
    assert "Aucune personne n'a consenti" in client.get(reverse("sharing:people")).content.decode()


def test_she_opens_none_of_the_association_pages(personas, partner, browser):
    person = personas.person()
    share(personas, person, partner, ALL)
    urls = [reverse("people:caseload")] + [
        reverse(name, args=[person.pk]) for name in ("people:person", "people:situation", "followup:notes")
    ]
    for url in urls:
        assert browser.get(url).status_code == 403


def test_she_lands_on_her_list_with_a_menu_entry(browser):
    response = browser.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("sharing:people")
    assert "Personnes partagées" in response.content.decode()


def test_reading_a_shared_file_is_journalled_once_and_a_refusal_too(personas, partner, browser):
    shared = personas.person()
    not_shared = personas.person()
    share(personas, shared, partner, ALL)
    before = AccessLog.objects.count()

    person_page(browser, shared)
    person_page(browser, not_shared)

    read, denied = AccessLog.objects.order_by("seq")[before:]
    assert (read.action, read.person_id, read.role) == ("read", shared.pk, "partner_counsellor")
    assert (denied.action, denied.outcome, denied.status_code) == ("denied", "denied", 404)


# --- The association records what is shared ------------------------------------------------------------
def test_the_worker_ticks_what_the_partner_will_see(personas, partner, client):
    person = personas.person()
    client.force_login(personas.worker.user)
    url = reverse("people:consent_add", args=[person.pk])
    form = client.get(url).content.decode()
    assert "Ce que le partenaire de Parcours verra" in form and "Situation administrative" in form

    response = client.post(url, {
        "purpose": "sharing", "partner": partner.pk, "given_on": "2026-03-10", "text_version": "2026-1",
        "scopes": ["administrative", "identity_contact"],
    })  # fmt: skip

    assert response.status_code == 302
    consent = person.consents.get()
    assert consent.scopes == ["identity_contact", "administrative"]
    assert consent.scope == "Identité et contact sûr, Situation administrative"


def test_an_unknown_scope_is_refused_and_nothing_is_recorded(personas, partner):
    person = personas.person()
    with pytest.raises(services.DomainError, match="Choisissez ce qui peut être partagé dans la liste"):
        share(personas, person, partner, ["life_story"])
    with pytest.raises(services.DomainError, match="Seul un partage avec un partenaire"):
        services.record_consent(person, personas.worker, purpose="processing", given_on=TODAY,
                                scopes=["administrative"])  # fmt: skip
    assert not person.consents.exists()
