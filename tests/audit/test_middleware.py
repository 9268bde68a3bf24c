"""Refusals (403, 404) under the person URLs are recorded without any view code."""

import pytest
from django.http import HttpResponse
from django.urls import path

from parcours.audit import log
from parcours.audit.models import AccessLog

from .conftest import rows


def denied():
    return rows(action="denied")


@pytest.mark.django_db
def test_a_403_on_a_person_url_is_recorded(client, personas):
    person = personas.person()
    client.force_login(personas.secretariat.user)  # the commission: no rule to open a person's situation
    assert client.get(f"/personnes/{person.pk}/situation/?q=Nomfictif").status_code == 403
    [row] = denied()
    assert (row.outcome, row.status_code, row.object_type, row.object_id) == ("denied", 403, "page", "")
    # The refusal names the person (issue 7, finding 4: it was stored without her, so the head of service
    # searching her reference missed it).
    assert row.path == f"/personnes/{person.pk}/situation/" and row.person_id == person.pk
    assert (row.user, row.organisation, row.role) == (
        personas.secretariat.user,
        personas.commission,
        "secretariat",
    )
    assert row.ip == "127.0.0.1"


@pytest.mark.django_db
def test_a_volunteer_refused_a_file_gets_a_404_that_is_recorded(client, personas):
    person = personas.person()
    client.force_login(personas.volunteer.user)
    assert client.get(f"/personnes/{person.pk}/").status_code == 404
    [row] = denied()
    assert (row.status_code, row.path, row.person_id) == (404, f"/personnes/{person.pk}/", person.pk)
    assert row.role == "volunteer"


@pytest.mark.django_db
def test_a_404_on_a_person_url_is_recorded(client, personas):
    foreign = personas.person()
    client.force_login(personas.outsider.user)  # another association: the person is outside her visibility
    assert client.get(f"/personnes/{foreign.pk}/").status_code == 404
    assert client.get("/personnes/999999/").status_code == 404
    assert client.get("/personnes/pas-une-page/").status_code == 404  # not even a URL
    assert [(r.status_code, r.path, r.organisation) for r in denied()] == [
        (404, f"/personnes/{foreign.pk}/", personas.other_association),
        (404, "/personnes/999999/", personas.other_association),
        (404, "/personnes/", personas.other_association),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["/parcours/", "/suivi/", "/pieces/", "/droits/", "/journal/"])
def test_refusals_under_every_person_prefix_are_recorded(client, personas, prefix):
    client.force_login(personas.volunteer.user)
    response = client.get(f"{prefix}999999/inexistant/")
    assert response.status_code == 404
    assert [r.path for r in denied()] == [prefix]  # unmatched: the mount prefix only (review m3)


@pytest.mark.django_db
def test_a_worker_refused_the_journal_is_recorded(client, personas):
    client.force_login(personas.worker.user)
    assert client.get("/journal/").status_code == 403
    [row] = denied()
    assert (row.path, row.status_code, row.user) == ("/journal/", 403, personas.worker.user)


@pytest.mark.django_db
def test_a_page_answered_is_one_read_and_refusals_elsewhere_are_not_recorded(client, personas):
    client.force_login(personas.worker.user)
    before = AccessLog.objects.count()
    assert client.get("/personnes/").status_code == 200
    assert client.get("/nulle-part/").status_code == 404
    [row] = AccessLog.objects.order_by("-seq")[: AccessLog.objects.count() - before]
    assert (row.action, row.object_type, row.outcome) == ("read", "people_caseload", "allowed")


def test_reading_a_person_page_creates_exactly_one_row_naming_the_person(client, personas):
    person = personas.person()
    client.force_login(personas.worker.user)
    before = AccessLog.objects.count()
    assert client.get(f"/personnes/{person.pk}/").status_code == 200
    rows = list(AccessLog.objects.order_by("seq")[before:])
    assert [(r.action, r.object_type, r.person_id) for r in rows] == [("read", "people_person", person.pk)]


def test_an_accepted_form_is_recorded_as_an_update(client, personas):
    person = personas.person()
    client.force_login(personas.worker.user)
    before = AccessLog.objects.count()
    response = client.post(f"/personnes/{person.pk}/autres-noms/", {"name": "Graphie fictive"})
    assert response.status_code == 302
    rows = list(AccessLog.objects.order_by("seq")[before:])
    # One row, written by the service in its transaction and naming the event; none by the middleware.
    assert [(r.action, r.event, r.person_id) for r in rows] == [("create", "other_name.add", person.pk)]


def refused_and_recorded(request, pk):
    log.record(request, "denied", "person", pk, person_id=pk, outcome="denied", status_code=403)
    return HttpResponse(status=403)


urlpatterns = [path("personnes/<int:pk>/refus/", refused_and_recorded)]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_refusal_the_view_recorded_is_not_recorded_twice(client, personas):
    client.force_login(personas.worker.user)
    assert client.get("/personnes/5/refus/").status_code == 403
    [row] = denied()
    assert (row.object_type, row.person_id) == ("person", 5)


# --- Finding 1 (issue 7): reads without a trace through another HTTP method --------------------------------
# Before: OPTIONS, TRACE, PUT, PATCH or DELETE on a person's page rendered the whole page (name, phone) with
# status 200, and the middleware, counting only GET as a read, wrote no journal row.


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["options", "put", "patch", "delete", "trace"])
def test_another_method_on_a_person_page_is_refused_and_journaled(client, personas, method):
    person = personas.person(first_name="Canarine", last_name="Methodique")
    client.force_login(personas.worker.user)
    before = AccessLog.objects.count()
    response = getattr(client, method)(f"/personnes/{person.pk}/")
    assert response.status_code == 405
    assert b"Canarine" not in response.content and b"Methodique" not in response.content
    rows = list(AccessLog.objects.order_by("seq")[before:])
    assert [(r.action, r.outcome, r.status_code, r.path) for r in rows] == [
        ("denied", "denied", 405, f"/personnes/{person.pk}/")
    ]


@pytest.mark.django_db
def test_head_of_a_person_page_is_journaled_as_a_read_of_the_person(client, personas):
    person = personas.person()
    client.force_login(personas.worker.user)
    before = AccessLog.objects.count()
    response = client.head(f"/personnes/{person.pk}/")
    assert response.status_code == 200 and response.content == b""
    rows = list(AccessLog.objects.order_by("seq")[before:])
    assert [(r.action, r.object_type, r.person_id) for r in rows] == [("read", "people_person", person.pk)]


@pytest.mark.django_db
def test_a_method_refused_before_login_is_journaled_too(client, personas):
    person = personas.person()
    before = AccessLog.objects.count()
    assert client.options(f"/personnes/{person.pk}/").status_code == 405
    [row] = AccessLog.objects.order_by("seq")[before:]
    assert (row.action, row.status_code, row.user) == ("denied", 405, None)


def test_the_audited_places_are_those_the_url_modules_declare():
    """Literal: a module about people that stops declaring it (or a new one that does not) shows here."""
    from parcours.audit.scope import scope

    expected = ["/personnes/", "/parcours/", "/suivi/", "/droits/", "/pieces/", "/journal/", "/vie-privee/"]
    expected += ["/partage/", "/transferts/", "/documents-officiels/", "/ateliers/", "/emploi/"]
    expected += ["/terrain/passages/"]
    expected += ["/api/v1/"]  # the JSON API (parcours.api): every call journaled
    assert sorted(scope().prefixes) == sorted(expected)
    assert scope().person_argument["pathway:request_create"] == "person_pk"
