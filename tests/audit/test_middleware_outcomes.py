"""Review of issue 7 (minor findings m2, m3, m8): what the journal middleware writes for a form refused, a
redirect without a change, a server error, and which path it stores. Rows are read back with SQL."""

import pytest
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path

from parcours.urls import urlpatterns as site


def journal_since(before: int):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT action, event, outcome, status_code, person_id, path FROM audit_accesslog "
            "WHERE seq > %s ORDER BY seq",
            [before],
        )
        return cursor.fetchall()


def last_seq() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM audit_accesslog")
        return cursor.fetchone()[0]


def everything_stored() -> str:
    """Every column of every journal row, as text (the oracle for a canary)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_accesslog")
        return repr(cursor.fetchall())


def breaks_down(request, person_pk):
    raise RuntimeError("panne canari")


def goes_back(request, person_pk):
    return redirect("/personnes/")


def note_titled(request, pk, title):
    return HttpResponse("une note")


urlpatterns = [
    path("personnes/<int:person_pk>/panne/", breaks_down),
    path("personnes/<int:person_pk>/renvoi/", goes_back),
    path("personnes/<int:pk>/essai/<str:title>/", note_titled, name="essai"),
    *site,
]


# --- m2: a refused form is not a change --------------------------------------------------------------------
@pytest.mark.django_db
def test_a_form_shown_again_with_its_errors_is_a_read_not_an_update(client, personas):
    """Before: a POST answered 200 without a service row was journaled as an `update`, a change that
    never happened."""
    person = personas.person()
    client.force_login(personas.worker.user)
    before = last_seq()
    response = client.post(f"/personnes/{person.pk}/situation/modifier/", {"first_name": ""})
    assert response.status_code == 200  # the form again, with its errors
    assert journal_since(before) == [
        ("read", "", "allowed", None, person.pk, f"/personnes/{person.pk}/situation/modifier/")
    ]


@pytest.mark.django_db
def test_a_redirect_without_a_service_row_writes_no_row(client, personas):
    """An empty name is refused by the form and the view redirects: nothing changed, nothing was shown.
    Before: an `update` row. (Decision: a POST answered with a redirect and no row of the service is not
    journaled; every change is journaled by its service, tests/audit/test_events.py.)"""
    person = personas.person()
    client.force_login(personas.worker.user)
    before = last_seq()
    response = client.post(f"/personnes/{person.pk}/autres-noms/", {"name": ""})
    assert response.status_code == 302
    assert journal_since(before) == []


# --- m8: a server error under a person URL ------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_server_error_under_a_person_url_writes_a_row(client, personas):
    """Before: a 5xx under /personnes/ wrote no row at all (neither a refusal nor an access)."""
    client.force_login(personas.worker.user)
    client.raise_request_exception = False
    before = last_seq()
    response = client.get("/personnes/41/panne/")
    assert response.status_code == 500
    assert journal_since(before) == [("denied", "", "denied", 500, 41, "/personnes/41/panne/")]


# --- m3: the stored path is the URL pattern, never text typed in the address -------------------------------
@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_path_is_the_route_with_its_keys_never_a_typed_name(client, personas):
    """Before: GET /personnes/Aminata-Diallo-0612345678/ stored that string in audit_accesslog.path."""
    person = personas.person()
    client.force_login(personas.worker.user)
    before = last_seq()
    assert client.get("/personnes/Aminata-Diallo-0612345678/").status_code == 404
    assert client.get(f"/personnes/{person.pk}/essai/Aminata-Diallo-0612345678/").status_code == 200
    assert client.get(f"/personnes/{person.pk}/?q=Aminata").status_code == 200
    assert [row[5] for row in journal_since(before)] == [
        "/personnes/",  # unmatched: the mount prefix only
        f"/personnes/{person.pk}/essai/<title>/",  # a text argument stays its placeholder
        f"/personnes/{person.pk}/",
    ]
    stored = everything_stored()
    assert "Aminata" not in stored and "0612345678" not in stored


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_redirect_view_without_change_under_a_person_url_writes_no_row(client, personas):
    client.force_login(personas.worker.user)
    before = last_seq()
    assert client.post("/personnes/41/renvoi/").status_code == 302
    assert client.get("/personnes/41/renvoi/").status_code == 302
    assert journal_since(before) == []
