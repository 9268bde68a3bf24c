"""The demo's employment data (demo/employment.py) on a small world: the seed's cohort of nine shows its
literal figures, the France Travail agreement holds its people for 12 months, and the partner sees the
employment part of the consenting participants only."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.urls import reverse

from parcours.core import clock
from parcours.demo import employment as demo
from parcours.employment.cohort_figures import cohort_figures
from parcours.employment.models import Agreement, Programme
from parcours.people import services as people

from ..factories import MembershipFactory, OrganisationFactory, PersonFactory, departement

TODAY = dt.date(2026, 12, 5)


@pytest.fixture
def built(personas):
    boussole = OrganisationFactory(name="Collectif fictif 13", departement=departement("13"))
    worker13 = MembershipFactory(organisation=boussole, role="social_worker")
    france_travail = OrganisationFactory(kind="partner", name="France Travail (fictif)", departement=None)
    counsellor = MembershipFactory(organisation=france_travail, role="partner_counsellor")
    for n in range(9):
        PersonFactory(association=boussole, last_name=f"Démo-Treize{n}")
    gard = [personas.person(last_name=f"Démo-Gard{n}") for n in range(10)]
    with clock.travel_to(TODAY - dt.timedelta(days=400)):
        for person in gard[:5]:
            people.record_consent(
                person,
                personas.worker,
                purpose="sharing",
                partner=france_travail,
                given_on=TODAY - dt.timedelta(days=400),
                scopes=["identity_contact", "employment"],
            )
    with clock.travel_to(TODAY):
        demo.build_for(
            worker13=worker13,
            worker30=personas.worker,
            france_travail=france_travail,
            today=TODAY,
            rng=random.Random(3),
        )
    return counsellor, gard


@pytest.mark.django_db
def test_the_demo_holds_both_seed_programmes_and_the_agreement(built):
    nouveau = Programme.objects.get(name="Pour un nouveau départ")
    figures = cohort_figures(nouveau.cohorts.get())
    assert figures.participants == 9
    assert dict(figures.outcomes) == {
        "Embauchée d'emblée": 2,
        "Entrée en formation": 7,
        "Abandon": 2,
        "En emploi": 4,
        "En attente de mission": 2,
    }
    assert figures.employed_total == 6
    assert [(s.label, s.done) for s in figures.steps][:3] == [
        ("Réunion d'information", 9),
        ("Coaching", 9),
        ("Job-dating", 9),
    ]
    assert len(figures.steps[2].employers) == 8
    agreement = Agreement.objects.get(label="Accompagnement global France Travail")
    assert agreement.support_months == 12 and agreement.enrolments.count() == 8


@pytest.mark.django_db
def test_the_partner_sees_only_the_consenting_participants(client, built):
    counsellor, gard = built
    client.force_login(counsellor.user)
    with clock.travel_to(TODAY):
        seen = [client.get(reverse("sharing:person", args=[p.pk])) for p in gard]
    shown = [r.status_code == 200 and "Programmes emploi" in r.content.decode() for r in seen]
    assert shown == [True] * 5 + [False] * 5
