"""audit.log.record / record_system / audited_read: one row per call with the right fields, no name ever."""

import datetime as dt

import pytest
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory
from django.urls import path

from parcours.accounts import throttling
from parcours.audit import log
from parcours.audit.models import AccessLog, Action
from parcours.core import clock

from .conftest import rows

NOON = dt.datetime(2025, 3, 4, 12, 0, 0, 123456, tzinfo=clock.PARIS)


def request_as(membership, path="/personnes/12/", **meta):
    request = RequestFactory().get(path, {"q": "Nomfictif"}, **meta)
    request.user = membership.user if membership else AnonymousUser()
    request.membership = membership
    return request


class AnonymousUser:
    is_authenticated = False


@pytest.mark.django_db
def test_record_writes_one_row_with_who_when_what_where(personas):
    person = personas.person()
    request = request_as(personas.worker, f"/personnes/{person.pk}/", REMOTE_ADDR="192.0.2.10")
    with clock.travel_to(NOON):
        row = log.record(request, "read", "person", person.pk, person_id=person.pk)
    assert AccessLog.objects.count() == 1
    row = AccessLog.objects.get()
    assert row.at == NOON
    assert row.user == personas.worker.user
    assert row.organisation == personas.association
    assert row.role == "social_worker"
    assert (row.action, row.object_type, row.object_id) == ("read", "person", str(person.pk))
    assert row.person_id == person.pk
    assert row.ip == "192.0.2.10"
    assert row.path == f"/personnes/{person.pk}/"  # the query string (a searched name) is not kept
    assert row.outcome == "allowed"
    assert row.status_code is None
    assert row.seq == 1 and len(row.hash) == 64 and row.hash == row.compute_hash()


@pytest.mark.django_db
def test_each_call_is_one_row_chained_to_the_previous(personas):
    request = request_as(personas.worker)
    first = log.record(request, Action.READ, "person", 12, person_id=12)
    second = log.record(request, Action.UPDATE, "note", 7, person_id=12)
    third = log.record(request, Action.EXPORT, "export", "")
    assert AccessLog.objects.count() == 3
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert second.previous_hash == first.hash and third.previous_hash == second.hash


@pytest.mark.django_db
def test_record_system_has_no_request_part(personas):
    with clock.travel_to(NOON):
        row = log.record_system("update", "pathway", 5, person_id=9, organisation=personas.association)
    row = AccessLog.objects.get(pk=row.pk)
    assert row.user is None and row.role == "system" and row.ip is None and row.path == ""
    assert row.organisation == personas.association and row.person_id == 9


@pytest.mark.django_db
def test_a_denied_record_marks_the_request_so_the_middleware_does_not_repeat_it(personas):
    request = request_as(personas.volunteer)
    log.record(request, "denied", "person", 3, person_id=3, outcome="denied", status_code=403)
    assert request._audit_denied_recorded


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("peek", "person", 1), {}),
        (("read", "Person file", 1), {}),
        (("read", "person", "Nomfictif Prénomfictif"), {}),
        (("read", "person", 1), {"person_id": "Nomfictif"}),
        (("read", "person", 1), {"person_id": True}),
        (("read", "person", 1), {"outcome": "maybe"}),
    ],
)
def test_record_refuses_unknown_actions_and_anything_but_keys(personas, args, kwargs):
    with pytest.raises(ValueError):
        log.record(request_as(personas.worker), *args, **kwargs)
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_a_person_object_is_recorded_by_its_key(personas):
    person = personas.person()
    row = log.record(request_as(personas.worker), "read", "person", person, person_id=person)
    assert (row.object_id, row.person_id) == (str(person.pk), person.pk)


def test_path_is_cleaned_of_control_characters():
    assert log.clean_path("/personnes/1/\r\n\x1b[31m/é") == "/personnes/1/%0D%0A%1B%5B31m/%C3%A9"
    assert len(log.clean_path("/" + "a" * 900)) == 500


