"""Referrals to partners: who, why, when, with the person's consent, and what came of it."""

import datetime as dt

import pytest
from django.urls import reverse

from parcours.core.errors import DomainError
from parcours.followup import services
from parcours.followup.models import Referral, ReferralOutcome
from parcours.people.models import Consent

from ..factories import OrganisationFactory, departement
from .conftest import TODAY, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(db):
    return OrganisationFactory(
        kind="partner", name="France Travail fictif", approval_number="", approval_start=None
    )


def refer(file, by, **kwargs):
    values = dict(partner_name="CIDFF fictif", reason="Information sur les droits", domain="rights",
                  referred_on=dt.date(2026, 3, 2), oral_agreement=True)  # fmt: skip
    values.update(kwargs)
    return services.refer(file, by, **values)


def test_worker_refers_to_a_partner_of_the_list_with_a_recorded_consent(client, personas, file, partner):
    consent = Consent.objects.create(person=file, purpose="sharing", partner=partner, scope="Emploi",
                                     given_on=dt.date(2026, 2, 10),
                                     recorded_by=personas.worker.user)  # fmt: skip
    url = reverse("followup:referrals", args=[file.pk])
    response = login(client, personas.worker).post(url, {
        "partner": partner.pk, "partner_name": "", "domain": "employment",
        "reason": "Accompagnement global", "referred_on": "2026-03-09", "comment": "",
    })  # fmt: skip
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.consent == consent and not referral.oral_agreement
    page = client.get(url).content.decode()
    assert "France Travail fictif" in page and "Accompagnement global" in page and "En attente" in page
    assert "consentement enregistré" in page


def test_without_consent_the_worker_must_note_an_oral_agreement(client, personas, file, partner):
    url = reverse("followup:referrals", args=[file.pk])
    data = {"partner": partner.pk, "domain": "employment", "reason": "Accompagnement global",
            "referred_on": "2026-03-09"}  # fmt: skip
    response = login(client, personas.worker).post(url, data)
    assert "Aucun consentement de la personne au partage" in response.content.decode()
    assert not Referral.objects.exists()
    client.post(url, {**data, "oral_agreement": "on"})
    assert Referral.objects.get().oral_agreement


def test_a_withdrawn_consent_does_not_count(personas, file, partner):
    Consent.objects.create(person=file, purpose="sharing", partner=partner, given_on=dt.date(2026, 1, 5),
                           withdrawn_on=dt.date(2026, 3, 1), recorded_by=personas.worker.user)  # fmt: skip
    with pytest.raises(DomainError, match="Aucun consentement"):
        refer(file, personas.worker, partner=partner, partner_name="", oral_agreement=False)


def test_a_consent_names_a_partner_outside_parcours(personas, file):
    consent = Consent.objects.create(person=file, purpose="sharing", partner_name="CIDFF Fictif",
                                     given_on=dt.date(2026, 2, 1),
                                     recorded_by=personas.worker.user)  # fmt: skip
    referral = refer(file, personas.worker, partner_name="cidff fictif", oral_agreement=False)
    assert referral.consent == consent


def test_a_referral_names_a_partner(personas, file):
    with pytest.raises(DomainError, match="Indiquez le partenaire"):
        refer(file, personas.worker, partner_name=" ")


def test_dates_are_checked(personas, file):
    with pytest.raises(DomainError, match="futur"):
        refer(file, personas.worker, referred_on=TODAY + dt.timedelta(days=1))
    referral = refer(file, personas.worker)
    with pytest.raises(DomainError, match="ne peut pas précéder l'orientation"):
        services.record_referral_outcome(referral, personas.worker, outcome="accepted",
                                         outcome_on=dt.date(2026, 3, 1))  # fmt: skip
    with pytest.raises(DomainError, match="Indiquez la date"):
        services.record_referral_outcome(referral, personas.worker, outcome="refused", outcome_on=None)
    referral.refresh_from_db()
    assert referral.outcome == ReferralOutcome.PENDING and referral.outcome_on is None


