"""year_figures against raw SQL on a hand-built dataset; a partner sees a participant's employment data only
with a consent in force that includes the employment scope (both ways)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from parcours.core import clock
from parcours.employment import services
from parcours.employment.figures import year_figures
from parcours.people import services as people

from ..factories import MembershipFactory, OrganisationFactory, PersonFactory

D = dt.date


def sql(query: str, *params) -> int:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()[0]


@pytest.fixture
def dataset(personas):
    w = personas.worker
    a, b, c, d = (personas.person() for _ in range(4))
    outsider_person = PersonFactory(association=personas.other_association)
    with clock.travel_to(D(2026, 1, 5)):
        services.save_project(a, w, readiness="building")
        services.save_project(a, w, readiness="ready")
        services.save_project(b, w, readiness="ready")
        services.save_project(outsider_person, personas.outsider, readiness="ready")
        programme = services.create_programme(w, name="Programme")
        cohort = services.create_cohort(programme, w, label="Promotion", starts_on=D(2026, 1, 10))
        for p in (a, b, c):
            services.enrol(cohort, w, p)
        dating = services.add_step(cohort, w, kind="job_dating", starts_on=D(2026, 1, 12))
        training = services.add_step(cohort, w, kind="training", starts_on=D(2026, 2, 1))
        old = services.create_cohort(programme, w, label="Ancienne", starts_on=D(2026, 1, 5))
        services.enrol(old, w, d)
    with clock.travel_to(D(2026, 3, 1)):
        services.record_outcome(
            dating, w, a, kind="hired_at_once", on=D(2026, 1, 12), contract="permanent", weekly_hours=35
        )
        services.record_outcome(dating, w, b, kind="in_training", on=D(2026, 1, 12))
        services.record_outcome(dating, w, c, kind="in_training", on=D(2026, 1, 12))
        services.record_outcome(training, w, b, kind="dropped_out", on=D(2026, 2, 10), reason="Motif fictif")
        services.record_outcome(
            training, w, c, kind="employed", on=D(2026, 2, 28), contract="temp_mission", weekly_hours=20
        )
        services.record_support(
            a,
            w,
            kind="mobility",
            body="Fonds fictif",
            status="granted",
            requested_on=D(2026, 1, 6),
            decided_on=D(2026, 1, 20),
        )
        services.record_support(
            b, w, kind="housing", body="Fonds fictif", status="requested", requested_on=D(2026, 1, 6)
        )
    return personas.association


@pytest.mark.django_db
def test_year_figures_match_an_independent_sql_recomputation(dataset):
    org = dataset.pk
    oc = """SELECT COUNT(DISTINCT p.person_id) FROM employment_outcome o
            JOIN employment_participant p ON p.id = o.participant_id
            JOIN employment_step s ON s.id = o.step_id JOIN employment_cohort c ON c.id = s.cohort_id
            JOIN employment_programme g ON g.id = c.programme_id JOIN people_person x ON x.id = p.person_id
            WHERE g.association_id = %s AND x.association_id = %s AND o.kind IN ({})
            AND o."on" BETWEEN '2026-01-01' AND '2026-12-31'"""
    expected = {
        "projects": sql(
            """SELECT COUNT(DISTINCT v.person_id) FROM employment_projectversion v
                           JOIN people_person x ON x.id = v.person_id WHERE x.association_id = %s""",
            org,
        ),
        "participants": sql(
            """SELECT COUNT(DISTINCT p.person_id) FROM employment_participant p
                               JOIN employment_cohort c ON c.id = p.cohort_id
                               JOIN employment_programme g ON g.id = c.programme_id
                               WHERE g.association_id = %s AND EXISTS (SELECT 1 FROM employment_step s
                               WHERE s.cohort_id = c.id
                               AND s.starts_on BETWEEN '2026-01-01' AND '2026-12-31')""",
            org,
        ),
        "placements": sql(oc.format("'hired_at_once', 'employed'"), org, org),
        "hired_at_once": sql(oc.format("'hired_at_once'"), org, org),
        "in_training": sql(oc.format("'in_training'"), org, org),
        "dropped_out": sql(oc.format("'dropped_out'"), org, org),
        "waiting": sql(oc.format("'waiting'"), org, org),
        "supports_granted": sql(
            """SELECT COUNT(*) FROM employment_support s JOIN people_person x
                                   ON x.id = s.person_id WHERE x.association_id = %s AND s.status = 'granted'
                                   AND s.decided_on BETWEEN '2026-01-01' AND '2026-12-31'""",
            org,
        ),
        "agreement_people": 0,
    }
    assert year_figures(dataset, 2026) == expected
    # And the literal numbers of the dataset (the other association's project is not counted).
    assert expected == {
        "projects": 2,
        "participants": 3,
        "placements": 2,
        "hired_at_once": 1,
        "in_training": 2,
        "dropped_out": 1,
        "waiting": 0,
        "supports_granted": 1,
        "agreement_people": 0,
    }
    assert year_figures(dataset, 2025)["placements"] == 0


@pytest.fixture
def shared(personas):
    partner = OrganisationFactory(kind="partner", name="France Travail fictif", departement=None)
    counsellor = MembershipFactory(organisation=partner, role="partner_counsellor", user__username="conseil")
    with_employment = personas.person(first_name="Consentante", last_name="Démo-Emploi")
    without = personas.person(first_name="Réservée", last_name="Démo-Identité")
    w = personas.worker
    with clock.travel_to(D(2026, 1, 5)):
        for person, scopes in (
            (with_employment, ["identity_contact", "employment"]),
            (without, ["identity_contact"]),
        ):
            people.record_consent(
                person, w, purpose="sharing", partner=partner, given_on=D(2026, 1, 5), scopes=scopes
            )
            services.save_project(
                person, w, target_trades=f"Métier secret {person.first_name}", readiness="ready"
            )
    return counsellor, with_employment, without


@pytest.mark.django_db
def test_a_partner_sees_the_project_only_with_the_employment_scope(client, shared):
    counsellor, with_employment, without = shared
    client.force_login(counsellor.user)
    with clock.travel_to(D(2026, 2, 1)):
        page = client.get(reverse("sharing:person", args=[with_employment.pk])).content.decode()
        assert "Métier secret Consentante" in page
        page = client.get(reverse("sharing:person", args=[without.pk])).content.decode()
        assert "Consentante" not in page and "Métier secret" not in page
        # Her own employment pages stay closed to the partner.
        assert client.get(reverse("employment:person", args=[with_employment.pk])).status_code == 403


@pytest.mark.django_db
def test_a_withdrawn_consent_closes_the_employment_part(client, personas, shared):
    counsellor, with_employment, _ = shared
    consent = with_employment.consents.get()
    with clock.travel_to(D(2026, 2, 1)):
        people.withdraw_consent(consent, personas.worker, on=D(2026, 2, 1))
        client.force_login(counsellor.user)
        response = client.get(reverse("sharing:person", args=[with_employment.pk]))
    assert response.status_code == 404 and "Métier secret" not in response.content.decode()
