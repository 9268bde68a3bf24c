"""The head of service searches her association's journal, and only hers; nobody else opens it."""

import datetime as dt

import pytest
from django.test import RequestFactory

from parcours.audit import log
from parcours.audit.models import AccessLog
from parcours.core import clock

from .conftest import rows


def record_as(membership, action, object_type, object_id, person_id=None, when=None, outcome="allowed"):
    request = RequestFactory().get("/personnes/")
    request.user, request.membership = membership.user, membership
    with clock.travel_to(when or dt.datetime(2025, 3, 1, 10, 0, tzinfo=clock.PARIS)):
        return log.record(request, action, object_type, object_id, person_id=person_id, outcome=outcome)


@pytest.fixture
def history(personas):
    d = lambda day: dt.datetime(2025, 3, day, 10, 0, tzinfo=clock.PARIS)  # noqa: E731
    return {
        "worker_reads_41": record_as(personas.worker, "read", "person", 41, 41, d(1)),
        "worker_updates_note": record_as(personas.worker, "update", "note", 7, 41, d(2)),
        "head_reads_42": record_as(personas.head, "read", "person", 42, 42, d(3)),
        "volunteer_refused": record_as(personas.volunteer, "denied", "page", "", None, d(4), "denied"),
        "outsider_reads_43": record_as(personas.outsider, "read", "person", 43, 43, d(5)),
        "secretariat_reads_41": record_as(personas.secretariat, "read", "person", 41, 41, d(6)),
    }


def shown(response) -> list[int]:
    return [row.pk for row in response.context["page"]]


@pytest.mark.django_db
def test_head_sees_her_associations_rows_only_newest_first(client, personas, history):
    client.force_login(personas.head.user)
    response = client.get("/journal/")
    assert response.status_code == 200
    own = [r.pk for r in AccessLog.objects.filter(organisation=personas.association).order_by("-seq")]
    # Her association's rows (her login included); the other association's and the commission's are not. Her
    # reading of the journal is written after the page's rows were read: it shows from the next page on.
    assert shown(response) == own[1:]
    assert AccessLog.objects.get(pk=own[0]).object_type == "journal"
    assert history["outsider_reads_43"].pk not in own and history["secretariat_reads_41"].pk not in own
    assert {history[k].pk for k in ("worker_reads_41", "worker_updates_note", "head_reads_42",
                                    "volunteer_refused")} <= set(own)  # fmt: skip
    assert "P-000043" not in response.content.decode()


@pytest.mark.django_db
def test_reading_the_journal_is_recorded(client, personas, history):
    client.force_login(personas.head.user)
    client.get("/journal/", {"person": "P-000041"})
    row = rows(object_type="journal")[-1]
    assert (row.action, row.user, row.organisation, row.person_id) == ("read", personas.head.user,
                                                                        personas.association, 41)  # fmt: skip
    assert row.path == "/journal/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"person": "P-000041"}, ["worker_updates_note", "worker_reads_41"]),
        ({"person": "41"}, ["worker_updates_note", "worker_reads_41"]),
        ({"action": "update"}, ["worker_updates_note"]),
        ({"action": "denied"}, ["volunteer_refused"]),
        ({"start": "2025-03-02", "end": "2025-03-03"}, ["head_reads_42", "worker_updates_note"]),
    ],
)
def test_filters(client, personas, history, params, expected):
    client.force_login(personas.head.user)
    response = client.get("/journal/", params)
    assert shown(response) == [history[k].pk for k in expected]


@pytest.mark.django_db
def test_filter_by_user(client, personas, history):
    client.force_login(personas.head.user)
    response = client.get("/journal/", {"user": personas.worker.user.pk, "action": "read"})
    assert shown(response) == [history["worker_reads_41"].pk]


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"person": "Nomfictif"}, {"start": "2025-03-05", "end": "2025-03-01"}])
def test_invalid_filters_show_an_error_and_no_rows(client, personas, history, params):
    client.force_login(personas.head.user)
    response = client.get("/journal/", params)
    assert response.status_code == 200
    assert shown(response) == [] and response.context["form"].errors


@pytest.mark.django_db
def test_pagination_keeps_the_filters(client, personas):
    for i in range(55):
        record_as(personas.worker, "export", "export", i)
    client.force_login(personas.head.user)
    response = client.get("/journal/", {"action": "export"})
    assert len(shown(response)) == 50
    assert "action=export&amp;page=2" in response.content.decode()
    assert len(shown(client.get("/journal/", {"action": "export", "page": 2}))) == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", ["worker", "volunteer", "intern", "secretariat", "member", "agent", "national"]
)
def test_everyone_but_the_head_of_service_is_refused(client, personas, role):
    client.force_login(getattr(personas, role).user)
    assert client.get("/journal/").status_code == 403


@pytest.mark.django_db
def test_the_journal_shows_references_and_staff_but_no_person_name(client, personas):
    person = personas.person(first_name="Canariprenom", last_name="Canarinomxq")
    record_as(personas.worker, "read", "person", person.pk, person.pk)
    client.force_login(personas.head.user)
    page = client.get("/journal/").content.decode()
    assert f"P-{person.pk:06d}" in page
    assert "canari" not in page.lower()
    assert personas.worker.user.get_full_name() in page


# --- Issue 8, point 10: the journal speaks in words ------------------------------------------------------
@pytest.mark.django_db
def test_the_journal_says_what_was_read_in_words(client, personas):
    """Before: the rows read `people_caseload`, `followup_notes 85`, `followup_referral 9` and « Accès
    refusé » with the page's address only."""
    person = personas.person(referent=personas.worker.user)
    reference = f"P-{person.pk:06d}"
    client.force_login(personas.worker.user)
    assert client.get(f"/suivi/personnes/{person.pk}/entretiens/").status_code == 200
    assert client.get("/personnes/").status_code == 200
    referral = person.pk + 1000  # never the person's own key: the label then drops the number (same_person)
    record_as(personas.worker, "read", "followup_referral", referral, person.pk)
    client.force_login(personas.volunteer.user)
    assert client.get(f"/suivi/personnes/{person.pk}/entretiens/").status_code in (403, 404)
    client.force_login(personas.head.user)
    page = client.get("/journal/").content.decode()
    assert f"A consulté le dossier de {reference} — Entretiens" in page
    assert "A consulté la page « Personnes suivies »" in page
    assert (
        f"A consulté le dossier de {reference} — Orientation" in page and f"Orientation n° {referral}" in page
    )
    assert f"S&#x27;est vu refuser l&#x27;accès au dossier de {reference} — Entretiens" in page
    for code in ("people_caseload", "followup_notes", "followup_referral"):
        assert code not in page
