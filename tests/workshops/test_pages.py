"""The workshop pages: the staff record attendance on a small form; volunteers and interns see the series,
dates, facilitator and counts, never who takes part; every page is journaled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.workshops import services
from parcours.workshops.models import Attendance, WorkshopSeries

D = dt.date
T = dt.time
CANARY = "Matricanarde"


@pytest.fixture
def setting(personas):
    alice = personas.person(first_name=CANARY, last_name="Nomcanari")
    bea = personas.person(first_name="Bérénice", last_name="Fictive")
    with clock.travel_to(D(2026, 1, 5)):
        series = services.create_series(
            personas.worker,
            topic="money",
            label="Rapport à l'argent (fictif)",
            starts_on=D(2026, 1, 6),
            ends_on=D(2026, 3, 31),
            external_facilitator="Conseillère emploi fictive",
        )
        first = services.add_session(
            series, personas.worker, date=D(2026, 1, 6), starts_at=T(9, 30), ends_at=T(11, 30)
        )
        second = services.add_session(
            series, personas.worker, date=D(2026, 1, 13), starts_at=T(9, 30), ends_at=T(11, 30)
        )
        services.enrol(series, personas.worker, alice)
        services.enrol(series, personas.worker, bea)
    with clock.travel_to(D(2026, 1, 6)):
        services.record_attendance(first, personas.worker, {alice.pk: "present", bea.pk: "present"})
    return series, first, second, alice, bea


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["volunteer", "intern"])
def test_volunteers_and_interns_see_the_series_and_counts_never_names(client, personas, setting, who):
    series, first, second, alice, bea = setting
    client.force_login(getattr(personas, who).user)
    with clock.travel_to(D(2026, 1, 20)):
        listing = client.get(reverse("workshops:list")).content.decode()
        page = client.get(reverse("workshops:series", args=[series.pk])).content.decode()
    assert "Rapport à l&#x27;argent (fictif)" in listing and "Conseillère emploi fictive" in listing
    assert "2 / 2" in listing  # sessions held / planned
    assert "2 participantes inscrites" in page
    assert "mardi 6 janvier 2026" in page and "mardi 13 janvier 2026" in page
    for text in (CANARY, "Nomcanari", "Bérénice", alice.reference, bea.reference):
        assert text not in listing and text not in page
    assert reverse("workshops:participants", args=[series.pk]) not in page
    for name, pk in (
        ("workshops:participants", series.pk),
        ("workshops:attendance", first.pk),
        ("workshops:session_add", series.pk),
        ("workshops:session_cancel", second.pk),
    ):
        response = client.get(reverse(name, args=[pk]))
        assert response.status_code == 404  # a URL naming an object: not even its existence (issue 11)
        assert CANARY not in response.content.decode()
    refusal = AccessLog.objects.filter(user=getattr(personas, who).user, outcome="denied").order_by("seq")
    assert refusal.count() == 4


@pytest.mark.django_db
def test_the_worker_records_attendance_on_the_session_form(client, personas, setting):
    series, _first, second, alice, bea = setting
    client.force_login(personas.worker.user)
    with clock.travel_to(D(2026, 1, 13)):
        form = client.get(reverse("workshops:attendance", args=[second.pk])).content.decode()
        assert CANARY in form and "Bérénice" in form
        assert f'name="presence-{alice.pk}" value="present"' in form
        response = client.post(
            reverse("workshops:attendance", args=[second.pk]),
            {f"presence-{alice.pk}": "present", f"presence-{bea.pk}": "excused"},
        )
    assert response.status_code == 302
    assert dict(Attendance.objects.filter(session=second).values_list("person_id", "status")) == {
        alice.pk: "present",
        bea.pk: "excused",
    }
    read = AccessLog.objects.filter(path=reverse("workshops:attendance", args=[second.pk]), action="read")
    assert read.count() == 1
    excused = Attendance.objects.get(session=second, person=bea)
    assert (
        AccessLog.objects.filter(event="workshop_attendance.record", object_id=str(excused.pk)).count() == 1
    )
    with clock.travel_to(D(2026, 1, 13)):
        page = client.get(reverse("workshops:series", args=[series.pk])).content.decode()
    assert "Présences" in page


@pytest.mark.django_db
def test_attendance_for_a_session_to_come_is_refused_and_shown(client, personas, setting):
    _series, _first, second, alice, _bea = setting
    client.force_login(personas.worker.user)
    with clock.travel_to(D(2026, 1, 8)):
        response = client.post(
            reverse("workshops:attendance", args=[second.pk]), {f"presence-{alice.pk}": "present"}
        )
    assert response.status_code == 400
    assert "n&#x27;a pas encore eu lieu" in response.content.decode()
    assert not Attendance.objects.filter(session=second).exists()


@pytest.mark.django_db
def test_the_staff_creates_a_series_then_a_session_and_a_bad_one_keeps_the_input(client, personas):
    client.force_login(personas.head.user)
    with clock.travel_to(D(2026, 3, 2)):
        response = client.post(
            reverse("workshops:series_create"),
            {
                "topic": "self_esteem",
                "label": "Estime de soi",
                "facilitator": personas.worker.pk,
                "external_facilitator": "",
                "starts_on": "2026-03-03",
                "ends_on": "2026-05-26",
            },
        )
        series = WorkshopSeries.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse(
            "workshops:series", args=[series.pk]
        )
        bad = client.post(
            reverse("workshops:session_add", args=[series.pk]),
            {"date": "2026-03-10", "starts_at": "15:00", "ends_at": "13:30"},
        )
        assert bad.status_code == 200
        text = bad.content.decode()
        assert "La séance finit (13:30) avant de commencer (15:00)." in text
        assert 'value="15:00"' in text
        good = client.post(
            reverse("workshops:session_add", args=[series.pk]),
            {"date": "2026-03-10", "starts_at": "13:30", "ends_at": "15:00"},
        )
    assert good.status_code == 302
    assert list(series.sessions.values_list("date", flat=True)) == [D(2026, 3, 10)]


@pytest.mark.django_db
def test_enrolment_page_lists_people_of_the_association_only(client, personas, setting):
    from ..factories import PersonFactory

    series, *_ = setting
    theirs = PersonFactory(association=personas.other_association, first_name="Ailleursfictive")
    mine = personas.person(first_name="Célestinefictive")
    client.force_login(personas.worker.user)
    page = client.get(reverse("workshops:participants", args=[series.pk])).content.decode()
    assert "Célestinefictive" in page and "Ailleursfictive" not in page
    refused = client.post(
        reverse("workshops:participants", args=[series.pk]), {"action": "enrol", "person": theirs.pk}
    )
    assert refused.status_code == 400
    client.post(reverse("workshops:participants", args=[series.pk]), {"action": "enrol", "person": mine.pk})
    assert series.participants.filter(person=mine).exists()


@pytest.mark.django_db
def test_a_series_of_another_association_is_a_404(client, personas, setting):
    series, first, *_ = setting
    client.force_login(personas.outsider.user)
    assert client.get(reverse("workshops:series", args=[series.pk])).status_code == 404
    assert client.get(reverse("workshops:attendance", args=[first.pk])).status_code == 404
    assert AccessLog.objects.filter(user=personas.outsider.user, status_code=404).count() == 2
