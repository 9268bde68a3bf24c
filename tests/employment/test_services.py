"""The employment services: the refusals of issue 12 (French messages, nothing saved), the versioned project,
the agreement's computed end, and a journal row with each change."""

from __future__ import annotations

import datetime as dt

import pytest

from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.employment import services
from parcours.employment.models import Enrolment, Outcome, Participant, ProjectVersion, Support

from ..factories import PersonFactory

D = dt.date


@pytest.fixture
def cohort(personas):
    with clock.travel_to(D(2026, 1, 5)):
        programme = services.create_programme(personas.worker, name="Pour un nouveau départ")
        return services.create_cohort(programme, personas.worker, label="Promotion", starts_on=D(2026, 2, 2))


@pytest.mark.django_db
def test_a_person_of_another_association_is_refused_in_a_cohort(personas, cohort):
    other = PersonFactory(association=personas.other_association)
    with pytest.raises(DomainError) as refused:
        services.enrol(cohort, personas.worker, other)
    assert refused.value.message == "Seule une personne suivie par votre association peut être inscrite."
    assert Participant.objects.count() == 0
    # ... and a social worker of the other association cannot act on this cohort at all.
    with pytest.raises(DomainError) as refused:
        services.enrol(cohort, personas.outsider, other)
    assert refused.value.message == "Cet élément appartient à une autre association."


@pytest.mark.django_db
def test_an_outcome_before_the_step_it_concludes_is_refused(personas, cohort):
    person = personas.person()
    with clock.travel_to(D(2026, 3, 1)):
        services.enrol(cohort, personas.worker, person)
        step = services.add_step(cohort, personas.worker, kind="job_dating", starts_on=D(2026, 2, 16))
        with pytest.raises(DomainError) as refused:
            services.record_outcome(step, personas.worker, person, kind="in_training", on=D(2026, 2, 15))
    assert refused.value.message == (
        "L'issue (15 février 2026) ne peut précéder l'étape qu'elle conclut (Job-dating du 16 février 2026)."
    )
    assert Outcome.objects.count() == 0


@pytest.mark.django_db
def test_an_employment_needs_its_contract_and_hours_and_a_dropout_its_reason(personas, cohort):
    person = personas.person()
    with clock.travel_to(D(2026, 3, 1)):
        services.enrol(cohort, personas.worker, person)
        step = services.add_step(cohort, personas.worker, kind="placement", starts_on=D(2026, 2, 16))
        for kwargs, message in [
            (
                {"kind": "employed", "weekly_hours": 35},
                "Indiquez le type de contrat : CDD, CDI, mission d'intérim ou contrat aidé.",
            ),
            (
                {"kind": "employed", "contract": "permanent", "weekly_hours": 60},
                "Indiquez les heures par semaine, entre 1 et 48.",
            ),
            ({"kind": "dropped_out"}, "Indiquez le motif de l'abandon."),
        ]:
            with pytest.raises(DomainError) as refused:
                services.record_outcome(step, personas.worker, person, on=D(2026, 2, 20), **kwargs)
            assert refused.value.message == message
        services.record_outcome(
            step,
            personas.worker,
            person,
            kind="employed",
            on=D(2026, 2, 20),
            contract="permanent",
            weekly_hours=35,
        )
    assert AccessLog.objects.filter(event="employment_outcome.record", person_id=person.pk).count() == 1


@pytest.mark.django_db
def test_steps_follow_each_other_and_a_step_cannot_end_before_it_starts(personas, cohort):
    with clock.travel_to(D(2026, 1, 5)):
        services.add_step(cohort, personas.worker, kind="information", starts_on=D(2026, 2, 9))
        with pytest.raises(DomainError) as refused:
            services.add_step(cohort, personas.worker, kind="coaching", starts_on=D(2026, 2, 2))
        assert refused.value.message == "L'étape doit commencer après la précédente (9 février 2026)."
        with pytest.raises(DomainError) as refused:
            services.add_step(
                cohort, personas.worker, kind="training", starts_on=D(2026, 3, 2), ends_on=D(2026, 3, 1)
            )
        assert refused.value.message == "L'étape finit (1er mars 2026) avant de commencer (2 mars 2026)."


@pytest.mark.django_db
def test_each_save_of_the_project_is_a_new_version(personas):
    person = personas.person()
    with clock.travel_to(D(2026, 1, 5)):
        services.save_project(
            person,
            personas.worker,
            target_trades="Aide à domicile",
            french_level="A2",
            readiness="building",
            childcare=True,
        )
        services.save_project(
            person, personas.worker, target_trades="Agente de propreté", french_level="B1", readiness="ready"
        )
    assert list(ProjectVersion.objects.filter(person=person).values_list("number", "target_trades")) == [
        (2, "Agente de propreté"),
        (1, "Aide à domicile"),
    ]
    assert AccessLog.objects.filter(event="employment_project.save", person_id=person.pk).count() == 2
    with pytest.raises(DomainError):
        services.save_project(person, personas.outsider, readiness="ready")


@pytest.mark.django_db
def test_a_twelve_month_support_under_an_agreement_ends_the_day_before(personas):
    person = personas.person()
    with clock.travel_to(D(2026, 1, 5)):
        with pytest.raises(DomainError) as refused:
            services.create_agreement(
                personas.worker,
                label="Accompagnement global",
                starts_on=D(2026, 3, 1),
                ends_on=D(2026, 2, 1),
                support_months=12,
                partner=None,
            )
        assert (
            refused.value.message
            == "La convention finit (1er février 2026) avant de commencer (1er mars 2026)."
        )
        from ..factories import OrganisationFactory

        partner = OrganisationFactory(kind="partner", name="France Travail fictif", departement=None)
        agreement = services.create_agreement(
            personas.worker,
            label="Accompagnement global",
            starts_on=D(2026, 1, 1),
            ends_on=D(2027, 12, 31),
            support_months=12,
            partner=partner,
        )
        enrolment = services.enrol_under_agreement(agreement, personas.worker, person, D(2026, 3, 1))
    assert (enrolment.starts_on, enrolment.ends_on) == (D(2026, 3, 1), D(2027, 2, 28))
    assert Enrolment.objects.count() == 1


@pytest.mark.django_db
def test_a_support_decision_cannot_precede_its_request(personas):
    person = personas.person()
    with clock.travel_to(D(2026, 1, 5)):
        with pytest.raises(DomainError) as refused:
            services.record_support(
                person,
                personas.worker,
                kind="mobility",
                body="FASTT fictif",
                status="granted",
                requested_on=D(2026, 1, 3),
                decided_on=D(2026, 1, 2),
            )
        assert (
            refused.value.message
            == "La décision (2 janvier 2026) ne peut précéder la demande (3 janvier 2026)."
        )
        services.record_support(
            person,
            personas.worker,
            kind="mobility",
            body="FASTT fictif",
            status="granted",
            requested_on=D(2026, 1, 3),
            decided_on=D(2026, 1, 4),
        )
    assert Support.objects.get().body == "FASTT fictif"
