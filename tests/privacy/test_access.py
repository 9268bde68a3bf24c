"""Who reaches the « Vie privée » pages: the staff of the person's association; the others get 403 (role)
or 404 (a person of another association, whose existence is not confirmed, and volunteers and interns, who are
not told that a file exists: issue 11)."""

import pytest
from django.urls import reverse

from parcours.audit.models import AccessLog

PAGES = ["privacy:person", "privacy:export_json", "privacy:export_pdf", "privacy:erase"]
ALLOWED = {"worker": 200, "head": 200}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["worker", "head", "volunteer", "intern", "secretariat", "member", "agent",
                                  "national", "outsider"])  # fmt: skip
def test_each_role_reaches_what_the_rule_allows(client, personas, page, role):
    person = personas.person(referent=personas.worker.user)
    client.force_login(getattr(personas, role).user)
    response = client.get(reverse(page, args=[person.pk]))
    expected = 404 if role in ("outsider", "volunteer", "intern") else ALLOWED.get(role, 403)
    if page == "privacy:erase" and role == "worker":
        expected = 302  # the page sends her back with a message: only the head of service erases
    assert response.status_code == expected


def test_a_refusal_is_journalled(client, personas):
    person = personas.person()
    client.force_login(personas.outsider.user)
    client.get(reverse("privacy:person", args=[person.pk]))
    assert AccessLog.objects.filter(action="denied", path=f"/vie-privee/{person.pk}/").exists()


def test_reading_the_page_is_one_journal_row_about_the_person(client, personas):
    person = personas.person()
    client.force_login(personas.head.user)
    before = AccessLog.objects.count()
    assert client.get(reverse("privacy:person", args=[person.pk])).status_code == 200
    assert AccessLog.objects.count() == before + 1
    assert AccessLog.objects.first().person_id == person.pk


def test_the_section_is_in_the_persons_menu(client, personas):
    person = personas.person()
    client.force_login(personas.worker.user)
    page = client.get(reverse("people:person", args=[person.pk])).content.decode()
    assert reverse("privacy:person", args=[person.pk]) in page
