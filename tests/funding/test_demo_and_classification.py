"""The demo's funding (demo/funding.py) and the classification of the funding's free text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps

from parcours.core import clock
from parcours.core.classification import ORGANISATION_TEXT
from parcours.demo import funding as demo
from parcours.funding.models import Charge, FundedPost, Grant

from ..core.at_rest import linked_models, text_columns
from ..factories import MembershipFactory, OrganisationFactory, departement

TODAY = dt.date(2026, 12, 5)


@pytest.mark.django_db
def test_the_demo_holds_an_agrasc_post_on_two_sites_an_18_month_project_and_a_state_grant(personas):
    boussole = OrganisationFactory(name="Collectif fictif 13", departement=departement("13"))
    head13 = MembershipFactory(organisation=boussole, role="head_of_service")
    with clock.travel_to(TODAY):
        built = demo.build_for(horizon_head=personas.head, boussole_head=head13, today=TODAY)
    job = built["job"]
    assert (job.funder.kind, job.starts_on, job.ends_on) == (
        "agrasc",
        dt.date(2026, 2, 1),
        dt.date(2027, 1, 31),
    )
    posts = list(FundedPost.objects.filter(grant=job).values_list("sites", "months", "starts_on", "ends_on"))
    assert posts == [
        ("Nîmes", 6, dt.date(2026, 2, 1), dt.date(2026, 7, 31)),
        ("Alès", 6, dt.date(2026, 8, 1), dt.date(2027, 1, 31)),
    ]
    project = built["project"]
    assert (project.funder.association, project.starts_on, project.ends_on) == (
        boussole, dt.date(2026, 4, 1), dt.date(2027, 9, 30),
    )  # fmt: skip
    state = built["state"]
    assert (state.funder.kind, state.starts_on, state.ends_on) == (
        "state_ddfe", dt.date(2026, 1, 1), dt.date(2026, 12, 31),
    )  # fmt: skip
    # Charged monthly up to today: eleven rents of 950 € on the State grant, ten salaries on the post.
    assert [c.amount for c in Charge.objects.filter(grant=state)] == [950] * 11
    assert Charge.objects.filter(grant=job).count() == 10
    assert Grant.objects.count() == 4


def test_the_funding_models_name_no_person_and_their_text_is_classified():
    models = [m for m in apps.get_app_config("funding").get_models()]
    linked = {m._meta.label_lower for m in linked_models()}
    for model in models:
        label = model._meta.label_lower
        assert label not in linked, f"{label} leads to a person"
        assert sorted(f.name for f in text_columns(model)) == sorted(ORGANISATION_TEXT[label]), label
    assert sorted(ORGANISATION_TEXT) == sorted(m._meta.label_lower for m in models)
