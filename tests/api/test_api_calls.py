"""What a caller of the API notices: the journal rows of each call, pagination, French errors, throttling,
statistics suppressed as on the pages, and an appointment created through the same service as the page."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache

from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.followup.models import Appointment

from ..conftest import authorised_pathway
from ..factories import PersonFactory
from .conftest import bearer, token_for


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the statistics are cached
    yield
    cache.clear()


def new_rows(before):
    return list(AccessLog.objects.order_by("seq")[before:])


# --- The journal --------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_reading_a_person_by_the_api_is_journaled_like_her_page(client, personas):
    person = personas.person(referent=personas.worker.user)
    secret = token_for(personas.worker)
    client.force_login(personas.worker.user)
    before = AccessLog.objects.count()
    assert client.get(f"/personnes/{person.pk}/").status_code == 200
    [page] = new_rows(before)
    client.logout()
    before = AccessLog.objects.count()
    response = client.get(f"/api/v1/people/{person.pk}", **bearer(secret))
    assert response.status_code == 200 and response.json()["last_name"] == person.last_name
    [row] = new_rows(before)
    same = ("action", "outcome", "person_id", "user_id", "organisation_id", "role", "object_id")
    assert [getattr(row, f) for f in same] == [getattr(page, f) for f in same]
    # The path is the URL pattern (a typed segment is never stored); the object is in object_id.
    assert (row.action, row.person_id, row.object_type, row.object_id, row.path) == (
        "read",
        person.pk,
        "api_person",
        str(person.pk),
        "/api/v1/people/<pk>",
    )


@pytest.mark.django_db
def test_every_call_leaves_one_journal_row_refusals_included(client, personas):
    mine = personas.person()
    foreign = PersonFactory(association=personas.other_association)
    secret = token_for(personas.worker)
    calls = [
        ("/api/v1/people?page=1", bearer(secret), ("read", "allowed", None, 200)),
        (f"/api/v1/people/{foreign.pk}", bearer(secret), ("denied", "denied", foreign.pk, 404)),
        ("/api/v1/people?per_page=0", bearer(secret), ("denied", "denied", None, 422)),
        (f"/api/v1/people/{mine.pk}", {}, ("denied", "denied", None, 401)),
        ("/api/v1/statistics", bearer(secret), ("denied", "denied", None, 403)),
    ]
    for path, headers, want in calls:
        before = AccessLog.objects.count()
        response = client.get(path, **headers)
        rows = new_rows(before)
        assert [(r.action, r.outcome, r.person_id, r.status_code or response.status_code) for r in rows] == [
            want
        ], path
        assert response.status_code == want[3]


@pytest.mark.django_db
def test_creating_an_appointment_goes_through_the_service_and_its_journal(client, personas):
    person = personas.person(referent=personas.worker.user)
    secret = token_for(personas.worker, write=["appointments"])
    start = clock.now().replace(microsecond=0) + dt.timedelta(days=1)
    body = {"person_id": person.pk, "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=1)).isoformat(), "purpose": "health",
            "place": "Locaux de l'association"}  # fmt: skip
    before = AccessLog.objects.count()
    response = client.post("/api/v1/appointments", body, content_type="application/json", **bearer(secret))
    assert response.status_code == 201, response.content
    appointment = Appointment.objects.get()
    assert response.json()["id"] == appointment.pk and appointment.worker == personas.worker.user
    # A token's call opens no session (accounts.middleware.ChangesStampMiddleware counts a logged-in
    # session's changes only): no cookie, no row.
    assert "sessionid" not in response.cookies and not Session.objects.exists()
    [row] = new_rows(before)
    assert (row.event, row.person_id, row.user, row.role) == (
        "appointment.schedule",
        person.pk,
        personas.worker.user,
        "social_worker",
    )
    # The service's own checks answer in French, and nothing is written.
    body["ends_at"] = start.isoformat()
    refused = client.post("/api/v1/appointments", body, content_type="application/json", **bearer(secret))
    assert refused.status_code == 422
    assert refused.json() == {"detail": "Le rendez-vous doit finir après son début.", "errors": []}
    assert Appointment.objects.count() == 1


@pytest.mark.django_db
def test_a_read_only_token_creates_nothing(client, personas):
    person = personas.person()
    secret = token_for(personas.worker)  # every read scope, no write
    start = clock.now() + dt.timedelta(days=1)
    body = {"person_id": person.pk, "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=1)).isoformat(), "purpose": "health"}  # fmt: skip
    response = client.post("/api/v1/appointments", body, content_type="application/json", **bearer(secret))
    assert response.status_code == 403 and not Appointment.objects.exists()


# --- Pagination and filters ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_lists_are_paginated(client, personas):
    people = [personas.person() for _ in range(5)]
    PersonFactory(association=personas.other_association)  # never counted
    secret = token_for(personas.worker)
    pages = [
        client.get("/api/v1/people", {"page": n, "per_page": 2}, **bearer(secret)).json()
        for n in (1, 2, 3, 4)
    ]
    assert [p["count"] for p in pages] == [5, 5, 5, 5]
    assert [[r["id"] for r in p["results"]] for p in pages] == [
        [people[0].pk, people[1].pk],
        [people[2].pk, people[3].pk],
        [people[4].pk],
        [],
    ]
    assert (pages[0]["page"], pages[0]["per_page"]) == (1, 2)


@pytest.mark.django_db
def test_filters_narrow_the_list(client, personas):
    mine = personas.person(referent=personas.worker.user)
    personas.person(referent=personas.head.user)
    secret = token_for(personas.worker)
    response = client.get("/api/v1/people", {"referent_me": "true"}, **bearer(secret))
    assert [r["id"] for r in response.json()["results"]] == [mine.pk]


# --- French errors ------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_errors_are_json_in_french(client, personas):
    secret = token_for(personas.worker)
    assert client.get("/api/v1/people/999999", **bearer(secret)).json() == {
        "detail": "Cette ressource n'existe pas ou ne vous est pas accessible."
    }
    bad = client.get("/api/v1/people", {"per_page": 1000}, **bearer(secret))
    assert bad.status_code == 422
    assert bad.json() == {
        "detail": "La requête contient des valeurs invalides.",
        "errors": [
            {"loc": ["query", "per_page"], "message": "Valeur trop grande.", "type": "less_than_equal"}
        ],
    }
    word = client.get("/api/v1/people/abc", **bearer(secret))
    assert word.status_code == 422 and word.json()["errors"][0]["message"] == "Nombre entier attendu."
    status = client.get("/api/v1/requests", {"status": "inconnu"}, **bearer(secret)).json()
    assert status["errors"][0]["message"] == "Valeur inconnue : choisissez l'une des valeurs de la liste."
    forbidden = client.get("/api/v1/sessions", **bearer(secret))
    assert (forbidden.status_code, forbidden.json()) == (
        403,
        {"detail": "Votre rôle ne donne pas accès à cette ressource."},
    )
    malformed = client.post("/api/v1/appointments", "{pas du json", content_type="application/json",
                            **bearer(token_for(personas.head, write=["appointments"])))  # fmt: skip
    assert (malformed.status_code, malformed.json()) == (
        400,
        {"detail": "Le corps de la requête n'est pas du JSON lisible."},
    )
    assert client.delete("/api/v1/people", **bearer(secret)).status_code == 405
    nowhere = client.get("/api/v1/pas-une-operation", **bearer(secret))
    assert (nowhere.status_code, nowhere.json()) == (
        404,
        {"detail": "Cette adresse ne correspond à aucune opération de l'API."},
    )
    assert client.get("/pas-une-page/").status_code == 404  # elsewhere, the usual page


# --- Throttling ---------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_calls_are_throttled_per_token(client, personas, settings):
    settings.PARCOURS_API_CALLS_PER_MINUTE = 3
    first, second = token_for(personas.worker), token_for(personas.worker, name="Autre outil")
    answers = [client.get("/api/v1/people", **bearer(first)).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get("/api/v1/people", **bearer(first))
    assert refused.json() == {"detail": "Trop d'appels avec ce jeton : patientez avant de réessayer."}
    assert 0 < int(refused["Retry-After"]) <= 60
    assert client.get("/api/v1/people", **bearer(second)).status_code == 200  # another token, its own count


@pytest.mark.django_db
def test_the_count_is_shared_by_every_process_and_starts_again_each_minute(client, personas, settings):
    settings.PARCOURS_API_CALLS_PER_MINUTE = 2
    secret = token_for(personas.worker)
    with clock.travel_to(dt.datetime(2026, 12, 4, 10, 0, 5, tzinfo=clock.PARIS)):
        answers = []
        for _ in range(3):
            answers.append(client.get("/api/v1/people", **bearer(secret)).status_code)
            cache.clear()  # another process: nothing of the count is in a process's memory
        refused = client.get("/api/v1/people", **bearer(secret))
    assert answers == [200, 200, 429]
    assert refused["Retry-After"] == "55"  # the rest of the minute
    with clock.travel_to(dt.datetime(2026, 12, 4, 10, 1, 0, tzinfo=clock.PARIS)):
        assert client.get("/api/v1/people", **bearer(secret)).status_code == 200


# --- Statistics ---------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_statistics_hide_small_counts_as_the_pages_do(client, personas):
    authorised_pathway(personas, personas.person(), submitted_on=dt.date(2025, 1, 6),
                       session_on=dt.date(2025, 2, 3), decided_on=dt.date(2025, 2, 10))  # fmt: skip
    secret = token_for(personas.secretariat)
    body = client.get("/api/v1/statistics", {"year": 2025}, **bearer(secret)).json()
    assert (body["level"], body["start"], body["end"]) == ("departement", "2025-01-01", "2025-12-31")
    values = [v for ind in body["indicators"] for row in ind["rows"] for v in [*row["values"], row["total"]]]
    threshold = body["threshold"]
    assert threshold >= 10
    assert not [v for v in values if v is not None and 0 < v <= threshold]  # no small count shown
    entries = next(ind for ind in body["indicators"] if ind["code"] == "entries")
    assert entries["rows"][0]["total"] is None  # one entry in the Gard: hidden ("s" on the page)
    # The same figures, the same hidden cells as the dashboard page of the same reader.
    client.force_login(personas.secretariat.user)
    page = client.get("/statistiques/", {"debut": "2025-01-01", "fin": "2025-12-31"})
    shown = [
        [[list(values), None if total == "" else total] for _label, values, total in table.rows]
        for table in page.context["tables"]
    ]
    assert shown == [[[row["values"], row["total"]] for row in ind["rows"]] for ind in body["indicators"]]
    assert None in [v for table in shown for row in table for v in row[0]]  # some cells are hidden
    other = client.get("/api/v1/statistics", {"year": 2025, "departement": "13"}, **bearer(secret))
    assert other.status_code == 404  # another département: as on the page, a 404
