"""An intern's school, tutor and dates: set by the head of service on the member's page, shown on the
intern's own organisation page. Volunteers and interns never open a person's file."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from parcours.accounts.models import InternProfile
from parcours.audit.models import AccessLog
from parcours.core.errors import DomainError
from parcours.onboarding import services

from ..factories import MembershipFactory

D = dt.date
SCHOOL = "École de travail social (fictive)"


def form(personas, **changes):
    data = {"action": "intern", "school": SCHOOL, "tutor": personas.worker.pk, "starts_on": "2026-09-07",
            "ends_on": "2027-01-29"}  # fmt: skip
    data.update(changes)
    return data


@pytest.mark.django_db
def test_the_head_of_service_records_the_internship_and_the_intern_sees_it(client, personas):
    client.force_login(personas.head.user)
    url = reverse("onboarding:membership", args=[personas.intern.pk])
    assert "Enregistrer le stage" in client.get(url).content.decode()
    response = client.post(url, form(personas))
    assert response.status_code == 302
    profile = InternProfile.objects.get(membership=personas.intern)
    assert (profile.school, profile.tutor, profile.starts_on, profile.ends_on) == (
        SCHOOL, personas.worker, D(2026, 9, 7), D(2027, 1, 29),
    )  # fmt: skip
    assert AccessLog.objects.filter(event="intern_profile.save", user=personas.head.user).count() == 1
    client.force_login(personas.intern.user)
    page = client.get(reverse("accounts:organisation")).content.decode()
    assert "Mon stage" in page and "École de travail social (fictive)" in page
    assert "Du 7 septembre 2026 au 29 janvier 2027" in page


@pytest.mark.django_db
def test_an_internship_ending_before_it_starts_is_refused_in_the_form(client, personas):
    client.force_login(personas.head.user)
    url = reverse("onboarding:membership", args=[personas.intern.pk])
    response = client.post(url, form(personas, ends_on="2026-09-01"))
    assert response.status_code == 200
    assert "La fin du stage (01/09/2026) précède son début (07/09/2026)." in response.content.decode()
    assert not InternProfile.objects.exists()


@pytest.mark.django_db
def test_the_tutor_is_staff_of_her_association_and_only_interns_have_a_profile(personas):
    outsider_tutor = personas.outsider
    with pytest.raises(DomainError) as tutor:
        services.set_intern_profile(personas.head, personas.intern, school=SCHOOL, tutor=personas.volunteer,
                                    starts_on=D(2026, 9, 7), ends_on=D(2027, 1, 29))  # fmt: skip
    assert tutor.value.message.startswith("Le tuteur ou la tutrice est une salariée de l'association")
    with pytest.raises(DomainError):
        services.set_intern_profile(personas.head, personas.intern, school=SCHOOL, tutor=outsider_tutor,
                                    starts_on=D(2026, 9, 7), ends_on=D(2027, 1, 29))  # fmt: skip
    with pytest.raises(DomainError) as not_intern:
        services.set_intern_profile(personas.head, personas.volunteer, school=SCHOOL, tutor=personas.worker,
                                    starts_on=D(2026, 9, 7), ends_on=D(2027, 1, 29))  # fmt: skip
    assert (
        not_intern.value.message
        == "Seul l'accès d'une ou d'un stagiaire porte une école, un tuteur et des dates."
    )
    assert not InternProfile.objects.exists()


@pytest.mark.django_db
def test_only_the_head_of_her_association_sets_it_and_a_refusal_is_journaled(client, personas):
    with pytest.raises(DomainError):
        services.set_intern_profile(personas.worker, personas.intern, school=SCHOOL, tutor=personas.worker,
                                    starts_on=D(2026, 9, 7), ends_on=D(2027, 1, 29))  # fmt: skip
    other_head = MembershipFactory(organisation=personas.other_association, role="head_of_service")
    with pytest.raises(DomainError) as elsewhere:
        services.set_intern_profile(other_head, personas.intern, school=SCHOOL, tutor=personas.worker,
                                    starts_on=D(2026, 9, 7), ends_on=D(2027, 1, 29))  # fmt: skip
    assert "autre organisation" in elsewhere.value.message
    assert AccessLog.objects.filter(outcome="denied", object_type="membership").count() == 2
    assert not InternProfile.objects.exists()
    # The national administration manages the member (onboarding:membership) but not the internship.
    client.force_login(personas.national.user)
    page = client.get(reverse("onboarding:membership", args=[personas.intern.pk])).content.decode()
    assert "Enregistrer le stage" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["volunteer", "intern"])
def test_volunteers_and_interns_never_open_a_person_file_of_their_association(client, personas, who):
    """Every page of a person's file refuses them with a 404 (issue 11: not even told that the file exists;
    the access matrix holds it), shows nothing of her, and the refusal is journaled with the person
    concerned."""
    person = personas.person(first_name="Matricanarde", last_name="Nomcanari")
    member = getattr(personas, who)
    client.force_login(member.user)
    names = ("people:person", "people:situation", "followup:notes", "records:documents")
    urls = [reverse(name, args=[person.pk]) for name in names]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404
        assert "Matricanarde" not in response.content.decode()
    denied = AccessLog.objects.filter(user=member.user, outcome="denied").order_by("seq")
    assert [(row.path, row.person_id) for row in denied] == [(url, person.pk) for url in urls]
