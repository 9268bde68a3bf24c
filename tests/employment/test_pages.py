"""The employment pages: the staff use the forms; a refusal shows its French message and keeps the input;
the person's page shows her project's history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from parcours.core import clock
from parcours.employment import services
from parcours.employment.models import Participant, ProjectVersion, Support

D = dt.date


@pytest.mark.django_db
def test_the_person_page_saves_a_new_version_and_a_support(client, personas):
    person = personas.person()
    client.force_login(personas.worker.user)
    url = reverse("employment:person", args=[person.pk])
    with clock.travel_to(D(2026, 3, 2)):
        for trades in ("Aide à domicile", "Commis de cuisine"):
            answer = client.post(
                url,
                {
                    "action": "project",
                    "target_trades": trades,
                    "french_level": "B1",
                    "readiness": "ready",
                    "mobility": "on",
                },
            )
            assert answer.status_code == 302
        answer = client.post(
            url,
            {
                "action": "support",
                "kind": "childcare",
                "body": "FASTT fictif",
                "status": "granted",
                "requested_on": "2026-03-01",
                "decided_on": "2026-02-01",
            },
        )
        assert answer.status_code == 400
        assert "ne peut précéder la demande" in answer.content.decode()
        page = client.get(url).content.decode()
    assert ProjectVersion.objects.filter(person=person).count() == 2 and Support.objects.count() == 0
    assert "2 versions" in page and "Commis de cuisine" in page


@pytest.mark.django_db
def test_the_step_page_refuses_an_outcome_before_its_step(client, personas):
    person = personas.person()
    with clock.travel_to(D(2026, 3, 2)):
        programme = services.create_programme(personas.worker, name="Programme fictif")
        cohort = services.create_cohort(
            programme, personas.worker, label="Promotion", starts_on=D(2026, 2, 1)
        )
        step = services.add_step(cohort, personas.worker, kind="training", starts_on=D(2026, 2, 10))
        services.enrol(cohort, personas.worker, person)
        client.force_login(personas.worker.user)
        answer = client.post(
            reverse("employment:step", args=[step.pk]),
            {"action": "outcome", "person": person.pk, "kind": "in_training", "on": "2026-02-09"},
        )
    assert answer.status_code == 400
    assert "ne peut précéder l&#x27;étape qu&#x27;elle conclut" in answer.content.decode()
    assert Participant.objects.count() == 1 and not step.outcomes.exists()
