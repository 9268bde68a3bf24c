"""Consents: recorded with a date, possibly an expiry, withdrawn but never deleted, and checked before
anything is shared with a partner."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.people import services
from parcours.people.models import Consent

from ..factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen_today():
    with clock.travel_to(TODAY):
        yield


@pytest.fixture
def partner(db):
    return OrganisationFactory(kind="partner", name="France Travail fictive", departement=None)


@pytest.fixture
def person(personas):
    return personas.person(first_name="Ioana", last_name="Fictiva")


def share(person, by, **kwargs):
    values = {"purpose": "sharing", "given_on": dt.date(2026, 1, 5), "scope": "coordonnées et situation"}
    values.update(kwargs)
    return services.record_consent(person, by, **values)


# --- Services ------------------------------------------------------------------------------------------
def test_consent_to_processing_and_to_sharing_with_a_partner(personas, person, partner):
    processing = services.record_consent(person, personas.worker, purpose="processing", given_on=TODAY)
    sharing = share(person, personas.worker, partner=partner, expires_on=dt.date(2026, 12, 31))
    named = share(person, personas.head, partner_name="  CIDFF   du Gard ", text_version="2025-2")
    assert processing.status(TODAY) == "active"
    assert (sharing.partner, sharing.expires_on, sharing.recorded_by) == (
        partner, dt.date(2026, 12, 31), personas.worker.user)  # fmt: skip
    assert (named.partner_name, named.text_version) == ("CIDFF du Gard", "2025-2")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"given_on": dt.date(2026, 3, 11)}, "Un consentement ne peut pas être recueilli dans le futur."),
        ({"given_on": dt.date(1999, 12, 31)}, "postérieure au 1er janvier 2000"),
        ({"given_on": None}, "Indiquez la date"),
        (
            {"expires_on": dt.date(2026, 1, 4)},
            "La date d'expiration ne peut pas précéder la date de recueil.",
        ),
        ({"partner_name": ""}, "Indiquez un seul partenaire"),
        ({"partner_name": "CIDFF", "with_partner": True}, "Indiquez un seul partenaire"),
        ({"scope": " "}, "Précisez ce qui peut être partagé"),
        ({"purpose": "marketing"}, "Choisissez l'objet du consentement."),
        ({"purpose": "processing"}, "ne désigne pas de partenaire"),
        ({"text_version": "x" * 21}, "trop long"),
    ],
)
def test_refused_consents_record_nothing(personas, person, partner, kwargs, message):
    kwargs = {"partner_name": "CIDFF du Gard", **kwargs}
    if kwargs.pop("with_partner", False):
        kwargs["partner"] = partner
    with pytest.raises(DomainError, match=message):
        share(person, personas.worker, **kwargs)
    assert not Consent.objects.exists()


def test_sharing_only_with_an_organisation_of_kind_partner(personas, person):
    with pytest.raises(DomainError, match="qu'avec un partenaire"):
        share(person, personas.worker, partner=personas.other_association)


@pytest.mark.parametrize("role", ["volunteer", "intern", "outsider", "secretariat", "agent"])
def test_only_the_associations_staff_record_or_withdraw(personas, person, role):
    by = getattr(personas, role)
    with pytest.raises(DomainError, match="Votre rôle ne permet pas cette action"):
        share(person, by, partner_name="CIDFF")
    consent = share(person, personas.worker, partner_name="CIDFF")
    with pytest.raises(DomainError, match="Votre rôle ne permet pas cette action"):
        services.withdraw_consent(consent, by)
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_withdrawal_keeps_the_consent_and_stops_sharing_at_once(personas, person, partner):
    consent = share(person, personas.worker, partner=partner)
    assert services.active_consent(person, partner) == consent
    services.withdraw_consent(consent, personas.worker)
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY
    assert consent.status(TODAY) == "withdrawn"
    assert services.active_consent(person, partner) is None
    assert services.active_consent(person, partner, dt.date(2026, 3, 9)) == consent  # history stays true
    assert Consent.objects.count() == 1


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (dt.date(2026, 3, 11), "Le retrait ne peut pas être daté dans le futur."),
        (dt.date(2026, 1, 4), "Le retrait ne peut pas précéder le recueil du consentement (5 janvier 2026)."),
    ],
)
def test_withdrawal_dates_are_checked(personas, person, on, message):
    consent = share(person, personas.worker, partner_name="CIDFF")
    with pytest.raises(DomainError, match=re.escape(message)):
        services.withdraw_consent(consent, personas.worker, on)
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_a_consent_is_withdrawn_once_and_an_expired_one_not_at_all(personas, person):
    consent = share(person, personas.worker, partner_name="CIDFF")
    services.withdraw_consent(consent, personas.worker, dt.date(2026, 2, 1))
    with pytest.raises(DomainError, match="déjà été retiré le 1er février 2026"):
        services.withdraw_consent(consent, personas.worker)
    expired = share(person, personas.worker, partner_name="Mission locale", expires_on=dt.date(2026, 2, 28))
    assert expired.status(TODAY) == "expired"
    with pytest.raises(DomainError, match="a expiré le 28 février 2026"):
        services.withdraw_consent(expired, personas.worker)


def test_active_consent_is_per_partner_and_per_date(personas, person, partner):
    other_partner = OrganisationFactory(kind="partner", name="Autre partenaire fictif", departement=None)
    named = share(person, personas.worker, partner_name="Centre d'Information Fictif",
                  given_on=dt.date(2026, 2, 1), expires_on=dt.date(2026, 6, 30))  # fmt: skip
    assert services.active_consent(person, "centre d information fictif") == named
    assert services.active_consent(person, "CENTRE D'INFORMATION FICTIF", dt.date(2026, 1, 31)) is None
    assert services.active_consent(person, "Centre d'Information Fictif", dt.date(2026, 7, 1)) is None
    assert services.active_consent(person, "Autre centre") is None
    assert services.active_consent(person, "") is None
    share(person, personas.worker, partner=partner)
    assert services.active_consent(person, other_partner) is None
    assert services.active_consent(PersonFactory(association=personas.association), partner) is None


def test_processing_consent_never_counts_as_sharing(personas, person, partner):
    services.record_consent(person, personas.worker, purpose="processing", given_on=TODAY)
    assert services.active_consent(person, partner) is None


# --- Pages ---------------------------------------------------------------------------------------------
def login(client, membership):
    client.force_login(membership.user)
    return client


def text(response):
    return html.unescape(response.content.decode())


def test_worker_records_a_consent_and_sees_its_status(client, personas, person, partner):
    client = login(client, personas.worker)
    response = client.post(reverse("people:consent_add", args=[person.pk]), {
        "purpose": "sharing", "partner": partner.pk, "scope": "situation administrative",
        "given_on": "2026-03-01", "expires_on": "2027-02-28", "text_version": "2026-1",
    }, follow=True)  # fmt: skip
    page = text(response)
    assert "Le consentement est enregistré." in page
    assert "France Travail fictive — situation administrative" in page
    assert "1er mars 2026" in page and "28 février 2027" in page
    assert "actif" in page


def test_the_consent_list_shows_active_expired_and_withdrawn(client, personas, person):
    share(person, personas.worker, partner_name="Partenaire actif")
    share(person, personas.worker, partner_name="Partenaire expiré", expires_on=dt.date(2026, 2, 1))
    withdrawn = share(person, personas.worker, partner_name="Partenaire retiré")
    services.withdraw_consent(withdrawn, personas.worker, dt.date(2026, 3, 1))
    page = text(login(client, personas.worker).get(reverse("people:situation", args=[person.pk])))
    for expected in ("actif", "expiré", "retiré", "Partenaire retiré", "1er mars 2026"):
        assert expected in page
    assert page.count("Enregistrer le retrait") == 1


def test_a_refused_consent_form_shows_the_reason_and_saves_nothing(client, personas, person, partner):
    response = login(client, personas.worker).post(reverse("people:consent_add", args=[person.pk]), {
        "purpose": "sharing", "partner": partner.pk, "partner_name": "Un autre", "scope": "tout",
        "given_on": "2026-03-01", "text_version": "2026-1",
    })  # fmt: skip
    assert response.status_code == 200
    assert "Indiquez un seul partenaire" in text(response)
    assert not Consent.objects.exists()


def test_worker_withdraws_a_consent_from_the_situation_page(client, personas, person):
    consent = share(person, personas.worker, partner_name="CIDFF")
    response = login(client, personas.worker).post(
        reverse("people:consent_withdraw", args=[person.pk, consent.pk]), {"withdrawn_on": "2026-03-02"},
        follow=True,
    )  # fmt: skip
    assert "Le retrait du consentement est enregistré." in text(response)
    consent.refresh_from_db()
    assert consent.withdrawn_on == dt.date(2026, 3, 2)


def test_a_bad_withdrawal_date_gives_a_french_message(client, personas, person):
    consent = share(person, personas.worker, partner_name="CIDFF")
    client = login(client, personas.worker)
    url = reverse("people:consent_withdraw", args=[person.pk, consent.pk])
    assert "Indiquez une date de retrait valide." in text(
        client.post(url, {"withdrawn_on": "demain"}, follow=True)
    )
    assert "dans le futur" in text(client.post(url, {"withdrawn_on": "2026-04-01"}, follow=True))
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_consents_of_someone_else_are_out_of_reach(client, personas, person):
    other = PersonFactory(association=personas.other_association)
    foreign = share(other, personas.outsider, partner_name="CIDFF")
    client = login(client, personas.worker)
    assert client.post(reverse("people:consent_withdraw", args=[other.pk, foreign.pk])).status_code == 404
    mine_url = reverse("people:consent_withdraw", args=[person.pk, foreign.pk])  # another person's consent
    assert client.post(mine_url, {"withdrawn_on": "2026-03-02"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.withdrawn_on is None


@pytest.mark.parametrize("role", ["volunteer", "intern", "member", "national", "secretariat"])
def test_roles_without_the_file_cannot_touch_consents(client, personas, person, role):
    consent = share(person, personas.worker, partner_name="CIDFF")
    client = login(client, getattr(personas, role))
    url = reverse("people:consent_withdraw", args=[person.pk, consent.pk])
    refused = 404 if role in ("volunteer", "intern") else 403  # they are not told the file exists (issue 11)
    assert client.post(url, {"withdrawn_on": "2026-03-02"}).status_code == refused
    assert client.get(reverse("people:consent_add", args=[person.pk])).status_code == refused
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