def test_worker_records_the_outcome(client, personas, file):
    referral = refer(file, personas.worker)
    response = login(client, personas.worker).post(reverse("followup:referral", args=[referral.pk]), {
        "outcome": "accepted", "outcome_on": "2026-03-06", "comment": "Premier rendez-vous fixé",
        "version": referral.version,
    })  # fmt: skip
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.outcome, referral.outcome_on) == ("accepted", dt.date(2026, 3, 6))
    page = client.get(reverse("followup:referrals", args=[file.pk])).content.decode()
    assert "Acceptée (6 mars 2026)" in page and "Premier rendez-vous fixé" in page


def test_a_refused_outcome_shows_a_french_message_on_the_form(client, personas, file):
    referral = refer(file, personas.worker)
    response = login(client, personas.worker).post(reverse("followup:referral", args=[referral.pk]), {
        "outcome": "accepted", "outcome_on": "2026-02-20",
    })  # fmt: skip
    assert response.status_code == 200
    assert "La réponse ne peut pas précéder l&#x27;orientation (2 mars 2026)." in response.content.decode()


@pytest.mark.parametrize("role", ["volunteer", "intern"])
def test_volunteers_and_interns_cannot_refer(client, personas, file, role):
    membership = getattr(personas, role)
    assert login(client, membership).get(reverse("followup:referrals", args=[file.pk])).status_code == 404
    with pytest.raises(DomainError, match="Votre rôle"):
        refer(file, membership)


def test_outsider_gets_a_404(client, personas, file):
    referral = refer(file, personas.worker)
    login(client, personas.outsider)
    assert client.get(reverse("followup:referrals", args=[file.pk])).status_code == 404
    assert client.get(reverse("followup:referral", args=[referral.pk])).status_code == 404


# --- A service of the département's directory -------------------------------------------------------------
@pytest.fixture
def entry(personas):
    from parcours.directory import services as directory

    return directory.create_entry(personas.worker, kind="temp_agency", name="Intérim Démo-Gard", town="Nîmes")


def test_worker_refers_to_a_service_of_the_directory(client, personas, file, entry):
    url = reverse("followup:referrals", args=[file.pk])
    page = login(client, personas.worker).get(url).content.decode()
    assert "Intérim Démo-Gard" in page  # offered in the form
    response = client.post(url, {
        "entry": entry.pk, "domain": "employment", "reason": "Mission en intérim",
        "referred_on": "2026-03-09", "oral_agreement": "on",
    })  # fmt: skip
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.entry == entry and referral.partner is None and referral.partner_name == ""
    page = client.get(url).content.decode()
    assert "Intérim Démo-Gard" in page and "Mission en intérim" in page


def test_a_consent_naming_the_directory_service_is_found(personas, file, entry):
    consent = Consent.objects.create(person=file, purpose="sharing", partner_name="intérim démo-gard",
                                     given_on=dt.date(2026, 2, 1),
                                     recorded_by=personas.worker.user)  # fmt: skip
    referral = refer(file, personas.worker, partner_name="", entry=entry, oral_agreement=False)
    assert referral.consent == consent and not referral.oral_agreement


def test_one_partner_only(personas, file, entry, partner):
    with pytest.raises(DomainError, match="Choisissez un seul partenaire"):
        refer(file, personas.worker, entry=entry)  # and the default typed name
    with pytest.raises(DomainError, match="Choisissez un seul partenaire"):
        refer(file, personas.worker, partner_name="", entry=entry, partner=partner)
    assert not Referral.objects.exists()


def test_a_directory_service_of_another_departement_is_refused(client, personas, file):
    from parcours.directory.models import DirectoryEntry

    far = DirectoryEntry.objects.create(
        departement=departement("13"), kind="training", name="Formation Démo-Marseille",
        created_by=personas.worker.user,
    )  # fmt: skip
    with pytest.raises(DomainError, match="annuaire de votre département"):
        refer(file, personas.worker, partner_name="", entry=far)
    url = reverse("followup:referrals", args=[file.pk])
    page = login(client, personas.worker).get(url).content.decode()
    assert "Formation Démo-Marseille" not in page
    response = client.post(url, {"entry": far.pk, "domain": "employment", "reason": "Formation",
                                 "referred_on": "2026-03-09", "oral_agreement": "on"})  # fmt: skip
    assert "Sélectionnez un choix valide" in response.content.decode()  # the form's own list refuses it
    assert not Referral.objects.exists()