@pytest.mark.parametrize(
    ("meta", "trusted", "expected"),
    [
        ({"REMOTE_ADDR": "192.0.2.1"}, "", "192.0.2.1"),
        # Without a trusted proxy, X-Forwarded-For is the client's word: ignored.
        ({"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, "", "192.0.2.1"),
        ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, "127.0.0.1", "203.0.113.9"),
        # A forged left part is skipped: the nearest hop the proxy saw counts.
        (
            {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9, 10.0.0.3"},
            "10.0.0.0/8",
            "203.0.113.9",
        ),
        # The peer is not the proxy: the header is not read.
        ({"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, "127.0.0.1", "192.0.2.1"),
        ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "pas-une-adresse"}, "127.0.0.1", "127.0.0.1"),
        ({"REMOTE_ADDR": "::ffff:192.0.2.5"}, "", "192.0.2.5"),
        ({"REMOTE_ADDR": "2001:db8:0:0::1"}, "", "2001:db8::1"),
        ({}, "", None),
    ],
)
def test_client_ip(settings, meta, trusted, expected):
    settings.PARCOURS_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", **meta)
    if not meta:
        del request.META["REMOTE_ADDR"]
    assert log.client_ip(request) == expected
    # One function for the journal and the login throttling (django-axes): the same address.
    assert log.client_ip is throttling.client_ip


# --- Through the person page, wrapped as the lead will wrap it (tests/audit/urls.py) -------------------
MARKER_FIRST, MARKER_LAST = "Canariprenom", "Canarinomxq"


@pytest.mark.django_db
@pytest.mark.urls("tests.audit.urls")
def test_reading_a_person_page_creates_exactly_one_row(client, personas):
    person = personas.person()
    client.force_login(personas.worker.user)
    before = AccessLog.objects.count()
    response = client.get(f"/personnes/{person.pk}/", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    assert AccessLog.objects.count() == before + 1
    row = AccessLog.objects.order_by("seq").last()
    assert (row.action, row.object_type, row.object_id, row.person_id) == ("read", "person", str(person.pk),
                                                                            person.pk)  # fmt: skip
    assert (row.user, row.organisation, row.role) == (
        personas.worker.user,
        personas.association,
        "social_worker",
    )
    assert (row.ip, row.path, row.outcome) == ("198.51.100.7", f"/personnes/{person.pk}/", "allowed")


@pytest.mark.django_db
@pytest.mark.urls("tests.audit.urls")
def test_a_volunteers_attempt_is_refused_and_recorded(client, personas):
    person = personas.person()
    client.force_login(personas.volunteer.user)
    before = AccessLog.objects.count()
    response = client.get(f"/personnes/{person.pk}/")
    assert response.status_code == 404  # a volunteer is not told that the file exists (issue 11)
    assert AccessLog.objects.count() == before + 1
    row = AccessLog.objects.order_by("seq").last()
    assert (row.action, row.outcome, row.status_code) == ("denied", "denied", 404)
    assert (row.user, row.organisation, row.role) == (
        personas.volunteer.user,
        personas.association,
        "volunteer",
    )
    assert row.path == f"/personnes/{person.pk}/"
    assert rows(action="read") == []


@pytest.mark.django_db
@pytest.mark.urls("tests.audit.urls")
def test_no_name_of_the_person_anywhere_in_the_journal(client, personas):
    person = personas.person(first_name=MARKER_FIRST, last_name=MARKER_LAST, alias="Canarialias")
    client.force_login(personas.worker.user)
    assert client.get(f"/personnes/{person.pk}/", {"q": MARKER_LAST}).status_code == 200
    client.force_login(personas.volunteer.user)
    assert client.get(f"/personnes/{person.pk}/").status_code == 404
    client.force_login(personas.outsider.user)
    assert client.get(f"/personnes/{person.pk}/").status_code == 404
    client.force_login(personas.head.user)
    journal = client.get("/journal/", {"person": f"P-{person.pk:06d}"})
    assert journal.status_code == 200

    assert AccessLog.objects.filter(person_id=person.pk, action="read").exists()
    fields = [f.attname for f in AccessLog._meta.concrete_fields]
    values = " ".join(str(v) for row in AccessLog.objects.values_list(*fields) for v in row).lower()
    for marker in (MARKER_FIRST, MARKER_LAST, "Canarialias"):
        assert marker.lower() not in values
    page = journal.content.decode()
    assert f"P-{person.pk:06d}" in page
    assert MARKER_LAST.lower() not in page.lower() and MARKER_FIRST.lower() not in page.lower()


@log.audited_read("note")
def note_view(request, pk):
    request.audit_person_id = 77  # found by the view: the note's person
    return HttpResponse("ok")


@log.audited_read("document", action="download")
def moved_view(request, pk):
    return HttpResponseRedirect("/")


urlpatterns = [path("suivi/entretiens/<int:pk>/", note_view), path("pieces/documents/<int:pk>/", moved_view)]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_audited_read_takes_the_person_the_view_found_and_skips_non_2xx(client, personas):
    client.force_login(personas.worker.user)
    client.get("/suivi/entretiens/5/")
    client.get("/pieces/documents/6/")
    [row] = rows(action="read")
    assert (row.object_type, row.object_id, row.person_id) == ("note", "5", 77)
    assert rows(action="download") == []


def test_audited_read_refuses_an_unknown_action():
    with pytest.raises(ValueError):
        log.audited_read("note", action="glance")
